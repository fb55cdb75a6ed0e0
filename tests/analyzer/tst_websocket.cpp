// SIP over WebSocket (RFC 6455 framing, RFC 7118): masked and unmasked frames, 7/16/64-bit
// lengths, fragmented messages with interleaved control frames, malformed frames, resync after
// lost bytes, the opening handshake, and whole connections through TcpSipStreams. Every decoder
// case is also fed split at every byte position: the events must not change.

#include <QtTest>

#include <string>
#include <vector>

#include "message/message_builder.hpp"
#include "sip/tcp_sip_streams.hpp"
#include "sip/websocket.hpp"

using namespace sipscope::analyzer;
using sipscope::stack::ErrorCode;
using sipscope::stack::MessageBuilder;

namespace {

constexpr std::int64_t kMs = 1'000'000;

std::string invite(int n = 1) {
    return MessageBuilder::request("INVITE", "sip:bob@example.com")
        .header("Via", "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK" + std::to_string(n))
        .header("From", "<sip:alice@example.com>;tag=x" + std::to_string(n))
        .header("To", "<sip:bob@example.com>")
        .header("Call-ID", "ws-" + std::to_string(n))
        .header("CSeq", "1 INVITE")
        .header("Max-Forwards", "70")
        .body("application/sdp", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n")
        .text();
}

std::string ok(int n = 1) {
    return MessageBuilder::response(200)
        .header("Via", "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK" + std::to_string(n))
        .header("From", "<sip:alice@example.com>;tag=x" + std::to_string(n))
        .header("To", "<sip:bob@example.com>;tag=y")
        .header("Call-ID", "ws-" + std::to_string(n))
        .header("CSeq", "1 INVITE")
        .text();
}

enum class Len { Auto, L7, L16, L64 };

// One RFC 6455 §5.2 frame.
std::string frame(bool fin, std::uint8_t opcode, std::string_view payload, bool masked,
                  Len len = Len::Auto, std::uint8_t rsv = 0, std::uint32_t key = 0x37FA213Du) {
    std::string f;
    f += static_cast<char>((fin ? 0x80 : 0) | rsv | opcode);
    const std::uint64_t n = payload.size();
    if (len == Len::Auto) len = n < 126 ? Len::L7 : n <= 0xFFFF ? Len::L16 : Len::L64;
    const char m = masked ? static_cast<char>(0x80) : 0;
    if (len == Len::L7) {
        f += static_cast<char>(m | static_cast<char>(n));
    } else if (len == Len::L16) {
        f += static_cast<char>(m | 126);
        f += static_cast<char>(n >> 8);
        f += static_cast<char>(n & 0xFF);
    } else {
        f += static_cast<char>(m | 127);
        for (int i = 7; i >= 0; --i) f += static_cast<char>((n >> (8 * i)) & 0xFF);
    }
    const std::uint8_t k[4] = {static_cast<std::uint8_t>(key >> 24),
                               static_cast<std::uint8_t>(key >> 16),
                               static_cast<std::uint8_t>(key >> 8), static_cast<std::uint8_t>(key)};
    if (masked)
        for (auto b : k) f += static_cast<char>(b);
    for (std::size_t i = 0; i < payload.size(); ++i)
        f += masked ? static_cast<char>(payload[i] ^ k[i & 3]) : payload[i];
    return f;
}

struct Seen {
    WsEvent::Kind kind;
    WsOpcode opcode;
    std::string payload;
    std::uint64_t offset, end;
    std::uint32_t frames;
    std::size_t issues;
    ErrorCode code;
    bool operator==(const Seen&) const = default;
};

Seen seen(const WsEvent& e) {
    return {e.kind, e.opcode, std::string(*e.payload), e.offset,
            e.end,  e.frames, e.issues.size(),         e.error.code};
}

void drain(WebSocketDecoder& d, std::vector<Seen>& out) {
    for (int guard = 0; guard < 100000; ++guard) {
        auto e = d.next();
        if (!e) return;
        out.push_back(seen(*e));
    }
    qFatal("decoder did not stop producing events");
}

std::vector<Seen> decodeSplit(std::string_view in, bool fromClient, std::size_t at,
                              WsLimits limits = {}) {
    WebSocketDecoder d(fromClient, limits);
    std::vector<Seen> out;
    d.push(in.substr(0, at));
    drain(d, out);
    d.push(in.substr(at));
    drain(d, out);
    if (auto e = d.finish()) out.push_back(seen(*e));
    return out;
}

std::vector<Seen> decode(std::string_view in, bool fromClient, WsLimits limits = {}) {
    return decodeSplit(in, fromClient, in.size(), limits);
}

// Same events at every split position and byte by byte.
bool splitInvariant(std::string_view in, bool fromClient, WsLimits limits = {}) {
    const auto whole = decode(in, fromClient, limits);
    for (std::size_t at = 0; at <= in.size(); ++at)
        if (decodeSplit(in, fromClient, at, limits) != whole) {
            qWarning("split at %zu differs", at);
            return false;
        }
    WebSocketDecoder d(fromClient, limits);
    std::vector<Seen> bytes;
    for (char c : in) {
        d.push(std::string_view(&c, 1));
        drain(d, bytes);
    }
    if (auto e = d.finish()) bytes.push_back(seen(*e));
    return bytes == whole;
}

const std::string kUpgrade =
    "GET /ws HTTP/1.1\r\nHost: sip.example.com\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://www.example.com\r\nSec-WebSocket-Protocol: sip\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";
const std::string kAccept =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n\r\n";

Endpoint ep(std::uint8_t last, std::uint16_t port) {
    const std::uint8_t b[4] = {198, 51, 100, last};
    return Endpoint{IpAddress::v4(b), port};
}

class Collector : public SipStreamSink {
  public:
    void onMessage(StreamMessage&& m) override { messages.push_back(std::move(m)); }
    void onIssues(StreamIssueReport&& r) override { reports.push_back(std::move(r)); }
    void onClassified(const StreamConnection& c) override { kinds.push_back(c.kind); }
    std::vector<StreamMessage> messages;
    std::vector<StreamIssueReport> reports;
    std::vector<StreamKind> kinds;
};

// A WebSocket connection: client 1 → server 2:443, SYN/SYN+ACK, then segments in order.
class Connection {
  public:
    explicit Connection(TcpSipStreams& t) : m_t(t) {
        add(true, {}, TcpSegment::kSyn);
        add(false, {}, TcpSegment::kSyn | TcpSegment::kAck);
    }
    void add(bool fromClient, std::string_view data, std::uint8_t flags = TcpSegment::kAck) {
        TcpSegment s;
        s.src = fromClient ? ep(1, 50000) : ep(2, 443);
        s.dst = fromClient ? ep(2, 443) : ep(1, 50000);
        std::uint32_t& seq = fromClient ? m_clientSeq : m_serverSeq;
        s.seq = seq;
        s.flags = flags;
        s.payload = {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()};
        s.frame = ++m_frame;
        s.tsNs = static_cast<std::int64_t>(m_frame) * kMs;
        seq += static_cast<std::uint32_t>(data.size()) + ((flags & TcpSegment::kSyn) ? 1 : 0);
        m_t.add(s);
    }

  private:
    TcpSipStreams& m_t;
    std::uint32_t m_clientSeq = 1000, m_serverSeq = 5000;
    std::uint64_t m_frame = 0;
};

}  // namespace

class TestWebSocket : public QObject {
    Q_OBJECT
  private slots:
    void lengths_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("fromClient");
        for (int size : {0, 1, 125, 126, 300, 65535, 65536, 70000}) {
            QTest::addRow("%d masked", size) << size << true;
            QTest::addRow("%d unmasked", size) << size << false;
        }
    }
    void lengths() {
        QFETCH(int, size);
        QFETCH(bool, fromClient);
        std::string payload = invite();
        payload.resize(static_cast<std::size_t>(size), 'x');
        const std::string in = frame(true, 0x1, payload, fromClient);
        const auto events = decode(in, fromClient);
        QCOMPARE(events.size(), std::size_t{1});
        QCOMPARE(events[0].kind, WsEvent::Kind::Message);
        QCOMPARE(events[0].payload, payload);
        QCOMPARE(events[0].offset, std::uint64_t{0});
        QCOMPARE(events[0].end, std::uint64_t{in.size()});
        QCOMPARE(events[0].issues, std::size_t{0});
        const std::size_t header = size < 126 ? 2 : size <= 0xFFFF ? 4 : 10;
        QCOMPARE(in.size(), header + (fromClient ? 4 : 0) + static_cast<std::size_t>(size));
    }

