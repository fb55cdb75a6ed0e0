// The passive transaction observer (stack/observe): one request on two hops, branch reuse,
// messages without Call-ID or CSeq, and the defects pinned while the observer suite was written
// (early copies, second final to a non-INVITE, 2xx ACKs per hop, clamped timestamps, messages
// without Call-ID, finish() vs Timer D, Confirmed only by an ACK in Completed); they stay as
// regressions. Golden logs as in tst_transaction_observer (format in observer_test_util.hpp;
// T1 = 500 ms, T4 = 5 s).

#include <QtTest>

#include "observer_test_util.hpp"

using namespace sipscope::stack;
using namespace sipscope::test;
using namespace std::chrono_literals;

class TestObserverRegressions : public QObject {
    Q_OBJECT

  private slots:
    void twoHops();
    void branchReuse();
    void missingCallIdOrCSeq();
    void earlyRetransmissionWithinTolerance();
    void secondFinalToNonInvite();
    void ack2xxMatchedAcrossHops();
    void outOfOrderTimestampNotClamped();
    void responseAndAckWithoutCallId();
    void finishShorterThanTimerD();
    void confirmedAfterTimerH();
};

// The same INVITE captured on both sides of a NAT (same bytes, same branch, two hops): one
// transaction per hop, and every response goes to the transaction of its own hop.
void TestObserverRegressions::twoHops() {
    constexpr std::string_view kInside = "192.168.1.10:5060";
    constexpr std::string_view kOutside = "203.0.113.5:40000";
    ObserverHarness h;
    h.observe(0ms, kInvite, kInside, kUas);
    h.observe(1ms, kInvite, kOutside, kUas);
    h.observe(50ms, sipResponse(kInvite, 100), kUas, kOutside);
    h.observe(51ms, sipResponse(kInvite, 100), kUas, kInside);
    h.observe(100ms, sipResponse(kInvite, 486), kUas, kOutside);
    h.observe(101ms, sipResponse(kInvite, 486), kUas, kInside);
    h.observe(110ms, kAckNon2xx, kInside, kUas);
    h.observe(111ms, kAckNon2xx, kOutside, kUas);
    h.observer.finish();
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 INVITE request tx1", "msg 2 INVITE request tx2",
                     "msg 3 100 response tx2", "msg 4 100 response tx1", "msg 5 486 response tx2",
                     "msg 6 486 response tx1", "msg 7 ACK ack tx1", "msg 8 ACK ack tx2",
                     "tx2 INVITE/1 486 Confirmed rtx=0 req=[2] rsp=[3,5] ack=[8] "
                     "t=1ms/50ms/100ms/32100ms",
                     "tx1 INVITE/1 486 Confirmed rtx=0 req=[1] rsp=[4,6] ack=[7] "
                     "t=0ms/51ms/101ms/32101ms"}));
    QVERIFY(h.listener.anomalies.empty());
    QCOMPARE(h.listener.record(1).client, std::string(kInside));
    QCOMPARE(h.listener.record(1).server, std::string(kUas));
    QCOMPARE(h.listener.record(2).client, std::string(kOutside));
    QCOMPARE(h.listener.record(2).server, std::string(kUas));
}

// A broken UA reuses one branch for INVITE, ACK, BYE and re-INVITE: the CSeq keeps them apart.
void TestObserverRegressions::branchReuse() {
    const std::string same = "z9hG4bK-same";
    const SipMessage invite = sipRequest({.branch = same});
    const SipMessage bye =
        sipRequest({.method = "BYE", .branch = same, .cseq = 2, .toTag = "bob-1"});
    const SipMessage reinvite = sipRequest({.branch = same, .cseq = 3, .toTag = "bob-1"});
    ObserverHarness h;
    h.up(0ms, invite);
    h.down(100ms, sipResponse(invite, 200));
    h.up(150ms, sipRequest({.method = "ACK", .branch = same, .toTag = "bob-1"}));
    h.up(1000ms, bye);
    h.down(1050ms, sipResponse(bye, 200));
    h.up(2000ms, reinvite);
    h.down(2100ms, sipResponse(reinvite, 200));
    h.up(2150ms, sipRequest({.method = "ACK", .branch = same, .cseq = 3, .toTag = "bob-1"}));
    h.observer.finish();
    QCOMPARE(h.listener.log, (QStringList{"msg 1 INVITE request tx1", "msg 2 200 response tx1",
                                          "msg 3 ACK ack_2xx tx1", "msg 4 BYE request tx2",
                                          "msg 5 200 response tx2", "msg 6 INVITE request tx3",
                                          "msg 7 200 response tx3", "msg 8 ACK ack_2xx tx3",
                                          "tx1 INVITE/1 200 Accepted rtx=0 req=[1] rsp=[2] ack=[] "
                                          "t=0ms/-/100ms/32100ms",
                                          "tx2 BYE/2 200 Completed rtx=0 req=[4] rsp=[5] ack=[] "
                                          "t=1000ms/-/1050ms/33050ms",
                                          "tx3 INVITE/3 200 Accepted rtx=0 req=[6] rsp=[7] ack=[] "
                                          "t=2000ms/-/2100ms/34100ms"}));
    QVERIFY(h.listener.anomalies.empty());
}

