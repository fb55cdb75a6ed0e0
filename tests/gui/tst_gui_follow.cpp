// Calls in progress while a capture imports: the importer writes snapshots (number 0) and
// rewrites them in place; the call list repaints such rows, drops or adds them as they stop or
// start matching the filter, and the ladder of a selected call grows without losing the zoom.
// The store is written here batch by batch, as the importer would, so no timing is involved.

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "call_list_model.hpp"
#include "ladder_canvas.hpp"
#include "ladder_panel.hpp"
#include "main_window.hpp"
#include "store/store_writer.hpp"

using namespace sipscope;
using analyzer::CallRecord;
using analyzer::CallState;
using gui::CallListModel;

namespace {

constexpr std::int64_t kT0 = 1'764'000'000'000'000'000;

std::string request(const std::string& callId) {
    return "INVITE sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK" +
           callId + "\r\nFrom: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.net>\r\n" +
           "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
}

std::string response(const std::string& callId, int code, const char* reason) {
    return "SIP/2.0 " + std::to_string(code) + " " + reason +
           "\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK" + callId +
           "\r\nFrom: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.net>;tag=b\r\n" +
           "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
}

// Writes what one importer batch would: new messages of call `key` and the call as it stands.
class FakeImport {
  public:
    explicit FakeImport(const std::string& path) : m_path(path) {
        analyzer::store::StoreWriter writer(path);  // creates the schema
        m_capture = writer.beginCapture({"live.pcapng", "", "pcapng", 0});
    }

    void message(std::uint64_t key, const std::string& text, bool fromCaller) {
        analyzer::store::MessageRow m;
        m.seq = ++m_seq;
        m.callKey = key;
        m.tsNs = kT0 + static_cast<std::int64_t>(m_seq) * 100'000'000;
        m.src = fromCaller ? "192.0.2.1" : "198.51.100.7";
        m.dst = fromCaller ? "198.51.100.7" : "192.0.2.1";
        m.sport = m.dport = 5060;
        m.transport = "udp";
        m.buffer = stack::makeBytes(text);
        m.bytes = *m.buffer;
        m_batch.messages.push_back(std::move(m));
    }

    void call(std::uint64_t key, const std::string& callId, CallState state, std::uint32_t msgs,
              std::uint64_t number = 0) {
        CallRecord c;
        c.key = key;
        c.number = number;
        c.callId = callId;
        c.callIds = {callId};
        c.state = state;
        c.messages = msgs;
        c.startNs = kT0 + static_cast<std::int64_t>(key) * 1000;
        c.firstMessageId = key == 1 ? 1 : 0;
        c.caller = "192.0.2.1:5060";
        c.callee = "198.51.100.7:5060";
        m_batch.calls.push_back(std::move(c));
    }

    void write() {
        analyzer::sql::Database db(m_path, analyzer::sql::Database::Mode::ReadWrite);
        analyzer::store::writeBatch(db, m_capture, m_batch);
        m_batch = {};
    }

  private:
    std::string m_path;
    std::int64_t m_capture = 0;
    std::uint64_t m_seq = 0;
    analyzer::store::Batch m_batch;
};

analyzer::Filter filterOf(const char* text) {
    auto f = analyzer::parseFilter(text);
    if (!f.ok()) qFatal("bad filter %s", text);
    return std::move(f).value();
}

QString stateAt(const CallListModel& m, int row) {
    return m.data(m.index(row, CallListModel::State), Qt::DisplayRole).toString();
}

}  // namespace

class TestGuiFollow : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void rowsFollowTheirCalls();
    void filterTakesAndDropsCalls();
    void ladderGrowsKeepingZoom();
};

