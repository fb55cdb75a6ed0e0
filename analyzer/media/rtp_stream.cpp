#include "media/rtp_stream.hpp"

#include <algorithm>
#include <cmath>

namespace sipscope::analyzer {

namespace {

// RFC 3550 §A.1: a forward jump up to MAX_DROPOUT is loss; within MAX_MISORDER behind the
// highest sequence number a packet is late; anything else is a jump that needs a second
// consecutive packet to be believed (the source restarted its sequence).
constexpr std::uint32_t kMaxDropout = 3000;
constexpr std::uint32_t kMaxMisorder = 100;
constexpr std::int64_t kSeenWindow = 1024;
// Extended sequence numbers start one cycle up so that late packets never go below zero.
constexpr std::int64_t kExtOrigin = 65536;

std::size_t seenBit(std::int64_t ext) noexcept {
    return static_cast<std::size_t>(ext % kSeenWindow);
}

}  // namespace

void RtpStream::add(const RtpHeader& h, std::int64_t tsNs, std::size_t bytes, int clockRate,
                    bool telephoneEvent) {
    const bool first = m_packets == 0;
    ++m_packets;
    m_bytes += bytes;
    m_pts.set(h.payloadType);
    SeqVerdict v = SeqVerdict::Counted;
    if (first) {
        m_firstNs = m_lastNs = tsNs;
        m_maxSeq = h.seq;
        m_baseExt = m_maxExt = kExtOrigin + h.seq;
        m_secondMaxExt = m_maxExt - 1;
        m_seen.set(seenBit(m_maxExt));
        m_received = 1;
        m_series.push_back(MediaSecond{tsNs / 1'000'000'000, 0, 0, 0, 0});
    } else {
        m_maxDeltaNs = std::max(m_maxDeltaNs, tsNs - m_lastNs);
        m_lastNs = std::max(m_lastNs, tsNs);
        enterSecond(tsNs);
        v = sequence(h.seq);
    }
    if (v == SeqVerdict::Duplicate && telephoneEvent) {
        // Senders repeat RFC 4733 end packets (§2.5.1.4), some with the same sequence number:
        // that is the protocol working, not a network duplicate.
        --m_duplicates;
        ++m_eventRepeats;
    }
    if (v == SeqVerdict::Duplicate || v == SeqVerdict::Held) return;
    m_series.back().packets += v == SeqVerdict::Resync ? 2 : 1;
    // RFC 4733 §2.5.1.2: an event's packets all carry its start timestamp, so they say nothing
    // about arrival jitter; the audio clock continues across them.
    if (telephoneEvent)
        this->telephoneEvent(h, tsNs, clockRate);
    else
        jitter(h, tsNs, clockRate);
}

RtpStream::SeqVerdict RtpStream::sequence(std::uint16_t seq) {
    const std::uint32_t udelta = static_cast<std::uint16_t>(seq - m_maxSeq);
    if (udelta == 0) {
        ++m_duplicates;
        return SeqVerdict::Duplicate;
    }
    if (udelta < kMaxDropout) {
        if (udelta > 1) ++m_seqErrors;  // a gap: packets lost (or late, counted again then)
        const std::int64_t old = m_maxExt;
        m_maxExt += udelta;
        m_maxSeq = seq;
        markSeen(m_maxExt, old);
        ++m_received;
        m_badSeq.reset();
        return SeqVerdict::Counted;
    }
    if (udelta >= 65536 - kMaxMisorder) {
        const std::int64_t ext = m_maxExt - (65536 - udelta);
        if (seenBefore(ext)) {
            ++m_duplicates;
            return SeqVerdict::Duplicate;
        }
        // A packet from before the first one received moves the base down (§A.1 counts it as
        // received but not expected, which would make the loss negative).
        m_baseExt = std::min(m_baseExt, ext);
        m_seen.set(seenBit(ext));
        ++m_received;
        ++m_late;
        ++m_seqErrors;
        return SeqVerdict::Counted;
    }
    if (!m_badSeq || seq != *m_badSeq) {
        // §A.1: a very large jump; hold the packet until the next one confirms it.
        ++m_seqErrors;
        m_badSeq = static_cast<std::uint16_t>(seq + 1);
        return SeqVerdict::Held;
    }
    // Two consecutive packets after the jump: the source restarted its numbering. Counting
    // goes on as if they followed the highest one, so the jump itself is not loss.
    m_badSeq.reset();
    m_seen.reset();
    m_maxExt += 2;
    m_maxSeq = seq;
    m_seen.set(seenBit(m_maxExt - 1));
    m_seen.set(seenBit(m_maxExt));
    m_received += 2;
    return SeqVerdict::Resync;
}

bool RtpStream::seenBefore(std::int64_t ext) const noexcept {
    if (m_maxExt - ext >= kSeenWindow) return false;  // too old to know
    return m_seen.test(seenBit(ext));
}

void RtpStream::markSeen(std::int64_t ext, std::int64_t oldMax) noexcept {
    if (ext - oldMax >= kSeenWindow) {
        m_seen.reset();
    } else {
        for (std::int64_t e = oldMax + 1; e < ext; ++e) m_seen.reset(seenBit(e));
    }
    m_seen.set(seenBit(ext));
}

void RtpStream::jitter(const RtpHeader& h, std::int64_t tsNs, int clockRate) {
    if (clockRate <= 0) return;
    if (clockRate != m_clockRate) {
        m_clockRate = clockRate;
        m_haveTransit = false;  // transit times in different clocks cannot be compared
    }
    const double arrival =
        static_cast<double>(tsNs - m_firstNs) * static_cast<double>(clockRate) / 1e9;
    if (m_haveTransit) {
        // RFC 3550 §6.4.1: D(i-1,i) = (Rj - Ri) - (Sj - Si); J += (|D| - J) / 16.
        const auto rtpDelta = static_cast<std::int32_t>(h.timestamp - m_lastRtpTs);
        const double d = (arrival - m_lastArrival) - static_cast<double>(rtpDelta);
        m_jitter += (std::fabs(d) - m_jitter) / 16.0;
        const double ms = jitterMs();
        m_maxJitterMs = std::max(m_maxJitterMs, ms);
        m_jitterSumMs += ms;
        ++m_jitterSamples;
    }
    m_lastArrival = arrival;
    m_lastRtpTs = h.timestamp;
    m_haveTransit = true;
}

void RtpStream::telephoneEvent(const RtpHeader& h, std::int64_t tsNs, int clockRate) {
    auto ev = decodeTelephoneEvent(h.payload);
    if (!ev) return;
    const int rate = clockRate > 0 ? clockRate : 8000;
    // §2.5.1.2/§2.5.1.4: the same event timestamp is one event (end packets are sent three
    // times); look a few events back for reordered packets.
    DtmfEvent* event = nullptr;
    const std::size_t back = std::min<std::size_t>(m_dtmf.size(), 4);
    for (std::size_t i = m_dtmf.size(); i > m_dtmf.size() - back; --i) {
        DtmfEvent& e = m_dtmf[i - 1];
        if (e.rtpTimestamp == h.timestamp && e.event == ev->event) event = &e;
    }
    if (!event) {
        constexpr std::size_t kMaxEvents = 1000;
        if (m_dtmf.size() >= kMaxEvents) return;
        DtmfEvent e;
        e.event = ev->event;
        e.symbol = dtmfSymbol(ev->event);
        e.startNs = tsNs;
        e.rtpTimestamp = h.timestamp;
        e.volume = ev->volume;
        m_dtmf.push_back(e);
        event = &m_dtmf.back();
    }
    event->duration = std::max(event->duration, ev->duration);
    event->durationMs = event->duration * 1000.0 / rate;
    event->ended = event->ended || ev->end;
}

void RtpStream::closeSecond() {
    MediaSecond& s = m_series.back();
    const std::int64_t grown = m_maxExt - m_secondMaxExt;
    s.expected = static_cast<std::uint32_t>(std::max<std::int64_t>(grown, 0));
    s.lost = s.expected > s.packets ? s.expected - s.packets : 0;
    s.jitterMs = jitterMs();
    m_secondMaxExt = m_maxExt;
}

void RtpStream::enterSecond(std::int64_t tsNs) {
    const std::int64_t sec = tsNs / 1'000'000'000;
    if (sec <= m_series.back().second) return;  // same second (or a clamped earlier time)
    closeSecond();
    constexpr std::size_t kMaxSeconds = 24 * 3600;
    if (m_series.size() >= kMaxSeconds) m_series.erase(m_series.begin());
    m_series.push_back(MediaSecond{sec, 0, 0, 0, 0});
}

void RtpStream::finish() {
    if (!m_series.empty()) closeSecond();
}

void RtpStream::addReport(const RtcpReportBlock& b) {
    ++m_rtcp.reports;
    m_rtcp.lastFractionLost = b.fractionLost;
    m_rtcp.lastCumulativeLost = b.cumulativeLost;
    const int rate = m_clockRate > 0 ? m_clockRate : 8000;
    m_rtcp.lastJitterMs = b.jitter * 1000.0 / rate;
    m_rtcp.maxJitterMs = std::max(m_rtcp.maxJitterMs, m_rtcp.lastJitterMs);
}

std::uint64_t RtpStream::expected() const noexcept {
    return m_packets == 0 ? 0 : static_cast<std::uint64_t>(m_maxExt - m_baseExt + 1);
}

std::uint64_t RtpStream::lost() const noexcept {
    const std::uint64_t e = expected();
    return e > m_received ? e - m_received : 0;
}

double RtpStream::lossPct() const noexcept {
    const std::uint64_t e = expected();
    return e == 0 ? 0.0 : 100.0 * static_cast<double>(lost()) / static_cast<double>(e);
}

double RtpStream::jitterMs() const noexcept {
    return m_clockRate > 0 ? m_jitter * 1000.0 / m_clockRate : 0.0;
}

double RtpStream::meanJitterMs() const noexcept {
    return m_jitterSamples ? m_jitterSumMs / static_cast<double>(m_jitterSamples) : 0.0;
}

std::vector<int> RtpStream::payloadTypes() const {
    std::vector<int> out;
    for (int pt = 0; pt < 128; ++pt)
        if (m_pts.test(static_cast<std::size_t>(pt))) out.push_back(pt);
    return out;
}

}  // namespace sipscope::analyzer
