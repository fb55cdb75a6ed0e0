// The active user agent on a ManualClock (no sleeping): caller and answerer endpoints talk over
// loopback UDP sockets inside one EventLoop whose clock the test advances 1 ms at a time, so
// every timer (RFC 3261 Timers A/B, the call's --duration and --timeout, RTP pacing) fires at
// its exact deadline. Checks outcomes, message sequences, digest retries and stale nonces.

#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "auth/digest.hpp"
#include "message/header_id.hpp"
#include "message/message_builder.hpp"
#include "transport/event_loop.hpp"
#include "transport/transport.hpp"
#include "ua/answerer.hpp"
#include "ua/call_client.hpp"
#include "ua/request_client.hpp"
#include "ua/sip_endpoint.hpp"
#include "ua_loop_fixture.hpp"

using namespace sipscope::stack;
using namespace sipscope::stack::ua;
using namespace std::chrono_literals;
namespace net = sipscope::stack::net;
using sipscope::uatest::Side;
using sipscope::uatest::Silent;
using sipscope::uatest::World;

namespace {

CallOptions callTo(const Side& callee, Duration duration) {
    CallOptions o;
    o.targetUri = callee.uri("bob");
    o.fromUri = "sip:alice@127.0.0.1";
    o.target = callee.target();
    o.duration = duration;
    return o;
}

}  // namespace

class TestUaLoop : public QObject {
    Q_OBJECT

  private slots:
    void loopFiresTimersAtTheirDeadlines() {
        ManualClock clock;
        net::EventLoop loop([&] { return clock.now(); });
        QStringList fired;
        loop.addTimer(30ms, [&] { fired << "30@" + QString::number(clock.now().count()); });
        const auto cancelled = loop.addTimer(20ms, [&] { fired << "cancelled"; });
        loop.addTimer(10ms, [&] {
            fired << "10@" + QString::number(clock.now().count());
            loop.addTimer(5ms, [&] { fired << "15@" + QString::number(clock.now().count()); });
        });
        QVERIFY(loop.cancelTimer(cancelled));
        for (int i = 0; i < 40; ++i) {
            loop.fireDueTimers();
            clock.advanceBy(1ms);
        }
        QCOMPARE(fired, QStringList({"10@10000", "15@15000", "30@30000"}));
        QCOMPARE(loop.pendingTimers(), std::size_t{0});
    }

    void answeredCall() {
        World w;
        Side caller(w.loop, 1), callee(w.loop, 2);
        Answerer answerer(callee.endpoint, AnswerOptions{});
        std::optional<AnsweredCall> ended;
        answerer.onCallEnded = [&](const AnsweredCall& c) { ended = c; };
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        CallClient call(caller.endpoint, callTo(callee, 1000ms));
        caller.endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        QVERIFY(w.runUntil([&] { return call.done() && ended.has_value(); }, 10s));
        const CallReport& r = call.report();
        QCOMPARE(QString::fromStdString(r.result), QString("answered"));
        QCOMPARE(r.finalCode, std::optional<int>(200));
        QVERIFY(r.setupMs && *r.setupMs < 5.0);
        QVERIFY(r.pddMs && *r.pddMs <= *r.setupMs);
        QVERIFY(r.durationS && std::abs(*r.durationS - 1.0) < 0.005);
        QCOMPARE(QString::fromStdString(r.codec), QString("PCMU"));
        // 20 ms packets for 1 s, both ways.
        QVERIFY2(r.rtp.sent >= 49 && r.rtp.sent <= 52, qPrintable(QString::number(r.rtp.sent)));
        QVERIFY2(r.rtp.received >= 48, qPrintable(QString::number(r.rtp.received)));
        QCOMPARE(r.rtp.lost, std::uint64_t{0});
        QCOMPARE(r.oneWayAudio, std::optional<bool>(false));
        QCOMPARE(caller.log,
                 QStringList({">INVITE", "<100", "<180", "<200", ">ACK", ">BYE", "<200"}));
        QCOMPARE(QString::fromStdString(ended->result), QString("answered"));
        QCOMPARE(ended->callId, r.callId);
    }

