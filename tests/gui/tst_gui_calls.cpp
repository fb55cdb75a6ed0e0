// The call list: CallListModel over imported captures and over a generated million-call
// database (fetch, sort, filter, capture scope, hidden kinds, header columns, calls appended
// while importing), every state under QAbstractItemModelTester; the call table's painting;
// and the filter bar.

#include <QAbstractItemModelTester>
#include <QCompleter>
#include <QHeaderView>
#include <QImage>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "call_list_model.hpp"
#include "call_row_delegate.hpp"
#include "call_table.hpp"
#include "filter_bar.hpp"
#include "state_style.hpp"
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

// Whether `rect` of `image` holds a pixel within `tolerance` (per channel) of `color`.
bool hasColor(const QImage& image, const QRect& rect, const QColor& color, int tolerance) {
    for (int y = rect.top(); y <= rect.bottom(); ++y)
        for (int x = rect.left(); x <= rect.right(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - color.red()) <= tolerance &&
                std::abs(c.green() - color.green()) <= tolerance &&
                std::abs(c.blue() - color.blue()) <= tolerance)
                return true;
        }
    return false;
}

// The runs of columns of `rect` holding ink (pixels far from the background at the cell's
// left edge), each with the height of its ink: an ellipsis ends in three short runs (dots).
struct InkRun {
    int left, right, height;
};
std::vector<InkRun> inkRuns(const QImage& image, const QRect& rect) {
    const QColor bg = image.pixelColor(rect.left(), rect.center().y());
    std::vector<InkRun> runs;
    for (int x = rect.left(); x <= rect.right(); ++x) {
        int top = -1, bottom = -1;
        for (int y = rect.top(); y <= rect.bottom(); ++y) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.lightness() - bg.lightness()) < 60) continue;
            if (top < 0) top = y;
            bottom = y;
        }
        if (top < 0) continue;
        if (!runs.empty() && runs.back().right == x - 1) {
            runs.back().right = x;
            runs.back().height = std::max(runs.back().height, bottom - top + 1);
        } else {
            runs.push_back({x, x, bottom - top + 1});
        }
    }
    return runs;
}

bool endsWithDots(const std::vector<InkRun>& runs) {
    if (runs.size() < 4) return false;
    for (std::size_t i = runs.size() - 3; i < runs.size(); ++i)
        if (runs[i].height > 3 || runs[i].right - runs[i].left > 3) return false;
    return true;
}

}  // namespace

class TestGuiCalls : public QObject {
    Q_OBJECT
  private slots:
    void importedCaptures();
    void scopeKindsAndHeaders();
    void appendWhileImporting();
    void millionCalls();
    void tablePaintsModel();
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

// The call table's delegate draws what the model says: the state's colour and icon, the text
// elided with an ellipsis when the column is too narrow, the selection in the highlight colour.
void TestGuiCalls::tablePaintsModel() {
    QTemporaryDir dir;
    const QString db = dir.filePath("small.sqlite");
    test::writeSyntheticCalls(db.toStdString(), 5000);
    CallListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.openDatabase(db));
    gui::CallTable table(&model);
    table.resize(1200, 500);
    table.setColumnWidth(CallListModel::FinalCode, 90);  // "503 Service Unavailable" is wider
    table.show();
    table.selectRow(2);
    const QImage image = table.viewport()->grab().toImage();
    QCOMPARE(cell(model, 9, CallListModel::State), QStringLiteral("Failed"));
    const auto failed = analyzer::CallState::Failed;
    const QColor failedColor = gui::stateColor(failed, table.palette());
    const QRect failedCell = table.visualRect(model.index(9, CallListModel::State));
    const QRect answeredCell = table.visualRect(model.index(0, CallListModel::State));
    QVERIFY(failedCell.isValid() && image.rect().contains(failedCell));
    QVERIFY(hasColor(image, failedCell, failedColor, 24));
    QVERIFY(!hasColor(image, answeredCell, failedColor, 24));
    // The icon (never colour alone): ink in the cell's first 20 pixels, before the label.
    const auto stateInk = inkRuns(image, failedCell.adjusted(1, 1, -1, -1));
    QVERIFY(!stateInk.empty());
    QVERIFY(stateInk.front().left < failedCell.left() + 20);

    const QRect codeCell = table.visualRect(model.index(9, CallListModel::FinalCode));
    QCOMPARE(cell(model, 9, CallListModel::FinalCode), QStringLiteral("503 Service Unavailable"));
    const auto elided = inkRuns(image, codeCell.adjusted(1, 1, -1, -1));
    QVERIFY2(endsWithDots(elided), "the elided code ends with an ellipsis");
    QVERIFY(elided.back().right < codeCell.right());  // within the cell's margin, not clipped
    const QRect fitting = table.visualRect(model.index(0, CallListModel::FinalCode));
    QVERIFY(!endsWithDots(inkRuns(image, fitting.adjusted(1, 1, -1, -1))));  // "200 OK"

    const QRect selected = table.visualRect(model.index(2, CallListModel::From));
    const QColor highlight = table.palette().color(QPalette::Inactive, QPalette::Highlight);
    const QColor activeHighlight = table.palette().color(QPalette::Active, QPalette::Highlight);
    QVERIFY(hasColor(image, selected, highlight, 2) ||
            hasColor(image, selected, activeHighlight, 2));
    QVERIFY(!hasColor(image, table.visualRect(model.index(3, CallListModel::From)), highlight, 2) ||
            highlight == table.palette().color(QPalette::Base));
    auto* delegate = qobject_cast<gui::CallRowDelegate*>(table.itemDelegate());
    QVERIFY(delegate);
    QVERIFY(delegate->cachedTexts() > 0);
    // Scrolling through every page turns the text cache over (more distinct texts than it
    // holds); it stays bounded and the first page looks the same afterwards.
    auto* bar = table.verticalScrollBar();
    QImage page(table.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
    for (int v = 0; v <= bar->maximum(); v += bar->pageStep()) {
        bar->setValue(v);
        table.viewport()->render(&page);
    }
    QCOMPARE(delegate->cachedTexts(), gui::CallRowDelegate::kMaxTexts);  // full, turned over
    bar->setValue(0);
    QCOMPARE(table.viewport()->grab().toImage(), image);
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
