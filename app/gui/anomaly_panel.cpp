#include "anomaly_panel.hpp"

#include <QComboBox>
#include <QDateTime>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <map>
#include <set>

namespace sipscope::gui {

namespace {

QString qs(const std::string& s) {
    return QString::fromStdString(s);
}

QDateTime utcOf(std::int64_t ns) {
    return QDateTime::fromMSecsSinceEpoch(ns / 1000000, Qt::UTC);
}

// The first few message numbers; `all` lists every one (the tooltip).
QString seqsText(const std::vector<std::uint64_t>& seqs, bool all) {
    constexpr std::size_t kShown = 4;
    QStringList parts;
    for (std::size_t i = 0; i < seqs.size() && (all || i < kShown); ++i)
        parts << QString::number(seqs[i]);
    QString text = parts.join(QStringLiteral(", "));
    if (!all && seqs.size() > kShown) text += QStringLiteral(" … (%1)").arg(seqs.size());
    return text;
}

}  // namespace

AnomalyModel::AnomalyModel(QObject* parent) : QAbstractTableModel(parent) {}

AnomalyModel::Loaded AnomalyModel::read(const QString& dbPath,
                                        const std::vector<std::int64_t>& captureIds) {
    Loaded out;
    try {
        analyzer::store::StoreReader reader(dbPath.toStdString());
        out.rows = analyzer::store::panelAnomalies(reader, captureIds);
    } catch (const analyzer::sql::Error& e) {
        out.error = qs(e.message);
    }
    return out;
}

void AnomalyModel::load(const QString& dbPath, const std::vector<std::int64_t>& captureIds) {
    setLoaded(read(dbPath, captureIds));
}

void AnomalyModel::setLoaded(Loaded loaded) {
    m_error = std::move(loaded.error);
    setAnomalies(std::move(loaded.rows));
}

void AnomalyModel::setAnomalies(std::vector<analyzer::store::PanelAnomaly> anomalies) {
    beginResetModel();
    m_rows = std::move(anomalies);
    endResetModel();
}

int AnomalyModel::callCount() const {
    std::set<std::int64_t> calls;
    for (const auto& a : m_rows) calls.insert(a.callRow);
    return static_cast<int>(calls.size());
}

std::vector<std::pair<QString, int>> AnomalyModel::codeCounts() const {
    std::map<std::string, int> counts;
    for (const auto& a : m_rows) ++counts[a.code];
    std::vector<std::pair<QString, int>> out;
    for (const auto& [code, n] : counts) out.emplace_back(qs(code), n);
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

int AnomalyModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int AnomalyModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AnomalyModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto& a = m_rows[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    if (role == kCallRowRole) return qlonglong(a.callRow);
    if (role == kSortRole) {
        if (column == Time) return qlonglong(a.tsNs);
        if (column == Messages) return a.messageSeqs.empty() ? -1 : qlonglong(a.messageSeqs[0]);
        return data(index, Qt::DisplayRole);
    }
    if (role == Qt::ToolTipRole) {
        if (column == Time) return utcOf(a.tsNs).toString(Qt::ISODateWithMs);
        if (column == Messages) return tr("Messages %1").arg(seqsText(a.messageSeqs, true));
        return QStringLiteral("%1 (%2)\n%3").arg(qs(a.code), qs(a.rfc), qs(a.text));
    }
    if (role != Qt::DisplayRole) return {};
    switch (column) {
        case Time:
            return utcOf(a.tsNs).toString(QStringLiteral("HH:mm:ss.zzz"));
        case Code:
            return qs(a.code);
        case Rfc:
            return qs(a.rfc);
        case Text:
            return qs(a.text);
        case CallId:
            return qs(a.callId);
        case Messages:
            return seqsText(a.messageSeqs, false);
        default:
            return {};
    }
}

QVariant AnomalyModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole && section == Time)
        return tr("When the first message the anomaly names was captured");
    if (role != Qt::DisplayRole) return {};
    switch (section) {
        case Time:
            return tr("Time (UTC)");
        case Code:
            return tr("Code");
        case Rfc:
            return tr("RFC section");
        case Text:
            return tr("Description");
        case CallId:
            return tr("Call-ID");
        case Messages:
            return tr("Messages");
        default:
            return {};
    }
}

