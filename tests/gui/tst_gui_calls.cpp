// The call list: CallListModel over imported captures and over a generated million-call
// database (fetch, sort, filter, capture scope, hidden kinds, header columns, calls appended
// while importing), every state under QAbstractItemModelTester; and the filter bar.

#include <QAbstractItemModelTester>
#include <QCompleter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "call_list_model.hpp"
#include "filter_bar.hpp"
#include "store/importer.hpp"
#include "synthetic_store.hpp"

using namespace sipscope;
using gui::CallListModel;

namespace {

QString dataFile(const char* name) {
    return QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/calls/") + QLatin1String(name);
}

// Imports capture files into `db`; returns their capture ids.
std::vector<std::int64_t> importFiles(const QString& db, const QStringList& files) {
    analyzer::store::StoreWriter writer(db.toStdString());
    analyzer::store::Importer importer(writer, {});
    std::atomic<bool> cancel{false};
    std::vector<std::int64_t> ids;
    for (const auto& f : files)
        ids.push_back(importer.importFile(f.toStdString(), {}, cancel).captureId);
    return ids;
}

analyzer::Filter filterOf(const char* text) {
    auto f = analyzer::parseFilter(text);
    if (!f.ok()) qFatal("bad filter %s", text);
    return std::move(f).value();
}

QString cell(const CallListModel& m, int row, int column) {
    return m.data(m.index(row, column), Qt::DisplayRole).toString();
}

bool sortedBy(const CallListModel& m, int column, bool descending) {
    for (int r = 1; r < m.rowCount(); ++r) {
        const QVariant a = m.data(m.index(r - 1, column), Qt::DisplayRole);
        const QVariant b = m.data(m.index(r, column), Qt::DisplayRole);
        const bool inOrder =
            a.typeId() == QMetaType::QString
                ? (descending ? a.toString() >= b.toString() : a.toString() <= b.toString())
                : (descending ? a.toDouble() >= b.toDouble() : a.toDouble() <= b.toDouble());
        if (!inOrder) return false;
    }
    return true;
}

// Runs an asynchronous query to its end (event loop, bounded; never a sleep).
void waitQuery(CallListModel& m, QSignalSpy& finished) {
    if (m.busy()) QVERIFY(finished.wait(120000));
}

}  // namespace

class TestGuiCalls : public QObject {
    Q_OBJECT
  private slots:
    void importedCaptures();
    void scopeKindsAndHeaders();
    void appendWhileImporting();
    void millionCalls();
    void filterBar();
    void filterCompletion();
};

void TestGuiCalls::importedCaptures() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    importFiles(
        db, {dataFile("basic.pcap"), dataFile("failures.pcap"), dataFile("proxy-auth-fork.pcap")});
    CallListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.openDatabase(db));
    QVERIFY(model.rowCount() >= 8);
    QCOMPARE(model.columnCount(), int(CallListModel::FixedColumns));
    QCOMPARE(static_cast<std::uint64_t>(model.rowCount()), model.totalCalls());
    QVERIFY(sortedBy(model, CallListModel::Start, false));
    // The first call of basic.pcap, as truth.tsv describes it.
    const int row = model.rowOfCall(model.callRowAt(0));
    QCOMPARE(row, 0);
    QCOMPARE(cell(model, 0, CallListModel::CallId), QStringLiteral("basic-udp-1@sipscope.test"));
    QCOMPARE(cell(model, 0, CallListModel::From), QStringLiteral("alice"));
    QCOMPARE(cell(model, 0, CallListModel::State), QStringLiteral("Answered"));
    QCOMPARE(cell(model, 0, CallListModel::FinalCode), QStringLiteral("200 OK"));
    QCOMPARE(cell(model, 0, CallListModel::Messages), QStringLiteral("7"));
    QCOMPARE(cell(model, 0, CallListModel::Transport), QStringLiteral("UDP"));
    QVERIFY(!model.data(model.index(0, CallListModel::State), Qt::DecorationRole)
                 .value<QIcon>()
                 .isNull());
    QVERIFY(model.data(model.index(0, CallListModel::State), Qt::ForegroundRole)
                .value<QColor>()
                .isValid());

    QSignalSpy finished(&model, &CallListModel::queryFinished);
    model.sort(CallListModel::Messages, Qt::DescendingOrder);
    waitQuery(model, finished);
    QVERIFY(sortedBy(model, CallListModel::Messages, true));
    model.sort(CallListModel::CallId, Qt::AscendingOrder);
    waitQuery(model, finished);
    QVERIFY(sortedBy(model, CallListModel::CallId, false));

    model.setFilter(filterOf("state == busy or final_code >= 500"), false);
    model.refreshNow();
    QVERIFY(model.rowCount() >= 1);
    for (int r = 0; r < model.rowCount(); ++r) {
        const QString code = cell(model, r, CallListModel::FinalCode);
        QVERIFY2(cell(model, r, CallListModel::State) == QStringLiteral("Busy") ||
                     code.left(3).toInt() >= 500,
                 qPrintable(code));
    }
    model.setFilter(filterOf("call_id == \"no-such-call\""), false);
    model.refreshNow();
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.callAt(0).has_value());
}

