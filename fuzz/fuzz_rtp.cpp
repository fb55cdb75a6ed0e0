// libFuzzer target for the media decoders and stream statistics: the first input byte picks
// the decoder (RTP, RTCP compound, RFC 4733 telephone-event) or a stream feed, where the rest
// is cut into packets that go through RtpStream and the MediaTracker, whose call is offered and
// answered in SDP, retired and offered again, and whose idle streams are retired, as packet
// bytes say. Decoders must give either
// an error whose offset lies in the input or a result whose views lie in it; statistics must
// stay consistent (lost never above expected, loss percentage within 0..100).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "media/emodel.hpp"
#include "media/media_tracker.hpp"
#include "media/rtp.hpp"
#include "media/rtp_stream.hpp"
#include "message/sip_message.hpp"

using namespace sipscope::analyzer;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void checkInside(ByteSpan part, ByteSpan whole) {
    if (part.empty()) return;
    check(part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void rtp(ByteSpan d) {
    const bool likely = looksLikeRtp(d);
    auto h = decodeRtp(d);
    if (!h) {
        check(h.error().offset <= d.size());
        // The heuristic does not look at padding; everything else it must agree on.
        if (h.error().code != sipscope::stack::ErrorCode::BadBody) check(!likely);
        return;
    }
    check(h->version == 2 && h->headerSize <= d.size());
    checkInside(h->payload, d);
    check(h->headerSize + h->payload.size() + h->paddingBytes == d.size());
    if (auto e = decodeTelephoneEvent(h->payload)) check(dtmfSymbol(e->event) != 0);
}

void rtcp(ByteSpan d) {
    auto c = decodeRtcp(d);
    if (!c) {
        check(c.error().offset <= d.size());
        return;
    }
    std::size_t end = 0;
    for (const RtcpPacket& p : c->packets) {
        check(p.offset == end && p.size >= 4);
        end += p.size;
        check(p.reports.size() <= 31 && p.byeSsrcs.size() <= 31);
    }
    check(end == d.size());
}

void checkReport(const MediaStreamReport& r) {
    check(r.stream->lost() <= r.stream->expected());
    if (r.mos) check(*r.mos >= 1.0 && *r.mos <= 4.5);
}

// SDP of call "f" on 192.0.0.0:40000 (offer) or 198.0.0.0:50000 (answer).
ObservedMessage sdpMessage(bool answer, std::int64_t ts) {
    const std::string body = std::string("v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nc=IN IP4 ") +
                             (answer ? "198.0.0.0" : "192.0.0.0") + "\r\nt=0 0\r\nm=audio " +
                             (answer ? "50000" : "40000") + " RTP/AVP 0 8 101\r\n";
    const std::string text =
        std::string(answer ? "SIP/2.0 200 OK" : "INVITE sip:b@x SIP/2.0") +
        "\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
        "Call-ID: f\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    ObservedMessage m;
    m.tsNs = ts;
    auto parsed = sipscope::stack::SipMessage::parse(text);
    if (parsed.ok()) m.message = std::move(parsed).value();
    return m;
}

// Packets of 2-byte length prefix + bytes, alternating direction, 20 ms apart.
void streams(ByteSpan d) {
    MediaTracker tracker;
    tracker.onSip(sdpMessage(false, 0));
    tracker.onSip(sdpMessage(true, 0));
    RtpStream single(RtpStreamKey{});
    Endpoint a, b;
    a.ip.version = b.ip.version = 4;
    a.ip.bytes[0] = 192;
    b.ip.bytes[0] = 198;
    a.port = 40000;
    b.port = 50000;
    std::size_t pos = 0;
    std::int64_t ts = 1'000'000'000;
    for (int n = 0; pos + 2 <= d.size(); ++n) {
        const std::size_t len =
            std::min<std::size_t>((d[pos] << 8 | d[pos + 1]) & 0x3FF, d.size() - pos - 2);
        const ByteSpan p = d.subspan(pos + 2, len);
        pos += 2 + len;
        ts += (p.empty() ? 0 : p[0] % 64) * 1'000'000;
        TransportPacket t;
        t.src = n % 3 ? a : b;
        t.dst = n % 3 ? b : a;
        t.payload = p;
        t.tsNs = ts;
        tracker.onDatagram(t);
        if (!p.empty() && p[0] % 23 == 0) tracker.retireIdle(ts, 40'000'000, checkReport);
        if (!p.empty() && p[0] % 29 == 0) {
            tracker.retireCall("f", checkReport);
            tracker.onSip(sdpMessage(p[0] % 2, ts));
        }
        if (auto h = decodeRtp(p))
            single.add(*h, ts, p.size(), n % 5 ? 8000 : 0, h->payloadType == 101);
    }
    tracker.finish();
    single.finish();
    check(single.lost() <= single.expected());
    check(single.lossPct() >= 0 && single.lossPct() <= 100);
    check(single.received() <= single.packets());
    for (const auto& r : tracker.streams()) checkReport(r);
    EModelInput in;
    in.lossPct = single.lossPct();
    in.jitterMs = single.meanJitterMs();
    const EModelResult e = emodel(in);
    check(e.mos >= 1.0 && e.mos <= 4.5 && e.r >= 0 && e.r <= 100);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // A heap copy of exactly the input, so that ASan catches any read past it.
    const std::vector<std::uint8_t> copy(data + 1, data + size);
    const ByteSpan d(copy.data(), copy.size());
    switch (data[0] % 4) {
        case 0:
            rtp(d);
            break;
        case 1:
            rtcp(d);
            break;
        case 2:
            (void)decodeTelephoneEvent(d), (void)looksLikeRtcp(d);
            break;
        default:
            streams(d);
            break;
    }
    return 0;
}