// A listed call in progress is repainted with its new state, and announced by callsChanged.
void TestGuiFollow::rowsFollowTheirCalls() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("f.sqlite").toStdString();
    FakeImport imp(path);
    imp.message(1, request("c1"), true);
    imp.call(1, "c1", CallState::InProgress, 1);
    imp.write();
    CallListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.openDatabase(QString::fromStdString(path)));
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(stateAt(model, 0), QStringLiteral("In progress …"));  // still followed
    const qint64 row = model.callRowAt(0);
    QSignalSpy changed(&model, &CallListModel::callsChanged);
    QCOMPARE(model.appendNew(), 0);  // nothing new
    QCOMPARE(changed.count(), 0);

    imp.message(1, response("c1", 180, "Ringing"), false);
    imp.call(1, "c1", CallState::Ringing, 2);
    imp.write();
    QCOMPARE(model.appendNew(), 1);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QList<qint64>>(), QList<qint64>{row});
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(stateAt(model, 0), QStringLiteral("Ringing …"));

    // Reported: the row keeps its id and shows the end; it is not followed any more.
    imp.message(1, response("c1", 486, "Busy Here"), false);
    imp.call(1, "c1", CallState::Busy, 3, 1);
    imp.write();
    QCOMPARE(model.appendNew(), 1);
    QCOMPARE(model.callRowAt(0), row);
    QCOMPARE(stateAt(model, 0), QStringLiteral("Busy"));
    QCOMPARE(model.appendNew(), 0);
}

// With a filter, a call leaves the list when it stops matching and joins it when it starts.
void TestGuiFollow::filterTakesAndDropsCalls() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("g.sqlite").toStdString();
    FakeImport imp(path);
    imp.call(1, "a", CallState::Ringing, 2);
    imp.call(2, "b", CallState::Ringing, 2);
    imp.write();
    CallListModel ringing, busy;
    QAbstractItemModelTester t1(&ringing, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&busy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ringing.setFilter(filterOf("state == \"ringing\""), false);
    busy.setFilter(filterOf("state == \"busy\""), false);
    QVERIFY(ringing.openDatabase(QString::fromStdString(path)));
    QVERIFY(busy.openDatabase(QString::fromStdString(path)));
    QCOMPARE(ringing.rowCount(), 2);
    QCOMPARE(busy.rowCount(), 0);

    imp.call(1, "a", CallState::Busy, 3, 1);   // over: busy
    imp.call(2, "b", CallState::Answered, 3);  // still in progress, answered
    imp.call(3, "c", CallState::Busy, 2);      // a new call, busy already
    imp.write();
    ringing.appendNew();
    busy.appendNew();
    QCOMPARE(ringing.rowCount(), 0);
    QCOMPARE(busy.rowCount(), 2);
    QCOMPARE(stateAt(busy, 0), QStringLiteral("Busy …"));  // c, new, still followed
    QCOMPARE(stateAt(busy, 1), QStringLiteral("Busy"));    // a, reported
}

// The ladder of a selected call in progress is drawn again as messages arrive; the zoom the
// user chose stays.
void TestGuiFollow::ladderGrowsKeepingZoom() {
    QTemporaryDir dir;
    const QString path = dir.filePath("h.sqlite");
    FakeImport imp(path.toStdString());
    imp.message(1, request("c1"), true);
    imp.call(1, "c1", CallState::InProgress, 1);
    imp.write();
    gui::MainWindow w;
    w.resize(1200, 800);
    w.setDatabase(path);
    QCOMPARE(w.callModel()->rowCount(), 1);
    QVERIFY(w.selectCall(0));
    QCOMPARE(w.ladder()->input().messages.size(), std::size_t(1));
    w.ladder()->canvas()->setZoom(1.7);

    imp.message(1, response("c1", 180, "Ringing"), false);
    imp.message(1, response("c1", 200, "OK"), false);
    imp.call(1, "c1", CallState::Answered, 3);
    imp.write();
    w.callModel()->appendNew();
    QCOMPARE(w.ladder()->input().messages.size(), std::size_t(3));
    QCOMPARE(w.ladder()->canvas()->zoom(), 1.7);
    QCOMPARE(w.ladder()->canvas()->selectedRow(), 0);  // the selection stays on the INVITE
    QVERIFY(w.grab().save(QDir::temp().filePath(QStringLiteral("sipscope-follow.png"))));
}

QTEST_MAIN(TestGuiFollow)
#include "tst_gui_follow.moc"
