#pragma once
// Message bytes in compressed blocks (schema v4). SIP is verbose text that repeats itself from
// one message to the next (the same Via, From, To, Call-ID and SDP lines all through a call),
// so the raw bytes of consecutive messages are packed into blocks of about 32 KiB and deflated
// together (zlib, level 1: ~70-150 MB/s on the writer thread, 5-15x smaller on SIP). A
// message row names its block and its slice of the inflated block; readers inflate a block
// once and keep the few they read last.

#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sipscope::analyzer::store {

inline constexpr std::size_t kMessageBlockBytes = 32 * 1024;

// zlib stream of `raw` (deflate level 1).
std::string deflateBlock(std::string_view raw);
// The `rawSize` bytes of a block written by deflateBlock; nullopt when the data is damaged or
// does not inflate to exactly rawSize bytes.
std::optional<std::string> inflateBlock(std::string_view data, std::size_t rawSize);
// The message at [offset, offset + length) of an inflated block; nullopt when out of range.
std::optional<std::string_view> sliceBlock(std::string_view block, std::int64_t offset,
                                           std::int64_t length);

// Inflated blocks a reader used last (a call's messages usually sit in one or two blocks).
class BlockCache {
  public:
    explicit BlockCache(std::size_t capacity = 8) : m_capacity(capacity) {}
    const std::string* find(std::int64_t id);
    const std::string& insert(std::int64_t id, std::string block);

  private:
    std::size_t m_capacity;
    std::list<std::pair<std::int64_t, std::string>> m_blocks;  // most recent first
};

}  // namespace sipscope::analyzer::store
