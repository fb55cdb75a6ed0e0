// The passive transaction observer (stack/observe) on reliable transports (RFC 3261 §17: no
// retransmission timers, Timer J/K zero; RFC 3262 provisionals by RSeq), capture duplicates
// (one message seen twice) against retransmissions, out-of-order timestamps, and the RFC 2543
// matching fallback (§17.1.3, §17.2.3). Golden logs as in tst_transaction_observer (format in
// observer_test_util.hpp; T1 = 500 ms, T4 = 5 s).

#include <QtTest>

#include "observer_test_util.hpp"

using namespace sipscope::stack;
using namespace sipscope::test;
using namespace std::chrono_literals;

class TestObserverTransports : public QObject {
    Q_OBJECT

  private slots:
    void reliableRetransmission();
    void reliableNonInviteEndsAtFinal();
    void reliableInvite2xx();
    void reliableProvisionalsByRSeq();
    void duplicates();
    void duplicateWindowBoundary();
    void timestampOutOfOrder();
    void rfc2543_data();
    void rfc2543();
};

// RFC 3261 §17.1.1.2: no Timer A on a reliable transport; Timer D = 0 and Timer I = 0 (§17.2.1)
// end the INVITE transaction at the ACK.
void TestObserverTransports::reliableRetransmission() {
    const auto tcp = TransportKind::Reliable;
    ObserverHarness h;
    h.up(0ms, kInvite, tcp);
    h.up(500ms, kInvite, tcp);
    h.down(1000ms, sipResponse(kInvite, 486), tcp);
    h.up(1010ms, kAckNon2xx, tcp);
    QStringList expected{"msg 1 INVITE request tx1", "msg 2 INVITE retransmission tx1 orig1",
                         "anomaly retransmission_on_reliable tx1 [1,2] @500ms",
                         "msg 3 486 response tx1", "msg 4 ACK ack tx1"};
    h.observer.advanceTo(6010ms - 1us);
    QCOMPARE(h.listener.log, expected);
    h.observer.advanceTo(6010ms);
    expected << "tx1 INVITE/1 486 Confirmed rtx=1 req=[1,2] rsp=[3] ack=[4] "
                "t=0ms/-/1000ms/1010ms";
    QCOMPARE(h.listener.log, expected);
    QVERIFY(h.listener.records.at(0).transport == TransportKind::Reliable);
    QCOMPARE(onlyAnomaly(h.listener).text,
             std::string("INVITE retransmitted over a reliable transport"));
}

// RFC 3261 §17.1.2.2 / §17.2.2: Timers K and J are 0 on reliable transports: the transaction
// ends with its final response; a copy after that is late.
void TestObserverTransports::reliableNonInviteEndsAtFinal() {
    const auto tcp = TransportKind::Reliable;
    const SipMessage options = sipRequest({.method = "OPTIONS", .branch = "z9hG4bK-opt"});
    ObserverHarness h;
    h.up(0ms, options, tcp);
    h.down(100ms, sipResponse(options, 200), tcp);
    h.down(200ms, sipResponse(options, 200), tcp);
    QStringList expected{"msg 1 OPTIONS request tx1", "msg 2 200 response tx1",
                         "msg 3 200 retransmission tx1 orig2",
                         "anomaly late_message tx1 [2,3] @200ms"};
    h.observer.advanceTo(5100ms - 1us);
    QCOMPARE(h.listener.log, expected);
    h.observer.advanceTo(5100ms);
    expected << "tx1 OPTIONS/1 200 Completed rtx=1 req=[1] rsp=[2,3] ack=[] t=0ms/-/100ms/100ms";
    QCOMPARE(h.listener.log, expected);
    QCOMPARE(h.listener.records.at(0).end, Instant{100ms});
}

// RFC 6026 §8.4 / §8.7: Timers M and L are 64*T1 on every transport.
void TestObserverTransports::reliableInvite2xx() {
    const auto tcp = TransportKind::Reliable;
    ObserverHarness h;
    h.up(0ms, kInvite, tcp);
    h.down(100ms, sipResponse(kInvite, 200), tcp);
    h.up(110ms, kAck2xx, tcp);
    h.observer.finish();
    QCOMPARE(h.listener.log, (QStringList{"msg 1 INVITE request tx1", "msg 2 200 response tx1",
                                          "msg 3 ACK ack_2xx tx1",
                                          "tx1 INVITE/1 200 Accepted rtx=0 req=[1] rsp=[2] ack=[] "
                                          "t=0ms/-/100ms/32100ms"}));
}

// RFC 3262 §3: reliable provisionals with different RSeq are different responses.
void TestObserverTransports::reliableProvisionalsByRSeq() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 183, "bob-1", {{"RSeq", "1"}}));
    h.down(200ms, sipResponse(kInvite, 183, "bob-1", {{"RSeq", "2"}}));
    h.down(600ms, sipResponse(kInvite, 183, "bob-1", {{"RSeq", "1"}}));
    h.down(700ms, sipResponse(kInvite, 200));
    h.up(710ms, kAck2xx);
    h.observer.finish();
    QCOMPARE(h.listener.log,
             (QStringList{"msg 1 INVITE request tx1", "msg 2 183 response tx1",
                          "msg 3 183 response tx1", "msg 4 183 retransmission tx1 orig2",
                          "msg 5 200 response tx1", "msg 6 ACK ack_2xx tx1",
                          "tx1 INVITE/1 200 Accepted rtx=1 req=[1] rsp=[2,3,4,5] ack=[] "
                          "t=0ms/100ms/700ms/32700ms"}));
}

