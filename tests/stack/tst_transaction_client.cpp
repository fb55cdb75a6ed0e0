// RFC 3261 §17.1 client transactions (figures 5 and 6, RFC 6026 Accepted) driven through every
// transition on unreliable and reliable transports with a ManualClock and a TimerQueue: exact
// state, exact actions and exact timer deadlines after each event. Also the clock and queue.

#include <QtTest>

#include "core/clock.hpp"
#include "message/message_builder.hpp"
#include "transaction/invite_client.hpp"
#include "transaction/non_invite_client.hpp"
#include "transaction_test_util.hpp"

using namespace sipscope::stack;
using namespace std::chrono_literals;
using sipscope::test::makeReply;
using sipscope::test::makeRequest;
using sipscope::test::runTransactionScript;
using sipscope::test::toList;

namespace {

// Runs a script (runTransactionScript) with one more event: rNNN, a response from the network.
template <class Fsm>
void runScript(Fsm& fsm, const QStringList& script) {
    runTransactionScript(fsm, script, [&fsm](const QString& event, Actions& actions) {
        if (!event.startsWith('r')) return false;
        actions = fsm.onResponse(makeReply(fsm.request(), event.mid(1).toInt()));
        return true;
    });
    if (fsm.state() == TransactionState::Terminated)
        QVERIFY(fsm.onResponse(makeReply(fsm.request(), 200)).empty());
}

}  // namespace

class TestTransactionClient : public QObject {
    Q_OBJECT

  private slots:
    void manualClock();
    void timerQueue();
    void inviteClient_data();
    void inviteClient();
    void inviteClientAck();
    void inviteClientCustomT1();
    void nonInviteClient_data();
    void nonInviteClient();
};

void TestTransactionClient::manualClock() {
    ManualClock clock;
    QCOMPARE(clock.now(), Instant{0});
    QVERIFY(clock.advanceTo(Instant{1500}));
    QVERIFY(clock.advanceBy(2ms));
    QCOMPARE(clock.now(), Instant{3500});
    QVERIFY(!clock.advanceTo(Instant{10}));  // out of order: clamped and reported
    QCOMPARE(clock.now(), Instant{3500});
    const TimerConfig t;
    QCOMPARE(t.t1, 500ms);
    QCOMPARE(t.t2, 4000ms);
    QCOMPARE(t.t4, 5000ms);
    QCOMPARE(t.sixtyFourT1(), 32000ms);
}

void TestTransactionClient::timerQueue() {
    TimerQueue<int> q;
    q.schedule(1, Instant{300});
    q.schedule(2, Instant{100});
    q.schedule(3, Instant{300});
    q.schedule(4, Instant{900});
    q.schedule(5, Instant{50});
    QVERIFY(q.cancel(5));
    QVERIFY(!q.cancel(5));
    q.schedule(4, Instant{200});  // rescheduling replaces the deadline
    QCOMPARE(q.size(), std::size_t{4});
    QCOMPARE(q.nextDeadline(), Instant{100});
    QVERIFY(q.popDue(Instant{99}).empty());
    const auto due = q.popDue(Instant{300});
    QCOMPARE(due.size(), std::size_t{4});
    const int ids[] = {2, 4, 1, 3};  // deadline order, ties in scheduling order
    const Instant at[] = {Instant{100}, Instant{200}, Instant{300}, Instant{300}};
    for (std::size_t i = 0; i < 4; ++i) {
        QCOMPARE(due[i].id, ids[i]);
        QCOMPARE(due[i].deadline, at[i]);
    }
    QVERIFY(q.empty());
}

