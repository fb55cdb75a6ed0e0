// MediaTracker, media side: UDP datagrams to RTP streams and RTCP reports, then the reports.

#include "media/media_tracker.hpp"

#include <strings.h>
#include <algorithm>
#include <cstring>

#include "media/emodel.hpp"
#include "sdp/sdp.hpp"

namespace sipscope::analyzer {

namespace {

// RFC 3389 comfort noise; left out when picking a stream's main payload type.
constexpr int kComfortNoise = 13;
// Streams an unannounced flow may start before it is ignored (random traffic with a first
// octet like RTP would otherwise make a "stream" per packet).
constexpr std::size_t kMaxHeuristicStreamsPerFlow = 4;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::size_t MediaTracker::FlowKeyHash::operator()(const FlowKey& k) const noexcept {
    // Word-wise mixing: this runs for every RTP packet, where byte-wise FNV showed up.
    auto word = [](const IpAddress& ip, std::size_t at) {
        std::uint64_t w;
        std::memcpy(&w, ip.bytes.data() + at, sizeof w);
        return w;
    };
    std::uint64_t h =
        (std::uint64_t{k.src.port} << 16 | k.dst.port) ^ (std::uint64_t{k.src.ip.version} << 40);
    for (std::uint64_t w :
         {word(k.src.ip, 0), word(k.src.ip, 8), word(k.dst.ip, 0), word(k.dst.ip, 8)}) {
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    return static_cast<std::size_t>(h);
}

MediaTracker::MediaTracker(MediaTrackerOptions options) : m_options(options) {}

MediaTracker::~MediaTracker() = default;

void MediaTracker::classify(Flow& f, const FlowKey& key) {
    f.generation = m_generation;
    auto it = m_bindings.find(key.dst);
    if (it == m_bindings.end()) it = m_bindings.find(key.src);
    if (it == m_bindings.end()) return;
    const auto call = static_cast<std::int64_t>(it->second.call);
    if (f.call != call) f.streams.clear();  // the port now belongs to another call
    f.call = call;
    f.role = it->second.role;
}

void MediaTracker::onDatagram(const TransportPacket& t) {
    if (t.proto != L4::Udp) return;
    ++m_stats.datagrams;
    const FlowKey key{t.src, t.dst};
    auto it = m_flows.find(key);
    if (it == m_flows.end()) {
        Flow f;
        f.generation = 0;
        classify(f, key);
        // Unannounced and neither RTP- nor RTCP-like: not worth remembering.
        if (f.role == Role::None && !looksLikeRtcp(t.payload) &&
            !(m_options.heuristic && looksLikeRtp(t.payload))) {
            ++m_stats.unrelated;
            return;
        }
        it = m_flows.emplace(key, std::move(f)).first;
    } else if (it->second.generation != m_generation) {
        classify(it->second, key);
    }
    Flow& f = it->second;
    if (f.role == Role::Other) {
        ++m_stats.otherMedia;
        return;
    }
    const ByteSpan p = t.payload;
    // RFC 5761 §4: a second octet of 192..223 is RTCP. Without rtcp-mux it is still RTCP when
    // the whole packet says so (some stacks mux without announcing it).
    const bool rtcpOctet = p.size() >= 2 && isRtcpPacketTypeOctet(p[1]);
    const bool rtcp = f.role == Role::Rtcp || (f.role == Role::Mux && rtcpOctet) ||
                      (rtcpOctet && looksLikeRtcp(p));
    if (rtcp) return onRtcp(t);
    if (f.role == Role::None && (!m_options.heuristic || !looksLikeRtp(p))) {
        ++m_stats.unrelated;
        return;
    }
    auto h = decodeRtp(p);
    if (!h) {
        ++m_stats.malformed;  // STUN, DTLS or damage on an announced port
        return;
    }
    onRtp(f, key, *h, t);
}

void MediaTracker::onRtp(Flow& f, const FlowKey& key, const RtpHeader& h,
                         const TransportPacket& t) {
    std::uint32_t index = UINT32_MAX;
    for (auto i : f.streams)
        if (m_streams[i].key().ssrc == h.ssrc) index = i;
    if (index == UINT32_MAX) {
        if (f.role == Role::None && f.streams.size() >= kMaxHeuristicStreamsPerFlow) {
            ++m_stats.unrelated;
            return;
        }
        if (m_streams.size() >= m_options.maxStreams) {
            ++m_stats.droppedStreams;
            return;
        }
        index = static_cast<std::uint32_t>(m_streams.size());
        m_streams.emplace_back(RtpStreamKey{key.src, key.dst, h.ssrc});
        m_streamCall.push_back(f.call);
        if (f.call >= 0) m_callStreams[static_cast<std::size_t>(f.call)].push_back(index);
        // The same flow with a new SSRC: the source restarted (RFC 3550 §8.2) or was replaced.
        m_streamSsrcChange.push_back(!f.streams.empty());
        for (auto i : f.streams) m_streamSsrcChange[i] = true;
        m_bySsrc.emplace(h.ssrc, index);
        f.streams.push_back(index);
    }
    ++m_stats.rtpPackets;
    int rate = 0;
    bool telephoneEvent = false;
    clockOf(f, h.payloadType, rate, telephoneEvent);
    m_streams[index].add(h, t.tsNs, t.payload.size(), rate, telephoneEvent);
    if (m_packetSink) m_packetSink(index, t);
}

void MediaTracker::clockOf(const Flow& f, int pt, int& rate, bool& telephoneEvent) const {
    if (f.call >= 0) {
        for (const auto& [mapPt, info] : m_calls[static_cast<std::size_t>(f.call)].rtpmaps) {
            if (mapPt != pt) continue;
            rate = info.second;
            telephoneEvent = iequals(info.first, "telephone-event");
            return;
        }
    }
    if (const auto* s = stack::staticPayload(pt)) {
        rate = s->clockRate;
        return;
    }
    // RFC 4733 has no static payload type; 101 is what most stacks use.
    telephoneEvent = pt == 101;
    rate = telephoneEvent ? 8000 : 0;
}

void MediaTracker::onRtcp(const TransportPacket& t) {
    auto c = decodeRtcp(t.payload);
    if (!c) {
        ++m_stats.malformed;
        return;
    }
    ++m_stats.rtcpPackets;
    // The streams with this SSRC whose receiver (for reports) or sender (for SRs) is the
    // RTCP packet's source address; all streams with the SSRC when none is.
    auto forEach = [&](std::uint32_t ssrc, bool receiver, auto&& fn) {
        const auto [b, e] = m_bySsrc.equal_range(ssrc);
        bool any = false;
        for (auto it = b; it != e; ++it) {
            const auto& k = m_streams[it->second].key();
            if ((receiver ? k.dst.ip : k.src.ip) == t.src.ip) {
                fn(m_streams[it->second]);
                any = true;
            }
        }
        if (!any)
            for (auto it = b; it != e; ++it) fn(m_streams[it->second]);
    };
    for (const RtcpPacket& pkt : c->packets) {
        if (pkt.sender) forEach(pkt.ssrc, false, [](RtpStream& s) { s.addSenderReport(); });
        for (const RtcpReportBlock& rb : pkt.reports)
            forEach(rb.ssrc, true, [&rb](RtpStream& s) { s.addReport(rb); });
    }
}

bool MediaTracker::codecMismatch(const RtpStream& s, const CallMedia* media) const {
    // RFC 3264 §5.1: media may only use the payload types the answer (or, before it, the
    // offer) listed.
    if (!media || !(media->answer || media->offer)) return false;
    const auto& allowed = media->answer ? media->answerPts : media->offerPts;
    for (int pt : s.payloadTypes())
        if (!allowed.test(static_cast<std::size_t>(pt))) return true;
    return false;
}

MediaStreamReport MediaTracker::report(std::size_t i) {
    const RtpStream& s = m_streams[i];
    MediaStreamReport r;
    r.stream = &s;
    r.index = static_cast<std::uint32_t>(i);
    const std::int64_t call = m_streamCall[i];
    r.heuristic = call < 0;
    const CallMedia* media = call >= 0 ? &m_calls[static_cast<std::size_t>(call)] : nullptr;
    if (media) r.callId = media->callId;
    for (int pt : s.payloadTypes()) {
        std::string name;
        if (media)
            for (const auto& [mapPt, info] : media->rtpmaps)
                if (mapPt == pt) name = info.first;
        if (name.empty())
            if (const auto* sp = stack::staticPayload(pt)) name = std::string(sp->encoding);
        if (r.encoding.empty() && pt != kComfortNoise && !iequals(name, "telephone-event"))
            r.encoding = name;
    }
    if (iequals(r.encoding, "PCMU") || iequals(r.encoding, "PCMA")) {
        EModelInput in;
        in.lossPct = s.lossPct();
        in.jitterMs = s.meanJitterMs();
        const EModelResult e = emodel(in);
        r.mos = e.mos;
        r.rFactor = e.r;
    }
    if (s.lost() > 0 && s.lossPct() >= m_options.lossProblemPct) r.problems.push_back("loss");
    if (s.maxJitterMs() > m_options.jitterProblemMs) r.problems.push_back("high_jitter");
    if (m_streamSsrcChange[i]) r.problems.push_back("ssrc_change");
    if (s.outOfOrder() > 0 || s.duplicates() > 0) r.problems.push_back("seq_errors");
    if (codecMismatch(s, media)) r.problems.push_back("codec_mismatch");
    return r;
}

std::vector<std::string> MediaTracker::problemsOf(const CallMedia& media,
                                                  const std::vector<std::uint32_t>& streams) const {
    std::vector<std::string> out;
    if (streams.empty()) {
        // Answered with SDP on both sides, an active line negotiated, and not one packet,
        // in a capture that does carry RTP: a SIP-only capture (`port 5060`) says nothing
        // about media and gets no verdict.
        if (media.answered && media.offer && media.answer && media.expectsMedia &&
            m_stats.rtpPackets > 0)
            out.push_back("no_media");
        return out;
    }
    bool oneWay = false, mismatch = false;
    for (auto i : streams) {
        const RtpStreamKey& k = m_streams[i].key();
        bool reverse = false;
        for (auto j : streams) {
            const RtpStreamKey& o = m_streams[j].key();
            // Symmetric RTP comes back from the port it was sent to; asymmetric RTP at least
            // goes to the port the sender announced.
            if (o.src == k.dst || o.dst == k.src) reverse = true;
        }
        if (!reverse) oneWay = true;
        if (codecMismatch(m_streams[i], &media)) mismatch = true;
    }
    // Early media and negotiated sendonly/recvonly/hold are one-way by design.
    if (oneWay && media.answered && !media.directional) out.push_back("one_way_audio");
    if (mismatch) out.push_back("codec_mismatch");
    return out;
}

std::vector<std::string> MediaTracker::callProblemsSoFar(const std::string& callId) const {
    const auto it = m_callById.find(callId);
    if (it == m_callById.end()) return {};
    return problemsOf(m_calls[it->second], m_callStreams[it->second]);
}

void MediaTracker::finish() {
    m_reports.clear();
    m_callReports.clear();
    for (auto& s : m_streams) s.finish();
    for (const CallMedia& c : m_calls) {
        MediaCallReport r;
        r.callId = c.callId;
        r.answered = c.answered;
        r.offer = c.offer;
        r.answer = c.answer;
        m_callReports.push_back(std::move(r));
    }
    for (std::size_t i = 0; i < m_streams.size(); ++i) {
        const RtpStream& s = m_streams[i];
        if (m_streamCall[i] < 0) {
            // A heuristic stream must have come in sequence long enough.
            if (s.received() < m_options.heuristicMinPackets ||
                s.sequenceErrors() * 4 > s.received())
                continue;
        }
        m_reports.push_back(report(i));
        if (m_streamCall[i] >= 0)
            m_callReports[static_cast<std::size_t>(m_streamCall[i])].streams.push_back(
                m_reports.size() - 1);
    }
    for (std::size_t c = 0; c < m_calls.size(); ++c) {
        MediaCallReport& call = m_callReports[c];
        call.problems = problemsOf(m_calls[c], m_callStreams[c]);
        const auto& p = call.problems;
        if (std::find(p.begin(), p.end(), "one_way_audio") != p.end())
            for (auto i : call.streams) m_reports[i].problems.push_back("one_way_audio");
    }
}

}  // namespace sipscope::analyzer
