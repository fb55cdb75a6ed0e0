#include "stats_panel.hpp"

#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "code_histogram.hpp"
#include "store/store_panels.hpp"

namespace sipscope::gui {

namespace {

QString percentText(const std::optional<double>& v) {
    return v ? QString::number(*v, 'f', 1) : QStringLiteral("–");
}

QString msText(const std::optional<double>& v) {
    return v ? QString::number(*v, 'f', *v < 10 ? 1 : 0) : QStringLiteral("–");
}

// Sorts the peers and keeps the total row last whatever the order.
class TotalLastProxy : public QSortFilterProxyModel {
  public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

  protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override {
        const bool lt = left.data(PeerStatsModel::kTotalRole).toBool();
        const bool rt = right.data(PeerStatsModel::kTotalRole).toBool();
        if (lt != rt) return (sortOrder() == Qt::AscendingOrder) ? rt : lt;
        return QSortFilterProxyModel::lessThan(left, right);
    }
};

}  // namespace

PeerStatsModel::PeerStatsModel(QObject* parent) : QAbstractTableModel(parent) {
    m_total.peer = "total";
}

PeerStatsModel::Loaded PeerStatsModel::read(const QString& dbPath,
                                            const std::vector<std::int64_t>& captureIds) {
    Loaded out;
    try {
        analyzer::store::StoreReader reader(dbPath.toStdString());
        for (const auto& r : analyzer::store::panelCallRecords(reader, captureIds)) {
            out.stats.add(r);
            ++out.exchanges;
        }
    } catch (const analyzer::sql::Error& e) {
        out = Loaded{};
        out.error = QString::fromStdString(e.message);
    }
    return out;
}

void PeerStatsModel::load(const QString& dbPath, const std::vector<std::int64_t>& captureIds) {
    const Loaded loaded = read(dbPath, captureIds);
    setStats(loaded.stats, loaded.error);
}

void PeerStatsModel::setStats(const analyzer::StatsAggregator& stats, const QString& error) {
    m_error = error;
    beginResetModel();
    m_peers = stats.peers();
    m_total = stats.total();
    m_total.peer = "total";
    endResetModel();
}

const analyzer::PeerStats& PeerStatsModel::statsAt(int row) const {
    return isTotalRow(row) ? m_total : m_peers.at(static_cast<std::size_t>(row));
}

int PeerStatsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_peers.size()) + 1;
}

int PeerStatsModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PeerStatsModel::value(const analyzer::PeerStats& s, int column) const {
    auto opt = [](const std::optional<double>& v) { return v ? *v : -1.0; };
    switch (column) {
        case Peer:
            return QString::fromStdString(s.peer);
        case Sessions:
            return s.sessions;
        case Answered:
            return s.answered;
        case Ser:
            return opt(s.ser());
        case Seer:
            return opt(s.seer());
        case Isa:
            return opt(s.isa());
        case Scr:
            return opt(s.scr());
        case MeanPdd:
            return opt(s.pdd.meanMs());
        case MeanSrd:
            return opt(s.srd.meanMs());
        case Registrations:
            return s.registrations;
        case Ira:
            return opt(s.ira());
        case Retransmissions:
            return s.retransmissions;
        case Anomalies:
            return s.anomalies;
        default:
            return {};
    }
}

QVariant PeerStatsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto& s = statsAt(index.row());
    const int column = index.column();
    switch (role) {
        case kTotalRole:
            return isTotalRow(index.row());
        case kSortRole:
            return value(s, column);
        case Qt::TextAlignmentRole:
            return int(column == Peer ? Qt::AlignLeft | Qt::AlignVCenter
                                      : Qt::AlignRight | Qt::AlignVCenter);
        case Qt::FontRole: {
            if (!isTotalRow(index.row())) return {};
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        case Qt::DisplayRole:
            break;
        default:
            return {};
    }
    switch (column) {
        case Ser:
            return percentText(s.ser());
        case Seer:
            return percentText(s.seer());
        case Isa:
            return percentText(s.isa());
        case Scr:
            return percentText(s.scr());
        case Ira:
            return percentText(s.ira());
        case MeanPdd:
            return msText(s.pdd.meanMs());
        case MeanSrd:
            return msText(s.srd.meanMs());
        case Peer:
            return isTotalRow(index.row()) ? tr("Total") : value(s, column);
        default:
            return value(s, column);
    }
}

