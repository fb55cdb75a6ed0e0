#pragma once
// Message bytes in compressed blocks (schema v4; from v6 with the messages' metadata too,
// block_messages.hpp). SIP is verbose text that repeats itself from one message to the next
// (the same Via, From, To, Call-ID and SDP lines all through a call), so the raw bytes of
// consecutive messages are packed into blocks of about 32 KiB and compressed together. From
// schema 7 a block is one zstd frame (level 1); before, a zlib stream (deflate level 1).
// Measured on synthetic SIP here: zstd 1.2 GB/s at ratio 0.077, zlib 0.44 GB/s at 0.089, and
// compression was 7 % of an import's CPU. Blocks are told apart by their first octets (zstd's
// magic number, zlib's header), so both kinds are read. A version-4/5 message row names its
// block and its slice of the expanded block; readers expand a block once and keep the few
// they read last.

#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/block_messages.hpp"

namespace sipscope::analyzer::store {

inline constexpr std::size_t kMessageBlockBytes = 32 * 1024;

// The zstd frame of `raw` (level 1); empty only when memory runs out.
std::string compressBlock(std::string_view raw);
// The `rawSize` bytes of a block (a zstd frame, or the zlib stream of schema 4-6); nullopt when
// the data is damaged or does not expand to exactly rawSize bytes.
std::optional<std::string> expandBlock(std::string_view data, std::size_t rawSize);
// The message at [offset, offset + length) of an expanded block; nullopt when out of range.
std::optional<std::string_view> sliceBlock(std::string_view block, std::int64_t offset,
                                           std::int64_t length);

// An expanded block and, for a schema-6 block, its messages (views into `raw`).
struct CachedBlock {
    std::string raw;
    std::vector<BlockMessage> messages;
};

// Expanded blocks a reader used last (a call's messages usually sit in one or two blocks).
// A block's address, and so the views into it, stay valid until it is evicted: `capacity`
// insertions of other blocks later.
class BlockCache {
  public:
    explicit BlockCache(std::size_t capacity = 8) : m_capacity(capacity) {}
    const CachedBlock* find(std::int64_t id);
    // The new entry, for its messages to be decoded in place (views into its own `raw`).
    CachedBlock& insert(std::int64_t id, std::string raw);
    void erase(std::int64_t id);

  private:
    std::size_t m_capacity;
    std::list<std::pair<std::int64_t, CachedBlock>> m_blocks;  // most recent first
};

}  // namespace sipscope::analyzer::store
