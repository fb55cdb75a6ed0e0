// The passive transaction observer (stack/observe): message verdicts, transaction records and
// anomalies for captured traffic, RFC 3261 §17 shadows on both ends, time driven only by the
// observation timestamps. This suite: a basic call, retransmission schedules, Timers B, F and C,
// and what finish() closes. The ACK and CANCEL cases are in tst_observer_acks, reliable
// transports, duplicates and timestamps in tst_observer_transports, the rest (RFC 2543, hops,
// pinned defects) in tst_observer_regressions.
//
// Every test compares the whole golden log of the recording listener (format in
// observer_test_util.hpp); times are exact, derived from T1 = 500 ms, T4 = 5 s. A transaction
// is reported (evicted) T4 after it ended, or at finish().

#include <QtTest>

#include "observer_test_util.hpp"

using namespace sipscope::stack;
using namespace sipscope::test;
using namespace std::chrono_literals;

class TestTransactionObserver : public QObject {
    Q_OBJECT

  private slots:
    void basicCall();
    void clockAndFinishWithoutInput();
    void inviteRetransmissionsOnSchedule();
    void inviteRetransmissionOffSchedule();
    void retransmissionSchedule_data();
    void retransmissionSchedule();
    void nonInviteRetransmissionsUpToT2();
    void inviteTimeoutTimerB();
    void nonInviteTimeoutTimerF();
    void inviteAbandonedAfterTimerC();
    void inviteOpenAtFinish();
};

// INVITE / 100 / 180 / 200 / ACK (2xx, own branch) / BYE / 200. The INVITE transaction ends with
// Timers L and M (RFC 6026, 64*T1 after the 200), the BYE with Timer J (64*T1 after its 200);
// each is reported T4 after it ended.
void TestTransactionObserver::basicCall() {
    ObserverHarness h;
    const SipMessage bye =
        sipRequest({.method = "BYE", .branch = "z9hG4bK-bye", .cseq = 2, .toTag = "bob-1"});
    h.up(0ms, kInvite);
    h.down(10ms, sipResponse(kInvite, 100));
    h.down(20ms, sipResponse(kInvite, 180));
    h.down(100ms, sipResponse(kInvite, 200));
    h.up(150ms, kAck2xx);
    h.up(1000ms, bye);
    h.down(1050ms, sipResponse(bye, 200));
    QStringList expected{"msg 1 INVITE request tx1", "msg 2 100 response tx1",
                         "msg 3 180 response tx1",   "msg 4 200 response tx1",
                         "msg 5 ACK ack_2xx tx1",    "msg 6 BYE request tx2",
                         "msg 7 200 response tx2"};
    QCOMPARE(h.listener.log, expected);
    QCOMPARE(h.observer.openTransactions(), std::size_t{2});

    h.observer.advanceTo(37100ms - 1us);
    QCOMPARE(h.listener.log, expected);
    h.observer.advanceTo(37100ms);
    expected << "tx1 INVITE/1 200 Accepted rtx=0 req=[1] rsp=[2,3,4] ack=[] "
                "t=0ms/10ms/100ms/32100ms";
    QCOMPARE(h.listener.log, expected);
    QCOMPARE(h.observer.openTransactions(), std::size_t{1});

    h.observer.finish();
    expected << "tx2 BYE/2 200 Completed rtx=0 req=[6] rsp=[7] ack=[] t=1000ms/-/1050ms/33050ms";
    QCOMPARE(h.listener.log, expected);
    QCOMPARE(h.observer.openTransactions(), std::size_t{0});
    QCOMPARE(h.observer.now(), Instant{37100ms + 32000ms + 5000ms});
    QVERIFY(h.listener.anomalies.empty());

    const TransactionRecord& invite = h.listener.records.at(0);
    QVERIFY(invite.invite);
    QCOMPARE(invite.method, std::string("INVITE"));
    QCOMPARE(invite.branch, std::string("z9hG4bK-inv"));
    QCOMPARE(invite.callId, std::string("call-1@10.0.0.1"));
    QCOMPARE(invite.fromTag, std::string("alice-1"));
    QCOMPARE(invite.cseq, 1u);
    QCOMPARE(invite.client, std::string(kUac));
    QCOMPARE(invite.server, std::string(kUas));
    QVERIFY(invite.transport == TransportKind::Unreliable);
    QCOMPARE(invite.finalCode, std::optional<int>(200));
    QVERIFY(invite.outcome == TransactionState::Accepted);
    QCOMPARE(invite.firstProvisional, std::optional<Instant>(10ms));
    QCOMPARE(invite.firstFinal, std::optional<Instant>(100ms));
    QVERIFY(!invite.timeout && !invite.ackMissing && !invite.abandoned);
    QCOMPARE(invite.cancels, std::uint64_t{0});

    const TransactionRecord& bye2 = h.listener.records.at(1);
    QVERIFY(!bye2.invite);
    QCOMPARE(bye2.branch, std::string("z9hG4bK-bye"));
    QCOMPARE(bye2.cseq, 2u);
    QVERIFY(bye2.outcome == TransactionState::Completed);
    QVERIFY(!bye2.firstProvisional);

    const std::vector<MessageRole> roles{
        MessageRole::Request, MessageRole::Response, MessageRole::Response, MessageRole::Response,
        MessageRole::Ack2xx,  MessageRole::Request,  MessageRole::Response};
    QCOMPARE(h.listener.verdicts.size(), roles.size());
    for (std::size_t i = 0; i < roles.size(); ++i) QVERIFY(h.listener.verdicts[i].role == roles[i]);
}

