#pragma once
// Statistics of one RTP stream (one SSRC from one source endpoint to one destination):
// sequence accounting with wrap handling (RFC 3550 §A.1), loss, duplicates, sequence errors,
// interarrival jitter (§6.4.1, §A.8), arrival deltas, payload types, RFC 4733 DTMF events, a
// per-second loss/jitter series, and what the receiver's RTCP said about the stream.

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/ip_address.hpp"
#include "media/rtp.hpp"

namespace sipscope::analyzer {

struct RtpStreamKey {
    Endpoint src, dst;
    std::uint32_t ssrc = 0;
    bool operator==(const RtpStreamKey&) const = default;
};

struct DtmfEvent {
    char symbol = '?';
    std::uint8_t event = 0;
    std::int64_t startNs = 0;        // arrival of the event's first packet
    std::uint32_t rtpTimestamp = 0;  // RFC 4733 §2.5.1.2: the same in every packet of the event
    std::uint16_t duration = 0;      // the longest duration reported, timestamp units
    double durationMs = 0;
    std::uint8_t volume = 0;
    bool ended = false;  // an end packet was seen
};

// One second of capture time (the second the packets arrived in).
struct MediaSecond {
    std::int64_t second = 0;  // Unix seconds
    std::uint32_t packets = 0;
    std::uint32_t expected = 0;  // growth of the highest extended sequence number
    std::uint32_t lost = 0;      // expected - packets, not below 0
    double jitterMs = 0;         // at the end of the second
};

// What the receiver of the stream reported in RTCP receiver report blocks about its SSRC.
struct RtcpReceptionSummary {
    std::uint32_t reports = 0;
    std::uint8_t lastFractionLost = 0;  // /256
    std::int32_t lastCumulativeLost = 0;
    double lastJitterMs = 0;
    double maxJitterMs = 0;
    std::uint32_t senderReports = 0;  // SRs the stream's own source sent
};

class RtpStream {
  public:
    explicit RtpStream(RtpStreamKey key) : m_key(key) {}

    // One packet of this stream, arriving at tsNs (capture order). `clockRate` is the RTP clock
    // of its payload type (8000 for G.711); 0 when unknown (jitter then skips the packet).
    // `telephoneEvent` says whether the payload type is RFC 4733 telephone-event.
    void add(const RtpHeader& h, std::int64_t tsNs, std::size_t bytes, int clockRate,
             bool telephoneEvent);
    // An RTCP report block whose SSRC is this stream's.
    void addReport(const RtcpReportBlock& b);
    void addSenderReport() { ++m_rtcp.senderReports; }
    // End of input: closes the last second of the series.
    void finish();

    const RtpStreamKey& key() const noexcept { return m_key; }
    std::uint64_t packets() const noexcept { return m_packets; }  // duplicates included
    std::uint64_t bytes() const noexcept { return m_bytes; }
    std::uint64_t received() const noexcept { return m_received; }  // distinct sequence numbers
    std::uint64_t expected() const noexcept;
    std::uint64_t lost() const noexcept;  // expected - received, never negative
    double lossPct() const noexcept;
    std::uint64_t duplicates() const noexcept { return m_duplicates; }
    // Telephone-event packets repeated with their sequence number (not counted as duplicates).
    std::uint64_t eventRepeats() const noexcept { return m_eventRepeats; }
    std::uint64_t sequenceErrors() const noexcept { return m_seqErrors; }  // jumps + late ones
    std::uint64_t outOfOrder() const noexcept { return m_late; }
    std::int64_t firstNs() const noexcept { return m_firstNs; }
    std::int64_t lastNs() const noexcept { return m_lastNs; }
    double durationS() const noexcept { return static_cast<double>(m_lastNs - m_firstNs) / 1e9; }
    double maxDeltaMs() const noexcept { return static_cast<double>(m_maxDeltaNs) / 1e6; }
    double jitterMs() const noexcept;  // current (last) RFC 3550 estimate
    double maxJitterMs() const noexcept { return m_maxJitterMs; }
    double meanJitterMs() const noexcept;
    std::vector<int> payloadTypes() const;  // ascending
    bool sawPayloadType(int pt) const noexcept { return m_pts.test(static_cast<std::size_t>(pt)); }
    int clockRate() const noexcept { return m_clockRate; }
    const std::vector<DtmfEvent>& dtmf() const noexcept { return m_dtmf; }
    const std::vector<MediaSecond>& series() const noexcept { return m_series; }
    const RtcpReceptionSummary& rtcp() const noexcept { return m_rtcp; }

  private:
    enum class SeqVerdict : std::uint8_t { Counted, Duplicate, Held, Resync };
    SeqVerdict sequence(std::uint16_t seq);
    bool seenBefore(std::int64_t ext) const noexcept;
    void markSeen(std::int64_t ext, std::int64_t oldMax) noexcept;
    void jitter(const RtpHeader& h, std::int64_t tsNs, int clockRate);
    void telephoneEvent(const RtpHeader& h, std::int64_t tsNs, int clockRate);
    void closeSecond();
    void enterSecond(std::int64_t tsNs);

    RtpStreamKey m_key;
    std::uint64_t m_packets = 0, m_bytes = 0, m_received = 0, m_duplicates = 0;
    std::uint64_t m_seqErrors = 0, m_late = 0, m_eventRepeats = 0;
    std::int64_t m_firstNs = 0, m_lastNs = 0, m_maxDeltaNs = 0;
    // RFC 3550 §A.1 state, with the extended sequence number as a signed 64-bit value.
    std::int64_t m_baseExt = 0, m_maxExt = 0;
    std::uint16_t m_maxSeq = 0;
    std::optional<std::uint16_t> m_badSeq;
    std::bitset<1024> m_seen;  // received extended sequence numbers, modulo 1024
    // §A.8 jitter in timestamp units.
    bool m_haveTransit = false;
    double m_lastArrival = 0;  // timestamp units since the first packet
    std::uint32_t m_lastRtpTs = 0;
    double m_jitter = 0, m_maxJitterMs = 0, m_jitterSumMs = 0;
    std::uint64_t m_jitterSamples = 0;
    int m_clockRate = 0;
    std::bitset<128> m_pts;
    std::vector<DtmfEvent> m_dtmf;
    std::vector<MediaSecond> m_series;
    std::int64_t m_secondMaxExt = 0;  // m_maxExt when the current second began
    RtcpReceptionSummary m_rtcp;
};

}  // namespace sipscope::analyzer
