// The "Test call" dialog: target checks, the user agent's command line, and a real call on
// loopback to `sipscope-cli listen` started by the test, recorded into the window's database,
// then listed and drawn by the main window. Waits are bounded event-loop waits.

#include <QComboBox>
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

using namespace sipscope;

class TestGuiTestCall : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void targetsAndArguments();
    void callListener();
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
    constexpr int kPort = 5594;
    QProcess listener;
    listener.setProcessChannelMode(QProcess::MergedChannels);
    listener.start(cli, {"listen", "--port", QString::number(kPort), "--max-calls", "1", "--bind",
                         "127.0.0.1"});
    QVERIFY(listener.waitForStarted(10000));
    // It says so on stderr once the socket is bound (at most 15 s of 100 ms waits).
    QByteArray said;
    for (int i = 0; i < 150 && !said.contains("listening"); ++i) {
        listener.waitForReadyRead(100);
        said += listener.readAll();
    }
    QVERIFY2(said.contains("listening"), said.constData());
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
    QVERIFY(listener.waitForFinished(15000));
}

QTEST_MAIN(TestGuiTestCall)
#include "tst_gui_testcall.moc"
