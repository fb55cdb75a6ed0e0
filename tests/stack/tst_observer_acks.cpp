// The passive transaction observer (stack/observe) on ACKs and their absence: Timer H, ACK for
// non-2xx and for 2xx (RFC 3261 §13.2.2.4, §17.1.1.3), stray responses and ACKs, CANCEL (§9),
// forked 2xx, and responses after the final one. Golden logs as in tst_transaction_observer
// (format in observer_test_util.hpp; T1 = 500 ms, T4 = 5 s).

#include <QtTest>

#include "observer_test_util.hpp"

using namespace sipscope::stack;
using namespace sipscope::test;
using namespace std::chrono_literals;

class TestObserverAcks : public QObject {
    Q_OBJECT

  private slots:
    void ackMissingTimerH();
    void ackForNon2xx();
    void non2xxAndAckRetransmitted();
    void ack2xxMissing();
    void ack2xxRetransmitted();
    void strayResponse();
    void strayAck();
    void cancel();
    void forked2xx();
    void forked2xxOneUnacknowledged();
    void responseAfterFinal();
};

// RFC 3261 §17.2.1: Timer H = 64*T1 after the non-2xx final; Timer D stays 32 s whatever T1.
void TestObserverAcks::ackMissingTimerH() {
    {
        ObserverHarness h;
        h.up(0ms, kInvite);
        h.down(100ms, sipResponse(kInvite, 486));
        QStringList expected{"msg 1 INVITE request tx1", "msg 2 486 response tx1"};
        h.observer.advanceTo(32100ms - 1us);
        QCOMPARE(h.listener.log, expected);
        h.observer.advanceTo(32100ms);
        expected << "anomaly ack_missing tx1 [2] @32100ms";
        QCOMPARE(h.listener.log, expected);
        const Anomaly& a = onlyAnomaly(h.listener);
        QCOMPARE(a.rfc, std::string("RFC 3261 §17.2.1"));
        QCOMPARE(a.text, std::string("Timer H fired: no ACK for the 486 response"));
        h.observer.finish();
        expected << "tx1 INVITE/1 486 Completed rtx=0 req=[1] rsp=[2] ack=[] "
                    "t=0ms/-/100ms/32100ms ackMissing";
        QCOMPARE(h.listener.log, expected);
    }
    {
        ObserverOptions options;
        options.timers.t1 = 200ms;
        ObserverHarness h(options);
        h.up(0ms, kInvite);
        h.down(100ms, sipResponse(kInvite, 486));
        QStringList expected{"msg 1 INVITE request tx1", "msg 2 486 response tx1"};
        h.observer.advanceTo(12900ms - 1us);
        QCOMPARE(h.listener.log, expected);
        h.observer.advanceTo(12900ms);
        expected << "anomaly ack_missing tx1 [2] @12900ms";
        QCOMPARE(h.listener.log, expected);
        // Timer D (client) ends the transaction at 32.1 s, reported T4 later.
        h.observer.advanceTo(37100ms - 1us);
        QCOMPARE(h.listener.log, expected);
        h.observer.advanceTo(37100ms);
        expected << "tx1 INVITE/1 486 Completed rtx=0 req=[1] rsp=[2] ack=[] "
                    "t=0ms/-/100ms/32100ms ackMissing";
        QCOMPARE(h.listener.log, expected);
    }
}

// RFC 3261 §17.1.1.3: the ACK for a non-2xx has the INVITE's branch and belongs to it.
void TestObserverAcks::ackForNon2xx() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 486));
    const MessageVerdict v = h.up(110ms, kAckNon2xx);
    QVERIFY(v.role == MessageRole::AckNon2xx);
    QCOMPARE(v.transaction, std::uint64_t{1});
    h.observer.finish();
    QCOMPARE(h.listener.log,
             (QStringList{"msg 1 INVITE request tx1", "msg 2 486 response tx1", "msg 3 ACK ack tx1",
                          "tx1 INVITE/1 486 Confirmed rtx=0 req=[1] rsp=[2] ack=[3] "
                          "t=0ms/-/100ms/32100ms"}));
    QVERIFY(h.listener.anomalies.empty());
}

// RFC 3261 §17.2.1 Timer G resends the 486; §17.1.1.2 the client answers it with the ACK again.
void TestObserverAcks::non2xxAndAckRetransmitted() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 486));
    h.up(110ms, kAckNon2xx);
    h.down(600ms, sipResponse(kInvite, 486));
    h.up(610ms, kAckNon2xx);
    h.observer.finish();
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 INVITE request tx1", "msg 2 486 response tx1", "msg 3 ACK ack tx1",
                     "msg 4 486 retransmission tx1 orig2", "msg 5 ACK retransmission tx1 orig3",
                     "tx1 INVITE/1 486 Confirmed rtx=2 req=[1] rsp=[2,4] ack=[3,5] "
                     "t=0ms/-/100ms/32100ms"}));
}

