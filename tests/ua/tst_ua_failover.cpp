// RFC 3263 §4.3 on a ManualClock: an out-of-dialog request that fails at one target (no answer
// until Timer B/F, a 503, an ICMP port unreachable from a closed loopback port) is sent again to
// the next target as a new transaction: same Call-ID, From tag and CSeq, a new Via branch. The
// target that answers keeps the authentication retry and the call's in-dialog requests; when
// every target fails, the report gives the last failure. Real loopback sockets, virtual time.

#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>

#include "message/header_id.hpp"
#include "message/key_headers.hpp"
#include "message/message_builder.hpp"
#include "transport/transport.hpp"
#include "ua/answerer.hpp"
#include "ua/call_client.hpp"
#include "ua/request_client.hpp"
#include "ua_loop_fixture.hpp"

using namespace sipscope::stack;
using namespace sipscope::stack::ua;
using namespace std::chrono_literals;
namespace net = sipscope::stack::net;
using sipscope::uatest::boundAddress;
using sipscope::uatest::Side;
using sipscope::uatest::Silent;
using sipscope::uatest::World;

namespace {

// A loopback UDP port nobody listens on: the kernel answers ICMP port unreachable.
net::SockAddr closedPort() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    const auto any = net::SockAddr::fromLiteral("127.0.0.1", 0);
    ::bind(fd, any.sa(), any.len());
    const net::SockAddr addr = boundAddress(fd);
    ::close(fd);
    return addr;
}

Target udp(const net::SockAddr& a) {
    return Target{net::Protocol::Udp, a, {}};
}

// One request as the caller sent it.
struct Sent {
    std::string method, remote, branch, callId, fromTag;
    std::uint32_t cseq = 0;
    qint64 atMs = 0;
};

// Records every request `side` sends (keeping its ">INVITE" log).
void recordSent(Side& side, const World& w, std::vector<Sent>& out) {
    side.endpoint.tap = [log = side.endpoint.tap, &out, &w](const TappedMessage& t) {
        log(t);
        if (!t.sent || !t.message.isRequest()) return;
        const auto k = extractKeyHeaders(t.message);
        out.push_back(Sent{std::string(t.message.method()), t.remote.hostPort(),
                           std::string(k.topViaBranch), std::string(k.callId),
                           std::string(k.fromTag), k.cseq.value_or(0), w.ms()});
    };
}

std::vector<Sent> only(const std::vector<Sent>& all, const std::string& method) {
    std::vector<Sent> out;
    for (const auto& s : all)
        if (s.method == method) out.push_back(s);
    return out;
}

CallOptions callVia(const Target& first, std::vector<Target> alternates, const Side& callee) {
    CallOptions o;
    o.targetUri = callee.uri("bob");
    o.fromUri = "sip:alice@127.0.0.1";
    o.target = first;
    o.alternates = std::move(alternates);
    o.duration = 200ms;
    o.media = false;
    return o;
}

}  // namespace

class TestUaFailover : public QObject {
    Q_OBJECT

