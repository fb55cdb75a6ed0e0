// MediaTracker, media side: UDP datagrams to RTP streams and RTCP reports (media_reports.cpp
// turns them into reports).

#include "media/media_tracker.hpp"

#include <algorithm>
#include <cstring>

#include "sdp/sdp.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::analyzer {

namespace {

// Streams an unannounced flow may start before it is ignored (random traffic with a first
// octet like RTP would otherwise make a "stream" per packet).
constexpr std::size_t kMaxHeuristicStreamsPerFlow = 4;

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
    const Binding* b = m_bindings.find(bindingKey(key.dst));
    if (!b) b = m_bindings.find(bindingKey(key.src));
    if (!b) return;
    const auto call = static_cast<std::int64_t>(b->call);
    if (f.call != call) {
        f.streams.clear();  // the port now belongs to another call
        callSlot(b->call).flows.push_back(key);
    }
    f.call = call;
    f.role = b->role;
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
    StreamSlot* slot = nullptr;
    std::uint32_t index = 0;
    for (const auto& [i, s] : f.streams)
        if (s->stream.key().ssrc == h.ssrc) slot = s, index = i;
    if (!slot) {
        if (f.role == Role::None && f.streams.size() >= kMaxHeuristicStreamsPerFlow) {
            ++m_stats.unrelated;
            return;
        }
        if (m_streams.size() >= m_options.maxStreams) {
            ++m_stats.droppedStreams;
            return;
        }
        index = m_nextStream++;
        slot = &m_streams.try_emplace(index, RtpStreamKey{key.src, key.dst, h.ssrc}).first->second;
        slot->call = f.call;
        if (f.call >= 0) callSlot(static_cast<std::uint32_t>(f.call)).streams.push_back(index);
        // The same flow with a new SSRC: the source restarted (RFC 3550 §8.2) or was replaced.
        slot->ssrcChange = !f.streams.empty();
        for (const auto& [i, s] : f.streams) s->ssrcChange = true;
        m_bySsrc.emplace(h.ssrc, index);
        f.streams.emplace_back(index, slot);
    }
    ++m_stats.rtpPackets;
    int rate = 0;
    bool telephoneEvent = false;
    clockOf(f, h.payloadType, rate, telephoneEvent);
    slot->stream.add(h, t.tsNs, t.payload.size(), rate, telephoneEvent);
    if (m_packetSink) m_packetSink(index, t);
}

void MediaTracker::clockOf(const Flow& f, int pt, int& rate, bool& telephoneEvent) const {
    if (const CallMedia* media = callMedia(f.call)) {
        for (const auto& [mapPt, info] : media->rtpmaps) {
            if (mapPt != pt) continue;
            rate = info.second;
            telephoneEvent = stack::syntax::iequals(info.first, "telephone-event");
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
            RtpStream& s = m_streams.at(it->second).stream;
            if ((receiver ? s.key().dst.ip : s.key().src.ip) == t.src.ip) {
                fn(s);
                any = true;
            }
        }
        if (!any)
            for (auto it = b; it != e; ++it) fn(m_streams.at(it->second).stream);
    };
    for (const RtcpPacket& pkt : c->packets) {
        if (pkt.sender) forEach(pkt.ssrc, false, [](RtpStream& s) { s.addSenderReport(); });
        for (const RtcpReportBlock& rb : pkt.reports)
            forEach(rb.ssrc, true, [&rb](RtpStream& s) { s.addReport(rb); });
    }
}

}  // namespace sipscope::analyzer