// RFC 3261 §13.3.1.4: reported when the INVITE transaction is evicted, T4 after it ended.
void TestObserverAcks::ack2xxMissing() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 200));
    QStringList expected{"msg 1 INVITE request tx1", "msg 2 200 response tx1"};
    h.observer.advanceTo(37100ms - 1us);
    QCOMPARE(h.listener.log, expected);
    h.observer.advanceTo(37100ms);
    expected << "anomaly ack_2xx_missing tx1 [2] @37100ms"
             << "tx1 INVITE/1 200 Accepted rtx=0 req=[1] rsp=[2] ack=[] t=0ms/-/100ms/32100ms";
    QCOMPARE(h.listener.log, expected);
    QCOMPARE(onlyAnomaly(h.listener).rfc, std::string("RFC 3261 §13.3.1.4"));
}

// RFC 3261 §13.3.1.4 / §13.2.2.4: the UAS retransmits the 2xx, the UAC its ACK.
void TestObserverAcks::ack2xxRetransmitted() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 200));
    h.up(110ms, kAck2xx);
    h.down(600ms, sipResponse(kInvite, 200));
    h.up(610ms, kAck2xx);
    h.observer.finish();
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 INVITE request tx1", "msg 2 200 response tx1", "msg 3 ACK ack_2xx tx1",
                     "msg 4 200 retransmission tx1 orig2", "msg 5 ACK retransmission tx1 orig3",
                     "tx1 INVITE/1 200 Accepted rtx=2 req=[1] rsp=[2,4] ack=[] "
                     "t=0ms/-/100ms/32100ms"}));
    QVERIFY(h.listener.anomalies.empty());
}

// RFC 3261 §17.1.3: no transaction with the response's branch, sent-by and CSeq method.
void TestObserverAcks::strayResponse() {
    ObserverHarness h;
    const SipMessage options = sipRequest({.method = "OPTIONS", .branch = "z9hG4bK-opt"});
    const SipMessage elsewhere =
        sipRequest({.method = "OPTIONS", .branch = "z9hG4bK-opt", .callId = "other@10.0.0.9"});
    const SipMessage otherBranch = sipRequest({.method = "OPTIONS", .branch = "z9hG4bK-xyz"});
    QVERIFY(h.down(0ms, sipResponse(elsewhere, 200)).role == MessageRole::Stray);
    h.up(1000ms, options);
    h.down(1100ms, sipResponse(otherBranch, 200));
    h.down(1200ms, sipResponse(options, 200));
    h.observer.finish();
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 200 stray", "anomaly response_without_transaction [1] @0ms",
                     "msg 2 OPTIONS request tx1", "msg 3 200 stray",
                     "anomaly response_without_transaction [3] @1100ms", "msg 4 200 response tx1",
                     "tx1 OPTIONS/1 200 Completed rtx=0 req=[2] rsp=[4] ack=[] "
                     "t=1000ms/-/1200ms/33200ms"}));
    const Anomaly& a = h.listener.anomalies.at(0);
    QCOMPARE(a.rfc, std::string("RFC 3261 §17.1.3"));
    QCOMPARE(a.text, std::string("200 response (CSeq OPTIONS) that matches no transaction"));
    QCOMPARE(a.transaction, std::uint64_t{0});
}

// RFC 3261 §13.2.2.4: an ACK with a new branch must match a 2xx by Call-ID, CSeq and tags.
void TestObserverAcks::strayAck() {
    ObserverHarness h;
    const SipMessage lost =
        sipRequest({.method = "ACK", .branch = "z9hG4bK-ack", .toTag = "bob-1", .callId = "lost"});
    const SipMessage wrongTag =
        sipRequest({.method = "ACK", .branch = "z9hG4bK-ack2", .toTag = "bob-9"});
    const MessageVerdict v = h.up(0ms, lost);
    QVERIFY(v.role == MessageRole::Ack2xx);
    QCOMPARE(v.transaction, std::uint64_t{0});
    h.up(1000ms, kInvite);
    h.down(1100ms, sipResponse(kInvite, 200));
    h.up(1200ms, wrongTag);
    h.observer.finish();
    QCOMPARE(h.listener.log,
             (QStringList{"msg 1 ACK ack_2xx", "anomaly ack_without_2xx [1] @0ms",
                          "msg 2 INVITE request tx1", "msg 3 200 response tx1", "msg 4 ACK ack_2xx",
                          "anomaly ack_without_2xx [4] @1200ms",
                          "anomaly ack_2xx_missing tx1 [3] @38100ms",
                          "tx1 INVITE/1 200 Accepted rtx=0 req=[2] rsp=[3] ack=[] "
                          "t=1000ms/-/1100ms/33100ms"}));
    QCOMPARE(h.listener.anomalies.at(0).rfc, std::string("RFC 3261 §13.2.2.4"));
}

