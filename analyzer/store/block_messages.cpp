#include "store/block_messages.hpp"

#include <algorithm>
#include <limits>

#include "store/message_blocks.hpp"
#include "store/store_writer.hpp"
#include "store/varint.hpp"

namespace sipscope::analyzer::store {

namespace {

void putText(std::string& out, std::string_view text) {
    putVarint(out, text.size());
    out.append(text);
}

bool getText(std::string_view& in, std::string_view& text) {
    std::uint64_t n = 0;
    if (!getVarint(in, n) || n > in.size()) return false;
    text = in.substr(0, n);
    in.remove_prefix(n);
    return true;
}

template <class T>
bool getNumber(std::string_view& in, T& value) {
    std::uint64_t v = 0;
    if (!getVarint(in, v) || v > std::numeric_limits<T>::max()) return false;
    value = static_cast<T>(v);
    return true;
}

// One message's metadata; `length` is the size of its bytes, which follow all the metadata.
bool getMessage(std::string_view& in, BlockMessage& m, std::uint64_t& length,
                const BlockMessage& previous) {
    std::int64_t seqDelta = 0, tsDelta = 0;
    if (!getSigned(in, seqDelta) || !getSigned(in, tsDelta)) return false;
    // Wrapping arithmetic: a damaged delta gives a wrong number, never undefined behaviour.
    m.seq = previous.seq + static_cast<std::uint64_t>(seqDelta);
    m.tsNs = static_cast<std::int64_t>(static_cast<std::uint64_t>(previous.tsNs) +
                                       static_cast<std::uint64_t>(tsDelta));
    return getVarint(in, m.callKey) && getText(in, m.src) && getNumber(in, m.sport) &&
           getText(in, m.dst) && getNumber(in, m.dport) && getText(in, m.transport) &&
           getNumber(in, m.ipVersion) && getText(in, m.path) && getText(in, m.frames) &&
           getText(in, m.role) && getVarint(in, m.transaction) && getVarint(in, m.original) &&
           getText(in, m.issues) && getVarint(in, length);
}

}  // namespace

std::string encodeBlockMessages(const MessageRow* rows, std::size_t count) {
    std::string out;
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < count; ++i) bytes += rows[i].bytes.size();
    out.reserve(bytes + count * 96 + 8);
    putVarint(out, count);
    std::uint64_t seq = 0;
    std::int64_t ts = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const MessageRow& m = rows[i];
        putSigned(out, static_cast<std::int64_t>(m.seq - seq));
        putSigned(out, static_cast<std::int64_t>(static_cast<std::uint64_t>(m.tsNs) -
                                                 static_cast<std::uint64_t>(ts)));
        seq = m.seq;
        ts = m.tsNs;
        putVarint(out, m.callKey);
        putText(out, m.src);
        putVarint(out, m.sport);
        putText(out, m.dst);
        putVarint(out, m.dport);
        putText(out, m.transport);
        putVarint(out, m.ipVersion);
        putText(out, m.path);
        putText(out, m.frames);
        putText(out, m.role);
        putVarint(out, m.transaction);
        putVarint(out, m.original);
        putText(out, m.issues);
        putVarint(out, m.bytes.size());
    }
    for (std::size_t i = 0; i < count; ++i) out.append(rows[i].bytes);
    return out;
}

namespace {

PackedBlock packBlock(const MessageRow* rows, std::size_t count) {
    PackedBlock b;
    const std::string raw = encodeBlockMessages(rows, count);
    b.rawSize = raw.size();
    b.data = compressBlock(raw);
    b.firstSeq = b.lastSeq = rows[0].seq;
    b.messages = count;
    b.callKeys.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        b.firstSeq = std::min(b.firstSeq, rows[i].seq);
        b.lastSeq = std::max(b.lastSeq, rows[i].seq);
        if (rows[i].callKey) b.callKeys.push_back(rows[i].callKey);
    }
    std::sort(b.callKeys.begin(), b.callKeys.end());
    b.callKeys.erase(std::unique(b.callKeys.begin(), b.callKeys.end()), b.callKeys.end());
    return b;
}

}  // namespace

std::vector<PackedBlock> packMessageBlocks(const std::vector<MessageRow>& rows) {
    std::vector<PackedBlock> out;
    std::size_t first = 0, bytes = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i > first && bytes + rows[i].bytes.size() > kMessageBlockBytes) {
            out.push_back(packBlock(rows.data() + first, i - first));
            first = i;
            bytes = 0;
        }
        bytes += rows[i].bytes.size();
    }
    if (first < rows.size()) out.push_back(packBlock(rows.data() + first, rows.size() - first));
    return out;
}

std::optional<std::vector<BlockMessage>> decodeBlockMessages(std::string_view raw) {
    std::uint64_t count = 0;
    // Each message takes at least 16 octets of metadata: a larger count is damage, refused
    // before it sizes anything.
    if (!getVarint(raw, count) || count > raw.size() / 16) return std::nullopt;
    std::vector<BlockMessage> out(count);
    std::vector<std::uint64_t> lengths(count);
    BlockMessage previous;
    for (std::size_t i = 0; i < count; ++i) {
        if (!getMessage(raw, out[i], lengths[i], previous)) return std::nullopt;
        previous = out[i];
    }
    for (std::size_t i = 0; i < count; ++i) {
        if (lengths[i] > raw.size()) return std::nullopt;
        out[i].bytes = raw.substr(0, lengths[i]);
        raw.remove_prefix(lengths[i]);
    }
    if (!raw.empty()) return std::nullopt;
    return out;
}

}  // namespace sipscope::analyzer::store
