// The "Test call" dialog: target checks, the user agent's command line, and a real call on
// loopback to `sipscope-cli listen` started by the test, recorded into the window's database,
// then listed and drawn by the main window; the trace reader that draws a call while it runs,
// and that live ladder in the window before the call ends. Waits are bounded event-loop waits.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QComboBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "call_list_model.hpp"
#include "ladder_panel.hpp"
#include "main_window.hpp"
#include "test_call_dialog.hpp"
#include "test_call_trace.hpp"

using namespace sipscope;

namespace {

// A loopback UDP port that was free a moment ago (bound to port 0, then released).
quint16 freeUdpPort() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), len);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

// `sipscope-cli listen` on 127.0.0.1:port for one call; false when it does not come up.
// The listener ends by itself after its one call. It may have ended, and its end been handled by
// the event loop the test spun meanwhile: waitForFinished() then returns false although it did.
bool listenerEnded(QProcess& listener) {
    return listener.state() == QProcess::NotRunning || listener.waitForFinished(15000);
}

bool startListener(QProcess& listener, const QString& cli, quint16 port) {
    listener.setProcessChannelMode(QProcess::MergedChannels);
    listener.start(cli, {"listen", "--port", QString::number(port), "--max-calls", "1", "--bind",
                         "127.0.0.1"});
    if (!listener.waitForStarted(10000)) return false;
    // It says so on stderr once the socket is bound (at most 15 s of 100 ms waits).
    QByteArray said;
    for (int i = 0; i < 150 && !said.contains("listening"); ++i) {
        listener.waitForReadyRead(100);
        said += listener.readAll();
    }
    return said.contains("listening");
}

// One --trace line as `sipscope-cli call` writes it.
QByteArray traceLine(bool sent, double ts, const QString& bytes) {
    const QJsonObject o{{"event", "message"},     {"seq", 1},
                        {"sent", sent},           {"ts", ts},
                        {"transport", "udp"},     {"local", "127.0.0.1:40000"},
                        {"remote", "[::1]:5060"}, {"bytes", bytes}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

bool hasArrow(const analyzer::LadderInput& in, const char* method, int status) {
    return std::any_of(in.messages.begin(), in.messages.end(), [&](const auto& m) {
        return status ? m.status == status : m.method == method;
    });
}

}  // namespace

class TestGuiTestCall : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void targetsAndArguments();
    void callListener();
    void traceLines();
    void liveLadder();
};

void TestGuiTestCall::targetsAndArguments() {
    QVERIFY(gui::checkTarget(QStringLiteral("sip:1000@pbx.example.com")).isEmpty());
    QVERIFY(gui::checkTarget(QStringLiteral("sips:1000@[::1]:5061")).isEmpty());
    QVERIFY(!gui::checkTarget(QString()).isEmpty());
    QVERIFY(!gui::checkTarget(QStringLiteral("1000@pbx")).isEmpty());
    QVERIFY(!gui::checkTarget(QStringLiteral("sip:1000@")).isEmpty());
    gui::TestCallOptions o;
    o.target = QStringLiteral(" sip:1000@pbx ");
    o.transport = QStringLiteral("tcp");
    o.authUser = QStringLiteral("200");
    o.password = QStringLiteral("s3cret");
    o.codec = QStringLiteral("pcma");
    o.durationS = 3;
    o.insecure = true;
    const QStringList args = gui::testCallArguments(o, QStringLiteral("/tmp/lib.sqlite"));
    QCOMPARE(args.mid(0, 4), (QStringList{"call", "sip:1000@pbx", "--transport", "tcp"}));
    QVERIFY(args.join(' ').contains(QStringLiteral("--auth-user 200 --password s3cret")));
    QVERIFY(args.join(' ').contains(QStringLiteral("--codec pcma --duration 3 --timeout 30")));
    QVERIFY(args.contains(QStringLiteral("--insecure")));
    QVERIFY(args.join(' ').contains(QStringLiteral("--trace -")));
    QCOMPARE(args.mid(args.size() - 2), (QStringList{"--db", "/tmp/lib.sqlite"}));
    QJsonObject busy{{"result", "busy"},
                     {"final_code", 486},
                     {"reason", "Busy Here"},
                     {"pdd_ms", 12.4},
                     {"error", QJsonValue()}};
    QCOMPARE(gui::describeTestCall(busy), QStringLiteral("busy · 486 Busy Here · PDD 12 ms"));
    gui::TestCallDialog dialog(QStringLiteral("/tmp/unused.sqlite"));
    dialog.setOptions(o);
    QCOMPARE(dialog.options().codec, QStringLiteral("pcma"));
    QCOMPARE(dialog.options().transport, QStringLiteral("tcp"));
    dialog.show();
    QVERIFY(dialog.grab().save(QDir::temp().filePath(QStringLiteral("sipscope-test-call.png"))));
}

