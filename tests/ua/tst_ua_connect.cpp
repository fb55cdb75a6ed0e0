// Connecting without blocking the loop: a TCP connect to a listener whose backlog is full and a
// TLS handshake with a server that accepts but never answers both stay pending while the same
// EventLoop fires timers and completes a UDP request; each then fails at the connect timeout on
// the loop's (manual) clock with its own error text, and a message queued meanwhile is sent once
// a slow connection does come up.

#include <QElapsedTimer>
#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "message/message_builder.hpp"
#include "transport/event_loop.hpp"
#include "transport/transport.hpp"
#include "ua/answerer.hpp"
#include "ua/request_client.hpp"
#include "ua/sip_endpoint.hpp"
#include "ua_loop_fixture.hpp"

using namespace sipscope::stack;
using namespace sipscope::stack::ua;
using namespace std::chrono_literals;
namespace net = sipscope::stack::net;
using sipscope::uatest::World;

namespace {

std::string options(int cseq) {
    return MessageBuilder::request("OPTIONS", "sip:bob@127.0.0.1")
        .header("Via", "SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKc" + std::to_string(cseq))
        .header("From", "<sip:alice@127.0.0.1>;tag=1")
        .header("To", "<sip:bob@127.0.0.1>")
        .header("Call-ID", "connect-test")
        .header("CSeq", std::to_string(cseq) + " OPTIONS")
        .header("Max-Forwards", "70")
        .text();
}

// A TCP listener nobody accept()s on. With `fullBacklog` one connection fills its queue, so
// the kernel ignores further SYNs and a connect stays in progress; without, connections are
// established by the kernel but nothing is ever read or written (a silent TLS server).
struct Unanswering {
    explicit Unanswering(bool fullBacklog) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        const auto any = net::SockAddr::fromLiteral("127.0.0.1", 0);
        ::bind(fd, any.sa(), any.len());
        ::listen(fd, fullBacklog ? 0 : 8);
        addr = sipscope::uatest::boundAddress(fd);
        if (fullBacklog) {
            filler = ::socket(AF_INET, SOCK_STREAM, 0);
            if (::connect(filler, addr.sa(), addr.len()) != 0) qFatal("cannot fill the backlog");
        }
    }
    ~Unanswering() {
        if (filler >= 0) ::close(filler);
        ::close(fd);
    }
    int fd = -1, filler = -1;
    net::SockAddr addr;
};

}  // namespace

class TestUaConnect : public QObject {
    Q_OBJECT

  private slots:
    void pendingSetupDoesNotBlockTheLoop_data() {
        QTest::addColumn<bool>("tls");
        QTest::addColumn<QString>("expected");
        QTest::newRow("tcp connect, backlog full") << false << "connect to %1 timed out";
        QTest::newRow("tls handshake never answered") << true << "TLS handshake with %1 timed out";
    }
    void pendingSetupDoesNotBlockTheLoop() {
        QFETCH(bool, tls);
        QFETCH(QString, expected);
        World w;
        Unanswering server(!tls);
        net::TransportLayer client(w.loop), udpA(w.loop), udpB(w.loop);
        std::string error;
        const auto any = net::SockAddr::fromLiteral("127.0.0.1", 0);
        QVERIFY(udpA.openUdp(any, error) && udpB.openUdp(any, error));
        std::optional<std::string> failure;
        std::optional<qint64> failedAt;
        client.onClosed = [&](net::Protocol, const net::SockAddr&, const std::string& e) {
            failure = e;
            failedAt = w.ms();
        };
        int udpArrived = 0;
        udpB.onMessage = [&](net::Inbound&&) { ++udpArrived; };
        std::optional<qint64> timerAt;
        w.loop.addTimer(100ms, [&] { timerAt = w.ms(); });

        QElapsedTimer real;
        real.start();
        const auto proto = tls ? net::Protocol::Tls : net::Protocol::Tcp;
        const auto sent = client.send(proto, server.addr, options(1), "127.0.0.1");
        QVERIFY2(sent.ok, sent.error.c_str());  // queued while the connection is set up
        QVERIFY(sent.local.valid() && sent.local.port() != 0);
        QVERIFY(udpA.send(net::Protocol::Udp, udpB.udpLocal(AF_INET), options(2)).ok);
        QVERIFY(w.runUntil([&] { return timerAt && udpArrived == 1; }, 1s));
        QCOMPARE(timerAt, std::optional<qint64>(100));
        QVERIFY(!failure);  // still connecting / handshaking
        QCOMPARE(client.connectionCount(), std::size_t{1});

        QVERIFY(w.runUntil([&] { return failure.has_value(); }, 10s));
        QCOMPARE(failedAt, std::optional<qint64>(5000));  // the connect timeout, on the loop clock
        QCOMPARE(QString::fromStdString(*failure), expected.arg(server.addr.hostPort().c_str()));
        QCOMPARE(client.connectionCount(), std::size_t{0});
        QVERIFY2(real.elapsed() < 3000, qPrintable(QString::number(real.elapsed())));
    }

