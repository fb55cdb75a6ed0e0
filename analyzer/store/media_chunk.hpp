#pragma once
// RTP packets as the store keeps them (schema v3, media_chunks): per stream, runs of packets
// packed into one blob, each packet as
//     int64 capture time in ns (little-endian) | uint16 length (little-endian) | UDP payload
// The addresses and ports are the stream's (media_streams), so a chunk needs no per-packet
// header beyond these ten bytes. Chunks are cut at about `chunkBytes` per stream, and every
// pending chunk is cut when the pending total passes `maxPendingBytes` (memory bound).

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decode/bytes.hpp"

namespace sipscope::analyzer::store {

struct MediaChunkRow {
    std::uint32_t streamIndex = 0;  // MediaTracker stream index within the capture
    std::int64_t firstTsNs = 0;
    std::uint32_t packets = 0;
    std::string data;
};

class MediaChunker {
  public:
    explicit MediaChunker(std::size_t chunkBytes = 16384, std::size_t maxPendingBytes = 32u << 20);

    void add(std::uint32_t stream, std::int64_t tsNs, ByteSpan payload);
    // Cuts every pending chunk (end of capture).
    void cutAll();
    // Cuts the stream's pending chunk, if it has one (the stream ended).
    void cutStream(std::uint32_t stream);
    // The completed chunks, handed over (the chunker keeps none).
    std::vector<MediaChunkRow> take();
    std::size_t readyBytes() const noexcept { return m_readyBytes; }

  private:
    void cut(MediaChunkRow& row);

    std::size_t m_chunkBytes, m_maxPending;
    std::unordered_map<std::uint32_t, MediaChunkRow> m_pending;
    std::size_t m_pendingBytes = 0;
    std::vector<MediaChunkRow> m_ready;
    std::size_t m_readyBytes = 0;
};

struct MediaPacket {
    std::int64_t tsNs = 0;
    std::string_view payload;  // into the chunk's data
};

// Appends the packets of one chunk to `out`. On damage, returns false with `error` naming the
// byte offset; the packets before it are kept.
bool decodeMediaChunk(std::string_view data, std::vector<MediaPacket>& out, std::string& error);

}  // namespace sipscope::analyzer::store
