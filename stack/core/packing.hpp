#pragma once
// Compact packing of in-memory state that waits a long time (a sleeping transaction shadow, a
// call waiting for its transactions to end): unsigned integers as LEB128 varints, signed ones
// zigzag-encoded first, strings as length and bytes, digests as 8 raw bytes. The format is
// private to the process (never stored or sent), so a reader trusts what its writer wrote.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sipscope::stack {

class PackWriter {
  public:
    // Writes into `scratch` (kept between uses, so it is allocated once); take() copies out.
    explicit PackWriter(std::string& scratch) : m_buf(scratch) {}

    void u(std::uint64_t v) {
        room(10);
        char* p = m_buf.data() + m_size;
        char* const begin = p;
        while (v >= 0x80) {
            *p++ = static_cast<char>(v | 0x80);
            v >>= 7;
        }
        *p++ = static_cast<char>(v);
        m_size += static_cast<std::size_t>(p - begin);
    }
    void s(std::int64_t v) {
        u((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
    }
    // `v` as its difference from `base`, taken modulo 2^64 so that any pair of values
    // round-trips (delta(base) gives `v` back) without signed overflow.
    void delta(std::int64_t v, std::int64_t base) {
        s(static_cast<std::int64_t>(static_cast<std::uint64_t>(v) -
                                    static_cast<std::uint64_t>(base)));
    }
    void str(std::string_view v) {
        u(v.size());
        room(v.size());
        if (!v.empty()) std::memcpy(m_buf.data() + m_size, v.data(), v.size());
        m_size += v.size();
    }
    void ids(const std::vector<std::uint64_t>& v) {
        u(v.size());
        for (auto id : v) u(id);
    }
    // A uniformly spread 64-bit value: 8 bytes, where a varint would take 9 or 10.
    void digest(std::uint64_t v) {
        room(8);
        std::memcpy(m_buf.data() + m_size, &v, 8);
        m_size += 8;
    }

    std::size_t size() const noexcept { return m_size; }
    std::unique_ptr<char[]> take() const {
        auto out = std::make_unique_for_overwrite<char[]>(m_size);
        if (m_size) std::memcpy(out.get(), m_buf.data(), m_size);
        return out;
    }

  private:
    // The growth path out of line, so that the writes stay small enough to inline.
    void room(std::size_t n) {
        if (m_size + n > m_buf.size()) [[unlikely]]
            grow(n);
    }
    [[gnu::noinline]] void grow(std::size_t n) {
        m_buf.resize(std::max(2 * m_buf.size(), m_size + n + 256));
    }

    std::string& m_buf;
    std::size_t m_size = 0;
};

class PackReader {
  public:
    explicit PackReader(const char* p) noexcept : m_p(p) {}

    std::uint64_t u() noexcept {
        std::uint64_t v = 0;
        for (int shift = 0;; shift += 7) {
            const auto byte = static_cast<unsigned char>(*m_p++);
            v |= std::uint64_t{byte & 0x7fu} << shift;
            if (byte < 0x80) return v;
        }
    }
    std::int64_t s() noexcept {
        const std::uint64_t v = u();
        return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
    }
    std::int64_t delta(std::int64_t base) noexcept {
        return static_cast<std::int64_t>(static_cast<std::uint64_t>(base) +
                                         static_cast<std::uint64_t>(s()));
    }
    void str(std::string& out) {
        const std::size_t n = u();
        out.assign(m_p, n);
        m_p += n;
    }
    std::string str() {
        std::string out;
        str(out);
        return out;
    }
    void ids(std::vector<std::uint64_t>& out) {
        out.resize(u());
        for (auto& id : out) id = u();
    }
    std::uint64_t digest() noexcept {
        std::uint64_t v;
        std::memcpy(&v, m_p, 8);
        m_p += 8;
        return v;
    }

  private:
    const char* m_p;
};

// Objects whose owner went to sleep, kept with their strings' and vectors' capacity for the
// next one that wakes (its unpacking sets every field), so waking and sleeping rarely allocate.
template <class T, std::size_t kMax = 64>
class SparePool {
  public:
    std::unique_ptr<T> take() {
        if (m_kept.empty()) return std::make_unique<T>();
        std::unique_ptr<T> p = std::move(m_kept.back());
        m_kept.pop_back();
        return p;
    }
    void give(std::unique_ptr<T> p) {
        if (p && m_kept.size() < kMax) m_kept.push_back(std::move(p));
    }

  private:
    std::vector<std::unique_ptr<T>> m_kept;
};

}  // namespace sipscope::stack