    void udpRequestCompletesWhileTlsHangs() {
        World w;
        Unanswering silentTls(false);
        net::TransportLayer tA(w.loop), tB(w.loop);
        std::string error;
        const auto any = net::SockAddr::fromLiteral("127.0.0.1", 0);
        QVERIFY(tA.openUdp(any, error) && tB.openUdp(any, error));
        SipEndpoint a(w.loop, tA, TimerConfig{},
                      [rng = std::mt19937_64(1)]() mutable { return rng(); });
        SipEndpoint b(w.loop, tB, TimerConfig{},
                      [rng = std::mt19937_64(2)]() mutable { return rng(); });
        Answerer answerer(b, AnswerOptions{});
        b.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        const auto request = [](net::Protocol p, const net::SockAddr& to) {
            RequestOptions o;
            o.requestUri = o.toUri = "sip:" + to.hostPort();
            o.fromUri = "sip:alice@127.0.0.1";
            o.target = Target{p, to, "127.0.0.1"};
            return o;
        };
        RequestClient overTls(a, request(net::Protocol::Tls, silentTls.addr));
        RequestClient overUdp(a, request(net::Protocol::Udp, tB.udpLocal(AF_INET)));
        overTls.start();
        overUdp.start();
        QVERIFY(!overTls.done());
        QVERIFY(w.runUntil([&] { return overUdp.done(); }, 1s));
        QCOMPARE(QString::fromStdString(overUdp.report().result), QString("ok"));
        QVERIFY(w.ms() < 50);
        QVERIFY(!overTls.done());
        QVERIFY(w.runUntil([&] { return overTls.done(); }, 40s));
        QVERIFY2(overTls.report().result == "error", overTls.report().error.c_str());
        QVERIFY2(overTls.report().error.find("TLS handshake with " + silentTls.addr.hostPort() +
                                             " timed out") != std::string::npos,
                 overTls.report().error.c_str());
        QCOMPARE(w.ms(), qint64{5000});
    }

    void queuedMessagesGoOutOnceUp() {
        // The listener accepts only after the message was queued: it still arrives, in order.
        World w;
        net::TransportLayer client(w.loop), server(w.loop);
        std::string error;
        QVERIFY(server.listen(net::SockAddr::fromLiteral("127.0.0.1", 0), false, error));
        const auto to = server.listenLocal(net::Protocol::Tcp, AF_INET);
        std::vector<std::string> got;
        server.onMessage = [&](net::Inbound&& in) {
            got.emplace_back(in.message.headerValue(HeaderId::CSeq));
        };
        for (int i = 1; i <= 3; ++i) QVERIFY(client.send(net::Protocol::Tcp, to, options(i)).ok);
        QVERIFY(w.runUntil([&] { return got.size() == 3; }, 1s));
        QCOMPARE(got, (std::vector<std::string>{"1 OPTIONS", "2 OPTIONS", "3 OPTIONS"}));
        QCOMPARE(client.connectionCount(), std::size_t{1});
    }
};

QTEST_GUILESS_MAIN(TestUaConnect)
#include "tst_ua_connect.moc"