    void holdWithReinvite() {
        World w;
        Side caller(w.loop, 15), callee(w.loop, 16);
        QStringList bodies;
        caller.endpoint.tap = [&](const TappedMessage& t) {
            const std::string what = t.message.isRequest()
                                         ? std::string(t.message.method())
                                         : std::to_string(t.message.status().value_or(0));
            caller.log << QString::fromStdString((t.sent ? ">" : "<") + what);
            if (!t.message.body().empty())
                bodies << QString::fromStdString((t.sent ? ">" : "<") + what + " " +
                                                 std::string(t.message.body()));
        };
        Answerer answerer(callee.endpoint, AnswerOptions{});
        std::optional<AnsweredCall> ended;
        answerer.onCallEnded = [&](const AnsweredCall& c) { ended = c; };
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        CallOptions o = callTo(callee, 1000ms);
        o.holdAfter = 400ms;
        CallClient call(caller.endpoint, o);
        caller.endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        QVERIFY(w.runUntil([&] { return call.done() && ended.has_value(); }, 10s));
        QCOMPARE(call.report().holdCode, std::optional<int>(200));
        QCOMPARE(QString::fromStdString(call.report().result), QString("answered"));
        QCOMPARE(caller.log, QStringList({">INVITE", "<100", "<180", "<200", ">ACK", ">INVITE",
                                          "<100", "<200", ">ACK", ">BYE", "<200"}));
        // RFC 3264 §8.4: the re-offer is sendonly, the answer recvonly, versions incremented.
        QCOMPARE(bodies.size(), 4);
        QVERIFY(bodies[2].startsWith(">INVITE") && bodies[2].contains("a=sendonly"));
        QVERIFY(bodies[2].contains(" 2 IN IP4"));
        QVERIFY(bodies[3].startsWith("<200") && bodies[3].contains("a=recvonly"));
        QCOMPARE(ended->reinvites, 1);
        // The BYE used the CSeq after the re-INVITE's (RFC 3261 §12.2.1.1).
        QCOMPARE(call.report().durationS.has_value(), true);
    }