QVariant PeerStatsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    static const char* const kNames[ColumnCount] = {
        "Peer",   "Sessions", "Answered", "SER %", "SEER %",   "ISA %",    "SCR %",
        "PDD ms", "SRD ms",   "Reg.",     "IRA %", "Retrans.", "Anomalies"};
    static const char* const kTips[ColumnCount] = {
        "The node that received the call's first request",
        "INVITE session attempts",
        "Sessions answered 2xx",
        "Session Establishment Ratio (RFC 6076 §4.6): 2xx / (attempts - 3xx)",
        "Session Establishment Effectiveness Ratio (RFC 6076 §4.7): 200, 480, 486, 600, 603",
        "Ineffective Session Attempts (RFC 6076 §4.8): 408, 500, 503, 504 or no answer",
        "Session Completion Ratio (RFC 6076 §4.9): answered and ended by BYE",
        "Mean post-dial delay (RFC 6076 §4.3): request to first 18x",
        "Mean session request delay (RFC 6076 §4.3): request to first status",
        "REGISTER exchanges",
        "Ineffective Registration Attempts (RFC 6076 §4.2)",
        "Retransmitted messages",
        "Protocol anomalies"};
    if (section < 0 || section >= ColumnCount) return {};
    if (role == Qt::DisplayRole) return tr(kNames[section]);
    if (role == Qt::ToolTipRole) return tr(kTips[section]);
    return {};
}

StatsPanel::StatsPanel(QWidget* parent) : QWidget(parent) {
    m_model = new PeerStatsModel(this);
    m_proxy = new TotalLastProxy(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(PeerStatsModel::kSortRole);
    m_view = new QTableView(this);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(PeerStatsModel::Peer, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    // The peer column fits its addresses; the numbers share the rest.
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_view->horizontalHeader()->setSectionResizeMode(PeerStatsModel::Peer,
                                                     QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setMinimumSectionSize(m_view->fontMetrics().averageCharWidth() * 7);
    m_histogram = new CodeHistogram(this);
    m_summary = new QLabel(this);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_view);
    split->addWidget(m_histogram);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);
}

void StatsPanel::load(const QString& dbPath, const std::vector<std::int64_t>& captureIds) {
    ++m_generation;
    showLoaded(PeerStatsModel::read(dbPath, captureIds));
}

void StatsPanel::loadInBackground(const QString& dbPath,
                                  const std::vector<std::int64_t>& captureIds) {
    const quint64 generation = ++m_generation;
    auto* watcher = new QFutureWatcher<PeerStatsModel::Loaded>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation == m_generation) showLoaded(watcher->result());
    });
    watcher->setFuture(QtConcurrent::run(
        [dbPath, captureIds] { return PeerStatsModel::read(dbPath, captureIds); }));
}

void StatsPanel::showLoaded(const PeerStatsModel::Loaded& result) {
    setStats(result.stats, result.exchanges);
    if (!result.error.isEmpty()) m_summary->setText(result.error);
    emit loaded();
}

void StatsPanel::setStats(const analyzer::StatsAggregator& stats, std::uint32_t exchanges) {
    m_model->setStats(stats);
    const auto& t = stats.total();
    std::uint32_t withFinal = 0;
    for (const auto& [code, n] : t.finalCodes) withFinal += n;
    m_histogram->setCounts(t.finalCodes, exchanges > withFinal ? exchanges - withFinal : 0);
    auto count = [](std::uint32_t n, const QString& one, const QString& many) {
        return n == 1 ? one : many.arg(n);
    };
    m_summary->setText(QStringList{
        count(exchanges, tr("1 exchange"), tr("%1 exchanges")),
        count(t.sessions, tr("1 session"), tr("%1 sessions")) +
            tr(" (%1 answered)").arg(t.answered),
        count(t.registrations, tr("1 registration"), tr("%1 registrations")),
        tr("%1 other").arg(t.otherExchanges),
        count(static_cast<std::uint32_t>(m_model->rowCount() - 1), tr("1 peer"), tr("%1 peers"))}
                           .join(QStringLiteral(" · ")));
}

}  // namespace sipscope::gui

#include "moc_stats_panel.cpp"
