// The whole window: open the bundled example (imported on the worker thread into a temporary
// database), wait for the import, select a call, see its ladder and its first message, filter
// the list, open the database again as a file, and grab the window to PNG.

#include <QApplication>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "call_list_model.hpp"
#include "call_table.hpp"
#include "filter_bar.hpp"
#include "ladder_panel.hpp"
#include "main_window.hpp"
#include "settings_dialog.hpp"
#include "state_style.hpp"

using namespace sipscope;

namespace {

const QString kExample = QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/basic-calls.pcap");

bool waitImport(gui::MainWindow& w, QSignalSpy& done) {
    return !w.importJob()->running() || done.count() > 0 || done.wait(120000);
}

}  // namespace

class TestGuiSmoke : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void openExampleAndDrawCall();
    void reopenDatabaseAndCancel();
    void settings();
    void columnSettings();
};

void TestGuiSmoke::openExampleAndDrawCall() {
    QTemporaryDir dir;
    gui::MainWindow w;
    w.resize(1400, 900);
    w.show();
    w.setDatabase(dir.filePath("lib.sqlite"));
    QSignalSpy done(&w, &gui::MainWindow::importFinished);
    w.openFiles({kExample});
    QVERIFY(waitImport(w, done));
    // resources/examples/README.md: REGISTER, OPTIONS, five UDP calls, busy, cancelled, a TCP
    // call and an OPTIONS over IPv6.
    auto* model = w.callModel();
    QCOMPARE(model->rowCount(), 11);
    int call1 = -1;
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->data(model->index(r, gui::CallListModel::CallId), Qt::DisplayRole).toString() ==
            QStringLiteral("call-1@sipscope.test"))
            call1 = r;
    QVERIFY(call1 >= 0);
    QSignalSpy shown(&w, &gui::MainWindow::ladderShown);
    QVERIFY(w.selectCall(call1));
    QCOMPARE(shown.count(), 1);
    QCOMPARE(shown.last().at(0).toInt(), 7);
    QCOMPARE(w.ladder()->layout().rows.size(), std::size_t(7));
    QCOMPARE(w.ladder()->layout().rows[0].label, std::string("INVITE"));
    // The first request is shown in the message pane.
    bool found = false;
    for (auto* edit : w.findChildren<QPlainTextEdit*>())
        found |= edit->toPlainText().startsWith(QStringLiteral("INVITE sip:"));
    QVERIFY(found);
    // Two calls selected: one ladder with both.
    w.callTable()->selectionModel()->select(
        model->index(call1 + 1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(w.ladder()->layout().rows.size(), std::size_t(14));
    QCOMPARE(w.ladder()->layout().legs.size(), std::size_t(2));
    // A new order keeps the selection and its ladder.
    QSignalSpy query(model, &gui::CallListModel::queryFinished);
    w.callTable()->sortByColumn(gui::CallListModel::CallId, Qt::DescendingOrder);
    if (model->busy()) QVERIFY(query.wait(60000));
    QCOMPARE(w.callTable()->selectedCallRows().size(), std::size_t(2));
    QCOMPARE(w.ladder()->layout().rows.size(), std::size_t(14));
    // The filter bar narrows the list; calls no longer listed leave the ladder.
    w.filterBar()->setText(QStringLiteral("state == busy"));
    if (model->busy()) QVERIFY(query.wait(60000));
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(w.ladder()->layout().rows.size(), std::size_t(0));
    QVERIFY(w.selectCall(0));
    const QImage grab = w.grab().toImage();
    QVERIFY(!grab.isNull());
    QVERIFY(grab.save(QDir::temp().filePath(QStringLiteral("sipscope-main-window.png"))));
}

void TestGuiSmoke::reopenDatabaseAndCancel() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    {
        gui::MainWindow w;
        w.setDatabase(db);
        QSignalSpy done(&w, &gui::MainWindow::importFinished);
        w.openFiles({kExample});
        QVERIFY(waitImport(w, done));
    }
    gui::MainWindow w;
    w.openFiles({db});  // a database opens directly, nothing is imported
    QVERIFY(!w.importJob()->running());
    QCOMPARE(w.database(), db);
    QCOMPARE(w.callModel()->rowCount(), 11);
    // The same capture again is recognised by its fingerprint and not imported twice.
    QSignalSpy done(&w, &gui::MainWindow::importFinished);
    w.openFiles({kExample});
    QVERIFY(waitImport(w, done));
    QCOMPARE(w.callModel()->totalCalls(), std::uint64_t(11));
    QCOMPARE(w.callModel()->rowCount(), 11);
}