void TestGuiCalls::scopeKindsAndHeaders() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    const auto ids = importFiles(db, {dataFile("basic.pcap"), dataFile("register-auth.pcap")});
    CallListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.openDatabase(db));
    const int all = model.rowCount();
    model.setCaptures({ids[0]});
    model.refreshNow();
    QCOMPARE(model.rowCount(), 3);  // basic.pcap: two UDP calls and one TCP call
    model.setCaptures({});
    model.setHiddenKinds({QStringLiteral("register")});
    model.refreshNow();
    QVERIFY(model.rowCount() < all);
    for (int r = 0; r < model.rowCount(); ++r)
        QVERIFY(cell(model, r, CallListModel::Kind) != QStringLiteral("register"));
    // A column for any header of the initial request, and a header() filter.
    model.addHeaderColumn(QStringLiteral("User-Agent"));
    QCOMPARE(model.columnCount(), CallListModel::FixedColumns + 1);
    QCOMPARE(
        model.headerData(CallListModel::FixedColumns, Qt::Horizontal, Qt::DisplayRole).toString(),
        QStringLiteral("User-Agent"));
    QCOMPARE(cell(model, 0, CallListModel::FixedColumns), cell(model, 0, CallListModel::UserAgent));
    model.setFilter(filterOf("header(\"User-Agent\") ~ \"UAC\""), true);
    model.refreshNow();
    QVERIFY(model.rowCount() > 0);
    model.removeHeaderColumn(QStringLiteral("User-Agent"));
    QCOMPARE(model.columnCount(), int(CallListModel::FixedColumns));
}

void TestGuiCalls::appendWhileImporting() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    importFiles(db, {dataFile("basic.pcap")});
    CallListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.openDatabase(db));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.appendNew(), 0);
    importFiles(db, {dataFile("failures.pcap")});
    const int added = model.appendNew();
    QVERIFY(added > 0);
    QCOMPARE(model.rowCount(), 3 + added);
    QCOMPARE(static_cast<std::uint64_t>(model.rowCount()), model.totalCalls());
    QCOMPARE(model.appendNew(), 0);
}

