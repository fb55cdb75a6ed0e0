// RFC 3261 §17.2 server transactions (figures 7 and 8, RFC 6026 Accepted) driven through every
// transition on unreliable and reliable transports with a ManualClock and a TimerQueue: exact
// state, exact actions and exact timer deadlines after each event, retransmission absorption.

#include <QtTest>

#include "core/clock.hpp"
#include "message/message_builder.hpp"
#include "transaction/invite_server.hpp"
#include "transaction/non_invite_server.hpp"
#include "transaction_test_util.hpp"

using namespace sipscope::stack;
using namespace std::chrono_literals;
using sipscope::test::makeReply;
using sipscope::test::makeRequest;
using sipscope::test::runTransactionScript;
using sipscope::test::toList;

namespace {

// Runs a script (runTransactionScript) with more events: startquiet (no 100 Trying), retx
// (request retransmission), ack, tuNNN (response from the TU).
template <class Fsm>
void runScript(Fsm& fsm, const QStringList& script) {
    runTransactionScript(fsm, script, [&fsm](const QString& event, Actions& actions) {
        if (event == "startquiet") {
            if constexpr (std::is_same_v<Fsm, InviteServerTransaction>) actions = fsm.start(false);
        } else if (event == "retx") {
            actions = fsm.onRequest(fsm.request());
        } else if (event == "ack") {
            actions = fsm.onRequest(makeRequest("ACK"));
        } else if (event.startsWith("tu")) {
            actions = fsm.onTuResponse(makeReply(fsm.request(), event.mid(2).toInt()));
        } else {
            return false;
        }
        return true;
    });
    if (fsm.state() == TransactionState::Terminated) {
        QVERIFY(fsm.onRequest(fsm.request()).empty());
        QVERIFY(fsm.onTuResponse(makeReply(fsm.request(), 200)).empty());
    }
}

}  // namespace

class TestTransactionServer : public QObject {
    Q_OBJECT

  private slots:
    void inviteServer_data();
    void inviteServer();
    void inviteServerHandleEvents();
    void nonInviteServer_data();
    void nonInviteServer();
};

void TestTransactionServer::inviteServer_data() {
    QTest::addColumn<bool>("reliable");
    QTest::addColumn<QStringList>("script");
    const QString start = "start | Proceeding | send 100, deliver INVITE";

    QTest::newRow("U Proceeding>Completed>Confirmed>Terminated")
        << false
        << QStringList{start,
                       "retx | Proceeding | send 100",
                       "tu180 | Proceeding | send 180",
                       "retx | Proceeding | send 180",
                       "tu183 | Proceeding | send 183",
                       "tu486 | Completed | send 486, start G 500ms, start H 32000ms",
                       "retx | Completed | send 486",
                       "tu180 | Completed | ",
                       "tu500 | Completed | ",
                       "fire G@500 | Completed | send 486, start G 1000ms",
                       "fire G@1500 | Completed | send 486, start G 2000ms",
                       "fire G@3500 | Completed | send 486, start G 4000ms",
                       "fire G@7500 | Completed | send 486, start G 4000ms",
                       "ack | Confirmed | stop G, stop H, start I 5000ms",
                       "ack | Confirmed | ",
                       "retx | Confirmed | ",
                       "fire I@12500 | Terminated | terminated"};
    QStringList timeoutH{start, "tu404 | Completed | send 404, start G 500ms, start H 32000ms",
                         "fire G@500 | Completed | send 404, start G 1000ms",
                         "fire G@1500 | Completed | send 404, start G 2000ms",
                         "fire G@3500 | Completed | send 404, start G 4000ms"};
    for (int at = 7500; at <= 31500; at += 4000)
        timeoutH << QString("fire G@%1 | Completed | send 404, start G 4000ms").arg(at);
    timeoutH << "fire H@32000 | Terminated | stop G, timeout H, terminated";
    QTest::newRow("U Completed: G doubles up to T2, H times out") << false << timeoutH;
    QTest::newRow("R Completed>Confirmed=Terminated (I=0)")
        << true
        << QStringList{start, "tu486 | Completed | send 486, start H 32000ms",
                       "retx | Completed | send 486", "ack | Terminated | stop H, terminated"};
    QTest::newRow("R Completed: H times out")
        << true
        << QStringList{start, "tu500 | Completed | send 500, start H 32000ms",
                       "fire H@32000 | Terminated | timeout H, terminated"};
    QTest::newRow("U Proceeding>Accepted>Terminated")
        << false
        << QStringList{start,
                       "tu180 | Proceeding | send 180",
                       "tu200 | Accepted | send 200, start L 32000ms",
                       "retx | Accepted | ",
                       "ack | Accepted | deliver ACK",
                       "tu200 | Accepted | send 200",
                       "tu486 | Accepted | ",
                       "tu180 | Accepted | ",
                       "tperr | Accepted | ",
                       "fire L@32000 | Terminated | terminated"};
    QTest::newRow("R no 100 Trying, Proceeding>Accepted")
        << true
        << QStringList{"startquiet | Proceeding | deliver INVITE", "retx | Proceeding | ",
                       "tu200 | Accepted | send 200, start L 32000ms",
                       "fire L@32000 | Terminated | terminated"};
    QTest::newRow("U ACK in Proceeding ignored")
        << false
        << QStringList{start, "ack | Proceeding | ",
                       "tu603 | Completed | send 603, start G 500ms, start H 32000ms",
                       "ack | Confirmed | stop G, stop H, start I 5000ms",
                       "fire I@5000 | Terminated | terminated"};
    QTest::newRow("R transport error in Proceeding")
        << true << QStringList{start, "tperr | Terminated | transport-error, terminated"};
    QTest::newRow("U transport error in Completed")
        << false
        << QStringList{start, "tu486 | Completed | send 486, start G 500ms, start H 32000ms",
                       "tperr | Terminated | stop G, stop H, transport-error, terminated"};
    QTest::newRow("U transport error in Confirmed ignored")
        << false
        << QStringList{start, "tu486 | Completed | send 486, start G 500ms, start H 32000ms",
                       "ack | Confirmed | stop G, stop H, start I 5000ms", "tperr | Confirmed | ",
                       "fire I@5000 | Terminated | terminated"};
}