void TestGuiSmoke::settings() {
    QList<quint16> ports;
    QString error;
    QVERIFY(gui::parsePortList(QStringLiteral("5060, 5062 5062;7000"), ports, &error));
    QCOMPARE(ports, (QList<quint16>{5060, 5062, 7000}));
    QVERIFY(!gui::parsePortList(QStringLiteral("5060, 70000"), ports, &error));
    QVERIFY(error.contains(QStringLiteral("70000")));
    gui::AppSettings a;
    a.t1Ms = 250;
    a.sipPorts = {5070};
    a.b2buaWindowMs = 0;
    const auto o = a.importOptions();
    QCOMPARE(o.tracker.observer.timers.t1, std::chrono::milliseconds(250));
    QCOMPARE(o.tracker.b2buaWindow, std::chrono::milliseconds(0));
    QCOMPARE(o.pipeline.sipPorts, std::vector<std::uint16_t>{5070});
    // The dialog refuses bad ports and returns what was edited; settings persist.
    gui::SettingsDialog dialog(a);
    auto* portsEdit = dialog.portsEdit();
    portsEdit->setText(QStringLiteral("abc"));
    QVERIFY(!dialog.portsError().isEmpty());
    portsEdit->setText(QStringLiteral("5060 5090"));
    QVERIFY(dialog.portsError().isEmpty());
    QCOMPARE(dialog.settings().sipPorts, (QList<quint16>{5060, 5090}));
    QCOMPARE(dialog.settings().t1Ms, 250);
    dialog.settings().save();
    QCOMPARE(gui::AppSettings::load().sipPorts, (QList<quint16>{5060, 5090}));
    dialog.show();
    QVERIFY(dialog.grab().save(QDir::temp().filePath(QStringLiteral("sipscope-settings.png"))));
    // Themes: dark gives a dark palette (and the ladder/state colours follow), system restores.
    a.theme = QStringLiteral("dark");
    gui::applyAppearance(a);
    QVERIFY(gui::isDark(QApplication::palette()));
    a.theme = QStringLiteral("system");
    gui::applyAppearance(a);
    QVERIFY(!gui::isDark(QApplication::palette()));
}

// The Settings dialog's columns: what the list shows, edited there, applied back to the list.
void TestGuiSmoke::columnSettings() {
    gui::MainWindow w;
    gui::CallTable* table = w.callTable();
    const auto before = table->columnSettings();
    QCOMPARE(before.size(), gui::CallListModel::FixedColumns);
    QCOMPARE(before.front().name, QStringLiteral("Start (UTC)"));
    int visible = 0;
    for (const auto& c : before) visible += c.visible ? 1 : 0;
    QCOMPARE(visible, gui::CallListModel::FixedColumns - 1);  // Kind is hidden by default
    gui::SettingsDialog dialog(gui::AppSettings{});
    dialog.setColumns(before);
    QVERIFY(dialog.columnEditor()->addHeader(QStringLiteral("X-CID")));
    QVERIFY(!dialog.columnEditor()->addHeader(QStringLiteral("x-cid")));  // already there
    QVERIFY(!dialog.columnEditor()->addHeader(QStringLiteral("  ")));
    auto cols = dialog.columns();
    QCOMPARE(cols.size(), before.size() + 1);
    QVERIFY(cols.back().header && cols.back().visible);
    for (auto& c : cols)
        if (c.name == QStringLiteral("Transport")) c.visible = false;
    dialog.setColumns(cols);
    dialog.show();
    QVERIFY(dialog.grab().save(QDir::temp().filePath(QStringLiteral("sipscope-columns.png"))));
    table->applyColumnSettings(dialog.columns());
    const auto after = table->columnSettings();
    QCOMPARE(after.size(), before.size() + 1);
    QCOMPARE(
        table->model()->headerData(gui::CallListModel::FixedColumns, Qt::Horizontal).toString(),
        QStringLiteral("X-CID"));
    for (const auto& c : after)
        if (c.name == QStringLiteral("Transport")) QVERIFY(!c.visible);
    // Removing the header column in the dialog removes it from the list.
    cols.removeLast();
    table->applyColumnSettings(cols);
    QCOMPARE(table->columnSettings().size(), before.size());
}

QTEST_MAIN(TestGuiSmoke)
#include "tst_gui_smoke.moc"