void TestTransactionObserver::clockAndFinishWithoutInput() {
    ObserverHarness h;
    h.observer.finish();  // nothing seen: nothing to do, the clock stays unset
    QCOMPARE(h.observer.now(), Instant{0});
    QVERIFY(h.observer.advanceTo(5s));  // the first instant sets the clock
    QCOMPARE(h.observer.now(), Instant{5s});
    QVERIFY(h.observer.advanceTo(5s));
    QVERIFY(!h.observer.advanceTo(4s));  // clamped
    QCOMPARE(h.observer.now(), Instant{5s});
    h.observer.finish();
    QCOMPARE(h.observer.now(), Instant{5s + 37s});
    QVERIFY(h.listener.log.isEmpty());
    QCOMPARE(h.observer.openTransactions(), std::size_t{0});
    QCOMPARE(h.observer.options().timers.t1, 500ms);
}

// RFC 3261 §17.1.1.2: Timer A retransmits at T1, 3*T1 (intervals T1, 2*T1).
void TestTransactionObserver::inviteRetransmissionsOnSchedule() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    QCOMPARE(h.up(500ms, kInvite).original, std::uint64_t{1});
    h.up(1500ms, kInvite);
    h.down(1600ms, sipResponse(kInvite, 200));
    h.up(1650ms, kAck2xx);
    h.observer.finish();
    QCOMPARE(h.listener.log,
             (QStringList{"msg 1 INVITE request tx1", "msg 2 INVITE retransmission tx1 orig1",
                          "msg 3 INVITE retransmission tx1 orig1", "msg 4 200 response tx1",
                          "msg 5 ACK ack_2xx tx1",
                          "tx1 INVITE/1 200 Accepted rtx=2 req=[1,2,3] rsp=[4] ack=[] "
                          "t=0ms/-/1600ms/33600ms"}));
    QCOMPARE(h.listener.records.at(0).retransmissions, 2u);
}

void TestTransactionObserver::inviteRetransmissionOffSchedule() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.up(120ms, kInvite);
    h.up(500ms, kInvite);  // back on Timer A's schedule
    h.down(600ms, sipResponse(kInvite, 486));
    h.up(610ms, kAckNon2xx);
    h.observer.finish();
    QCOMPARE(h.listener.log,
             (QStringList{"msg 1 INVITE request tx1", "msg 2 INVITE retransmission tx1 orig1",
                          "anomaly retransmission_off_schedule tx1 [1,2] @120ms",
                          "msg 3 INVITE retransmission tx1 orig1", "msg 4 486 response tx1",
                          "msg 5 ACK ack tx1",
                          "tx1 INVITE/1 486 Confirmed rtx=2 req=[1,2,3] rsp=[4] ack=[5] "
                          "t=0ms/-/600ms/32600ms"}));
    const Anomaly& a = onlyAnomaly(h.listener);
    QCOMPARE(a.rfc, std::string("RFC 3261 §17.1.1.2"));
    QCOMPARE(a.text, std::string("INVITE retransmitted 120 ms after the previous copy, off the "
                                 "T1 schedule (T1 = 500 ms)"));
    QCOMPARE(a.at, Instant{120ms});
    QCOMPARE(a.transaction, std::uint64_t{1});
}