void TestTransactionClient::inviteClient_data() {
    QTest::addColumn<bool>("reliable");
    QTest::addColumn<QStringList>("script");
    const QString start = "start | Calling | send INVITE, start A 500ms, start B 32000ms";
    const QString startR = "start | Calling | send INVITE, start B 32000ms";

    QTest::newRow("U Calling: A doubles without cap, B times out")
        << false
        << QStringList{start,
                       "fire A@500 | Calling | send INVITE, start A 1000ms",
                       "fire A@1500 | Calling | send INVITE, start A 2000ms",
                       "fire A@3500 | Calling | send INVITE, start A 4000ms",
                       "fire A@7500 | Calling | send INVITE, start A 8000ms",
                       "fire A@15500 | Calling | send INVITE, start A 16000ms",
                       "fire A@31500 | Calling | send INVITE, start A 32000ms",
                       "fire B@32000 | Terminated | stop A, timeout B, terminated"};
    QTest::newRow("R Calling: B times out")
        << true << QStringList{startR, "fire B@32000 | Terminated | timeout B, terminated"};
    QTest::newRow("U Calling>Proceeding>Accepted>Terminated")
        << false
        << QStringList{start,
                       "fire A@500 | Calling | send INVITE, start A 1000ms",
                       "r180 | Proceeding | stop A, stop B, deliver 180",
                       "r183 | Proceeding | deliver 183",
                       "r200 | Accepted | deliver 200, start M 32000ms",
                       "r200 | Accepted | deliver 200",
                       "r180 | Accepted | ",
                       "r486 | Accepted | ",
                       "fire M@32500 | Terminated | terminated"};
    QTest::newRow("R Calling>Accepted>Terminated")
        << true
        << QStringList{startR, "r200 | Accepted | stop B, deliver 200, start M 32000ms",
                       "fire M@32000 | Terminated | terminated"};
    QTest::newRow("U Calling>Accepted")
        << false
        << QStringList{start, "r200 | Accepted | stop A, stop B, deliver 200, start M 32000ms",
                       "fire M@32000 | Terminated | terminated"};
    QTest::newRow("U Calling>Completed>Terminated")
        << false
        << QStringList{start,
                       "r486 | Completed | stop A, stop B, send ACK, deliver 486, start D 32000ms",
                       "r486 | Completed | send ACK",
                       "r180 | Completed | ",
                       "r200 | Completed | ",
                       "fire D@32000 | Terminated | terminated"};
    QTest::newRow("U Proceeding>Completed>Terminated")
        << false
        << QStringList{start,
                       "fire A@500 | Calling | send INVITE, start A 1000ms",
                       "r100 | Proceeding | stop A, stop B, deliver 100",
                       "r404 | Completed | send ACK, deliver 404, start D 32000ms",
                       "r404 | Completed | send ACK",
                       "fire D@32500 | Terminated | terminated"};
    QTest::newRow("R Proceeding>Completed=Terminated (D=0)")
        << true
        << QStringList{startR, "r100 | Proceeding | stop B, deliver 100",
                       "r603 | Terminated | send ACK, deliver 603, terminated"};
    QTest::newRow("R Calling>Completed=Terminated (D=0)")
        << true
        << QStringList{startR, "r302 | Terminated | stop B, send ACK, deliver 302, terminated"};
    QTest::newRow("U transport error in Calling")
        << false
        << QStringList{start, "tperr | Terminated | stop A, stop B, transport-error, terminated"};
    QTest::newRow("R transport error in Proceeding")
        << true
        << QStringList{startR, "r180 | Proceeding | stop B, deliver 180",
                       "tperr | Terminated | transport-error, terminated"};
    QTest::newRow("U transport error in Completed")
        << false
        << QStringList{start,
                       "r500 | Completed | stop A, stop B, send ACK, deliver 500, start D 32000ms",
                       "tperr | Terminated | stop D, transport-error, terminated"};
    QTest::newRow("U transport error in Accepted ignored")
        << false
        << QStringList{start, "r200 | Accepted | stop A, stop B, deliver 200, start M 32000ms",
                       "tperr | Accepted | ", "fire M@32000 | Terminated | terminated"};
}

void TestTransactionClient::inviteClient() {
    QFETCH(bool, reliable);
    QFETCH(QStringList, script);
    InviteClientTransaction fsm(makeRequest("INVITE"),
                                reliable ? TransportKind::Reliable : TransportKind::Unreliable);
    QCOMPARE(fsm.state(), TransactionState::Idle);
    runScript(fsm, script);
}

void TestTransactionClient::inviteClientAck() {
    const SipMessage invite = makeRequest("INVITE");
    InviteClientTransaction fsm(invite, TransportKind::Unreliable);
    fsm.start();
    const Actions actions = fsm.onResponse(makeReply(invite, 486));
    QVERIFY(fsm.ack().has_value());
    const auto* sent = std::get_if<SendMessage>(&actions.at(2));
    QVERIFY(sent);
    const SipMessage& ack = sent->message;
    // RFC 3261 §17.1.1.3
    QCOMPARE(ack.method(), std::string_view("ACK"));
    QCOMPARE(ack.requestUri(), invite.requestUri());
    QCOMPARE(ack.headerValue(HeaderId::CallId), invite.headerValue(HeaderId::CallId));
    QCOMPARE(ack.headerValue(HeaderId::From), invite.headerValue(HeaderId::From));
    QCOMPARE(ack.headerValue(HeaderId::To),
             std::string_view("Bob <sip:bob@biloxi.example.com>;tag=a6c85cf"));
    QCOMPARE(ack.headerValue(HeaderId::CSeq), std::string_view("314159 ACK"));
    QCOMPARE(ack.headerCount(HeaderId::Via), std::size_t{1});
    QCOMPARE(ack.headerValue(HeaderId::Via),
             std::string_view("SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds"));
    QCOMPARE(ack.headerCount(HeaderId::Route), std::size_t{2});
    QCOMPARE(ack.headerCount(HeaderId::Contact), std::size_t{0});
    QVERIFY(ack.errors().empty());
}

