#include "main_window.hpp"

#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimeZone>
#include <QTimer>
#include <QVBoxLayout>

#include "anomaly_panel.hpp"
#include "call_list_model.hpp"
#include "call_table.hpp"
#include "calls/call_ladder.hpp"
#include "filter_bar.hpp"
#include "ladder_canvas.hpp"
#include "ladder_panel.hpp"
#include "live_capture_dialog.hpp"
#include "media_panel.hpp"
#include "media_player.hpp"
#include "message_view.hpp"
#include "resources_init.hpp"
#include "settings_dialog.hpp"
#include "stats_panel.hpp"
#include "test_call_dialog.hpp"
#include "test_call_trace.hpp"

namespace sipscope::gui {

namespace {

bool isDatabase(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == QLatin1String("sqlite") || suffix == QLatin1String("sqlite3") ||
           suffix == QLatin1String("db");
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    initResources();
    setWindowTitle(QStringLiteral("SipScope"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/sipscope.svg")));
    setAcceptDrops(true);
    m_model = new CallListModel(this);
    m_import = new ImportJob(this);
    m_live = new LiveCapture(this);
    buildCentral();
    buildDocks();
    buildMenus();
    buildStatusBar();
    m_liveTimer = new QTimer(this);
    m_liveTimer->setInterval(500);
    connect(m_liveTimer, &QTimer::timeout, this, [this] {
        if (m_model->appendNew() > 0) updateCount();
    });
    connectViews();
    connectJobs();
    QSettings settings;
    m_table->restoreLayout();
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_filter->setHiddenKinds(settings.value(QStringLiteral("filter/hiddenKinds")).toStringList());
    m_model->setHiddenKinds(m_filter->hiddenKinds());
}

// The call list with its filter bar above the ladder and the message view.
void MainWindow::buildCentral() {
    auto* top = new QWidget;
    auto* v = new QVBoxLayout(top);
    v->setContentsMargins(4, 4, 4, 0);
    m_filter = new FilterBar(top);
    m_table = new CallTable(m_model, top);
    v->addWidget(m_filter);
    v->addWidget(m_table, 1);
    m_ladder = new LadderPanel;
    m_message = new MessageView;
    auto* bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(withTestCallBanner(m_ladder, m_testCallBanner));
    bottom->addWidget(m_message);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    bottom->setSizes({900, 520});
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(top);
    split->addWidget(bottom);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({280, 620});
    setCentralWidget(split);
}

// Anomalies, statistics and media: docked on the right, tabbed, hidden until asked for.
void MainWindow::buildDocks() {
    m_anomalies = new AnomalyPanel;
    m_stats = new StatsPanel;
    auto* anomalyDock = new QDockWidget(tr("Anomalies"), this);
    anomalyDock->setObjectName(QStringLiteral("anomalies"));
    anomalyDock->setWidget(m_anomalies);
    auto* statsDock = new QDockWidget(tr("Statistics (RFC 6076)"), this);
    statsDock->setObjectName(QStringLiteral("statistics"));
    statsDock->setWidget(m_stats);
    m_media = new MediaPanel;
    connect(m_media->player(), &MediaPlayer::cursorChanged, this, [this](qint64 ns, bool visible) {
        m_ladder->canvas()->setCursorTime(visible ? std::optional<std::int64_t>(ns) : std::nullopt);
    });
    auto* mediaDock = new QDockWidget(tr("Media (RTP)"), this);
    mediaDock->setObjectName(QStringLiteral("media"));
    mediaDock->setWidget(m_media);
    addDockWidget(Qt::RightDockWidgetArea, anomalyDock);
    addDockWidget(Qt::RightDockWidgetArea, statsDock);
    addDockWidget(Qt::RightDockWidgetArea, mediaDock);
    tabifyDockWidget(anomalyDock, statsDock);
    tabifyDockWidget(statsDock, mediaDock);
    anomalyDock->raise();
    anomalyDock->hide();
    statsDock->hide();
    mediaDock->hide();
}

// Filter, call list, ladder and anomaly panel: what each selection shows in the others.
void MainWindow::connectViews() {
    // A call in progress drawn in the ladder is drawn again as it goes on.
    connect(m_model, &CallListModel::callsChanged, this, [this](const QList<qint64>& rows) {
        for (qint64 row : rows)
            if (std::find(m_shownCalls.begin(), m_shownCalls.end(), row) != m_shownCalls.end())
                return showCalls(m_shownCalls, true);
    });
    connect(m_filter, &FilterBar::filterChanged, this, [this](const auto& f, bool headers) {
        m_model->setFilter(f, headers);
        m_model->refresh();
    });
    connect(m_filter, &FilterBar::hiddenKindsChanged, this, [this](const QStringList& kinds) {
        m_model->setHiddenKinds(kinds);
        m_model->refresh();
    });
    connect(m_model, &CallListModel::queryFinished, this, [this] { updateCount(); });
    connect(m_model, &CallListModel::queryFailed, this,
            [this](const QString& e) { statusBar()->showMessage(e, 8000); });
    connect(m_table, &CallTable::callsSelected, this,
            [this](const std::vector<qint64>& rows) { showCalls(rows); });
    connect(m_ladder, &LadderPanel::messageSelected, this, &MainWindow::showMessage);
    connect(m_anomalies, &AnomalyPanel::callActivated, this, [this](qint64 row) {
        const int r = m_model->rowOfCall(row);
        if (r >= 0) selectCall(r);
    });
}

// Import and live capture: progress and results in the status bar and the call list.
void MainWindow::connectJobs() {
    connect(m_import, &ImportJob::captureStarted, this, [this](const QString&, qint64 id) {
        if (std::find(m_scope.begin(), m_scope.end(), id) != m_scope.end()) return;
        m_scope.push_back(id);
        if (m_model->databasePath() != m_db) m_model->openDatabase(m_db);
        m_model->setCaptures(m_scope);
        m_model->refreshNow();
    });
    connect(m_import, &ImportJob::progress, this,
            [this](qint64, quint64 bytes, quint64 total, quint64 messages, double rate) {
                m_progress->setRange(0, total ? 1000 : 0);
                if (total) m_progress->setValue(static_cast<int>(1000.0 * bytes / total));
                m_rate->setText(tr("%L1 messages · %L2 msg/s").arg(messages).arg(rate, 0, 'f', 0));
            });
    connect(m_import, &ImportJob::fileFinished, this, [this](const ImportReport& r) {
        if (r.status != QLatin1String("complete") && r.status != QLatin1String("skipped"))
            statusBar()->showMessage(
                tr("%1: %2 %3").arg(QFileInfo(r.path).fileName(), r.status, r.error), 15000);
    });
    connect(m_import, &ImportJob::finished, this, &MainWindow::onImportFinished);
    connect(m_live, &LiveCapture::statistics, this, [this](quint64 received, quint64 dropped) {
        m_rate->setText(tr("capturing: %L1 packets, %L2 dropped").arg(received).arg(dropped));
    });
    connect(m_live, &LiveCapture::finished, this, [this](int code, const QString& messages) {
        if (code != 0)
            QMessageBox::warning(
                this, tr("Live capture"),
                tr("sipscope-capture stopped (exit %1):\n%2").arg(code).arg(messages));
    });
}

MainWindow::~MainWindow() {
    delete m_live;  // stops the helper first: the import then sees the end of its stream
    m_live = nullptr;
    m_import->cancel();
    m_import->wait();
}

QString MainWindow::defaultLibrary() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return dir + QStringLiteral("/library.sqlite");
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open capture or database…"), QKeySequence::Open, this,
                    &MainWindow::openDialog);
    file->addAction(tr("Use &database…"), this, &MainWindow::openDatabaseDialog);
    m_recent = file->addMenu(tr("Open &recent"));
    updateRecentMenu();
    file->addSeparator();
    file->addAction(tr("&Export ladder…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export ladder"), QStringLiteral("ladder.png"),
            tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
        QString error;
        if (!path.isEmpty() && !m_ladder->exportTo(path, &error))
            QMessageBox::warning(this, tr("Export ladder"), error);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* capture = menuBar()->addMenu(tr("&Capture"));
    capture->addAction(tr("&Live capture…"), QKeySequence(Qt::CTRL | Qt::Key_K), this,
                       &MainWindow::liveCaptureDialog);
    QAction* stop = capture->addAction(tr("&Stop capture"), this, &MainWindow::stopLiveCapture);
    capture->addSeparator();
    capture->addAction(tr("&Test call…"), QKeySequence(Qt::CTRL | Qt::Key_T), this,
                       &MainWindow::testCallDialog);
    stop->setEnabled(false);
    connect(m_live, &LiveCapture::statistics, this, [stop] { stop->setEnabled(true); });
    connect(m_live, &LiveCapture::finished, this, [stop] { stop->setEnabled(false); });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Focus &filter"), QKeySequence(Qt::CTRL | Qt::Key_L), this, [this] {
        m_filter->edit()->setFocus();
        m_filter->edit()->selectAll();
    });
    view->addAction(tr("&Refresh"), QKeySequence::Refresh, this, [this] { m_model->refresh(); });
    view->addSeparator();
    for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
    view->addSeparator();
    view->addAction(tr("&Larger font"), QKeySequence::ZoomIn, this, [] { changeFont(+1); });
    view->addAction(tr("&Smaller font"), QKeySequence::ZoomOut, this, [] { changeFont(-1); });
    view->addSeparator();
    view->addAction(tr("Se&ttings…"), QKeySequence::Preferences, this, [this] {
        SettingsDialog dialog(AppSettings::load(), this);
        dialog.setColumns(m_table->columnSettings());
        if (dialog.exec() != QDialog::Accepted) return;
        applyAppearance(dialog.settings());
        m_table->applyColumnSettings(dialog.columns());
        m_table->saveLayout();
    });