    void splitsGiveTheSameEvents() {
        const std::string in = frame(true, 0x1, invite(), true) + frame(true, 0x9, "p", true) +
                               frame(true, 0x2, ok(), true, Len::L64);
        QVERIFY(splitInvariant(in, true));
    }

    void toleratedDeviationsBecomeIssues() {
        // Non-minimal length and an unmasked client frame: decoded, with issues.
        const std::string in = frame(true, 0x1, "OPTIONS sip:x SIP/2.0\r\n\r\n", false, Len::L16);
        auto events = decode(in, true);
        QCOMPARE(events.size(), std::size_t{1});
        QCOMPARE(events[0].kind, WsEvent::Kind::Message);
        QCOMPARE(events[0].issues, std::size_t{2});
        WebSocketDecoder d(true);
        d.push(in);
        auto e = d.next();
        QVERIFY(e && e->issues.size() == 2);
        QCOMPARE(e->issues[0].code, ErrorCode::Tolerated);
        QVERIFY(e->issues[1].message.find("not masked") != std::string::npos);
    }

    void fragmentedWithInterleavedControlFrames() {
        const std::string msg = invite();
        const std::string in = frame(false, 0x1, msg.substr(0, 100), true, Len::Auto, 0, 1) +
                               frame(true, 0x9, "ping!", true, Len::Auto, 0, 2) +
                               frame(false, 0x0, msg.substr(100, 50), true, Len::Auto, 0, 3) +
                               frame(true, 0xA, "", true) +
                               frame(true, 0x0, msg.substr(150), true, Len::L64, 0, 4);
        const auto events = decode(in, true);
        QCOMPARE(events.size(), std::size_t{3});
        QCOMPARE(events[0].kind, WsEvent::Kind::Control);
        QCOMPARE(events[0].opcode, WsOpcode::Ping);
        QCOMPARE(events[0].payload, std::string("ping!"));
        QCOMPARE(events[1].opcode, WsOpcode::Pong);
        QCOMPARE(events[2].kind, WsEvent::Kind::Message);
        QCOMPARE(events[2].opcode, WsOpcode::Text);
        QCOMPARE(events[2].payload, msg);
        QCOMPARE(events[2].frames, std::uint32_t{3});
        QCOMPARE(events[2].offset, std::uint64_t{0});
        QCOMPARE(events[2].end, std::uint64_t{in.size()});
        QCOMPARE(events[2].issues, std::size_t{1});  // the non-minimal 64-bit length
        QVERIFY(splitInvariant(in, true));
    }