// Copies of the INVITE at the given offsets; a copy is on time within max(100 ms, a quarter of
// the interval) of a send the shadow made (RFC 3261 §17.1.1.2 Timer A).
void TestTransactionObserver::retransmissionSchedule_data() {
    QTest::addColumn<int>("t1");
    QTest::addColumn<QList<int>>("copies");
    QTest::addColumn<QStringList>("anomalies");

    QTest::newRow("exact 500/1500/3500") << 500 << QList<int>{500, 1500, 3500} << QStringList{};
    QTest::newRow("late within a quarter") << 500 << QList<int>{590, 1740} << QStringList{};
    QTest::newRow("copy missed by the capture") << 500 << QList<int>{1500} << QStringList{};
    QTest::newRow("too early") << 500 << QList<int>{120}
                               << QStringList{
                                      "anomaly retransmission_off_schedule tx1 [1,2] "
                                      "@120ms"};
    QTest::newRow("too late") << 500 << QList<int>{640}
                              << QStringList{
                                     "anomaly retransmission_off_schedule tx1 [1,2] "
                                     "@640ms"};
    QTest::newRow("second copy too late") << 500 << QList<int>{500, 1760}
                                          << QStringList{
                                                 "anomaly retransmission_off_schedule "
                                                 "tx1 [1,3] @1760ms"};
    QTest::newRow("T1 200: 200/600/1400") << 200 << QList<int>{200, 600, 1400} << QStringList{};
    QTest::newRow("T1 200: copy at 450")
        << 200 << QList<int>{450}
        << QStringList{"anomaly retransmission_off_schedule tx1 [1,2] @450ms"};
}

void TestTransactionObserver::retransmissionSchedule() {
    QFETCH(int, t1);
    QFETCH(QList<int>, copies);
    QFETCH(QStringList, anomalies);
    ObserverOptions options;
    options.timers.t1 = Duration{t1};
    ObserverHarness h(options);
    h.up(0ms, kInvite);
    for (int at : copies) {
        const MessageVerdict v = h.up(Duration{at}, kInvite);
        QVERIFY(v.role == MessageRole::Retransmission);
        QCOMPARE(v.original, std::uint64_t{1});
    }
    h.down(Duration{copies.back() + 100}, sipResponse(kInvite, 486));
    h.up(Duration{copies.back() + 110}, kAckNon2xx);
    h.observer.finish();
    QStringList got;
    for (const QString& line : h.listener.log)
        if (line.startsWith("anomaly")) got << line;
    QCOMPARE(got, anomalies);
    QCOMPARE(h.listener.records.at(0).retransmissions, static_cast<std::uint32_t>(copies.size()));
}

// RFC 3261 §17.1.2.2: Timer E doubles up to T2 in Trying and is T2 in Proceeding.
void TestTransactionObserver::nonInviteRetransmissionsUpToT2() {
    const SipMessage options = sipRequest({.method = "OPTIONS", .branch = "z9hG4bK-opt"});
    {
        ObserverHarness h;
        h.up(0ms, options);
        for (auto at : {500ms, 1500ms, 3500ms, 7500ms, 11500ms}) h.up(at, options);
        h.down(11600ms, sipResponse(options, 200));
        h.observer.finish();
        QCOMPARE(h.listener.log,
                 (QStringList{"msg 1 OPTIONS request tx1", "msg 2 OPTIONS retransmission tx1 orig1",
                              "msg 3 OPTIONS retransmission tx1 orig1",
                              "msg 4 OPTIONS retransmission tx1 orig1",
                              "msg 5 OPTIONS retransmission tx1 orig1",
                              "msg 6 OPTIONS retransmission tx1 orig1", "msg 7 200 response tx1",
                              "tx1 OPTIONS/1 200 Completed rtx=5 req=[1,2,3,4,5,6] rsp=[7] ack=[] "
                              "t=0ms/-/11600ms/43600ms"}));
    }
    {
        ObserverHarness h;
        h.up(0ms, options);
        h.down(100ms, sipResponse(options, 100));
        for (auto at : {500ms, 4500ms, 8500ms}) h.up(at, options);
        h.down(8600ms, sipResponse(options, 200));
        h.observer.finish();
        QCOMPARE(h.listener.log,
                 (QStringList{"msg 1 OPTIONS request tx1", "msg 2 100 response tx1",
                              "msg 3 OPTIONS retransmission tx1 orig1",
                              "msg 4 OPTIONS retransmission tx1 orig1",
                              "msg 5 OPTIONS retransmission tx1 orig1", "msg 6 200 response tx1",
                              "tx1 OPTIONS/1 200 Completed rtx=3 req=[1,3,4,5] rsp=[2,6] ack=[] "
                              "t=0ms/100ms/8600ms/40600ms"}));
    }
}

