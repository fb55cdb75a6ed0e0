// libFuzzer target for the store's packed RTP chunks (store/media_chunk.hpp): a damaged blob
// read back from a database must give either packets whose payloads lie inside it, or an
// error naming an offset inside it after the packets before the damage; packets that decode
// must survive a round trip through the chunker unchanged. The same input is also read as a
// compressed message block (store/message_blocks.hpp; its first 4 octets the claimed raw
// size; a zstd frame or a zlib stream): it expands to exactly that size or is refused, slices
// stay inside, and any bytes survive a compress/expand round trip. It is read as a packed call
// record too (store/call_json_blob.hpp, formats 1 and 2): refused, or text within the size
// limit; and packing then unpacking it gives it back. And it is read as an expanded block
// (store/block_messages.hpp): refused, or messages whose texts and bytes lie inside it, which
// encode again to a block that decodes to the same.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "media/rtp.hpp"
#include "store/block_messages.hpp"
#include "store/call_json_blob.hpp"
#include "store/media_chunk.hpp"
#include "store/message_blocks.hpp"
#include "store/store_writer.hpp"

using namespace sipscope::analyzer;
using namespace sipscope::analyzer::store;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void checkMessageBlock(std::string_view in) {
    if (in.size() >= 4) {
        const std::size_t claimed = (std::size_t(std::uint8_t(in[0])) << 24) |
                                    (std::size_t(std::uint8_t(in[1])) << 16) |
                                    (std::size_t(std::uint8_t(in[2])) << 8) | std::uint8_t(in[3]);
        if (auto block = expandBlock(in.substr(4), claimed)) {
            check(block->size() == claimed);
            const auto half = static_cast<std::int64_t>(claimed / 2);
            check(sliceBlock(*block, half, half).has_value());
            check(!sliceBlock(*block, half, static_cast<std::int64_t>(claimed) + 1));
        }
    }
    const auto again = expandBlock(compressBlock(in), in.size());
    check(again && *again == in);
    BlockCache cache(2);
    cache.insert(1, std::string(in));
    check(cache.find(1) && cache.find(1)->raw == in && !cache.find(2));
}

bool inside(std::string_view part, std::string_view in) {
    return part.empty() || (part.data() >= in.data() && part.data() + part.size() <= in.end());
}

MessageRow rowOf(const BlockMessage& m) {
    MessageRow r;
    r.seq = m.seq;
    r.callKey = m.callKey;
    r.tsNs = m.tsNs;
    r.src = m.src;
    r.dst = m.dst;
    r.sport = m.sport;
    r.dport = m.dport;
    r.transport = m.transport;
    r.ipVersion = m.ipVersion;
    r.path = m.path;
    r.frames = m.frames;
    r.role = m.role;
    r.transaction = m.transaction;
    r.original = m.original;
    r.issues = m.issues;
    r.bytes = m.bytes;
    return r;
}

void checkBlockMessages(std::string_view in) {
    const auto messages = decodeBlockMessages(in);
    if (!messages || messages->empty()) return;
    std::vector<MessageRow> rows;
    for (const BlockMessage& m : *messages) {
        for (std::string_view part :
             {m.src, m.dst, m.transport, m.path, m.frames, m.role, m.issues, m.bytes})
            check(inside(part, in));
        rows.push_back(rowOf(m));
    }
    const std::string raw = encodeBlockMessages(rows.data(), rows.size());
    const auto again = decodeBlockMessages(raw);
    check(again && again->size() == messages->size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const BlockMessage &a = (*again)[i], &b = (*messages)[i];
        check(a.seq == b.seq && a.callKey == b.callKey && a.tsNs == b.tsNs && a.src == b.src &&
              a.dst == b.dst && a.sport == b.sport && a.dport == b.dport &&
              a.transport == b.transport && a.ipVersion == b.ipVersion && a.path == b.path &&
              a.frames == b.frames && a.role == b.role && a.transaction == b.transaction &&
              a.original == b.original && a.issues == b.issues && a.bytes == b.bytes);
    }
}

void checkCallRecord(std::string_view in) {
    if (auto json = unpackCallJson(in)) check(json->size() <= (std::size_t{64} << 20));
    const auto again = unpackCallJson(packCallJson(in));
    check(again && *again == in);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    checkMessageBlock(in);
    checkCallRecord(in);
    checkBlockMessages(in);
    std::vector<MediaPacket> packets;
    std::string error;
    const bool ok = decodeMediaChunk(in, packets, error);
    check(ok == error.empty());
    for (const MediaPacket& p : packets) {
        check(p.payload.empty() ||
              (p.payload.data() >= in.data() && p.payload.data() + p.payload.size() <= in.end()));
        (void)decodeRtp(
            ByteSpan(reinterpret_cast<const std::uint8_t*>(p.payload.data()), p.payload.size()));
    }
    MediaChunker chunker(64, 256);
    for (const MediaPacket& p : packets)
        chunker.add(
            3, p.tsNs,
            ByteSpan(reinterpret_cast<const std::uint8_t*>(p.payload.data()), p.payload.size()));
    chunker.cutAll();
    std::vector<MediaPacket> again;
    const auto rows = chunker.take();
    for (const auto& row : rows) check(decodeMediaChunk(row.data, again, error));
    check(again.size() == packets.size());
    for (std::size_t i = 0; i < again.size(); ++i)
        check(again[i].tsNs == packets[i].tsNs && again[i].payload == packets[i].payload);
    return 0;
}