    QMenu* ladder = menuBar()->addMenu(tr("&Ladder"));
    ladder->addAction(tr("Copy as &text"), this,
                      [this] { QApplication::clipboard()->setText(m_ladder->asText()); });
    ladder->addAction(tr("Copy as &Mermaid"), this,
                      [this] { QApplication::clipboard()->setText(m_ladder->asMermaid()); });
    ladder->addAction(tr("Show &all lanes"), this, [this] { m_ladder->showAllLanes(); });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About SipScope"), this, [this] {
        QMessageBox::about(
            this, tr("About SipScope"),
            tr("<b>SipScope %1</b><p>SIP traffic analyzer: calls rebuilt by the RFC 3261 "
               "transaction and dialog state machines, drawn as ladders, kept in SQLite.</p>"
               "<p>Database: %2</p>")
                .arg(QStringLiteral(SIPSCOPE_VERSION), m_db.toHtmlEscaped()));
    });
}

void MainWindow::buildStatusBar() {
    m_count = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_rate = new QLabel(this);
    m_cancel = new QPushButton(tr("Cancel"), this);
    connect(m_cancel, &QPushButton::clicked, m_import, &ImportJob::cancel);
    statusBar()->addWidget(m_count, 1);
    statusBar()->addPermanentWidget(m_rate);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    for (QWidget* w : {static_cast<QWidget*>(m_progress), static_cast<QWidget*>(m_rate),
                       static_cast<QWidget*>(m_cancel)})
        w->hide();
}