void TestGuiTestCall::callListener() {
    const QString cli = gui::findCli();
    QVERIFY2(!cli.isEmpty(), "sipscope-cli is built beside the tests");
    const quint16 kPort = freeUdpPort();
    QProcess listener;
    QVERIFY2(startListener(listener, cli, kPort), listener.readAll().constData());
    QTemporaryDir dir;
    gui::MainWindow w;
    w.setDatabase(dir.filePath("calls.sqlite"));
    gui::TestCallDialog dialog(w.database());
    QObject::connect(&dialog, &gui::TestCallDialog::finished, &w, &gui::MainWindow::showTestCall);
    gui::TestCallOptions o;
    o.target = QStringLiteral("sip:1000@127.0.0.1:%1").arg(kPort);
    o.transport = QStringLiteral("udp");
    o.durationS = 1;
    o.timeoutS = 10;
    dialog.setOptions(o);
    QSignalSpy finished(&dialog, &gui::TestCallDialog::finished);
    QVERIFY(dialog.start());
    QVERIFY(dialog.running());
    QVERIFY(finished.wait(30000));
    const QJsonObject result = finished.first().first().toJsonObject();
    QCOMPARE(result.value("result").toString(), QStringLiteral("answered"));
    QVERIFY(dialog.statusText().startsWith(QStringLiteral("answered · 200 OK")));
    // Recorded into the database, listed, selected and drawn.
    QCOMPARE(w.callModel()->rowCount(), 1);
    QCOMPARE(w.callModel()
                 ->data(w.callModel()->index(0, gui::CallListModel::CallId), Qt::DisplayRole)
                 .toString(),
             result.value("call_id").toString());
    QCOMPARE(w.ladder()->layout().rows.size(), std::size_t(7));  // INVITE 100 180 200 ACK BYE 200
    QVERIFY(listenerEnded(listener));
}

