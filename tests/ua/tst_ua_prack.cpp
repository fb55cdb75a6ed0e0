// Reliable provisional responses (RFC 3262) on a ManualClock: the UAC's RSeq rules (which 1xx
// get a PRACK), the UAS's retransmission schedule (T1, 2*T1, ... and a 5xx at 64*T1), a call
// between CallClient and Answerer with PRACK, a 420 for Require: 100rel when it is off, and a
// scripted UAS whose 2xx overtakes the PRACK.

#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "message/header_id.hpp"
#include "message/key_headers.hpp"
#include "message/message_builder.hpp"
#include "transport/event_loop.hpp"
#include "transport/transport.hpp"
#include "ua/answerer.hpp"
#include "ua/call_client.hpp"
#include "ua/prack.hpp"
#include "ua/reliable_provisional.hpp"
#include "ua/sip_endpoint.hpp"
#include "ua_loop_fixture.hpp"

using namespace sipscope::stack;
using namespace sipscope::stack::ua;
using namespace std::chrono_literals;
namespace net = sipscope::stack::net;
using sipscope::uatest::Side;
using sipscope::uatest::World;

namespace {

SipMessage parse(const std::string& text) {
    auto m = SipMessage::parse(text);
    if (!m.ok()) qFatal("test message does not parse: %s", text.c_str());
    return m.value();
}

SipMessage ringing(const std::string& toTag, const std::string& rseq, bool reliable = true) {
    std::string text =
        "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n"
        "From: <sip:a@x>;tag=f\r\nTo: <sip:b@y>;tag=" +
        toTag + "\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\nContact: <sip:b@127.0.0.1:5062>\r\n";
    if (reliable) text += "Require: 100rel\r\n";
    if (!rseq.empty()) text += "RSeq: " + rseq + "\r\n";
    return parse(text + "Content-Length: 0\r\n\r\n");
}

// A raw UDP peer driven by the test: it sends and reads whole SIP messages.
struct RawPeer {
    RawPeer() {
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        const auto any = net::SockAddr::fromLiteral("127.0.0.1", 0);
        ::bind(fd, any.sa(), any.len());
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
        addr = net::SockAddr(reinterpret_cast<sockaddr*>(&ss), len);
    }
    ~RawPeer() { ::close(fd); }
    void send(const SipMessage& m, const net::SockAddr& to) const {
        const std::string bytes = m.encode();
        ::sendto(fd, bytes.data(), bytes.size(), 0, to.sa(), to.len());
    }
    std::optional<SipMessage> read(net::SockAddr* from = nullptr) const {
        char buf[65536];
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        const long n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&ss), &len);
        if (n <= 0) return std::nullopt;
        if (from) *from = net::SockAddr(reinterpret_cast<sockaddr*>(&ss), len);
        auto m = SipMessage::parse(std::string(buf, static_cast<std::size_t>(n)));
        if (!m.ok()) return std::nullopt;
        return m.value();
    }
    int fd = -1;
    net::SockAddr addr;
};

CallOptions callTo(const Side& callee, Rel100 rel100) {
    CallOptions o;
    o.targetUri = callee.uri("bob");
    o.fromUri = "sip:alice@127.0.0.1";
    o.target = callee.target();
    o.duration = 500ms;
    o.media = false;
    o.rel100 = rel100;
    return o;
}

}  // namespace

class TestUaPrack : public QObject {
    Q_OBJECT