  private slots:
    // (a) RFC 3263 §4.3: Timer B at the first target, then a new transaction to the next.
    void timerBMovesTheInviteToTheNextTarget() {
        World w;
        Side caller(w.loop, 1), callee(w.loop, 2);
        Answerer answerer(callee.endpoint, AnswerOptions{.media = false});
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        Silent silent;
        std::vector<Sent> sent;
        recordSent(caller, w, sent);
        CallClient call(caller.endpoint, callVia(udp(silent.addr), {callee.target()}, callee));
        caller.endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 40s));
        const CallReport& r = call.report();
        QCOMPARE(QString::fromStdString(r.result), QString("answered"));
        QCOMPARE(r.targetsTried, 2);
        QVERIFY2(r.error.empty(), r.error.c_str());
        const auto invites = only(sent, "INVITE");
        // RFC 3261 §17.1.1.2: the INVITE and 6 retransmissions (Timer A), Timer B at 32 s.
        QCOMPARE(invites.size(), std::size_t{8});
        QCOMPARE(silent.datagrams(), 7);
        for (std::size_t i = 0; i < 7; ++i) {
            QCOMPARE(invites[i].remote, silent.addr.hostPort());
            QCOMPARE(invites[i].branch, invites[0].branch);  // retransmissions
        }
        const Sent& next = invites[7];
        QCOMPARE(next.remote, callee.target().address.hostPort());
        QCOMPARE(next.atMs, qint64(32000));
        // RFC 3263 §4.3: identical request, new Via branch: a new transaction.
        QVERIFY(next.branch != invites[0].branch);
        QVERIFY(next.branch.starts_with("z9hG4bK"));
        QCOMPARE(next.callId, invites[0].callId);
        QCOMPARE(next.fromTag, invites[0].fromTag);
        QCOMPARE(next.cseq, invites[0].cseq);
        // The call's ACK and BYE go to the target that answered.
        for (const char* m : {"ACK", "BYE"}) {
            QCOMPARE(only(sent, m).size(), std::size_t{1});
            QCOMPARE(only(sent, m)[0].remote, callee.target().address.hostPort());
        }
    }

    // (b) A 503 (after a 180 from the same server) moves the call on at once.
    void serviceUnavailableMovesTheInviteOnAtOnce() {
        World w;
        Side caller(w.loop, 3), busy(w.loop, 4), callee(w.loop, 5);
        Answerer unavailable(busy.endpoint, AnswerOptions{.code = 503, .media = false});
        busy.endpoint.onRequest = [&](const ServerRequest& r) { unavailable.onRequest(r); };
        Answerer answerer(callee.endpoint, AnswerOptions{.media = false});
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        std::vector<Sent> sent;
        recordSent(caller, w, sent);
        CallClient call(caller.endpoint, callVia(busy.target(), {callee.target()}, callee));
        caller.endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 5s));
        const CallReport& r = call.report();
        QCOMPARE(QString::fromStdString(r.result), QString("answered"));
        QCOMPARE(r.finalCode, std::optional<int>(200));
        QCOMPARE(r.targetsTried, 2);
        // RFC 3261 §17.1.1.3: the 503 is acknowledged by its own transaction, then the next
        // target gets the INVITE without waiting for anything.
        QCOMPARE(caller.log, QStringList({">INVITE", "<100", "<180", "<503", ">ACK", ">INVITE",
                                          "<100", "<180", "<200", ">ACK", ">BYE", "<200"}));
        const auto invites = only(sent, "INVITE");
        QCOMPARE(invites.size(), std::size_t{2});
        QVERIFY(invites[1].atMs - invites[0].atMs < 5);
        QVERIFY(invites[1].branch != invites[0].branch);
        QCOMPARE(invites[1].cseq, invites[0].cseq);
        QCOMPARE(busy.log, QStringList({"<INVITE", ">100", ">180", ">503", "<ACK"}));
        QCOMPARE(only(sent, "BYE").at(0).remote, callee.target().address.hostPort());
    }

    // (c) Every target fails: the report is the last failure, here a 503 after an ICMP error.
    void allTargetsFailReportsTheLastFailure() {
        World w;
        Side caller(w.loop, 6), busy(w.loop, 7);
        Answerer unavailable(busy.endpoint, AnswerOptions{.code = 503, .media = false});
        busy.endpoint.onRequest = [&](const ServerRequest& r) { unavailable.onRequest(r); };
        CallClient call(caller.endpoint, callVia(udp(closedPort()), {busy.target()}, busy));
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 5s));
        const CallReport& r = call.report();
        QCOMPARE(QString::fromStdString(r.result), QString("rejected"));
        QCOMPARE(r.finalCode, std::optional<int>(503));
        QCOMPARE(QString::fromStdString(r.reason), QString("Service Unavailable"));
        QCOMPARE(r.targetsTried, 2);
    }

    // (c) The same for OPTIONS: a 503, then Timer F at the last target.
    void allTargetsFailTimerFIsTheLastFailure() {
        World w;
        Side client(w.loop, 8), busy(w.loop, 9);
        busy.endpoint.onRequest = [&](const ServerRequest& req) {
            busy.endpoint.respond(req.key, makeResponse(req.request, 503).value());
        };
        Silent silent;
        RequestOptions o;
        o.requestUri = o.toUri = "sip:" + busy.target().address.hostPort();
        o.fromUri = "sip:alice@127.0.0.1";
        o.target = busy.target();
        o.alternates = {udp(silent.addr)};
        RequestClient req(client.endpoint, o);
        req.start();
        QVERIFY(w.runUntil([&] { return req.done(); }, 40s));
        const RequestReport& r = req.report();
        QCOMPARE(QString::fromStdString(r.result), QString("timeout"));
        QVERIFY2(r.error.find("Timer F") != std::string::npos, r.error.c_str());
        QCOMPARE(r.targetsTried, 2);
        // RFC 3261 §17.1.2.2: Timer F = 64*T1 after the OPTIONS sent to the second target.
        QVERIFY(w.clock.now() >= Instant{32s} && w.clock.now() <= Instant{32005ms});
        QCOMPARE(client.log.mid(0, 3), QStringList({">OPTIONS", "<503", ">OPTIONS"}));
    }

    // RFC 3263 §4.3: a timeout counts only "without ever having received any response": Timer F
    // after a 100 Trying ends the request at that target.
    void timerFAfterAProvisionalDoesNotFailOver() {
        World w;
        Side client(w.loop, 10), slow(w.loop, 11);
        slow.endpoint.onRequest = [&](const ServerRequest& req) {
            slow.endpoint.respond(req.key, makeResponse(req.request, 100).value());
        };
        Silent silent;
        RequestOptions o;
        o.requestUri = o.toUri = "sip:" + slow.target().address.hostPort();
        o.fromUri = "sip:alice@127.0.0.1";
        o.target = slow.target();
        o.alternates = {udp(silent.addr)};
        RequestClient req(client.endpoint, o);
        req.start();
        QVERIFY(w.runUntil([&] { return req.done(); }, 40s));
        QCOMPARE(QString::fromStdString(req.report().result), QString("timeout"));
        QCOMPARE(req.report().targetsTried, 1);
        QCOMPARE(silent.datagrams(), 0);
    }

    // (d) A closed loopback port answers ICMP port unreachable: RFC 3261 §18.4 makes it a
    // transport error, so the INVITE moves on before Timer A would even retransmit it.
    void icmpUnreachableMovesTheInviteOnAtOnce() {
        World w;
        Side caller(w.loop, 12), callee(w.loop, 13);
        Answerer answerer(callee.endpoint, AnswerOptions{.media = false});
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        std::vector<Sent> sent;
        recordSent(caller, w, sent);
        const net::SockAddr closed = closedPort();
        CallClient call(caller.endpoint, callVia(udp(closed), {callee.target()}, callee));
        caller.endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 5s));
        QCOMPARE(QString::fromStdString(call.report().result), QString("answered"));
        QCOMPARE(call.report().targetsTried, 2);
        const auto invites = only(sent, "INVITE");
        QCOMPARE(invites.size(), std::size_t{2});  // no Timer A retransmission to the dead one
        QCOMPARE(invites[0].remote, closed.hostPort());
        QCOMPARE(invites[1].remote, callee.target().address.hostPort());
        QVERIFY2(invites[1].atMs < 500, qPrintable(QString::number(invites[1].atMs)));
    }

    // Without a next target the ICMP error ends the request as a transport error, not Timer F.
    void icmpUnreachableWithoutAlternatesIsAnError() {
        World w;
        Side client(w.loop, 14);
        const net::SockAddr closed = closedPort();
        RequestOptions o;
        o.requestUri = o.toUri = "sip:" + closed.hostPort();
        o.fromUri = "sip:alice@127.0.0.1";
        o.target = udp(closed);
        RequestClient req(client.endpoint, o);
        req.start();
        QVERIFY(w.runUntil([&] { return req.done(); }, 40s));
        const RequestReport& r = req.report();
        QCOMPARE(QString::fromStdString(r.result), QString("error"));
        QCOMPARE(QString::fromStdString(r.error),
                 QString::fromStdString("ICMP port unreachable from " + closed.hostPort() +
                                        " (no SIP server there)"));
        QCOMPARE(r.targetsTried, 1);
        QVERIFY(w.clock.now() < Instant{500ms});
        // The socket's pending error is consumed: the next send to a live peer goes out.
        Side peer(w.loop, 15);
        peer.endpoint.onRequest = [&](const ServerRequest& req) {
            peer.endpoint.respond(req.key, makeResponse(req.request, 200).value());
        };
        o.target = peer.target();
        RequestClient again(client.endpoint, o);
        again.start();
        QVERIFY(w.runUntil([&] { return again.done(); }, 5s));
        QCOMPARE(QString::fromStdString(again.report().result), QString("ok"));
    }

    // An ICMP error still pending on the socket fails the next sendto() whatever its
    // destination: the transport reports it for the address it belongs to and sends again.
    void pendingIcmpErrorDoesNotFailTheNextSend() {
        World w;
        net::TransportLayer transport(w.loop);
        std::string error;
        QVERIFY(transport.openUdp(net::SockAddr::fromLiteral("127.0.0.1", 0), error));
        QStringList unreachable;
        transport.onClosed = [&](net::Protocol p, const net::SockAddr& to, const std::string& e) {
            QCOMPARE(p, net::Protocol::Udp);
            unreachable << QString::fromStdString(to.hostPort() + " " + e);
        };
        const net::SockAddr closed = closedPort();
        Silent silent;
        QVERIFY(transport.send(net::Protocol::Udp, closed, "OPTIONS").ok);
        // Loopback delivers the datagram and its ICMP reply within the sendto() call, so the
        // error is pending now; the loop has not run.
        const auto r = transport.send(net::Protocol::Udp, silent.addr, "OPTIONS");
        QVERIFY2(r.ok, r.error.c_str());
        QCOMPARE(silent.datagrams(), 1);
        QCOMPARE(
            unreachable,
            QStringList{QString::fromStdString(closed.hostPort() + " ICMP port unreachable from " +
                                               closed.hostPort() + " (no SIP server there)")});
        w.loop.runOnce(0ms);  // nothing left in the error queue
        QCOMPARE(unreachable.size(), 1);
    }

    // The authentication retry stays with the target that answered (RFC 3261 §22.2).
    void digestRetryStaysWithTheAnsweringTarget() {
        World w;
        Side client(w.loop, 16), busy(w.loop, 17), registrar(w.loop, 18), third(w.loop, 19);
        for (Side* s : {&busy, &third})
            s->endpoint.onRequest = [s](const ServerRequest& req) {
                s->endpoint.respond(req.key, makeResponse(req.request, 503).value());
            };
        registrar.endpoint.onRequest = [&](const ServerRequest& req) {
            if (req.request.header(HeaderId::Authorization))
                return registrar.endpoint.respond(req.key, makeResponse(req.request, 200).value());
            auto challenge = makeResponse(req.request, 401);
            challenge->addHeader("WWW-Authenticate", "Digest realm=\"test\", nonce=\"n1\"");
            registrar.endpoint.respond(req.key, challenge.value());
        };
        RequestOptions o;
        o.method = "REGISTER";
        o.requestUri = "sip:127.0.0.1";
        o.toUri = o.fromUri = "sip:alice@127.0.0.1";
        o.target = busy.target();
        o.alternates = {registrar.target(), third.target()};
        o.credentials = auth::Credentials{"alice", "secret"};
        RequestClient req(client.endpoint, o);
        req.start();
        QVERIFY(w.runUntil([&] { return req.done(); }, 5s));
        const RequestReport& r = req.report();
        QCOMPARE(QString::fromStdString(r.result), QString("ok"));
        QCOMPARE(r.authRounds, 1);
        QCOMPARE(r.targetsTried, 2);
        QCOMPARE(busy.log, QStringList({"<REGISTER", ">503"}));
        QCOMPARE(registrar.log, QStringList({"<REGISTER", ">401", "<REGISTER", ">200"}));
        QVERIFY(third.log.isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestUaFailover)
#include "tst_ua_failover.moc"
