// The capture pipeline end to end on built packets: SIP over WebSocket (RFC 7118), HEP v3,
// SCTP, concatenated datagrams, fragmented datagrams, TLS flows counted, keep-alives ignored.

#include <QtTest>

#include "packet_builder.hpp"
#include "pipeline/capture_pipeline.hpp"

using namespace sipscope::analyzer;
using namespace sipscope::test;

namespace {

const std::string kReq =
    "MESSAGE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/WSS "
    "df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"
    "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: ws-1\r\n"
    "CSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";

struct Out {
    std::vector<ObservedMessage> messages;
    PipelineStats stats;
};

Out run(const std::vector<Pkt>& frames, int linkType = 1) {
    Out o;
    CapturePipeline p({}, [&](ObservedMessage&& m) { o.messages.push_back(std::move(m)); });
    std::uint64_t n = 0;
    for (const auto& f : frames) {
        RawPacket r;
        r.number = ++n;
        r.tsNs = static_cast<std::int64_t>(n) * 1000000;
        r.linkType = linkType;
        r.data = f;
        r.origLength = static_cast<std::uint32_t>(f.size());
        p.process(r);
    }
    p.finish();
    o.stats = p.stats();
    return o;
}

Pkt tcpFrame(bool toServer, std::uint32_t seq, std::uint8_t flags, const Pkt& payload) {
    return eth(0x0800, toServer ? ipv4(kA4, kB4, 6, tcp(50000, 443, seq, flags, payload))
                                : ipv4(kB4, kA4, 6, tcp(443, 50000, seq, flags, payload)));
}

Pkt wsFrame(const std::string& text, bool masked) {
    Pkt f{0x81};
    const std::uint8_t key[4] = {0x11, 0x22, 0x33, 0x44};
    if (text.size() < 126) {
        f.push_back(static_cast<std::uint8_t>((masked ? 0x80 : 0) | text.size()));
    } else {
        f.push_back(static_cast<std::uint8_t>((masked ? 0x80 : 0) | 126));
        put16(f, static_cast<std::uint16_t>(text.size()));
    }
    if (masked) f.insert(f.end(), key, key + 4);
    for (std::size_t i = 0; i < text.size(); ++i)
        f.push_back(static_cast<std::uint8_t>(text[i] ^ (masked ? key[i % 4] : 0)));
    return f;
}

}  // namespace

class TestPipelineProtocols : public QObject {
    Q_OBJECT
  private slots:
    void sipOverWebSocket();
    void hepCarriesTheAgentsEndpoints();
    void concatenatedDatagram();
    void keepAlivesAreNotSip();
    void tlsFlowsAreCounted();
};

void TestPipelineProtocols::sipOverWebSocket() {
    const std::string upgrade =
        "GET / HTTP/1.1\r\nHost: sip-ws.example.com\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const std::string accept =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n\r\n";
    const std::string resp =
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK56sdasks\r\n"
        "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\nCall-ID: ws-1\r\n"
        "CSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n";
    const Pkt req = wsFrame(kReq, true);
    std::uint32_t c = 1000, s = 5000;
    std::vector<Pkt> frames;
    frames.push_back(tcpFrame(true, c++, 0x02, {}));
    frames.push_back(tcpFrame(false, s++, 0x12, {}));
    frames.push_back(tcpFrame(true, c, 0x18, bytesOf(upgrade)));
    c += static_cast<std::uint32_t>(upgrade.size());
    frames.push_back(tcpFrame(false, s, 0x18, bytesOf(accept)));
    s += static_cast<std::uint32_t>(accept.size());
    // The masked request split across two segments.
    frames.push_back(tcpFrame(true, c, 0x18, Pkt(req.begin(), req.begin() + 50)));
    frames.push_back(tcpFrame(true, c + 50, 0x18, Pkt(req.begin() + 50, req.end())));
    frames.push_back(tcpFrame(false, s, 0x18, wsFrame(resp, false)));
    const Out o = run(frames);
    QCOMPARE(o.messages.size(), std::size_t(2));
    QCOMPARE(o.messages[0].transport, Transport::Ws);
    QCOMPARE(*o.messages[0].bytes, kReq);
    QCOMPARE(o.messages[0].frames, (std::vector<std::uint64_t>{5, 6}));
    QVERIFY(o.messages[0].message.has_value());
    QCOMPARE(o.messages[1].message->status().value_or(0), 200);
    QCOMPARE(o.messages[1].src.port, 443);
}