  private slots:
    void rseqRules() {
        PrackTracker t;
        using V = PrackTracker::Verdict;
        QCOMPARE(t.onProvisional(ringing("t1", "", false)).verdict, V::NotReliable);
        const auto first = t.onProvisional(ringing("t1", "41"));
        QCOMPARE(first.verdict, V::Acknowledge);
        QCOMPARE(QString::fromStdString(first.rack), QString("41 7 INVITE"));
        // RFC 3262 §4: the same RSeq again is a retransmission, a skipped one out of order.
        QCOMPARE(t.onProvisional(ringing("t1", "41")).verdict, V::Retransmission);
        QCOMPARE(t.onProvisional(ringing("t1", "43")).verdict, V::OutOfOrder);
        QCOMPARE(t.onProvisional(ringing("t1", "42")).rack, std::string("42 7 INVITE"));
        QCOMPARE(t.onProvisional(ringing("t1", "40")).verdict, V::Retransmission);
        // Another early dialog (a fork) has its own sequence.
        QCOMPARE(t.onProvisional(ringing("t2", "9")).verdict, V::Acknowledge);
        QCOMPARE(t.onProvisional(ringing("t2", "0")).verdict, V::Malformed);
        QCOMPARE(t.onProvisional(ringing("t2", "x1")).verdict, V::Malformed);
        QCOMPARE(t.onProvisional(ringing("t2", "")).verdict, V::Malformed);
        QCOMPARE(t.acknowledged(), 3);
    }

    void uasSchedule() {
        ReliableProvisional rel(TimerConfig{}, 0x7fffffffu + 5u);
        SipMessage r = ringing("t", "", false);
        QVERIFY(rel.stamp(r, 7));
        QCOMPARE(rel.rseq(), 6u);  // folded into 1 .. 2**31 - 1
        QCOMPARE(std::string(r.headerValue(HeaderId::RSeq)), std::string("6"));
        QCOMPARE(std::string(r.headerValue(HeaderId::Require)), std::string("100rel"));
        QVERIFY(!rel.stamp(r, 7));  // one unacknowledged reliable 1xx at a time (§3)
        QList<qint64> sends{0};
        qint64 at = rel.firstInterval().count();
        for (int i = 0; i < 20; ++i) {
            const auto step = rel.onTimer();
            if (step.giveUp) break;
            QVERIFY(step.retransmit);
            sends << at;
            at += step.next.count();
        }
        // RFC 3262 §3: 0, T1, 3T1, 7T1, 15T1, 31T1, then the 5xx at 64*T1 = 32 s.
        QCOMPARE(sends, QList<qint64>({0, 500, 1500, 3500, 7500, 15500, 31500}));
        QCOMPARE(at, qint64{32000});
        QCOMPARE(rel.state(), ReliableProvisional::State::Failed);
    }

    void prackMatching() {
        ReliableProvisional rel(TimerConfig{}, 1);
        SipMessage r = ringing("t", "", false);
        QVERIFY(rel.stamp(r, 7));
        QCOMPARE(rel.rseq(), 1u);
        const SipMessage wrong = parse(
            "PRACK sip:b@y SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\nFrom: "
            "<sip:a@x>;tag=f\r\n"
            "To: <sip:b@y>;tag=t\r\nCall-ID: c1\r\nCSeq: 8 PRACK\r\nRAck: 1 6 INVITE\r\n"
            "Content-Length: 0\r\n\r\n");
        QVERIFY(!rel.onPrack(wrong));  // CSeq-num 6 is not the INVITE's 7
        const SipMessage right = parse(
            "PRACK sip:b@y SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK2\r\nFrom: "
            "<sip:a@x>;tag=f\r\n"
            "To: <sip:b@y>;tag=t\r\nCall-ID: c1\r\nCSeq: 8 PRACK\r\nRAck: 1 7 INVITE\r\n"
            "Content-Length: 0\r\n\r\n");
        QVERIFY(rel.onPrack(right));
        QCOMPARE(rel.state(), ReliableProvisional::State::Acknowledged);
        QVERIFY(!rel.onTimer().retransmit);
        QVERIFY(rel.stamp(r, 7));  // the next reliable 1xx: RSeq + 1
        QCOMPARE(rel.rseq(), 2u);
    }