    void malformedFrames_data() {
        QTest::addColumn<std::string>("bad");
        QTest::addColumn<int>("code");
        QTest::newRow("rsv1 (compressed)") << frame(true, 0x1, "abc", false, Len::Auto, 0x40)
                                           << static_cast<int>(ErrorCode::BadBody);
        QTest::newRow("reserved data opcode")
            << frame(true, 0x3, "abc", false) << static_cast<int>(ErrorCode::BadBody);
        QTest::newRow("reserved control opcode")
            << frame(true, 0xB, "abc", false) << static_cast<int>(ErrorCode::BadBody);
        QTest::newRow("long control frame") << frame(true, 0x9, std::string(126, 'p'), false)
                                            << static_cast<int>(ErrorCode::BadBody);
        QTest::newRow("fragmented control")
            << frame(false, 0x9, "p", false) << static_cast<int>(ErrorCode::BadBody);
        QTest::newRow("orphan continuation")
            << frame(true, 0x0, "abc", false) << static_cast<int>(ErrorCode::BadBody);
        QTest::newRow("unfinished message")
            << frame(false, 0x1, "abc", false) << static_cast<int>(ErrorCode::Incomplete);
        QTest::newRow("too large") << frame(true, 0x2, std::string(2000, 'z'), false)
                                   << static_cast<int>(ErrorCode::TooLarge);
        QTest::newRow("too large in fragments")
            << frame(false, 0x2, std::string(600, 'z'), false) +
                   frame(true, 0x0, std::string(600, 'z'), false)
            << static_cast<int>(ErrorCode::TooLarge);
    }
    void malformedFrames() {
        // The bad frame is reported and skipped; the next message still comes out.
        QFETCH(std::string, bad);
        QFETCH(int, code);
        const std::string good = frame(true, 0x1, ok(), false);
        const std::string in = bad + good;
        WsLimits limits;
        limits.maxMessageBytes = 1000;
        const auto events = decode(in, false, limits);
        QCOMPARE(events.size(), std::size_t{2});
        QCOMPARE(events[0].kind, WsEvent::Kind::Error);
        QCOMPARE(static_cast<int>(events[0].code), code);
        QCOMPARE(events[0].offset, std::uint64_t{0});
        QCOMPARE(events[1].kind, WsEvent::Kind::Message);
        QCOMPARE(events[1].payload, ok());
        QCOMPARE(events[1].offset, std::uint64_t{bad.size()});
        QVERIFY(splitInvariant(in, false, limits));
    }

