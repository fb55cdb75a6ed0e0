#pragma once
// A hash map from 64-bit digests (core/digest.hpp) to values, for the passive observer's
// per-message lookups: the transaction index, the 2xx awaiting ACKs, the recent copies. Open
// addressing with linear probing in one array, at most half full, so a lookup is mostly one
// cache line where a node-based map took two dependent misses (bucket, then node), and an
// insert allocates nothing. Deletion shifts the following entries back (no tombstones).
//
// Values move on insert (growth) and erase (the shift): hold pointers to them only until the
// next insert or erase.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace sipscope::stack {

template <class V>
class DigestMap {
  public:
    V* find(std::uint64_t key) {
        if (m_size == 0) return nullptr;
        for (std::size_t i = home(key);; i = next(i)) {
            Slot& s = m_slots[i];
            if (!s.used) return nullptr;
            if (s.key == key) return &s.value;
        }
    }
    const V* find(std::uint64_t key) const { return const_cast<DigestMap*>(this)->find(key); }

    // The value of `key`, value-initialised when absent.
    V& operator[](std::uint64_t key) {
        if (2 * (m_size + 1) > m_slots.size()) {
            if (V* v = find(key)) return *v;  // present: no need to grow
            grow();
        }
        std::size_t i = home(key);
        for (; m_slots[i].used; i = next(i))
            if (m_slots[i].key == key) return m_slots[i].value;
        Slot& s = m_slots[i];
        s.used = true;
        s.key = key;
        s.value = V{};
        ++m_size;
        return s.value;
    }

    bool erase(std::uint64_t key) {
        if (m_size == 0) return false;
        std::size_t i = home(key);
        while (m_slots[i].used && m_slots[i].key != key) i = next(i);
        if (!m_slots[i].used) return false;
        // Backward shift: move later entries of the run into the hole when their home allows.
        for (std::size_t j = next(i);; j = next(j)) {
            Slot& s = m_slots[j];
            if (!s.used) break;
            const std::size_t h = home(s.key);
            // s may fill the hole at i unless its home lies cyclically in (i, j].
            const bool homeBetween = i <= j ? (i < h && h <= j) : (i < h || h <= j);
            if (homeBetween) continue;
            m_slots[i].key = s.key;
            m_slots[i].value = std::move(s.value);
            i = j;
        }
        m_slots[i].used = false;
        m_slots[i].value = V{};  // lets what it owns go now
        --m_size;
        return true;
    }

    std::size_t size() const noexcept { return m_size; }
    bool empty() const noexcept { return m_size == 0; }
    // Calls f(key, value) for every entry, in no particular order. `f` must not insert or erase.
    template <class F>
    void forEach(F&& f) {
        for (Slot& s : m_slots)
            if (s.used) f(s.key, s.value);
    }

  private:
    struct Slot {
        std::uint64_t key = 0;
        bool used = false;
        V value{};
    };
    // Fibonacci hashing: the top bits of key * 2^64/phi, so that keys that are not digests
    // (counters, other hashes) spread too.
    std::size_t home(std::uint64_t key) const noexcept {
        return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> m_shift);
    }
    std::size_t next(std::size_t i) const noexcept { return (i + 1) & (m_slots.size() - 1); }

    void grow() {
        std::vector<Slot> old = std::move(m_slots);
        const std::size_t capacity = old.empty() ? 64 : 2 * old.size();
        m_slots = std::vector<Slot>(capacity);
        m_shift = 64;
        for (std::size_t c = capacity; c > 1; c >>= 1) --m_shift;
        for (Slot& s : old) {
            if (!s.used) continue;
            std::size_t i = home(s.key);
            while (m_slots[i].used) i = next(i);
            m_slots[i].used = true;
            m_slots[i].key = s.key;
            m_slots[i].value = std::move(s.value);
        }
    }

    std::vector<Slot> m_slots;
    std::size_t m_size = 0;
    unsigned m_shift = 64;
};

}  // namespace sipscope::stack