    void answererRetransmitsUntilGivingUp() {
        World w;
        Side callee(w.loop, 5);
        AnswerOptions ao;
        ao.rel100 = true;
        ao.firstRseq = 100;
        Answerer answerer(callee.endpoint, ao);
        std::optional<AnsweredCall> ended;
        answerer.onCallEnded = [&](const AnsweredCall& c) { ended = c; };
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        RawPeer caller;
        const std::string invite =
            "INVITE " + callee.uri("bob") + " SIP/2.0\r\nVia: SIP/2.0/UDP " +
            caller.addr.hostPort() +
            ";branch=z9hG4bKraw1\r\nMax-Forwards: 70\r\nFrom: <sip:a@x>;tag=f1\r\n"
            "To: <sip:bob@y>\r\nCall-ID: raw-1\r\nCSeq: 3 INVITE\r\nContact: <sip:a@" +
            caller.addr.hostPort() + ">\r\nSupported: 100rel\r\nContent-Length: 0\r\n\r\n";
        caller.send(parse(invite), callee.target().address);
        QList<qint64> ringingAt;
        std::optional<qint64> rejectedAt;
        std::optional<int> rejectCode;
        const auto collect = [&] {
            while (auto m = caller.read()) {
                const int code = m->status().value_or(0);
                const qint64 ms = w.clock.now().count() / 1000;
                if (code == 180) {
                    ringingAt << ms;
                    if (std::string(m->headerValue(HeaderId::RSeq)) != "100") ringingAt << -1;
                } else if (code >= 300 && !rejectedAt) {
                    rejectedAt = ms;
                    rejectCode = code;
                }
            }
            return rejectedAt.has_value();
        };
        QVERIFY(w.runUntil(collect, 40s));
        QCOMPARE(ringingAt, QList<qint64>({0, 500, 1500, 3500, 7500, 15500, 31500}));
        QCOMPARE(rejectedAt, std::optional<qint64>(32000));
        QCOMPARE(rejectCode, std::optional<int>(500));
        QVERIFY(ended && ended->result == "timeout" && ended->code == 500);
        QCOMPARE(ended->reliableProvisionals, 1);
        QCOMPARE(ended->pracks, 0);
    }

    void callWithPrack_data() {
        QTest::addColumn<int>("mode");
        QTest::newRow("supported") << int(Rel100::Supported);
        QTest::newRow("required") << int(Rel100::Required);
    }
    void callWithPrack() {
        QFETCH(int, mode);
        World w;
        Side caller(w.loop, 7), callee(w.loop, 8);
        AnswerOptions ao;
        ao.rel100 = true;
        ao.delay = 200ms;
        Answerer answerer(callee.endpoint, ao);
        std::optional<AnsweredCall> ended;
        answerer.onCallEnded = [&](const AnsweredCall& c) { ended = c; };
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        CallClient call(caller.endpoint, callTo(callee, Rel100(mode)));
        caller.endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        QVERIFY(w.runUntil([&] { return call.done() && ended.has_value(); }, 10s));
        const CallReport& r = call.report();
        QCOMPARE(QString::fromStdString(r.result), QString("answered"));
        QCOMPARE(r.prackSent, 1);
        QCOMPARE(r.reliableProvisionals, 1);
        QCOMPARE(r.prackCode, std::optional<int>(200));
        QCOMPARE(caller.log, QStringList({">INVITE", "<100", "<180", ">PRACK", "<200", "<200",
                                          ">ACK", ">BYE", "<200"}));
        QCOMPARE(ended->pracks, 1);
        QCOMPARE(ended->reliableProvisionals, 1);
        QCOMPARE(QString::fromStdString(ended->result), QString("answered"));
    }

