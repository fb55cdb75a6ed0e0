#pragma once
// Building blocks for media tests: endpoints, SDP offers and answers in SIP messages, RTP and
// RTCP packets fed to a MediaTracker, and lookups in its reports.

#include <arpa/inet.h>

#include <algorithm>
#include <string>
#include <vector>

#include "media/media_tracker.hpp"
#include "packet_builder.hpp"

namespace sipscope::test::media {

using namespace sipscope::analyzer;

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kT0 = 1'795'643'700'000'000'000;

inline Endpoint ep(const char* ip, std::uint16_t port) {
    Endpoint e;
    std::uint8_t b[16];
    if (inet_pton(AF_INET, ip, b) == 1)
        e.ip = IpAddress::v4(b);
    else if (inet_pton(AF_INET6, ip, b) == 1)
        e.ip = IpAddress::v6(b);
    e.port = port;
    return e;
}

inline std::string sdp(const std::string& ip, int port, const std::string& extra,
                       const std::string& formats = "0 101") {
    const std::string ipv = ip.find(':') != std::string::npos ? "IP6" : "IP4";
    return "v=0\r\no=- 1 1 IN " + ipv + " " + ip + "\r\ns=-\r\nc=IN " + ipv + " " + ip +
           "\r\nt=0 0\r\nm=audio " + std::to_string(port) + " RTP/AVP " + formats +
           "\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n" + extra;
}

inline ObservedMessage sip(const std::string& startLine, const std::string& cseq,
                           const std::string& callId, const std::string& body, std::int64_t ts) {
    std::string text = startLine + "\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK" +
                       std::to_string(ts % 100000) +
                       "\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n" + "Call-ID: " + callId +
                       "\r\nCSeq: " + cseq + "\r\nMax-Forwards: 70\r\n";
    if (!body.empty()) text += "Content-Type: application/sdp\r\n";
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ObservedMessage m;
    m.tsNs = ts;
    auto parsed = sipscope::stack::SipMessage::parse(text);
    if (parsed.ok()) m.message = std::move(parsed).value();
    return m;
}

inline Pkt rtp(std::uint8_t pt, std::uint16_t seq, std::uint32_t ts, std::uint32_t ssrc) {
    Pkt p{0x80, pt};
    put16(p, seq);
    put32(p, ts);
    put32(p, ssrc);
    p.insert(p.end(), 160, 0xFF);
    return p;
}

inline Pkt receiverReport(std::uint32_t reporter, std::uint32_t about, std::uint8_t fraction,
                          std::uint32_t jitter) {
    Pkt p{0x81, 201};
    put16(p, 7);
    put32(p, reporter);
    put32(p, about);
    p.insert(p.end(), {fraction, 0, 0, 4});
    put32(p, 1000);
    put32(p, jitter);
    put32(p, 0);
    put32(p, 0);
    return p;
}

inline void feed(MediaTracker& t, const Endpoint& src, const Endpoint& dst, const Pkt& payload,
                 std::int64_t ts) {
    TransportPacket p;
    p.src = src;
    p.dst = dst;
    p.payload = ByteSpan(payload.data(), payload.size());
    p.tsNs = ts;
    t.onDatagram(p);
}

// `count` packets of 20 ms from src to dst, optionally leaving out `skip`.
inline void stream(MediaTracker& t, const Endpoint& src, const Endpoint& dst, std::uint32_t ssrc,
                   int count, std::int64_t start, std::uint8_t pt = 0, int skip = -1) {
    for (int i = 0; i < count; ++i)
        if (i != skip)
            feed(t, src, dst, rtp(pt, std::uint16_t(i), 160u * i, ssrc), start + i * 20 * kMs);
}

inline const MediaStreamReport* find(const MediaTracker& t, std::uint32_t ssrc) {
    for (const auto& s : t.streams())
        if (s.stream->key().ssrc == ssrc) return &s;
    return nullptr;
}

inline bool has(const std::vector<std::string>& v, const char* s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace sipscope::test::media
