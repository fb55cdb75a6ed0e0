#pragma once
// The messages of a schema-6 message block: each message's metadata and its bytes, packed
// together before the block is compressed (message_blocks.hpp).
//
// Until schema 5 every message was also a row of `messages` (20 columns, an index on call):
// two B-tree inserts per message made that table the writer's largest cost, and no query ever
// looked at a message alone but through its call or its seq. Now a block carries its messages'
// metadata, the block's row gives its seq range, and `block_calls` names the blocks holding
// messages of each call: a call's messages are found by their blocks, a message by its seq.
//
// Inflated layout: varint count; for each message, in order: seq and timestamp (zigzag
// deltas from the previous message's, the first from 0), call key, src, sport, dst, dport,
// transport, IP version, path, frames, role, transaction, original seq, issues, byte length;
// then the messages' bytes, concatenated in the same order. Numbers are LEB128 varints
// (varint.hpp), texts a varint length and the octets.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipscope::analyzer::store {

struct MessageRow;
struct PackedBlock;

// One message of a decoded block; the views point into the expanded block.
struct BlockMessage {
    std::uint64_t seq = 0, callKey = 0, transaction = 0, original = 0;
    std::int64_t tsNs = 0;
    std::string_view src, dst, transport, path, frames, role, issues, bytes;
    std::uint16_t sport = 0, dport = 0;
    std::uint8_t ipVersion = 4;
};

// The uncompressed form of a block holding `rows` (at least one).
std::string encodeBlockMessages(const MessageRow* rows, std::size_t count);
// `rows` cut into runs of consecutive messages up to kMessageBlockBytes of bytes (a larger
// message gets a block of its own), each encoded and compressed.
std::vector<PackedBlock> packMessageBlocks(const std::vector<MessageRow>& rows);
// The messages of an expanded block; nullopt when it is not one encodeBlockMessages made
// (truncated, inconsistent lengths, trailing octets).
std::optional<std::vector<BlockMessage>> decodeBlockMessages(std::string_view raw);

}  // namespace sipscope::analyzer::store
