#include "anomaly_panel.hpp"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QRegularExpression>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
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

QString seqsText(const std::vector<std::uint64_t>& seqs) {
    QStringList parts;
    for (auto s : seqs) parts << QString::number(s);
    return parts.join(QStringLiteral(", "));
}

}  // namespace

AnomalyModel::AnomalyModel(QObject* parent) : QAbstractTableModel(parent) {}

void AnomalyModel::load(const QString& dbPath, const std::vector<std::int64_t>& captureIds) {
    m_error.clear();
    std::vector<analyzer::store::PanelAnomaly> rows;
    try {
        analyzer::store::StoreReader reader(dbPath.toStdString());
        rows = analyzer::store::panelAnomalies(reader, captureIds);
    } catch (const analyzer::sql::Error& e) {
        m_error = qs(e.message);
    }
    setAnomalies(std::move(rows));
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
            return seqsText(a.messageSeqs);
        default:
            return {};
    }
}

QVariant AnomalyModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
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
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.isValid())
            emit callActivated(index.data(AnomalyModel::kCallRowRole).toLongLong());
    });

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
    const QString previous = codeFilter();
    m_model->load(dbPath, captureIds);
    refillCodes();
    setCodeFilter(previous);
    for (int c : {AnomalyModel::Time, AnomalyModel::Code, AnomalyModel::Rfc, AnomalyModel::CallId,
                  AnomalyModel::Messages})
        m_view->resizeColumnToContents(c);
    updateSummary();
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