void TestTransactionServer::inviteServer() {
    QFETCH(bool, reliable);
    QFETCH(QStringList, script);
    InviteServerTransaction fsm(makeRequest("INVITE"),
                                reliable ? TransportKind::Reliable : TransportKind::Unreliable);
    QCOMPARE(fsm.state(), TransactionState::Idle);
    runScript(fsm, script);
}

void TestTransactionServer::inviteServerHandleEvents() {
    const SipMessage invite = makeRequest("INVITE");
    InviteServerTransaction fsm(invite, TransportKind::Unreliable);
    fsm.start();
    QCOMPARE(toList(fsm.handle(MessageFromTu{makeReply(invite, 480)})),
             QStringList({"send 480", "start G 500ms", "start H 32000ms"}));
    QCOMPARE(toList(fsm.handle(MessageFromNetwork{invite})), QStringList({"send 480"}));
    QCOMPARE(toList(fsm.handle(TimerFired{TimerName::H})),
             QStringList({"stop G", "timeout H", "terminated"}));
    QCOMPARE(fsm.state(), TransactionState::Terminated);
    QVERIFY(fsm.handle(TransportFailure{}).empty());
}

void TestTransactionServer::nonInviteServer_data() {
    QTest::addColumn<bool>("reliable");
    QTest::addColumn<QStringList>("script");
    const QString start = "start | Trying | deliver OPTIONS";

    QTest::newRow("U Trying>Proceeding>Completed>Terminated")
        << false
        << QStringList{start,
                       "retx | Trying | ",
                       "tu100 | Proceeding | send 100",
                       "retx | Proceeding | send 100",
                       "tu180 | Proceeding | send 180",
                       "retx | Proceeding | send 180",
                       "tu200 | Completed | send 200, start J 32000ms",
                       "retx | Completed | send 200",
                       "tu500 | Completed | ",
                       "fire J@32000 | Terminated | terminated"};
    QTest::newRow("U Trying>Completed>Terminated")
        << false
        << QStringList{start, "tu404 | Completed | send 404, start J 32000ms",
                       "retx | Completed | send 404", "fire J@32000 | Terminated | terminated"};
    QTest::newRow("R Trying>Completed=Terminated (J=0)")
        << true << QStringList{start, "tu200 | Terminated | send 200, terminated"};
    QTest::newRow("R Proceeding>Completed=Terminated (J=0)")
        << true
        << QStringList{start, "tu100 | Proceeding | send 100", "retx | Proceeding | send 100",
                       "tu486 | Terminated | send 486, terminated"};
    QTest::newRow("R transport error in Proceeding")
        << true
        << QStringList{start, "tu100 | Proceeding | send 100",
                       "tperr | Terminated | transport-error, terminated"};
    QTest::newRow("U transport error in Completed")
        << false
        << QStringList{start, "tu200 | Completed | send 200, start J 32000ms",
                       "tperr | Terminated | stop J, transport-error, terminated"};
    QTest::newRow("U transport error in Trying ignored (nothing sent)")
        << false
        << QStringList{start, "tperr | Trying | ", "tu200 | Completed | send 200, start J 32000ms",
                       "fire J@32000 | Terminated | terminated"};
}

void TestTransactionServer::nonInviteServer() {
    QFETCH(bool, reliable);
    QFETCH(QStringList, script);
    NonInviteServerTransaction fsm(makeRequest("OPTIONS"),
                                   reliable ? TransportKind::Reliable : TransportKind::Unreliable);
    runScript(fsm, script);
}

QTEST_APPLESS_MAIN(TestTransactionServer)
#include "tst_transaction_server.moc"