    void finalWaitsForThePrack() {
        // The answer delay is over long before the PRACK can come: the 200 still follows it.
        World w;
        Side caller(w.loop, 9), callee(w.loop, 10);
        AnswerOptions ao;
        ao.rel100 = true;
        Answerer answerer(callee.endpoint, ao);
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        CallClient call(caller.endpoint, callTo(callee, Rel100::Supported));
        caller.endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 10s));
        QCOMPARE(QString::fromStdString(call.report().result), QString("answered"));
        QCOMPARE(callee.log.mid(0, 6),
                 QStringList({"<INVITE", ">100", ">180", "<PRACK", ">200", ">200"}));
    }

    void requiredButOff() {
        World w;
        Side caller(w.loop, 11), callee(w.loop, 12);
        Answerer answerer(callee.endpoint, AnswerOptions{});
        callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
        CallClient call(caller.endpoint, callTo(callee, Rel100::Required));
        caller.endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        QVERIFY(w.runUntil([&] { return call.done(); }, 10s));
        // RFC 3261 §8.2.2.3: 420 Bad Extension.
        QCOMPARE(call.report().finalCode, std::optional<int>(420));
        QCOMPARE(call.report().prackSent, 0);
    }

    void twoHundredOvertakesThePrack_data() {
        QTest::addColumn<bool>("ringFirst");
        QTest::newRow("180 then 200 before the PRACK is answered") << true;
        QTest::newRow("200 then a late reliable 180") << false;
    }
    void twoHundredOvertakesThePrack() {
        QFETCH(bool, ringFirst);
        World w;
        Side caller(w.loop, 13);
        RawPeer uas;
        CallOptions o;
        o.targetUri = "sip:bob@" + uas.addr.hostPort();
        o.fromUri = "sip:alice@127.0.0.1";
        o.target = Target{net::Protocol::Udp, uas.addr, {}};
        o.duration = 300ms;
        o.media = false;
        o.rel100 = Rel100::Supported;
        CallClient call(caller.endpoint, o);
        caller.endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        QStringList seen;
        const std::string contact = "<sip:bob@" + uas.addr.hostPort() + ">";
        const auto script = [&] {
            net::SockAddr from;
            while (auto m = uas.read(&from)) {
                if (m->isResponse()) continue;
                const std::string method(m->method());
                seen << QString::fromStdString(
                    method + " " + std::to_string(extractKeyHeaders(*m).cseq.value_or(0)));
                if (method == "ACK") continue;
                if (method == "INVITE") {
                    // The reliable 180 and the 200 back to back, in either order.
                    auto ok = makeResponse(*m, 200, {}, "uas1");
                    auto ring = makeResponse(*m, 180, {}, "uas1");
                    ok.value().setHeader(HeaderId::Contact, contact);
                    ring.value().setHeader(HeaderId::Contact, contact);
                    ring.value().setHeader(HeaderId::Require, "100rel");
                    ring.value().setHeader(HeaderId::RSeq, "1");
                    uas.send(ringFirst ? ring.value() : ok.value(), from);
                    uas.send(ringFirst ? ok.value() : ring.value(), from);
                    continue;
                }
                if (auto resp = makeResponse(*m, 200); resp.ok()) uas.send(resp.value(), from);
            }
            return call.done();
        };
        QVERIFY(w.runUntil(script, 10s));
        QCOMPARE(QString::fromStdString(call.report().result), QString("answered"));
        if (ringFirst) {
            // The PRACK's 200 comes after the INVITE's: the call goes on, and the BYE numbers
            // past the PRACK (RFC 3261 §12.2.1.1).
            QCOMPARE(seen, QStringList({"INVITE 1", "PRACK 2", "ACK 1", "BYE 3"}));
            QCOMPARE(call.report().prackSent, 1);
            QCOMPARE(call.report().prackCode, std::optional<int>(200));
        } else {
            // A 180 after the 2xx finds the call confirmed: no PRACK (RFC 3262 §4: early only).
            QCOMPARE(seen, QStringList({"INVITE 1", "ACK 1", "BYE 2"}));
            QCOMPARE(call.report().prackSent, 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestUaPrack)
#include "tst_ua_prack.moc"