AnomalyPanel::AnomalyPanel(QWidget* parent) : QWidget(parent) {
    m_model = new AnomalyModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(AnomalyModel::kSortRole);
    m_proxy->setFilterKeyColumn(AnomalyModel::Code);

    m_codes = new QComboBox(this);
    m_codes->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_codes, &QComboBox::currentIndexChanged, this, [this](int i) {
        const QString code = m_codes->itemData(i).toString();
        m_proxy->setFilterRegularExpression(
            code.isEmpty()
                ? QRegularExpression()
                : QRegularExpression(QLatin1Char('^') + QRegularExpression::escape(code) +
                                     QLatin1Char('$')));
        updateSummary();
    });
    m_summary = new QLabel(this);

    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(AnomalyModel::Time, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setSectionResizeMode(AnomalyModel::Text, QHeaderView::Stretch);
    connect(m_view, &QTableView::doubleClicked, this, &AnomalyPanel::activate);
    m_view->installEventFilter(this);  // Return/Enter opens the current row's call too

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Code:"), this));
    top->addWidget(m_codes);
    top->addStretch(1);
    top->addWidget(m_summary);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    refillCodes();
}

void AnomalyPanel::load(const QString& dbPath, const std::vector<std::int64_t>& captureIds) {
    ++m_generation;
    showLoaded(AnomalyModel::read(dbPath, captureIds));
}

void AnomalyPanel::loadInBackground(const QString& dbPath,
                                    const std::vector<std::int64_t>& captureIds) {
    const quint64 generation = ++m_generation;
    auto* watcher = new QFutureWatcher<AnomalyModel::Loaded>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation == m_generation) showLoaded(watcher->result());
    });
    watcher->setFuture(
        QtConcurrent::run([dbPath, captureIds] { return AnomalyModel::read(dbPath, captureIds); }));
}

void AnomalyPanel::showLoaded(AnomalyModel::Loaded result) {
    const QString previous = codeFilter();
    m_model->setLoaded(std::move(result));
    refillCodes();
    setCodeFilter(previous);
    for (int c : {AnomalyModel::Time, AnomalyModel::Code, AnomalyModel::Rfc, AnomalyModel::CallId,
                  AnomalyModel::Messages})
        m_view->resizeColumnToContents(c);
    updateSummary();
    emit loaded();
}

void AnomalyPanel::activate(const QModelIndex& index) {
    if (index.isValid()) emit callActivated(index.data(AnomalyModel::kCallRowRole).toLongLong());
}

bool AnomalyPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_view && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent*>(event)->key();
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            activate(m_view->currentIndex());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void AnomalyPanel::setCodeFilter(const QString& code) {
    const int i = code.isEmpty() ? 0 : m_codes->findData(code);
    m_codes->setCurrentIndex(i < 0 ? 0 : i);
}

QString AnomalyPanel::codeFilter() const {
    return m_codes->currentData().toString();
}

void AnomalyPanel::refillCodes() {
    const QSignalBlocker block(m_codes);
    m_codes->clear();
    m_codes->addItem(tr("All codes (%1)").arg(m_model->rowCount()), QString());
    for (const auto& [code, n] : m_model->codeCounts())
        m_codes->addItem(QStringLiteral("%1 (%2)").arg(code).arg(n), code);
    m_codes->setCurrentIndex(0);
    m_proxy->setFilterRegularExpression(QRegularExpression());
}

void AnomalyPanel::updateSummary() {
    if (!m_model->errorString().isEmpty()) {
        m_summary->setText(m_model->errorString());
        return;
    }
    m_summary->setText(tr("%1 of %2 anomalies · %3 calls")
                           .arg(m_proxy->rowCount())
                           .arg(m_model->rowCount())
                           .arg(m_model->callCount()));
}

}  // namespace sipscope::gui

#include "moc_anomaly_panel.cpp"