    void invalidLengthStopsDecoding() {
        std::string bad = frame(true, 0x1, "x", false, Len::L64);
        bad[2] = static_cast<char>(0x80);  // RFC 6455 §5.2: the MSB must be 0
        const auto events = decode(bad + frame(true, 0x1, ok(), false), false);
        QCOMPARE(events.size(), std::size_t{1});
        QCOMPARE(events[0].kind, WsEvent::Kind::Error);
        QVERIFY(splitInvariant(bad + "more", false));
    }

    void framesAfterClose() {
        const std::string in = frame(true, 0x8, "\x03\xe8", false) + frame(true, 0x1, ok(), false);
        const auto events = decode(in, false);
        QCOMPARE(events.size(), std::size_t{2});
        QCOMPARE(events[0].opcode, WsOpcode::Close);
        QCOMPARE(events[1].kind, WsEvent::Kind::Error);
    }

    void resyncAfterLostBytes() {
        const std::string a = frame(true, 0x1, invite(1), true, Len::Auto, 0, 11);
        const std::string b = frame(true, 0x1, invite(2), true, Len::Auto, 0, 22);
        const std::string c = frame(true, 0x1, invite(3), true, Len::Auto, 0, 33);
        WebSocketDecoder d(true);
        std::vector<Seen> out;
        d.push(a + b.substr(0, 40));
        drain(d, out);
        d.lostBytes();
        const std::string rest = b.substr(90) + c;
        d.push(rest);
        drain(d, out);
        QCOMPARE(out.size(), std::size_t{4});
        QCOMPARE(out[0].payload, invite(1));
        QCOMPARE(out[1].kind, WsEvent::Kind::Error);  // the 40 bytes of b before the loss
        QCOMPARE(out[1].offset, std::uint64_t{a.size()});
        QCOMPARE(out[1].end, std::uint64_t{a.size() + 40});
        QCOMPARE(out[2].kind, WsEvent::Kind::Error);  // the rest of b, skipped to find c
        QCOMPARE(out[2].end - out[2].offset, std::uint64_t{b.size() - 90});
        QCOMPARE(out[3].payload, invite(3));
        QVERIFY(!d.finish());
    }

    void finishInsideAFrame() {
        const std::string a = frame(true, 0x1, invite(), false);
        WebSocketDecoder d(false);
        d.push(std::string_view(a).substr(0, 50));
        QVERIFY(!d.next());
        auto e = d.finish();
        QVERIFY(e);
        QCOMPARE(e->error.code, ErrorCode::Incomplete);
        QCOMPARE(e->offset, std::uint64_t{0});
        QCOMPARE(e->end, std::uint64_t{50});
    }

    void handshake() {
        WsHandshake h;
        QCOMPARE(parseWsHandshake(kUpgrade, h), HandshakeParse::Done);
        QVERIFY(h.request && h.upgrade && h.sipProtocol && !h.compressed);
        QCOMPARE(h.length, kUpgrade.size());
        QCOMPARE(parseWsHandshake(kAccept + "trailing", h), HandshakeParse::Done);
        QVERIFY(!h.request && h.upgrade && h.sipProtocol);
        QCOMPARE(h.status, 101);
        QCOMPARE(h.length, kAccept.size());
        QCOMPARE(parseWsHandshake(std::string_view(kUpgrade).substr(0, 40), h),
                 HandshakeParse::NeedMore);
        QCOMPARE(parseWsHandshake("GE", h), HandshakeParse::NeedMore);
        QCOMPARE(parseWsHandshake("HELLO", h), HandshakeParse::NotHttp);
        std::string xmpp = kUpgrade;
        xmpp.replace(
            xmpp.find("protocol: sip") == std::string::npos ? xmpp.find("Protocol: sip") : 0, 13,
            "Protocol: xmpp");
        QCOMPARE(parseWsHandshake(xmpp, h), HandshakeParse::Done);
        QVERIFY(h.upgrade && !h.sipProtocol);
        const std::string list =
            "GET / HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
            "Sec-WebSocket-Protocol: chat, SIP\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
        QCOMPARE(parseWsHandshake(list, h), HandshakeParse::Done);
        QVERIFY(h.upgrade && h.sipProtocol && h.compressed);
    }