    void codecChoice() {
        World w;
        Side caller(w.loop, 3), callee(w.loop, 4);
        Answerer answerer(callee.endpoint, AnswerOptions{});
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        CallOptions o = callTo(callee, 100ms);
        o.codecs = {kPcma, kPcmu};
        CallClient call(caller.endpoint, o);
        caller.endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 10s));
        QCOMPARE(QString::fromStdString(call.report().codec), QString("PCMA"));
    }

    void busyCall() {
        World w;
        Side caller(w.loop, 5), callee(w.loop, 6);
        Answerer answerer(callee.endpoint, AnswerOptions{486, 200ms, {kPcmu, kPcma}, true});
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        CallClient call(caller.endpoint, callTo(callee, 1000ms));
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 10s));
        QCOMPARE(QString::fromStdString(call.report().result), QString("busy"));
        QCOMPARE(call.report().finalCode, std::optional<int>(486));
        // RFC 3261 §17.1.1.3: the INVITE client transaction acknowledges the 486.
        QCOMPARE(caller.log, QStringList({">INVITE", "<100", "<180", "<486", ">ACK"}));
        QVERIFY(!call.report().durationS);
    }

    void cancelAfterProvisional() {
        World w;
        Side caller(w.loop, 7), callee(w.loop, 8);
        Answerer answerer(callee.endpoint, AnswerOptions{200, 60s, {kPcmu}, true});
        std::optional<AnsweredCall> ended;
        answerer.onCallEnded = [&](const AnsweredCall& c) { ended = c; };
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        CallOptions o = callTo(callee, 1000ms);
        o.timeout = 1500ms;
        CallClient call(caller.endpoint, o);
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 10s));
        QCOMPARE(QString::fromStdString(call.report().result), QString("cancelled"));
        QCOMPARE(call.report().finalCode, std::optional<int>(487));
        QCOMPARE(caller.log,
                 QStringList({">INVITE", "<100", "<180", ">CANCEL", "<200", "<487", ">ACK"}));
        // The CANCEL leaves at the --timeout instant; the 487 comes back one loop round later.
        QVERIFY(w.clock.now() >= Instant{1500ms} && w.clock.now() <= Instant{1503ms});
        QVERIFY(ended && ended->result == "cancelled");
    }

    void timerBWhenInvitesAreDropped() {
        World w;
        Side caller(w.loop, 9);
        Silent silent;
        CallOptions o;
        o.targetUri = "sip:bob@" + silent.addr.hostPort();
        o.fromUri = "sip:alice@127.0.0.1";
        o.target = Target{net::Protocol::Udp, silent.addr, {}};
        CallClient call(caller.endpoint, o);
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 40s));
        QCOMPARE(QString::fromStdString(call.report().result), QString("timeout"));
        // RFC 3261 §17.1.1.2: Timer B = 64*T1 = 32 s; Timer A retransmits at 0.5, 1.5, 3.5,
        // 7.5, 15.5 and 31.5 s.
        QCOMPARE(w.clock.now(), Instant{32s});
        QCOMPARE(caller.log.count(">INVITE"), 7);
        QVERIFY(call.report().error.find("Timer B") != std::string::npos);
    }

    void connectionClosedByThePeerEndsTheCall() {
        World w;
        Side caller(w.loop, 17);
        // A TCP server that reads the INVITE and closes the connection without answering.
        const int server = ::socket(AF_INET, SOCK_STREAM, 0);
        auto any = net::SockAddr::fromLiteral("127.0.0.1", 0);
        QCOMPARE(::bind(server, any.sa(), any.len()), 0);
        QCOMPARE(::listen(server, 4), 0);
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        ::getsockname(server, reinterpret_cast<sockaddr*>(&ss), &len);
        const net::SockAddr addr(reinterpret_cast<sockaddr*>(&ss), len);
        CallOptions o;
        o.targetUri = "sip:bob@" + addr.hostPort() + ";transport=tcp";
        o.fromUri = "sip:alice@127.0.0.1";
        o.target = Target{net::Protocol::Tcp, addr, {}};
        o.media = false;
        CallClient call(caller.endpoint, o);
        call.start();
        const int conn = ::accept(server, nullptr, nullptr);
        QVERIFY(conn >= 0);
        // The connect and the INVITE's write are driven by the loop: run it until the INVITE is in.
        char buf[4096];
        long got = -1;
        for (int i = 0; i < 1000 && got <= 0; ++i) {
            w.loop.runOnce(0ms);
            got = ::recv(conn, buf, sizeof buf, MSG_DONTWAIT);
        }
        QVERIFY(got > 0);
        ::close(conn);
        ::close(server);
        QVERIFY(w.runUntil([&] { return call.done(); }, 5s));
        // RFC 3261 §17.1.4: a transport error, long before Timer B.
        QCOMPARE(QString::fromStdString(call.report().result), QString("error"));
        QVERIFY2(call.report().error.find("connection closed") != std::string::npos,
                 call.report().error.c_str());
        QVERIFY(w.clock.now() < Instant{100ms});
    }

    void timeoutWithoutProvisionalSendsNoCancel() {
        World w;
        Side caller(w.loop, 10);
        Silent silent;
        CallOptions o;
        o.targetUri = "sip:bob@" + silent.addr.hostPort();
        o.fromUri = "sip:alice@127.0.0.1";
        o.target = Target{net::Protocol::Udp, silent.addr, {}};
        o.timeout = 2s;
        CallClient call(caller.endpoint, o);
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 10s));
        QCOMPARE(QString::fromStdString(call.report().result), QString("timeout"));
        QCOMPARE(w.clock.now(), Instant{2s});
        QVERIFY(!caller.log.contains(">CANCEL"));
    }

    void answererRetransmits2xxUntilAck() {
        World w;
        Side caller(w.loop, 13), callee(w.loop, 14);
        Answerer answerer(callee.endpoint, AnswerOptions{200, 0ms, {kPcmu}, false});
        std::optional<AnsweredCall> ended;
        answerer.onCallEnded = [&](const AnsweredCall& c) { ended = c; };
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        // A caller that never sends the ACK for the 2xx.
        RequestSeries series{callee.uri("bob"),
                             "sip:alice@127.0.0.1",
                             callee.uri("bob"),
                             "t1",
                             "no-ack@test",
                             "sip:alice@127.0.0.1",
                             1};
        const auto local = caller.endpoint.prepare(callee.target());
        auto invite = buildRequest(
            series, "INVITE", caller.endpoint.viaFor(callee.target(), local.local, "z9hG4bKna"));
        QVERIFY(invite.ok());
        std::string error;
        QVERIFY(caller.endpoint.sendRequest(invite.value(), callee.target(), {}, error));
        QVERIFY(w.runUntil([&] { return ended.has_value(); }, 40s));
        // RFC 3261 §13.3.1.4: resent at T1, 2*T1, ... capped at T2 (0.5, 1.5, 3.5, 7.5, 11.5
        // ... 31.5 s), given up at 64*T1 = 32 s.
        QCOMPARE(caller.log.count("<200"), 11);
        QCOMPARE(QString::fromStdString(ended->result), QString("timeout"));
        QVERIFY(w.clock.now() >= Instant{32s} && w.clock.now() <= Instant{32002ms});
    }

    void registerWithDigest_data() {
        QTest::addColumn<QString>("algorithm");
        QTest::addColumn<QString>("password");
        QTest::addColumn<bool>("staleOnce");
        QTest::addColumn<QString>("result");
        QTest::addColumn<int>("finalCode");
        QTest::addColumn<int>("rounds");
        QTest::newRow("md5") << "MD5"
                             << "secret" << false << "ok" << 200 << 1;
        QTest::newRow("sha-256") << "SHA-256"
                                 << "secret" << false << "ok" << 200 << 1;
        QTest::newRow("stale nonce") << "MD5"
                                     << "secret" << true << "ok" << 200 << 2;
        QTest::newRow("wrong password") << "SHA-256"
                                        << "wrong" << false << "rejected" << 401 << 2;
    }
    void registerWithDigest() {
        QFETCH(QString, algorithm);
        QFETCH(QString, password);
        QFETCH(bool, staleOnce);
        World w;
        Side client(w.loop, 11), registrar(w.loop, 12);
        int nonce = 0;
        bool staleSent = false;
        registrar.endpoint.onRequest = [&](const ServerRequest& r) {
            // A registrar that checks the digest itself (RFC 2617 §3.2.2 on its side).
            const auto* h = r.request.header(HeaderId::Authorization);
            bool valid = false;
            if (h) {
                auto v = AuthValue::parse(h->value);
                auth::DigestInput in;
                in.algorithm = *auth::parseAlgorithm(v->algorithm());
                in.username = v->username();
                in.password = "secret";
                in.realm = v->realm();
                in.nonce = v->nonce();
                in.cnonce = v->param("cnonce").value_or("");
                in.method = "REGISTER";
                in.uri = v->param("uri").value_or("");
                in.qop = "auth";
                in.nonceCount = std::stoul(v->param("nc").value_or("0"), nullptr, 16);
                valid = in.nonce == "n" + std::to_string(nonce) &&
                        v->param("response") == auth::computeResponse(in);
            }
            if (valid && staleOnce && !staleSent) {
                staleSent = true;
                valid = false;
            }
            if (valid) {
                auto ok = makeResponse(r.request, 200);
                ok->setHeader(HeaderId::Contact, "<sip:alice@127.0.0.1>;expires=60");
                registrar.endpoint.respond(r.key, ok.value());
                return;
            }
            auto challenge = makeResponse(r.request, 401);
            const bool stale = staleSent && staleOnce && nonce == 1;
            challenge->addHeader("WWW-Authenticate",
                                 "Digest realm=\"test\", nonce=\"n" + std::to_string(++nonce) +
                                     "\", qop=\"auth\", algorithm=" + algorithm.toStdString() +
                                     (stale ? ", stale=true" : ""));
            registrar.endpoint.respond(r.key, challenge.value());
        };
        RequestOptions o;
        o.method = "REGISTER";
        o.requestUri = "sip:" + registrar.transport.udpLocal(AF_INET).hostPort();
        o.toUri = o.fromUri = "sip:alice@127.0.0.1";
        o.target = registrar.target();
        o.credentials = auth::Credentials{"alice", password.toStdString()};
        o.extra = {{"Expires", "60"}};
        RequestClient req(client.endpoint, o);
        req.start();
        QVERIFY(w.runUntil([&] { return req.done(); }, 10s));
        const RequestReport& r = req.report();
        QTEST(QString::fromStdString(r.result), "result");
        QTEST(r.finalCode.value_or(0), "finalCode");
        QTEST(r.authRounds, "rounds");
        if (r.result == "ok")
            QCOMPARE(grantedExpiry(*r.finalResponse), std::optional<int>(60));
        else
            QVERIFY(r.error.find("refused twice") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestUaLoop)
#include "tst_ua_loop.moc"