void MainWindow::setDatabase(const QString& path) {
    m_db = path;
    m_scope.clear();
    QString error;
    if (QFileInfo::exists(path) && !m_model->openDatabase(path, &error))
        QMessageBox::warning(this, tr("Open database"), error);
    else if (!QFileInfo::exists(path))
        m_model->openDatabase({});
    m_model->setCaptures({});
    setWindowTitle(QStringLiteral("SipScope — %1").arg(QFileInfo(path).fileName()));
    reloadPanels();
    updateCount();
}

void MainWindow::openFiles(const QStringList& files) {
    QStringList captures;
    for (const QString& f : files) {
        addRecent(QFileInfo(f).absoluteFilePath());
        if (isDatabase(f))
            setDatabase(f);
        else
            captures << f;
    }
    if (!captures.isEmpty()) {
        m_scope.clear();
        startImport(captures);
    }
}

void MainWindow::changeFont(int delta) {
    AppSettings a = AppSettings::load();
    const double now = a.fontPoints > 0 ? a.fontPoints : QApplication::font().pointSizeF();
    a.fontPoints = std::clamp(now + delta, 7.0, 28.0);
    a.save();
    applyAppearance(a);
}

void MainWindow::startImport(const QStringList& files) {
    if (m_import->running()) {
        QMessageBox::information(this, tr("Import"),
                                 tr("An import is running; wait or cancel it."));
        return;
    }
    if (m_db.isEmpty()) setDatabase(defaultLibrary());
    m_import->setOptions(AppSettings::load().importOptions());
    m_import->start(m_db, files);
    m_progress->setRange(0, 0);
    for (QWidget* w : {static_cast<QWidget*>(m_progress), static_cast<QWidget*>(m_rate),
                       static_cast<QWidget*>(m_cancel)})
        w->show();
    m_rate->setText(tr("importing %1").arg(QFileInfo(files.front()).fileName()));
    m_liveTimer->start();
}

