#pragma once
// zstd (RFC 8878) as the store uses it: one frame per message block or call record, level 1,
// with one compression and one decompression context per thread (setting one up costs more
// than compressing a record). An optional dictionary (raw content, shared by all threads)
// primes small records with the keys they all repeat.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sipscope::analyzer::store::zstd {

// A prepared dictionary for both directions; `content` must outlive it.
class Dictionary {
  public:
    explicit Dictionary(std::string_view content);
    ~Dictionary();
    Dictionary(const Dictionary&) = delete;
    Dictionary& operator=(const Dictionary&) = delete;

    struct Prepared;
    const Prepared* prepared() const noexcept { return m_prepared.get(); }

  private:
    std::unique_ptr<Prepared> m_prepared;
};

// Whether `data` starts with a zstd frame's magic number (28 B5 2F FD).
bool isFrame(std::string_view data) noexcept;

// Appends the frame of `in` to `out`; false (and `out` as it was) only when memory runs out.
bool compress(std::string_view in, std::string& out, const Dictionary* dict = nullptr);

// Expands the frame(s) in `in` into exactly `size` bytes at `out`; false when they are
// damaged or expand to anything else. Callers bound `size` against `in.size()` with
// kMaxRatio before allocating.
bool expand(std::string_view in, char* out, std::size_t size, const Dictionary* dict = nullptr);

// No zstd frame expands more than this: a block holds at most 128 KiB, and the smallest
// block (an RLE block) takes a 3-octet header and 1 octet.
inline constexpr std::size_t kMaxRatio = 32768;

}  // namespace sipscope::analyzer::store::zstd