void TestGuiCalls::millionCalls() {
#if defined(__SANITIZE_ADDRESS__)
    const std::int64_t n = 100'000;  // the same checks, sized for the sanitizer build
#else
    const std::int64_t n = 1'000'000;
#endif
    QTemporaryDir dir;
    const QString db = dir.filePath("million.sqlite");
    test::writeSyntheticCalls(db.toStdString(), n);
    CallListModel model;
    QVERIFY(model.openDatabase(db));
    QCOMPARE(model.rowCount(), int(n));
    // Fetching: only the pages asked for are read, anywhere in the list.
    QCOMPARE(cell(model, 0, CallListModel::CallId), QStringLiteral("gen-1@synthetic"));
    QCOMPARE(cell(model, int(n) - 1, CallListModel::CallId),
             QStringLiteral("gen-%1@synthetic").arg(n));
    QCOMPARE(cell(model, 4, CallListModel::FinalCode), QStringLiteral("486 Busy Here"));
    QCOMPARE(cell(model, 9, CallListModel::State), QStringLiteral("Failed"));
    QCOMPARE(cell(model, 0, CallListModel::Duration), QStringLiteral("60.0"));
    // Sort (in SQLite) and filter (the filter language, narrowed by SQL).
    QSignalSpy finished(&model, &CallListModel::queryFinished);
    model.sort(CallListModel::Start, Qt::DescendingOrder);
    waitQuery(model, finished);
    QCOMPARE(cell(model, 0, CallListModel::CallId), QStringLiteral("gen-%1@synthetic").arg(n));
    model.setFilter(filterOf("state == busy and from_user ~ \"^495\""), false);
    model.refreshNow();
    // busy: i % 10 == 5; from "49<i % 1000>" starting 495: i % 1000 in {5, 55, 505, 515 ... 595}
    QCOMPARE(model.rowCount(), int(n / 1000 * 12));
    QCOMPARE(cell(model, 0, CallListModel::CallId),
             QStringLiteral("gen-%1@synthetic").arg(n - 405));
    model.setFilter({}, false);
    model.sort(CallListModel::Start, Qt::AscendingOrder);
    waitQuery(model, finished);
    QCOMPARE(model.rowCount(), int(n));
    QCOMPARE(cell(model, 0, CallListModel::CallId), QStringLiteral("gen-1@synthetic"));
}

void TestGuiCalls::filterBar() {
    gui::FilterBar bar;
    QSignalSpy changed(&bar, &gui::FilterBar::filterChanged);
    bar.setText(QStringLiteral("state == \"failed\" and from_user ~ \"^49\""));
    QVERIFY(bar.valid());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(bar.edit()->errorColumn(), -1);
    bar.setText(QStringLiteral("final_code >= "));
    QVERIFY(!bar.valid());
    QCOMPARE(changed.count(), 1);  // an invalid filter is not applied
    QCOMPARE(bar.edit()->errorColumn(), 14);
    QVERIFY(bar.errorText().contains(QStringLiteral("column")));
    // Columns count characters, not UTF-8 bytes.
    bar.setText(QStringLiteral("to_user == \"Jürgen\" and"));
    QVERIFY(!bar.valid());
    QCOMPARE(bar.edit()->errorColumn(), 23);
    QSignalSpy kinds(&bar, &gui::FilterBar::hiddenKindsChanged);
    bar.setHiddenKinds({QStringLiteral("options")});
    QCOMPARE(kinds.count(), 1);
    QCOMPARE(bar.hiddenKinds(), QStringList{QStringLiteral("options")});
}

void TestGuiCalls::filterCompletion() {
    gui::FilterBar bar;
    auto* edit = bar.edit();
    edit->setText(QStringLiteral("state == busy and fin"));
    edit->setCursorPosition(static_cast<int>(edit->text().size()));
    int start = -1;
    QCOMPARE(edit->currentWord(&start), QStringLiteral("fin"));
    QCOMPARE(start, 18);
    auto* completer = edit->completer();
    completer->setCompletionPrefix(QStringLiteral("fin"));
    QVERIFY(completer->completionCount() >= 1);
    QCOMPARE(completer->currentCompletion(), QStringLiteral("final_code"));
    completer->setCompletionPrefix(QStringLiteral("answ"));
    QCOMPARE(completer->currentCompletion(), QStringLiteral("answer"));
}

QTEST_MAIN(TestGuiCalls)
#include "tst_gui_calls.moc"