// RFC 3261 §17.1.1.2: Timer B = 64*T1 after the INVITE.
void TestTransactionObserver::inviteTimeoutTimerB() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.up(500ms, kInvite);
    h.up(1500ms, kInvite);
    QStringList expected{"msg 1 INVITE request tx1", "msg 2 INVITE retransmission tx1 orig1",
                         "msg 3 INVITE retransmission tx1 orig1"};
    h.observer.advanceTo(32000ms - 1us);
    QCOMPARE(h.listener.log, expected);
    h.observer.advanceTo(32000ms);
    expected << "anomaly transaction_timeout tx1 [1,2,3] @32000ms";
    QCOMPARE(h.listener.log, expected);
    const Anomaly& a = onlyAnomaly(h.listener);
    QCOMPARE(a.rfc, std::string("RFC 3261 §17.1.1.2"));
    QCOMPARE(a.text, std::string("Timer B fired: no final response to INVITE"));

    h.observer.finish();
    expected << "tx1 INVITE/1 - Calling rtx=2 req=[1,2,3] rsp=[] ack=[] t=0ms/-/-/32000ms timeout";
    QCOMPARE(h.listener.log, expected);
    QCOMPARE(h.observer.openTransactions(), std::size_t{0});
}

// RFC 3261 §17.1.2.2: Timer F = 64*T1, in Trying and in Proceeding alike.
void TestTransactionObserver::nonInviteTimeoutTimerF() {
    const SipMessage options = sipRequest({.method = "OPTIONS", .branch = "z9hG4bK-opt"});
    {
        ObserverHarness h;
        h.up(0ms, options);
        h.observer.finish();
        QCOMPARE(h.listener.log, (QStringList{"msg 1 OPTIONS request tx1",
                                              "anomaly transaction_timeout tx1 [1] @32000ms",
                                              "tx1 OPTIONS/1 - Trying rtx=0 req=[1] rsp=[] ack=[] "
                                              "t=0ms/-/-/32000ms timeout"}));
        const Anomaly& a = onlyAnomaly(h.listener);
        QCOMPARE(a.rfc, std::string("RFC 3261 §17.1.2.2"));
        QCOMPARE(a.text, std::string("Timer F fired: no final response to OPTIONS"));
    }
    {
        ObserverHarness h;
        h.up(0ms, options);
        h.down(50ms, sipResponse(options, 100));
        h.observer.finish();
        QCOMPARE(h.listener.log,
                 (QStringList{"msg 1 OPTIONS request tx1", "msg 2 100 response tx1",
                              "anomaly transaction_timeout tx1 [1] @32000ms",
                              "tx1 OPTIONS/1 - Proceeding rtx=0 req=[1] rsp=[2] ack=[] "
                              "t=0ms/50ms/-/32000ms timeout"}));
    }
}

// RFC 3261 §16.6 step 11 (Timer C): 180 s without activity after the last provisional.
void TestTransactionObserver::inviteAbandonedAfterTimerC() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 180));
    h.down(60000ms, sipResponse(kInvite, 183));  // activity: the idle timer starts again
    QStringList expected{"msg 1 INVITE request tx1", "msg 2 180 response tx1",
                         "msg 3 183 response tx1"};
    h.observer.advanceTo(240000ms - 1us);
    QCOMPARE(h.listener.log, expected);
    h.observer.advanceTo(240000ms);
    expected << "anomaly transaction_abandoned tx1 [1] @240000ms";
    QCOMPARE(h.listener.log, expected);
    const Anomaly& a = onlyAnomaly(h.listener);
    QCOMPARE(a.rfc, std::string("RFC 3261 §16.6"));
    QCOMPARE(a.text, std::string("no final response and no activity for 180 s"));
    h.observer.finish();
    expected << "tx1 INVITE/1 - Proceeding rtx=0 req=[1] rsp=[2,3] ack=[] "
                "t=0ms/100ms/-/240000ms abandoned";
    QCOMPARE(h.listener.log, expected);
}

// Input ends while the INVITE is ringing: closed as abandoned at finish, without an anomaly.
void TestTransactionObserver::inviteOpenAtFinish() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 180));
    h.observer.finish();
    QCOMPARE(h.listener.log, (QStringList{"msg 1 INVITE request tx1", "msg 2 180 response tx1",
                                          "tx1 INVITE/1 - Proceeding rtx=0 req=[1] rsp=[2] ack=[] "
                                          "t=0ms/100ms/-/37100ms abandoned"}));
    QCOMPARE(h.observer.openTransactions(), std::size_t{0});
}

QTEST_APPLESS_MAIN(TestTransactionObserver)
#include "tst_transaction_observer.moc"