// RFC 3261 §9.1: the CANCEL is a transaction of its own with the INVITE's branch; its 200 and
// the INVITE's 487 each land in their own transaction.
void TestObserverAcks::cancel() {
    ObserverHarness h;
    const SipMessage cancel = sipRequest({.method = "CANCEL"});
    h.up(0ms, kInvite);
    h.down(10ms, sipResponse(kInvite, 100));
    h.down(20ms, sipResponse(kInvite, 180));
    h.up(1000ms, cancel);
    h.down(1010ms, sipResponse(cancel, 200));
    h.down(1020ms, sipResponse(kInvite, 487));
    h.up(1030ms, kAckNon2xx);
    h.observer.finish();
    QCOMPARE(h.listener.log,
             (QStringList{"msg 1 INVITE request tx1", "msg 2 100 response tx1",
                          "msg 3 180 response tx1", "msg 4 CANCEL request tx2",
                          "msg 5 200 response tx2", "msg 6 487 response tx1", "msg 7 ACK ack tx1",
                          "tx2 CANCEL/1 200 Completed rtx=0 req=[4] rsp=[5] ack=[] "
                          "t=1000ms/-/1010ms/33010ms cancels=tx1",
                          "tx1 INVITE/1 487 Confirmed rtx=0 req=[1] rsp=[2,3,6] ack=[7] "
                          "t=0ms/10ms/1020ms/33020ms"}));
    QVERIFY(h.listener.anomalies.empty());

    // A CANCEL for an INVITE the capture never showed cancels nothing known.
    ObserverHarness lone;
    lone.up(0ms, sipRequest({.method = "CANCEL", .callId = "unseen"}));
    lone.observer.finish();
    QCOMPARE(lone.listener.records.at(0).cancels, std::uint64_t{0});
}

// RFC 6026 §8.4: 2xx from several forks (different To tags) all belong to the INVITE.
void TestObserverAcks::forked2xx() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.down(50ms, sipResponse(kInvite, 180, "bob-a"));
    h.down(100ms, sipResponse(kInvite, 200, "bob-a"));
    h.down(120ms, sipResponse(kInvite, 200, "bob-b"));
    h.up(150ms, sipRequest({.method = "ACK", .branch = "z9hG4bK-ack-a", .toTag = "bob-a"}));
    h.up(160ms, sipRequest({.method = "ACK", .branch = "z9hG4bK-ack-b", .toTag = "bob-b"}));
    h.observer.finish();
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 INVITE request tx1", "msg 2 180 response tx1", "msg 3 200 response tx1",
                     "msg 4 200 response tx1", "msg 5 ACK ack_2xx tx1", "msg 6 ACK ack_2xx tx1",
                     "tx1 INVITE/1 200 Accepted rtx=0 req=[1] rsp=[2,3,4] ack=[] "
                     "t=0ms/50ms/100ms/32100ms"}));
    QVERIFY(h.listener.anomalies.empty());
}

void TestObserverAcks::forked2xxOneUnacknowledged() {
    ObserverHarness h;
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 200, "bob-a"));
    h.down(120ms, sipResponse(kInvite, 200, "bob-b"));
    h.up(150ms, sipRequest({.method = "ACK", .branch = "z9hG4bK-ack-a", .toTag = "bob-a"}));
    h.observer.finish();
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 INVITE request tx1", "msg 2 200 response tx1", "msg 3 200 response tx1",
                     "msg 4 ACK ack_2xx tx1", "anomaly ack_2xx_missing tx1 [3] @37100ms",
                     "tx1 INVITE/1 200 Accepted rtx=0 req=[1] rsp=[2,3] ack=[] "
                     "t=0ms/-/100ms/32100ms"}));
}

// RFC 3261 §17.1.1.2 / §17.1.2.2: after a final response only retransmissions (and, for INVITE,
// 2xx from other forks) may follow.
void TestObserverAcks::responseAfterFinal() {
    ObserverHarness h;
    const SipMessage options =
        sipRequest({.method = "OPTIONS", .branch = "z9hG4bK-opt", .cseq = 2});
    h.up(0ms, kInvite);
    h.down(100ms, sipResponse(kInvite, 200, "bob-a"));
    h.down(120ms, sipResponse(kInvite, 180, "bob-b"));
    h.down(130ms, sipResponse(kInvite, 486, "bob-c"));
    h.up(1000ms, options);
    h.down(1100ms, sipResponse(options, 200));
    h.down(1200ms, sipResponse(options, 404));
    QCOMPARE(
        h.listener.log,
        (QStringList{"msg 1 INVITE request tx1", "msg 2 200 response tx1", "msg 3 180 response tx1",
                     "anomaly response_after_final tx1 [3] @120ms", "msg 4 486 response tx1",
                     "anomaly response_after_final tx1 [4] @130ms", "msg 5 OPTIONS request tx2",
                     "msg 6 200 response tx2", "msg 7 404 response tx2",
                     "anomaly response_after_final tx2 [7] @1200ms"}));
    QCOMPARE(h.listener.anomalies.at(0).text, std::string("180 after the final 200"));
    QCOMPARE(h.listener.anomalies.at(0).rfc, std::string("RFC 3261 §17.1.1.2"));
    QCOMPARE(h.listener.anomalies.at(1).text, std::string("486 after the final 200"));
    QCOMPARE(h.listener.anomalies.at(2).text, std::string("404 after the final 200"));
    QCOMPARE(h.listener.anomalies.at(2).rfc, std::string("RFC 3261 §17.1.2.2"));
}

QTEST_APPLESS_MAIN(TestObserverAcks)
#include "tst_observer_acks.moc"
