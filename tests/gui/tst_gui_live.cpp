// Live capture from the GUI: the dialog (interfaces from sipscope-capture, BPF checked while
// typed) and a real capture on the loopback interface through the helper and a named pipe,
// with a call sent on 127.0.0.1 by the test itself, which must appear in the call list.
// Capturing needs root or the helper's capabilities; without them the live part is skipped.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "call_list_model.hpp"
#include "live_capture_dialog.hpp"
#include "main_window.hpp"

using namespace sipscope;

namespace {

constexpr quint16 kCaller = 5596, kCallee = 5597;

// A socket bound to 127.0.0.1:`from` sends `payload` to 127.0.0.1:`to`.
bool sendFrom(quint16 from, quint16 to, const QByteArray& payload) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return false;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(from);
    bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    a.sin_port = htons(to);
    ok = ok && ::sendto(fd, payload.constData(), size_t(payload.size()), 0,
                        reinterpret_cast<const sockaddr*>(&a), sizeof a) == payload.size();
    ::close(fd);
    return ok;
}

QByteArray message(const QByteArray& startLine, const QByteArray& cseq, bool request,
                   const QByteArray& toTag = "uas-live-1") {
    QByteArray m = startLine + "\r\n";
    m += "Via: SIP/2.0/UDP 127.0.0.1:5596;branch=z9hG4bK-live-" +
         (cseq.startsWith("2") ? QByteArray("2") : QByteArray("1")) + "\r\n";
    m += "From: <sip:alice@127.0.0.1>;tag=uac-live-1\r\n";
    m += "To: <sip:bob@127.0.0.1>" +
         (request && startLine.startsWith("INVITE") ? QByteArray() : ";tag=" + toTag) + "\r\n";
    m += "Call-ID: live-1@sipscope.test\r\nCSeq: " + cseq + "\r\n";
    m += "Contact: <sip:alice@127.0.0.1:5596>\r\nContent-Length: 0\r\n\r\n";
    return m;
}

}  // namespace

class TestGuiLive : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void dialog();
    void liveCall();
};

void TestGuiLive::dialog() {
    const QString helper = gui::findCaptureHelper();
    QVERIFY2(!helper.isEmpty(), "sipscope-capture is built beside the tests");
    gui::LiveCaptureDialog d(helper);
    QVERIFY(!d.canStart());  // nothing checked yet
    QListWidgetItem* lo = nullptr;
    for (int r = 0; r < d.interfaceList()->count(); ++r)
        if (d.interfaceList()->item(r)->data(Qt::UserRole).toString() == QStringLiteral("lo"))
            lo = d.interfaceList()->item(r);
    if (!lo) QSKIP("libpcap lists no 'lo' interface here");
    lo->setCheckState(Qt::Checked);
    QVERIFY(d.canStart());
    d.filterEdit()->setText(QStringLiteral("udp port"));
    QVERIFY(!d.filterError().isEmpty());
    QVERIFY(!d.canStart());
    d.filterEdit()->setText(QStringLiteral("udp port 5060 or tcp port 5061"));
    QVERIFY(d.filterError().isEmpty());
    QVERIFY(d.canStart());
    const auto o = d.options();
    QCOMPARE(o.interfaces, QStringList{QStringLiteral("lo")});
    const QStringList args = gui::captureArguments(o, QStringLiteral("/tmp/x.pcapng"));
    QVERIFY(args.contains(QStringLiteral("-i")) && args.contains(QStringLiteral("lo")));
    QCOMPARE(args.mid(args.indexOf(QStringLiteral("-f")), 2),
             (QStringList{QStringLiteral("-f"), QStringLiteral("udp port 5060 or tcp port 5061")}));
    QCOMPARE(args.mid(args.size() - 2),
             (QStringList{QStringLiteral("-w"), QStringLiteral("/tmp/x.pcapng")}));
    d.filterEdit()->setText(QStringLiteral("udp port 5060 or"));
    d.show();
    QVERIFY(d.grab().save(QDir::temp().filePath(QStringLiteral("sipscope-live-dialog.png"))));
}

void TestGuiLive::liveCall() {
    if (::geteuid() != 0) QSKIP("live capture needs root (or sipscope-capture's capabilities)");
    QTemporaryDir dir;
    gui::MainWindow w;
    w.setDatabase(dir.filePath("live.sqlite"));
    QSignalSpy stats(w.liveCapture(), &gui::LiveCapture::statistics);
    QSignalSpy done(&w, &gui::MainWindow::importFinished);
    gui::LiveCaptureOptions o;
    o.interfaces = {QStringLiteral("lo")};
    o.filter = QStringLiteral("udp port %1 or udp port %2").arg(kCaller).arg(kCallee);
    QString error;
    QVERIFY2(w.startLiveCapture(o, &error), qPrintable(error));
    QVERIFY(stats.wait(15000));  // the helper reports when capture has started
    const QByteArray inv = "INVITE sip:bob@127.0.0.1:5597 SIP/2.0";
    QVERIFY(sendFrom(kCaller, kCallee, message(inv, "1 INVITE", true)));
    QVERIFY(sendFrom(kCallee, kCaller, message("SIP/2.0 100 Trying", "1 INVITE", false, "")));
    QVERIFY(sendFrom(kCallee, kCaller, message("SIP/2.0 180 Ringing", "1 INVITE", false)));
    QVERIFY(sendFrom(kCallee, kCaller, message("SIP/2.0 200 OK", "1 INVITE", false)));
    QVERIFY(
        sendFrom(kCaller, kCallee, message("ACK sip:bob@127.0.0.1:5597 SIP/2.0", "1 ACK", true)));
    QVERIFY(
        sendFrom(kCaller, kCallee, message("BYE sip:bob@127.0.0.1:5597 SIP/2.0", "2 BYE", true)));
    QVERIFY(sendFrom(kCallee, kCaller, message("SIP/2.0 200 OK", "2 BYE", false)));
    // The helper counts the packets; then stop, and the import ends with the stream.
    QTRY_VERIFY_WITH_TIMEOUT(w.liveCapture()->received() >= 7, 15000);
    w.stopLiveCapture();
    QVERIFY(done.count() > 0 || done.wait(30000));
    auto* model = w.callModel();
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->data(model->index(0, gui::CallListModel::CallId), Qt::DisplayRole).toString(),
             QStringLiteral("live-1@sipscope.test"));
    QCOMPARE(model->data(model->index(0, gui::CallListModel::State), Qt::DisplayRole).toString(),
             QStringLiteral("Answered"));
    QCOMPARE(model->data(model->index(0, gui::CallListModel::Messages), Qt::DisplayRole).toInt(),
             7);
}

QTEST_MAIN(TestGuiLive)
#include "tst_gui_live.moc"
