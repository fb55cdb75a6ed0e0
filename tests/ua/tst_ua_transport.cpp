// The active transports (stack/transport) on loopback with an EventLoop on a ManualClock: UDP
// over IPv4 and IPv6, TCP with one connection reused for every message to a peer and responses
// sent back on it (RFC 3261 §18.2.2), stream framing of a message written in pieces and of a
// burst read in large blocks, host resolution and the TLS verification messages.

#include <QtTest>

#include <netinet/in.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>
#include <unistd.h>

#include "message/message_builder.hpp"
#include "transport/event_loop.hpp"
#include "transport/tls.hpp"
#include "transport/transport.hpp"

using namespace sipscope::stack;
using namespace std::chrono_literals;
namespace net = sipscope::stack::net;

namespace {

std::string options(int cseq) {
    return MessageBuilder::request("OPTIONS", "sip:bob@127.0.0.1")
        .header("Via", "SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK" + std::to_string(cseq))
        .header("From", "<sip:alice@127.0.0.1>;tag=1")
        .header("To", "<sip:bob@127.0.0.1>")
        .header("Call-ID", "transport-test")
        .header("CSeq", std::to_string(cseq) + " OPTIONS")
        .header("Max-Forwards", "70")
        .text();
}

// Runs loop rounds (no waiting: the clock is manual) until `n` messages arrived, bounded.
void pump(net::EventLoop& loop, const std::vector<net::Inbound>& got, std::size_t n) {
    for (int i = 0; i < 200 && got.size() < n; ++i) loop.runOnce(0ms);
}

// A TCP listener of a transport layer and a plain socket connected to it, through which a
// test writes the bytes a peer would send.
struct RawTcpPeer {
    ManualClock clock;
    net::EventLoop loop{[this] { return clock.now(); }};
    net::TransportLayer server{loop};
    std::vector<net::Inbound> got;
    int fd = -1;

    RawTcpPeer() {
        std::string error;
        if (!server.listen(net::SockAddr::fromLiteral("127.0.0.1", 0), false, error)) return;
        server.onMessage = [this](net::Inbound&& in) { got.push_back(std::move(in)); };
        const auto to = server.listenLocal(net::Protocol::Tcp, AF_INET);
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd >= 0 && ::connect(fd, to.sa(), to.len()) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ~RawTcpPeer() {
        if (fd >= 0) ::close(fd);
    }
    bool connected() const { return fd >= 0; }
};

}  // namespace

class TestUaTransport : public QObject {
    Q_OBJECT

  private slots:
    void udpBothFamilies_data() {
        QTest::addColumn<QString>("ip");
        QTest::newRow("ipv4") << "127.0.0.1";
        QTest::newRow("ipv6") << "::1";
    }
    void udpBothFamilies() {
        QFETCH(QString, ip);
        ManualClock clock;
        net::EventLoop loop([&] { return clock.now(); });
        net::TransportLayer a(loop), b(loop);
        std::string error;
        const auto any = net::SockAddr::fromLiteral(ip.toStdString(), 0);
        QVERIFY2(a.openUdp(any, error) && b.openUdp(any, error), error.c_str());
        std::vector<net::Inbound> got;
        b.onMessage = [&](net::Inbound&& in) { got.push_back(std::move(in)); };
        const auto to = b.udpLocal(any.family());
        const auto sent = a.send(net::Protocol::Udp, to, options(1));
        QVERIFY2(sent.ok, sent.error.c_str());
        QCOMPARE(QString::fromStdString(sent.local.ip()), ip);
        pump(loop, got, 1);
        QCOMPARE(got.size(), std::size_t{1});
        QCOMPARE(got[0].message.method(), std::string_view("OPTIONS"));
        QVERIFY(got[0].from == sent.local);
        QCOMPARE(QString::fromStdString(got[0].local.ip()), ip);
    }

    void tcpReusesOneConnection() {
        ManualClock clock;
        net::EventLoop loop([&] { return clock.now(); });
        net::TransportLayer client(loop), server(loop);
        std::string error;
        QVERIFY2(server.listen(net::SockAddr::fromLiteral("127.0.0.1", 0), false, error),
                 error.c_str());
        const auto to = server.listenLocal(net::Protocol::Tcp, AF_INET);
        std::vector<net::Inbound> atServer, atClient;
        server.onMessage = [&](net::Inbound&& in) { atServer.push_back(std::move(in)); };
        client.onMessage = [&](net::Inbound&& in) { atClient.push_back(std::move(in)); };
        for (int i = 1; i <= 3; ++i) QVERIFY(client.send(net::Protocol::Tcp, to, options(i)).ok);
        pump(loop, atServer, 3);
        QCOMPARE(atServer.size(), std::size_t{3});
        QCOMPARE(client.connectionCount(), std::size_t{1});
        QCOMPARE(server.connectionCount(), std::size_t{1});
        // RFC 3261 §18.2.2: the response goes back on the connection the request came on.
        auto reply = makeResponse(atServer[0].message, 200);
        QVERIFY(server.send(net::Protocol::Tcp, atServer[0].from, reply->encode()).ok);
        pump(loop, atClient, 1);
        QCOMPARE(atClient.size(), std::size_t{1});
        QCOMPARE(atClient[0].message.status(), std::optional<int>(200));
        QCOMPARE(server.connectionCount(), std::size_t{1});
    }

