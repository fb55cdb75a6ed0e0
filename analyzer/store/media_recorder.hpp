#pragma once
// The media side of an import (issue 9): a MediaTracker fed the pipeline's SIP messages and
// non-SIP datagrams, the RTP packets packed into chunks for the store, the Call-ID → call key
// map that ties streams to stored calls, and each reported call's media verdicts. A reported
// call's streams become rows then and there, and streams of no call once idle, so what the
// recorder holds follows the calls in progress however long the capture.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "calls/call_record.hpp"
#include "core/digest_map.hpp"
#include "core/string_hash.hpp"
#include "media/media_tracker.hpp"
#include "store/media_chunk.hpp"
#include "store/media_rows.hpp"

namespace sipscope::analyzer::store {

class MediaRecorder {
  public:
    // keepPackets: store the RTP packets themselves (for audio and pcap export). Without
    // `rows`, only the calls' media verdicts are wanted: streams that end make no rows.
    explicit MediaRecorder(bool keepPackets, bool rows = true);

    // Streams of no call are written this long (capture time) after their last packet.
    static constexpr std::int64_t kIdleNs = 300'000'000'000;

    void noteCallKey(std::string_view callId, std::uint64_t key);
    void onSip(const ObservedMessage& m) { m_tracker.onSip(m); }
    void onDatagram(const TransportPacket& t);

    // The media verdicts of a call being reported, over all its Call-IDs (legs), in a stable
    // order without repeats.
    std::vector<std::string> problemsOf(const CallRecord& call) const;
    // A call was reported for good (not a snapshot): its media verdicts (problemsOf) are
    // returned, its streams become rows (takeRows) and its media state goes.
    std::vector<std::string> retire(const CallRecord& call);
    // Stream rows waiting to be written, and handing them over.
    std::vector<MediaStreamRow> takeRows() { return std::move(m_rows); }

    // Packed packets waiting to be written, and handing them over.
    std::size_t readyBytes() const noexcept { return m_chunker.readyBytes(); }
    std::vector<MediaChunkRow> takeChunks() { return m_chunker.take(); }

    // End of capture: the rows of the streams left go to takeRows(), their chunks to
    // takeChunks().
    void finish();

    const MediaTracker& tracker() const noexcept { return m_tracker; }

  private:
    // Where ended streams go: rows with this call key (none when rows are not kept).
    MediaTracker::ReportSink rowSink(std::optional<std::uint64_t> callKey);

    MediaTracker m_tracker;
    MediaChunker m_chunker;
    // Call keys by callIdDigest: noted for every message, so one probe and no string.
    stack::DigestMap<std::uint64_t> m_callKeys;
    bool m_keepRows;
    std::vector<MediaStreamRow> m_rows;
    std::int64_t m_nextSweepNs = 0;
};

}  // namespace sipscope::analyzer::store
