#pragma once
// The media side of an import (issue 9): a MediaTracker fed the pipeline's SIP messages and
// non-SIP datagrams, the RTP packets packed into chunks for the store, the Call-ID → call key
// map that ties streams to stored calls, and each reported call's media verdicts.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "calls/call_record.hpp"
#include "media/media_tracker.hpp"
#include "store/media_chunk.hpp"
#include "store/media_rows.hpp"

namespace sipscope::analyzer::store {

class MediaRecorder {
  public:
    // keepPackets: store the RTP packets themselves (for audio and pcap export).
    explicit MediaRecorder(bool keepPackets);

    void noteCallKey(std::string_view callId, std::uint64_t key);
    void onSip(const ObservedMessage& m) { m_tracker.onSip(m); }
    void onDatagram(const TransportPacket& t) { m_tracker.onDatagram(t); }

    // The media verdicts of a call being reported, over all its Call-IDs (legs), in a stable
    // order without repeats.
    std::vector<std::string> problemsOf(const CallRecord& call) const;

    // Packed packets waiting to be written, and handing them over.
    std::size_t readyBytes() const noexcept { return m_chunker.readyBytes(); }
    std::vector<MediaChunkRow> takeChunks() { return m_chunker.take(); }

    // End of capture: the stream rows (their chunks are in takeChunks() after this).
    std::vector<MediaStreamRow> finish();

  private:
    MediaTracker m_tracker;
    MediaChunker m_chunker;
    std::unordered_map<std::string, std::uint64_t> m_callKeys;
};

}  // namespace sipscope::analyzer::store