void TestPipelineProtocols::hepCarriesTheAgentsEndpoints() {
    auto chunk = [](std::uint16_t type, const Pkt& v) {
        Pkt c;
        put16(c, 0);
        put16(c, type);
        put16(c, static_cast<std::uint16_t>(6 + v.size()));
        return cat(c, v);
    };
    Pkt body =
        cat(cat(cat(chunk(1, {10}), chunk(2, {6})),
                cat(chunk(5, Pkt(kA6.begin(), kA6.end())), chunk(6, Pkt(kB6.begin(), kB6.end())))),
            cat(cat(chunk(7, {0x13, 0xC4}), chunk(8, {0x13, 0xC5})),
                cat(chunk(9, {0x6B, 0x00, 0x00, 0x00}), chunk(10, {0, 0, 0, 7}))));
    body = cat(cat(body, chunk(11, {1})), chunk(15, bytesOf(kReq)));
    Pkt hep = bytesOf("HEP3");
    put16(hep, static_cast<std::uint16_t>(6 + body.size()));
    hep = cat(hep, body);
    const Out o = run({eth(0x0800, ipv4(kA4, kB4, 17, udp(33000, 9060, hep)))});
    QCOMPARE(o.messages.size(), std::size_t(1));
    const ObservedMessage& m = o.messages[0];
    QCOMPARE(m.src.ip.toString(), std::string("2001:db8::1"));
    QCOMPARE(m.dst.port, 5061);
    QCOMPARE(m.transport, Transport::Tcp);
    QCOMPARE(m.ipVersion, 6);
    QCOMPARE(m.tsNs, std::int64_t{0x6B000000} * 1000000000 + 7000);
    QVERIFY(m.path.find("hep") != std::string::npos);
    QCOMPARE(o.stats.hepPackets, std::uint64_t(1));
}

void TestPipelineProtocols::concatenatedDatagram() {
    const std::string two = kReq + kReq;
    const Out o = run({eth(0x0800, ipv4(kA4, kB4, 17, udp(5060, 5060, bytesOf(two))))});
    QCOMPARE(o.messages.size(), std::size_t(2));
    QCOMPARE(*o.messages[0].bytes, kReq);
    QCOMPARE(*o.messages[1].bytes, kReq);
    QVERIFY(!o.messages[0].issues.empty());
    QVERIFY(!o.messages[1].issues.empty());
    QCOMPARE(o.stats.concatenated, std::uint64_t(1));
    QCOMPARE(o.stats.sipFrames, std::uint64_t(1));
}

void TestPipelineProtocols::keepAlivesAreNotSip() {
    const Out o = run({eth(0x0800, ipv4(kA4, kB4, 17, udp(5060, 5060, bytesOf("\r\n\r\n")))),
                       eth(0x0800, ipv4(kA4, kB4, 17, udp(5060, 5060, Pkt{0, 0, 0, 0}))),
                       eth(0x0800, ipv4(kA4, kB4, 17, udp(5060, 5060, bytesOf("jaK\n"))))});
    QVERIFY(o.messages.empty());
    QCOMPARE(o.stats.decode.packets, std::uint64_t(3));
}

void TestPipelineProtocols::tlsFlowsAreCounted() {
    Pkt hello{0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3C, 0x03, 0x03};
    hello.resize(5 + 0x40, 0xAB);
    std::vector<Pkt> frames;
    auto f = [&](bool toServer, std::uint32_t seq, std::uint8_t flags, const Pkt& p) {
        return eth(0x0800, toServer ? ipv4(kA4, kB4, 6, tcp(50001, 5061, seq, flags, p))
                                    : ipv4(kB4, kA4, 6, tcp(5061, 50001, seq, flags, p)));
    };
    frames.push_back(f(true, 100, 0x02, {}));
    frames.push_back(f(false, 900, 0x12, {}));
    frames.push_back(f(true, 101, 0x18, hello));
    frames.push_back(f(true, 101 + static_cast<std::uint32_t>(hello.size()), 0x11, {}));
    const Out o = run(frames);
    QVERIFY(o.messages.empty());
    QCOMPARE(o.stats.tlsConnections, std::uint64_t(1));
}

QTEST_APPLESS_MAIN(TestPipelineProtocols)
#include "tst_pipeline_protocols.moc"