// RFC 3261 §8.1.1: a request without Call-ID or with an unreadable CSeq matches nothing.
void TestObserverRegressions::missingCallIdOrCSeq() {
    const SipMessage noCallId = parseOrDie(
        "OPTIONS sip:bob@10.0.0.2 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-nocid\r\n"
        "From: <sip:alice@10.0.0.1>;tag=a1\r\n"
        "To: <sip:bob@10.0.0.2>\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n");
    const SipMessage badCSeq = parseOrDie(
        "INVITE sip:bob@10.0.0.2 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-badcseq\r\n"
        "From: <sip:alice@10.0.0.1>;tag=a1\r\n"
        "To: <sip:bob@10.0.0.2>\r\n"
        "Call-ID: bad-cseq@10.0.0.1\r\n"
        "CSeq: one INVITE\r\n"
        "Content-Length: 0\r\n\r\n");
    ObserverHarness h;
    const MessageVerdict v = h.up(0ms, noCallId);
    QVERIFY(v.role == MessageRole::Stray);
    QCOMPARE(v.transaction, std::uint64_t{0});
    h.up(10ms, badCSeq);
    QCOMPARE(h.observer.openTransactions(), std::size_t{0});
    h.observer.finish();
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 OPTIONS stray", "anomaly message_without_call_id_or_cseq [1] @0ms",
                     "msg 2 INVITE stray", "anomaly message_without_call_id_or_cseq [2] @10ms"}));
    QCOMPARE(h.listener.anomalies.at(0).rfc, std::string("RFC 3261 §8.1.1"));
    QCOMPARE(h.listener.anomalies.at(0).text,
             std::string("OPTIONS without a usable Call-ID or CSeq"));
}

// ---- known bugs: these fail until the observer is fixed ----

// ObserverOptions::scheduleTolerance promises "within max(this, a quarter of the interval) of
// the shadow's schedule is on time", but checkSchedule() only compares with the sends the client
// shadow has already made (timers due at or before the copy): a copy 50 ms before Timer A is
// flagged, and every later copy of a UA that runs 50 ms early is flagged too.
void TestObserverRegressions::earlyRetransmissionWithinTolerance() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.up(450ms, kInvite);
    h.up(1450ms, kInvite);
    QCOMPARE(h.listener.log,
             (QStringList{"msg 1 INVITE request tx1", "msg 2 INVITE retransmission tx1 orig1",
                          "msg 3 INVITE retransmission tx1 orig1"}));
}

// Only an INVITE may see 2xx from several forks (RFC 3261 §16.7 step 6: a proxy forwards one
// final response to a non-INVITE); the comment in onResponseIn() says so, the code does not check
// that the transaction is an INVITE.
void TestObserverRegressions::secondFinalToNonInvite() {
    ObserverHarness h;
    const SipMessage options = sipRequest({.method = "OPTIONS", .branch = "z9hG4bK-opt"});
    h.up(0ms, options);
    h.down(100ms, sipResponse(options, 200, "bob-a"));
    h.down(120ms, sipResponse(options, 200, "bob-b"));
    QCOMPARE(h.listener.log, (QStringList{"msg 1 OPTIONS request tx1", "msg 2 200 response tx1",
                                          "msg 3 200 response tx1",
                                          "anomaly response_after_final tx1 [3] @120ms"}));
}