// The same bytes on the same hop within 20 ms are one packet captured twice, not a
// retransmission; 500 ms later they are Timer A's retransmission.
void TestObserverTransports::duplicates() {
    ObserverHarness h;
    const SipMessage ok = sipResponse(kInvite, 200);
    h.up(0ms, kInvite);
    const MessageVerdict v = h.up(5ms, kInvite);
    QVERIFY(v.role == MessageRole::Duplicate);
    QCOMPARE(v.transaction, std::uint64_t{1});
    QCOMPARE(v.original, std::uint64_t{1});
    h.up(20ms, kInvite);
    h.up(500ms, kInvite);
    h.up(505ms, kInvite);
    h.down(600ms, ok);
    h.down(601ms, ok);
    h.up(650ms, kAck2xx);
    h.up(660ms, kAck2xx);
    h.observer.finish();
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 INVITE request tx1", "msg 2 INVITE duplicate tx1 orig1",
                     "msg 3 INVITE duplicate tx1 orig1", "msg 4 INVITE retransmission tx1 orig1",
                     "msg 5 INVITE duplicate tx1 orig4", "msg 6 200 response tx1",
                     "msg 7 200 duplicate tx1 orig6", "msg 8 ACK ack_2xx tx1",
                     "msg 9 ACK duplicate tx1 orig8",
                     "tx1 INVITE/1 200 Accepted rtx=1 req=[1,4] rsp=[6] ack=[] "
                     "t=0ms/-/600ms/32600ms"}));
    QVERIFY(h.listener.anomalies.empty());
}

void TestObserverTransports::duplicateWindowBoundary() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.up(20001us, kInvite);  // just outside the window: a (far too early) retransmission
    QCOMPARE(h.listener.log,
             (QStringList{"msg 1 INVITE request tx1", "msg 2 INVITE retransmission tx1 orig1",
                          "anomaly retransmission_off_schedule tx1 [1,2] @20001us"}));

    ObserverOptions options;
    options.duplicateWindow = 0ms;  // still joins copies with the very same timestamp
    ObserverHarness none(options);
    none.up(0ms, kInvite);
    none.up(0ms, kInvite);
    QCOMPARE(none.listener.log,
             (QStringList{"msg 1 INVITE request tx1", "msg 2 INVITE duplicate tx1 orig1"}));
}

// ARCHITECTURE.md "Time": an earlier timestamp is clamped and reported; processing goes on.
void TestObserverTransports::timestampOutOfOrder() {
    ObserverHarness h;
    h.up(1000ms, kInvite);
    h.down(900ms, sipResponse(kInvite, 100));
    QCOMPARE(h.observer.now(), Instant{1000ms});
    h.down(1100ms, sipResponse(kInvite, 200));
    h.up(1150ms, kAck2xx);
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 INVITE request tx1", "anomaly timestamp_out_of_order [2] @1000ms",
                     "msg 2 100 response tx1", "msg 3 200 response tx1", "msg 4 ACK ack_2xx tx1"}));
    const Anomaly& a = onlyAnomaly(h.listener);
    QCOMPARE(a.transaction, std::uint64_t{0});
    QCOMPARE(a.text, std::string("timestamp earlier than the previous message's; clamped"));
    h.observer.finish();
    const TransactionRecord& r = h.listener.records.at(0);
    QCOMPARE(r.finalCode, std::optional<int>(200));
    QVERIFY(r.outcome == TransactionState::Accepted);
    QCOMPARE(r.start, Instant{1000ms});
    QCOMPARE(r.firstFinal, std::optional<Instant>(1100ms));
    QCOMPARE(r.end, Instant{33100ms});
    QCOMPARE(r.responses, (std::vector<std::uint64_t>{2, 3}));
}

// RFC 3261 §17.2.3: branches without the magic cookie (or none) fall back to the RFC 2543
// fields; the request, its retransmission, responses and ACKs all match one transaction.
void TestObserverTransports::rfc2543_data() {
    QTest::addColumn<QString>("branch");
    QTest::newRow("no branch") << QString();
    QTest::newRow("branch without cookie") << QString("1a2b3c");
}

void TestObserverTransports::rfc2543() {
    QFETCH(QString, branch);
    const std::string b = branch.toStdString();
    const SipMessage invite = sipRequest({.branch = b});
    const SipMessage ack = sipRequest({.method = "ACK", .branch = b, .toTag = "bob-1"});
    const SipMessage reinvite = sipRequest({.branch = b, .cseq = 2, .toTag = "bob-1"});
    const SipMessage ack2 = sipRequest({.method = "ACK", .branch = b, .cseq = 2, .toTag = "bob-1"});
    ObserverHarness h;
    h.up(0ms, invite);
    h.up(500ms, invite);
    h.down(600ms, sipResponse(invite, 180));
    h.down(700ms, sipResponse(invite, 486));
    h.up(710ms, ack);
    h.up(1000ms, reinvite);
    h.down(1100ms, sipResponse(reinvite, 200));
    h.up(1110ms, ack2);
    h.observer.finish();
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 INVITE request tx1", "msg 2 INVITE retransmission tx1 orig1",
                     "msg 3 180 response tx1", "msg 4 486 response tx1", "msg 5 ACK ack tx1",
                     "msg 6 INVITE request tx2", "msg 7 200 response tx2", "msg 8 ACK ack_2xx tx2",
                     "tx1 INVITE/1 486 Confirmed rtx=1 req=[1,2] rsp=[3,4] ack=[5] "
                     "t=0ms/600ms/700ms/32700ms",
                     "tx2 INVITE/2 200 Accepted rtx=0 req=[6] rsp=[7] ack=[] "
                     "t=1000ms/-/1100ms/33100ms"}));
    QVERIFY(h.listener.anomalies.empty());
    QCOMPARE(h.listener.records.at(0).branch, b);
}

QTEST_APPLESS_MAIN(TestObserverTransports)
#include "tst_observer_transports.moc"
