#include "store/media_chunk.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace sipscope::analyzer::store {

namespace {

constexpr std::size_t kPacketHeader = 10;  // int64 ts + uint16 length

void putLe(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint64_t getLe(std::string_view in, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= std::uint64_t{static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)])}
             << (8 * i);
    return v;
}

}  // namespace

MediaChunker::MediaChunker(std::size_t chunkBytes, std::size_t maxPendingBytes)
    : m_chunkBytes(std::max<std::size_t>(chunkBytes, 1)), m_maxPending(maxPendingBytes) {}

void MediaChunker::add(std::uint32_t stream, std::int64_t tsNs, ByteSpan payload) {
    // A UDP payload fits in 16 bits; anything longer cannot have come from one datagram.
    if (payload.size() > std::numeric_limits<std::uint16_t>::max()) return;
    MediaChunkRow& row = m_pending[stream];
    if (row.packets == 0) {
        row.streamIndex = stream;
        row.firstTsNs = tsNs;
    }
    putLe(row.data, static_cast<std::uint64_t>(tsNs), 8);
    putLe(row.data, payload.size(), 2);
    row.data.append(reinterpret_cast<const char*>(payload.data()), payload.size());
    ++row.packets;
    m_pendingBytes += kPacketHeader + payload.size();
    if (row.data.size() >= m_chunkBytes) {
        cut(row);
        m_pending.erase(stream);
    }
    if (m_pendingBytes > m_maxPending) cutAll();
}

void MediaChunker::cut(MediaChunkRow& row) {
    m_pendingBytes -= std::min(m_pendingBytes, row.data.size());
    m_readyBytes += row.data.size();
    m_ready.push_back(std::move(row));
}

void MediaChunker::cutStream(std::uint32_t stream) {
    const auto it = m_pending.find(stream);
    if (it == m_pending.end()) return;
    cut(it->second);
    m_pending.erase(it);
}

void MediaChunker::cutAll() {
    // In stream order, so the rows (and a test's view of them) do not depend on hashing.
    std::vector<std::uint32_t> streams;
    streams.reserve(m_pending.size());
    for (const auto& [stream, row] : m_pending) streams.push_back(stream);
    std::sort(streams.begin(), streams.end());
    for (auto s : streams) cut(m_pending[s]);
    m_pending.clear();
    m_pendingBytes = 0;
}

std::vector<MediaChunkRow> MediaChunker::take() {
    std::vector<MediaChunkRow> out;
    out.swap(m_ready);
    m_readyBytes = 0;
    return out;
}

bool decodeMediaChunk(std::string_view data, std::vector<MediaPacket>& out, std::string& error) {
    std::size_t at = 0;
    while (at < data.size()) {
        if (data.size() - at < kPacketHeader) {
            error = "media chunk: packet header cut short at byte " + std::to_string(at);
            return false;
        }
        MediaPacket p;
        p.tsNs = static_cast<std::int64_t>(getLe(data, at, 8));
        const auto length = static_cast<std::size_t>(getLe(data, at + 8, 2));
        if (data.size() - at - kPacketHeader < length) {
            error = "media chunk: packet of " + std::to_string(length) + " bytes at byte " +
                    std::to_string(at) + " runs past the end (" + std::to_string(data.size()) +
                    " bytes)";
            return false;
        }
        p.payload = data.substr(at + kPacketHeader, length);
        out.push_back(p);
        at += kPacketHeader + length;
    }
    return true;
}

}  // namespace sipscope::analyzer::store