// A capture on a proxy sees the INVITE and its 200 on both hops (Alice -> proxy, proxy -> Bob),
// with the same Call-ID, CSeq and tags. The pending 2xx are keyed by dialog and CSeq only, so the
// first 200 seen (proxy hop) takes both: Alice's ACK is reported in the proxy hop's transaction
// and the ACK the proxy never forwarded to Bob goes unreported.
void TestObserverRegressions::ack2xxMatchedAcrossHops() {
    constexpr std::string_view kProxy = "10.0.0.5:5060";
    const SipMessage inviteA = sipRequest({.branch = "z9hG4bK-a"});
    const SipMessage inviteP =
        sipRequest({.branch = "z9hG4bK-p",
                    .sentBy = std::string(kProxy),
                    .lowerVia = "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-a"});
    ObserverHarness h;
    h.observe(0ms, inviteA, kUac, kProxy);
    h.observe(2ms, inviteP, kProxy, kUas);
    h.observe(100ms, sipResponse(inviteP, 200), kUas, kProxy);
    h.observe(102ms, sipResponse(inviteA, 200), kProxy, kUac);
    h.observe(110ms, sipRequest({.method = "ACK", .branch = "z9hG4bK-ack-a", .toTag = "bob-1"}),
              kUac, kProxy);
    h.observer.finish();
    QCOMPARE(h.listener.log,
             (QStringList{"msg 1 INVITE request tx1", "msg 2 INVITE request tx2",
                          "msg 3 200 response tx2", "msg 4 200 response tx1",
                          "msg 5 ACK ack_2xx tx1", "anomaly ack_2xx_missing tx2 [3] @37100ms",
                          "tx2 INVITE/1 200 Accepted rtx=0 req=[2] rsp=[3] ack=[] "
                          "t=2ms/-/100ms/32100ms",
                          "tx1 INVITE/1 200 Accepted rtx=0 req=[1] rsp=[4] ack=[] "
                          "t=0ms/-/102ms/32102ms"}));
}

// ARCHITECTURE.md "Time": an out-of-order timestamp is clamped. The observer clamps its clock
// but records the raw timestamp: the first provisional comes before the transaction started.
void TestObserverRegressions::outOfOrderTimestampNotClamped() {
    ObserverHarness h;
    h.up(1000ms, kInvite);
    h.down(900ms, sipResponse(kInvite, 100));
    h.down(1100ms, sipResponse(kInvite, 200));
    h.up(1150ms, kAck2xx);
    h.observer.finish();
    QCOMPARE(h.listener.log.last(),
             QString("tx1 INVITE/1 200 Accepted rtx=0 req=[1] rsp=[2,3] ack=[] "
                     "t=1000ms/1000ms/1100ms/33100ms"));
}

// A response or an ACK without Call-ID is as unmatchable as any other request, yet the response
// is reported as response_without_transaction and the ACK as an ack_2xx without 2xx.
void TestObserverRegressions::responseAndAckWithoutCallId() {
    const SipMessage response = parseOrDie(
        "SIP/2.0 200 OK\r\n"
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-nocid\r\n"
        "From: <sip:alice@10.0.0.1>;tag=a1\r\n"
        "To: <sip:bob@10.0.0.2>;tag=b1\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n");
    const SipMessage ack = parseOrDie(
        "ACK sip:bob@10.0.0.2 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-nocid-ack\r\n"
        "From: <sip:alice@10.0.0.1>;tag=a1\r\n"
        "To: <sip:bob@10.0.0.2>;tag=b1\r\n"
        "CSeq: 1 ACK\r\n"
        "Content-Length: 0\r\n\r\n");
    ObserverHarness h;
    h.down(0ms, response);
    h.up(10ms, ack);
    QCOMPARE(h.listener.log,
             (QStringList{"msg 1 200 stray", "anomaly message_without_call_id_or_cseq [1] @0ms",
                          "msg 2 ACK stray", "anomaly message_without_call_id_or_cseq [2] @10ms"}));
}

// ARCHITECTURE.md "Time": finish() moves the clock on so that every transaction reaches a final
// state. It moves by 64*T1 + T4, but Timer D is 32 s whatever T1 (RFC 3261 Table 4,
// kTimerDUnreliable): with T1 = 200 ms (17.8 s) an INVITE answered 486 is evicted before Timer D
// ends it, and its record ends at the end of input instead of at Timer D.
void TestObserverRegressions::finishShorterThanTimerD() {
    ObserverOptions options;
    options.timers.t1 = 200ms;
    ObserverHarness h(options);
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 486));
    h.up(110ms, kAckNon2xx);
    h.observer.finish();
    QCOMPARE(h.listener.log.last(), QString("tx1 INVITE/1 486 Confirmed rtx=0 req=[1] rsp=[2] "
                                            "ack=[3] t=0ms/-/100ms/32100ms"));
}

// RFC 3261 §17.2.1: once Timer H has fired the server transaction is Terminated and never
// Confirmed. evict() derives Confirmed from "some ACK was seen", so an ACK that comes after
// Timer H gives a record that is both ackMissing and Confirmed.
void TestObserverRegressions::confirmedAfterTimerH() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 486));
    h.up(33000ms, kAckNon2xx);
    h.observer.finish();
    QCOMPARE(h.listener.log.last(), QString("tx1 INVITE/1 486 Completed rtx=0 req=[1] rsp=[2] "
                                            "ack=[3] t=0ms/-/100ms/32100ms ackMissing"));
}

QTEST_APPLESS_MAIN(TestObserverRegressions)
#include "tst_observer_regressions.moc"