void MainWindow::onImportFinished(bool cancelled) {
    m_liveTimer->stop();
    for (QWidget* w : {static_cast<QWidget*>(m_progress), static_cast<QWidget*>(m_rate),
                       static_cast<QWidget*>(m_cancel)})
        w->hide();
    if (m_model->databasePath() != m_db) m_model->openDatabase(m_db);
    m_model->setCaptures(m_scope);
    m_model->refreshNow();
    reloadPanels();
    if (cancelled) statusBar()->showMessage(tr("Import cancelled: what was read is kept"), 8000);
    emit importFinished();
}

void MainWindow::reloadPanels() {
    if (m_db.isEmpty() || !QFileInfo::exists(m_db)) return;
    m_anomalies->loadInBackground(m_db, m_scope);
    m_stats->loadInBackground(m_db, m_scope);
}

void MainWindow::updateCount() {
    const int shown = m_model->rowCount();
    m_count->setText(tr("%1 shown · %L2 in %3")
                         .arg(shown == 1 ? tr("1 call") : tr("%L1 calls").arg(shown))
                         .arg(m_model->totalCalls())
                         .arg(QFileInfo(m_db).fileName()));
}

void MainWindow::openDialog() {
    QSettings s;
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open captures or a SipScope database"),
        s.value(QStringLiteral("lastDir"), QDir::homePath()).toString(),
        tr("Captures and databases (*.pcap *.pcapng *.cap *.gz *.sqlite *.db);;"
           "All files (*)"));
    if (files.isEmpty()) return;
    s.setValue(QStringLiteral("lastDir"), QFileInfo(files.front()).absolutePath());
    openFiles(files);
}

void MainWindow::liveCaptureDialog() {
    if (m_live->running() || m_import->running()) {
        QMessageBox::information(this, tr("Live capture"),
                                 tr("A capture or an import is running; stop it first."));
        return;
    }
    LiveCaptureDialog dialog(findCaptureHelper(), this);
    if (dialog.exec() != QDialog::Accepted) return;
    QString error;
    if (!startLiveCapture(dialog.options(), &error))
        QMessageBox::warning(this, tr("Live capture"), error);
}

bool MainWindow::startLiveCapture(const LiveCaptureOptions& options, QString* error) {
    const QString helper = findCaptureHelper();
    if (helper.isEmpty()) {
        if (error) *error = tr("sipscope-capture was not found beside sipscope or on PATH");
        return false;
    }
    if (m_live->running() || m_import->running() || !m_live->start(helper, options, error))
        return false;
    m_scope.clear();
    startImport({m_live->fifoPath()});
    m_rate->setText(tr("capturing on %1").arg(options.interfaces.join(QStringLiteral(", "))));
    return true;
}

void MainWindow::stopLiveCapture() {
    m_live->stop();
}

void MainWindow::openDatabaseDialog() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Use a SipScope database (existing or new)"), m_db,
        tr("SipScope databases (*.sqlite *.db)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (path.isEmpty()) return;
    addRecent(path);
    setDatabase(path);
}

void MainWindow::addRecent(const QString& path) {
    QSettings s;
    QStringList recent = s.value(QStringLiteral("recent")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > 10) recent.removeLast();
    s.setValue(QStringLiteral("recent"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu() {
    m_recent->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recent")).toStringList();
    for (const QString& path : recent)
        m_recent->addAction(QFileInfo(path).fileName(), this, [this, path] { openFiles({path}); })
            ->setToolTip(path);
    m_recent->setEnabled(!recent.isEmpty());
}

bool MainWindow::selectCall(int row) {
    if (row < 0 || row >= m_model->rowCount()) return false;
    m_table->selectRow(row);
    m_table->scrollTo(m_model->index(row, 0));
    return true;
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (m_live->running()) m_live->stop();
    if (m_import->running()) m_import->cancel();
    m_import->wait();
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("filter/hiddenKinds"), m_filter->hiddenKinds());
    m_table->saveLayout();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    QStringList files;
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile()) files << url.toLocalFile();
    if (!files.isEmpty()) openFiles(files);
    event->acceptProposedAction();
}

}  // namespace sipscope::gui