    void tcpFramesAMessageWrittenInPieces() {
        RawTcpPeer peer;
        QVERIFY(peer.connected());
        auto& [clock, loop, server, got, fd] = peer;
        const std::string bytes = options(7) + options(8);
        for (std::size_t at = 0; at < bytes.size(); at += 50) {
            const auto piece = bytes.substr(at, 50);
            QCOMPARE(::send(fd, piece.data(), piece.size(), 0), static_cast<ssize_t>(piece.size()));
            loop.runOnce(0ms);
        }
        pump(loop, got, 2);
        QCOMPARE(got.size(), std::size_t{2});
        QCOMPARE(got[1].message.headerValue(HeaderId::CSeq), std::string_view("8 OPTIONS"));
    }

    // A burst of many messages and a large one arrive in reads that the framer adopts: each
    // message whole, in order, with its body.
    void tcpFramesABurstOfMessages() {
        RawTcpPeer peer;
        QVERIFY(peer.connected());
        auto& [clock, loop, server, got, fd] = peer;
        std::string bytes;
        for (int i = 1; i <= 80; ++i) bytes += options(i);
        const std::string big = MessageBuilder::request("MESSAGE", "sip:bob@127.0.0.1")
                                    .header("Via", "SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKbig")
                                    .header("From", "<sip:alice@127.0.0.1>;tag=1")
                                    .header("To", "<sip:bob@127.0.0.1>")
                                    .header("Call-ID", "transport-test-big")
                                    .header("CSeq", "81 MESSAGE")
                                    .header("Max-Forwards", "70")
                                    .body("text/plain", std::string(40000, 'm'))
                                    .text();
        bytes += big + options(82);
        std::size_t sent = 0;
        for (int round = 0; round < 400 && sent < bytes.size(); ++round) {
            const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_DONTWAIT);
            if (n > 0) sent += static_cast<std::size_t>(n);
            loop.runOnce(0ms);
        }
        QCOMPARE(sent, bytes.size());
        pump(loop, got, 82);
        QCOMPARE(got.size(), std::size_t{82});
        for (std::size_t i = 0; i < got.size(); ++i) {
            const auto cseq = got[i].message.headerValue(HeaderId::CSeq);
            QVERIFY2(cseq.starts_with(std::to_string(i + 1) + " "), std::string(cseq).c_str());
        }
        QCOMPARE(got[80].message.body().size(), std::size_t{40000});
        QCOMPARE(got[80].message.bytes(), std::string_view(big));
    }

    void tcpConnectFailureIsReported() {
        ManualClock clock;
        net::EventLoop loop([&] { return clock.now(); });
        net::TransportLayer client(loop);
        // A port nobody listens on: bind one, keep it unlistened.
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        auto any = net::SockAddr::fromLiteral("127.0.0.1", 0);
        ::bind(fd, any.sa(), any.len());
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
        const net::SockAddr to(reinterpret_cast<sockaddr*>(&ss), len);
        // The connect does not block: the message is queued and the refusal comes from the loop.
        std::string failure;
        client.onClosed = [&](net::Protocol, const net::SockAddr& peer, const std::string& e) {
            if (peer == to) failure = e;
        };
        const auto r = client.send(net::Protocol::Tcp, to, options(1));
        QVERIFY2(r.ok, r.error.c_str());
        for (int i = 0; i < 200 && failure.empty(); ++i) loop.runOnce(1ms);
        ::close(fd);
        QVERIFY2(failure.find("refused") != std::string::npos, failure.c_str());
        QCOMPARE(client.connectionCount(), std::size_t{0});
    }

    void resolution() {
        auto literal = net::resolveHost("[::1]", 5060);
        QCOMPARE(literal.addresses.size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(literal.addresses[0].hostPort()), QString("[::1]:5060"));
        auto v4 = net::resolveHost("127.0.0.1", 5061);
        QCOMPARE(QString::fromStdString(v4.addresses[0].hostPort()), QString("127.0.0.1:5061"));
        auto bad = net::resolveHost("no-such-host.invalid", 5060);
        QVERIFY(bad.addresses.empty());
        QVERIFY(bad.error.find("no-such-host.invalid") != std::string::npos);
        QCOMPARE(net::defaultPort(net::Protocol::Tls), std::uint16_t{5061});
    }

    void tlsVerificationMessages() {
        QVERIFY(net::verifyErrorMessage(X509_V_ERR_HOSTNAME_MISMATCH, "pbx.example.com")
                    .find("name mismatch") != std::string::npos);
        QVERIFY(net::verifyErrorMessage(X509_V_ERR_CERT_HAS_EXPIRED, "x").find("expired") !=
                std::string::npos);
        QVERIFY(net::verifyErrorMessage(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "x")
                    .find("self-signed") != std::string::npos);
        QVERIFY(net::verifyErrorMessage(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "x")
                    .find("unknown CA") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestUaTransport)
#include "tst_ua_transport.moc"