void TestTransactionClient::inviteClientCustomT1() {
    TimerConfig timers;
    timers.t1 = 100ms;
    InviteClientTransaction fsm(makeRequest("INVITE"), TransportKind::Unreliable, timers);
    runScript(fsm, {"start | Calling | send INVITE, start A 100ms, start B 6400ms",
                    "fire A@100 | Calling | send INVITE, start A 200ms",
                    "r486 | Completed | stop A, stop B, send ACK, deliver 486, start D 32000ms",
                    "fire D@32100 | Terminated | terminated"});
}

void TestTransactionClient::nonInviteClient_data() {
    QTest::addColumn<bool>("reliable");
    QTest::addColumn<QStringList>("script");
    const QString start = "start | Trying | send OPTIONS, start E 500ms, start F 32000ms";
    const QString startR = "start | Trying | send OPTIONS, start F 32000ms";

    QStringList timeout{start, "fire E@500 | Trying | send OPTIONS, start E 1000ms",
                        "fire E@1500 | Trying | send OPTIONS, start E 2000ms",
                        "fire E@3500 | Trying | send OPTIONS, start E 4000ms"};
    for (int at = 7500; at <= 31500; at += 4000)
        timeout << QString("fire E@%1 | Trying | send OPTIONS, start E 4000ms").arg(at);
    timeout << "fire F@32000 | Terminated | stop E, timeout F, terminated";
    QTest::newRow("U Trying: E doubles up to T2, F times out") << false << timeout;
    QTest::newRow("R Trying: F times out")
        << true << QStringList{startR, "fire F@32000 | Terminated | timeout F, terminated"};
    QTest::newRow("U Trying>Proceeding>Completed>Terminated")
        << false
        << QStringList{start,
                       "fire E@500 | Trying | send OPTIONS, start E 1000ms",
                       "r100 | Proceeding | deliver 100",
                       "fire E@1500 | Proceeding | send OPTIONS, start E 4000ms",
                       "fire E@5500 | Proceeding | send OPTIONS, start E 4000ms",
                       "r180 | Proceeding | deliver 180",
                       "r200 | Completed | stop E, stop F, deliver 200, start K 5000ms",
                       "r200 | Completed | ",
                       "r500 | Completed | ",
                       "r100 | Completed | ",
                       "fire K@10500 | Terminated | terminated"};
    QTest::newRow("U Proceeding: F times out")
        << false
        << QStringList{start,
                       "r100 | Proceeding | deliver 100",
                       "fire E@500 | Proceeding | send OPTIONS, start E 4000ms",
                       "fire E@4500 | Proceeding | send OPTIONS, start E 4000ms",
                       "fire E@8500 | Proceeding | send OPTIONS, start E 4000ms",
                       "fire E@12500 | Proceeding | send OPTIONS, start E 4000ms",
                       "fire E@16500 | Proceeding | send OPTIONS, start E 4000ms",
                       "fire E@20500 | Proceeding | send OPTIONS, start E 4000ms",
                       "fire E@24500 | Proceeding | send OPTIONS, start E 4000ms",
                       "fire E@28500 | Proceeding | send OPTIONS, start E 4000ms",
                       "fire F@32000 | Terminated | stop E, timeout F, terminated"};
    QTest::newRow("U Trying>Completed>Terminated")
        << false
        << QStringList{start, "r486 | Completed | stop E, stop F, deliver 486, start K 5000ms",
                       "fire K@5000 | Terminated | terminated"};
    QTest::newRow("R Trying>Completed=Terminated (K=0)")
        << true << QStringList{startR, "r200 | Terminated | stop F, deliver 200, terminated"};
    QTest::newRow("R Proceeding>Completed=Terminated (K=0)")
        << true
        << QStringList{startR, "r100 | Proceeding | deliver 100",
                       "r404 | Terminated | stop F, deliver 404, terminated"};
    QTest::newRow("U transport error in Trying")
        << false
        << QStringList{start, "tperr | Terminated | stop E, stop F, transport-error, terminated"};
    QTest::newRow("R transport error in Proceeding")
        << true
        << QStringList{startR, "r100 | Proceeding | deliver 100",
                       "tperr | Terminated | stop F, transport-error, terminated"};
    QTest::newRow("U transport error in Completed ignored")
        << false
        << QStringList{start, "r200 | Completed | stop E, stop F, deliver 200, start K 5000ms",
                       "tperr | Completed | ", "fire K@5000 | Terminated | terminated"};
}

void TestTransactionClient::nonInviteClient() {
    QFETCH(bool, reliable);
    QFETCH(QStringList, script);
    NonInviteClientTransaction fsm(makeRequest("OPTIONS"),
                                   reliable ? TransportKind::Reliable : TransportKind::Unreliable);
    runScript(fsm, script);
}

QTEST_APPLESS_MAIN(TestTransactionClient)
#include "tst_transaction_client.moc"