void TestGuiTestCall::traceLines() {
    const QString invite = QStringLiteral(
        "INVITE sip:bob@[::1] SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK1\r\n"
        "From: <sip:a@x>;tag=1\r\nTo: <sip:bob@x>\r\nCall-ID: live-1\r\nCSeq: 1 INVITE\r\n"
        "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
    const QString ringing = QStringLiteral(
        "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK1\r\n"
        "From: <sip:a@x>;tag=1\r\nTo: <sip:bob@x>;tag=2\r\nCall-ID: live-1\r\n"
        "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
    gui::TestCallTrace trace;
    QSignalSpy added(&trace, &gui::TestCallTrace::messagesAdded);
    const QByteArray first = traceLine(true, 1764155420.25, invite);
    // A line cut anywhere waits for its end; other text and other JSON are not messages.
    trace.feed(first.left(17));
    QCOMPARE(added.count(), 0);
    trace.feed(first.mid(17) + "sipscope-cli call: something to say\n{\"event\":\"start\"}\n");
    QCOMPARE(added.count(), 1);
    trace.feed("{\"event\":\"message\",\"sent\":tru\n{\"event\":\"message\"}\n\n");
    trace.feed(traceLine(false, 1764155420.5, ringing) + traceLine(true, 1764155420.75, invite));
    QCOMPARE(added.count(), 2);
    QCOMPARE(added.last().first().toInt(), 3);
    // Not SIP at all (a damaged message) is still an arrow; a last line without its newline too.
    const QByteArray junk = traceLine(false, 1764155421.0, QStringLiteral("\x01garbage\r\n"));
    trace.feed(junk.chopped(1));
    QCOMPARE(trace.messages().size(), std::size_t(3));
    trace.finish();
    QCOMPARE(trace.messages().size(), std::size_t(4));
    QCOMPARE(trace.otherLines(), QStringList{"sipscope-cli call: something to say"});
    const auto& m = trace.messages();
    QCOMPARE(m[0].src, std::string("127.0.0.1"));
    QCOMPARE(m[0].sport, quint16(40000));
    QCOMPARE(m[0].dst, std::string("::1"));
    QCOMPARE(m[0].dport, quint16(5060));
    QCOMPARE(m[0].ipVersion, quint8(6));
    QCOMPARE(m[0].tsNs, qint64(1764155420250000000));
    QCOMPARE(m[1].src, std::string("::1"));              // received: from the remote end
    QCOMPARE(m[2].role, std::string("retransmission"));  // the INVITE again
    QCOMPARE(m[2].original, quint64(1));
    QCOMPARE(gui::traceSummary(m[1]), QStringLiteral("180 Ringing"));
    QCOMPARE(gui::traceSummary(m[3]), QStringLiteral("(not SIP)"));
    const analyzer::LadderInput ladder = trace.ladder();
    QCOMPARE(ladder.messages.size(), std::size_t(4));
    QCOMPARE(ladder.messages[0].method, std::string("INVITE"));
    QCOMPARE(ladder.messages[1].status, 180);
    QVERIFY(ladder.messages[2].retransmission);
    QCOMPARE(ladder.messages[3].label, std::string("(not SIP)"));
    QCOMPARE(gui::testCallBannerText(1),
             QStringLiteral("Test call in progress — 1 message so far; the recorded call replaces "
                            "this view when it ends"));
    trace.clear();
    QVERIFY(trace.messages().empty() && trace.otherLines().isEmpty());
}

void TestGuiTestCall::liveLadder() {
    const QString cli = gui::findCli();
    QVERIFY2(!cli.isEmpty(), "sipscope-cli is built beside the tests");
    const quint16 port = freeUdpPort();
    QProcess listener;
    QVERIFY2(startListener(listener, cli, port), listener.readAll().constData());
    QTemporaryDir dir;
    gui::MainWindow w;
    w.resize(1400, 860);
    w.setDatabase(dir.filePath("calls.sqlite"));
    w.show();
    gui::TestCallDialog dialog(w.database());
    w.attachTestCall(&dialog);
    gui::TestCallOptions o;
    o.target = QStringLiteral("sip:1000@127.0.0.1:%1").arg(port);
    o.transport = QStringLiteral("udp");
    o.durationS = 3;
    o.timeoutS = 10;
    dialog.setOptions(o);
    QSignalSpy finished(&dialog, &gui::TestCallDialog::finished);
    QVERIFY(dialog.start());
    auto* banner = w.findChild<QLabel*>(QStringLiteral("testCallBanner"));
    QVERIFY(banner);
    QVERIFY(banner->isVisible());
    // The INVITE, its 180 and 200 and our ACK are drawn while the call is still up (3 s).
    QTRY_VERIFY_WITH_TIMEOUT(w.ladder()->input().messages.size() >= 4 &&
                                 hasArrow(w.ladder()->input(), "INVITE", 0) &&
                                 hasArrow(w.ladder()->input(), nullptr, 200),
                             10000);
    QVERIFY2(dialog.running(), "the ladder must grow before the call ends");
    QVERIFY(finished.isEmpty());
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->text().startsWith(QStringLiteral("Test call in progress")),
             qPrintable(banner->text()));
    QVERIFY(dialog.statusText().startsWith(QStringLiteral("Calling sip:1000@127.0.0.1")));
    QVERIFY2(banner->text().contains(QStringLiteral(" messages so far")),
             qPrintable(banner->text()));
    QCOMPARE(w.callModel()->rowCount(), 0);  // not listed before it is stored
    // A picture of the window mid-call, for the eye.
    QVERIFY(w.grab().save(QDir::temp().filePath(QStringLiteral("testcall-live.png"))));
    // Ended: the stored call replaces the live one.
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().first().toJsonObject().value("result").toString(),
             QStringLiteral("answered"));
    QVERIFY(!banner->isVisible());
    QCOMPARE(w.callModel()->rowCount(), 1);
    QCOMPARE(w.ladder()->layout().rows.size(), std::size_t(7));
    QVERIFY(listenerEnded(listener));
}

QTEST_MAIN(TestGuiTestCall)
#include "tst_gui_testcall.moc"