    void sipOverWebSocketConnection() {
        Collector out;
        TcpSipStreams t(out);
        Connection c(t);
        // A fragmented request: its first frame split over two segments, a ping between the
        // fragments (RFC 6455 §5.4).
        const std::string first = frame(false, 0x1, invite().substr(0, 100), true);
        const std::string last = frame(true, 0x0, invite().substr(100), true);
        c.add(true, kUpgrade);                                              // frame 3
        c.add(false, kAccept);                                              // frame 4
        c.add(true, std::string_view(first).substr(0, 60));                 // frame 5
        c.add(true, first.substr(60) + frame(true, 0x9, "", true) + last);  // frame 6
        c.add(false, frame(true, 0x1, ok(), false));                        // frame 7
        QCOMPARE(out.kinds, std::vector<StreamKind>{StreamKind::WebSocket});
        QCOMPARE(out.messages.size(), std::size_t{2});
        QCOMPARE(*out.messages[0].bytes, invite());
        QCOMPARE(out.messages[0].transport, Transport::Ws);
        QCOMPARE(out.messages[0].frames, (std::vector<std::uint64_t>{5, 6}));
        QCOMPARE(out.messages[0].tsNs, 6 * kMs);
        QCOMPARE(out.messages[0].streamOffset, std::uint64_t{kUpgrade.size()});
        QCOMPARE(out.messages[0].issues.size(), std::size_t{0});
        QCOMPARE(*out.messages[1].bytes, ok());
        QCOMPARE(out.messages[1].frames, std::vector<std::uint64_t>{7});
        QCOMPARE(out.messages[1].src, ep(2, 443));
        QCOMPARE(t.stats().wsMessages, std::uint64_t{2});
        t.flush();
        QCOMPARE(out.reports.size(), std::size_t{0});
    }

    void handshakeAndFramesInOneSegment() {
        Collector out;
        TcpSipStreams t(out);
        Connection c(t);
        c.add(true, kUpgrade + frame(true, 0x1, invite(), true));
        c.add(false, kAccept + frame(true, 0x1, ok(), false) + frame(true, 0x1, ok(2), false));
        QCOMPARE(out.messages.size(), std::size_t{3});
        QCOMPARE(out.messages[0].frames, std::vector<std::uint64_t>{3});
        QCOMPARE(*out.messages[2].bytes, ok(2));
        QCOMPARE(out.messages[2].frames, std::vector<std::uint64_t>{4});
    }

    void keepAliveMessagesAreNotSip() {
        // Regression (fuzz_tcp_streams): empty and CRLF-only WebSocket messages are keep-alives.
        Collector out;
        TcpSipStreams t(out);
        Connection c(t);
        c.add(true, kUpgrade);
        c.add(false, kAccept);
        c.add(true, frame(true, 0x1, "", true) + frame(true, 0x1, "\r\n\r\n", true) +
                        frame(true, 0x1, invite(), true));
        QCOMPARE(out.messages.size(), std::size_t{1});
        QCOMPARE(*out.messages[0].bytes, invite());
        QCOMPARE(out.messages[0].issues.size(), std::size_t{0});
        QCOMPARE(t.stats().keepAlives, std::uint64_t{2});
    }

    void refusedUpgradeIsReported() {
        Collector out;
        TcpSipStreams t(out);
        Connection c(t);
        c.add(true, kUpgrade);
        c.add(false, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        t.flush();
        QCOMPARE(out.messages.size(), std::size_t{0});
        QCOMPARE(out.reports.size(), std::size_t{1});
        QVERIFY(out.reports[0].issues[0].message.find("HTTP status 403") != std::string::npos);
    }

    void malformedFrameInConnectionIsAnIssue() {
        Collector out;
        TcpSipStreams t(out);
        Connection c(t);
        c.add(true, kUpgrade);
        c.add(false, kAccept);
        c.add(true, frame(true, 0x3, "junk", true) + frame(true, 0x1, invite(), true));
        QCOMPARE(out.messages.size(), std::size_t{1});
        QCOMPARE(out.messages[0].issues.size(), std::size_t{1});
        QCOMPARE(out.messages[0].issues[0].offset, std::size_t{kUpgrade.size()});
        QVERIFY(out.messages[0].issues[0].message.find("reserved data opcode") !=
                std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestWebSocket)
#include "tst_websocket.moc"
