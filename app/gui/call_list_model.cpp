#include "call_list_model.hpp"

#include <QApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QPalette>
#include <QTimeZone>
#include <QtConcurrent>

#include "state_style.hpp"

namespace sipscope::gui {

using analyzer::store::CallQuery;
using analyzer::store::CallSortKey;
using analyzer::store::StoredCall;

namespace {

QString utcTime(std::int64_t ns) {
    return QDateTime::fromMSecsSinceEpoch(ns / 1'000'000, Qt::UTC)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QString qs(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

bool numeric(int column) {
    switch (column) {
        case CallListModel::Duration:
        case CallListModel::Pdd:
        case CallListModel::Messages:
        case CallListModel::Legs:
        case CallListModel::Anomalies:
            return true;
        default:
            return false;
    }
}

const char* kColumnNames[] = {"Start (UTC)", "Duration",   "From",    "To",   "State",
                              "Final code",  "PDD",        "Msgs",    "Legs", "Transport",
                              "Anomalies",   "User agent", "Call-ID", "Kind"};

}  // namespace

CallListModel::CallListModel(QObject* parent)
    : QAbstractTableModel(parent), m_watcher(new QFutureWatcher<Result>(this)) {
    connect(m_watcher, &QFutureWatcher<Result>::finished, this, [this] {
        Result r = m_watcher->result();
        if (r.generation != m_generation) return;  // a newer query replaced it
        m_pending = false;
        applyResult(std::move(r));
    });
}

CallListModel::~CallListModel() {
    cancelRunning();
    m_watcher->waitForFinished();
}

bool CallListModel::openDatabase(const QString& path, QString* error) {
    cancelRunning();
    beginResetModel();
    m_reader.reset();
    m_rows.clear();
    m_inProgress.clear();
    m_pages.clear();
    m_pageOrder.clear();
    m_lastRow = 0;
    m_path = path;
    bool ok = true;
    if (!path.isEmpty()) {
        try {
            m_reader = std::make_unique<analyzer::store::StoreReader>(path.toStdString());
        } catch (const analyzer::sql::Error& e) {
            if (error) *error = qs(e.message);
            m_path.clear();
            ok = false;
        }
    }
    endResetModel();
    if (ok && m_reader) refreshNow();
    return ok;
}

void CallListModel::setCaptures(std::vector<std::int64_t> captures) {
    m_query.captures = std::move(captures);
}

void CallListModel::setFilter(const analyzer::Filter& filter, bool usesHeaders) {
    m_query.filter = filter;
    m_query.filterUsesHeaders = usesHeaders;
}

void CallListModel::setHiddenKinds(const QStringList& kinds) {
    m_query.hideKinds.clear();
    for (const auto& k : kinds) m_query.hideKinds.push_back(k.toStdString());
}

void CallListModel::addHeaderColumn(const QString& name) {
    if (name.trimmed().isEmpty() || m_headerColumns.contains(name, Qt::CaseInsensitive)) return;
    const int column = FixedColumns + static_cast<int>(m_headerColumns.size());
    beginInsertColumns({}, column, column);
    m_headerColumns.push_back(name.trimmed());
    m_pages.clear();
    m_pageOrder.clear();
    endInsertColumns();
}

void CallListModel::removeHeaderColumn(const QString& name) {
    const int i = static_cast<int>(m_headerColumns.indexOf(name));
    if (i < 0) return;
    beginRemoveColumns({}, FixedColumns + i, FixedColumns + i);
    m_headerColumns.removeAt(i);
    m_pages.clear();
    m_pageOrder.clear();
    endRemoveColumns();
}

void CallListModel::cancelRunning() {
    if (m_cancel) m_cancel->store(true);
}

CallListModel::Result CallListModel::runQuery(const QString& path, const CallQuery& query,
                                              int generation, const std::atomic<bool>& cancel) {
    Result r;
    r.generation = generation;
    QElapsedTimer t;
    t.start();
    try {
        analyzer::store::StoreReader reader(path.toStdString());
        CallQuery q = query;
        r.lastRow = analyzer::store::lastCallRow(reader);
        q.upToRow = r.lastRow;
        r.rows = analyzer::store::findCallRows(reader, q, cancel);
        r.inProgress = inProgressOf(reader, r.rows, 0, r.lastRow);
    } catch (const analyzer::sql::Error& e) {
        r.error = qs(e.message);
    }
    r.ms = t.elapsed();
    return r;
}

void CallListModel::refresh() {
    if (!m_reader) return;
    cancelRunning();
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const int generation = ++m_generation;
    m_pending = true;
    emit queryStarted();
    m_watcher->setFuture(
        QtConcurrent::run([path = m_path, query = m_query, generation, cancel = m_cancel] {
            return runQuery(path, query, generation, *cancel);
        }));
}

void CallListModel::refreshNow() {
    if (!m_reader) return;
    cancelRunning();
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    const int generation = ++m_generation;
    m_pending = false;
    emit queryStarted();
    applyResult(runQuery(m_path, m_query, generation, *m_cancel));
}

bool CallListModel::busy() const {
    return m_pending;  // until the result is applied, not only while the worker runs
}

void CallListModel::applyResult(Result&& r) {
    if (!r.error.isEmpty()) {
        emit queryFailed(r.error);
        return;
    }
    beginResetModel();
    m_rows = std::move(r.rows);
    m_lastRow = r.lastRow;
    m_inProgress = std::move(r.inProgress);
    m_pages.clear();
    m_pageOrder.clear();
    endResetModel();
    emit queryFinished(static_cast<int>(m_rows.size()), r.ms);
}

std::uint64_t CallListModel::totalCalls() {
    if (!m_reader) return 0;
    analyzer::sql::Statement s(m_reader->database(), "SELECT COUNT(*) FROM calls");
    return s.step() ? static_cast<std::uint64_t>(s.integer(0)) : 0;
}

qint64 CallListModel::callRowAt(int row) const {
    return row >= 0 && row < rowCount() ? m_rows[static_cast<std::size_t>(row)] : 0;
}

int CallListModel::rowOfCall(qint64 callRow) const {
    auto it = std::find(m_rows.begin(), m_rows.end(), callRow);
    return it == m_rows.end() ? -1 : static_cast<int>(it - m_rows.begin());
}

std::optional<StoredCall> CallListModel::callAt(int row) const {
    const Page* p = page(row);
    if (!p) return std::nullopt;
    const auto i = static_cast<std::size_t>(row % kPageSize);
    if (i >= p->calls.size()) return std::nullopt;
    return p->calls[i];
}

const CallListModel::Page* CallListModel::page(int row) const {
    if (!m_reader || row < 0 || row >= rowCount()) return nullptr;
    const int index = row / kPageSize;
    if (auto it = m_pages.find(index); it != m_pages.end()) return &it->second;
    const auto first = static_cast<std::size_t>(index) * kPageSize;
    const auto last = std::min(m_rows.size(), first + kPageSize);
    Page p;
    try {
        p.calls = m_reader->callsByRows({m_rows.begin() + static_cast<std::ptrdiff_t>(first),
                                         m_rows.begin() + static_cast<std::ptrdiff_t>(last)});
        for (const auto& c : p.calls) {
            QStringList values;
            for (const auto& h : m_headerColumns) {
                QStringList parts;
                for (const auto& v : initialRequestHeader(*m_reader, c, h.toStdString()))
                    parts << qs(v);
                values << parts.join(QStringLiteral(", "));
            }
            p.headers.push_back(values);
        }
        const int columns = columnCount();
        for (std::size_t i = 0; i < p.calls.size(); ++i) {
            std::vector<QVariant> row(static_cast<std::size_t>(columns));
            for (int c = 0; c < columns; ++c)
                row[static_cast<std::size_t>(c)] = display(p.calls[i], p, static_cast<int>(i), c);
            p.text.push_back(std::move(row));
        }
    } catch (const analyzer::sql::Error&) {
        return nullptr;  // the database went away; rows show empty until the next query
    }
    if (m_pageOrder.size() >= kMaxPages) {
        m_pages.erase(m_pageOrder.front());
        m_pageOrder.pop_front();
    }
    m_pageOrder.push_back(index);
    return &m_pages.emplace(index, std::move(p)).first->second;
}

int CallListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CallListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : FixedColumns + static_cast<int>(m_headerColumns.size());
}

QVariant CallListModel::display(const StoredCall& c, const Page& p, int index, int column) const {
    const auto& r = c.record;
    switch (column) {
        case Start:
            return utcTime(c.startNs);
        case Duration:
            if (r.answerNs && r.endNs)
                return QString::number(static_cast<double>(*r.endNs - *r.answerNs) / 1e9, 'f', 1);
            return {};
        case From:
            return qs(r.fromUser);
        case To:
            return qs(r.toUser);
        case State:  // number 0: a snapshot of a call still being followed (importing)
            return r.number == 0 ? stateLabel(r.state) + QStringLiteral(" …") : stateLabel(r.state);
        case FinalCode:
            return r.finalCode
                       ? QString::number(*r.finalCode) + QLatin1Char(' ') + qs(r.finalReason)
                       : QString();
        case Pdd:
            return r.metrics.pddMs ? QString::number(*r.metrics.pddMs, 'f', 0) : QString();
        case Messages:
            return r.messages;
        case Legs:
            return r.legs;
        case Transport:
            return qs(r.transport).toUpper();
        case Anomalies:
            return static_cast<int>(r.anomalies.size());
        case UserAgent:
            return qs(r.userAgent);
        case CallId:
            return qs(c.callId);
        case Kind:
            return QString::fromLatin1(analyzer::callKindName(r.kind));
        default: {
            const int h = column - FixedColumns;
            const auto& values = p.headers[static_cast<std::size_t>(index)];
            return h >= 0 && h < values.size() ? values[h] : QString();
        }
    }
}

QVariant CallListModel::tooltip(const StoredCall& c, int column) const {
    const auto& r = c.record;
    if (column == Anomalies && !r.anomalies.empty()) {
        QStringList codes;
        for (const auto& a : r.anomalies) codes << qs(a.code);
        return codes.join(QStringLiteral("\n"));
    }
    if (column == State && r.number == 0)
        return tr("%1 (%2) so far: the capture is still being read, and the call goes on")
            .arg(stateLabel(r.state), QString::fromLatin1(analyzer::callStateName(r.state)));
    if (column == State)
        return QStringLiteral("%1 (%2)").arg(stateLabel(r.state),
                                             QString::fromLatin1(analyzer::callStateName(r.state)));
    return QStringLiteral("%1 → %2\nCall-ID %3").arg(qs(r.caller), qs(r.callee), qs(c.callId));
}

QVariant CallListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
    if (role == CallRowRole) return callRowAt(index.row());
    if (role == Qt::TextAlignmentRole)
        return QVariant::fromValue(numeric(index.column()) ? Qt::AlignRight | Qt::AlignVCenter
                                                           : Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::DecorationRole && role != Qt::ForegroundRole &&
        role != Qt::ToolTipRole)
        return {};
    const Page* p = page(index.row());
    const auto i = index.row() % kPageSize;
    if (!p || static_cast<std::size_t>(i) >= p->calls.size()) return {};
    const StoredCall& c = p->calls[static_cast<std::size_t>(i)];
    switch (role) {
        case Qt::DisplayRole: {
            const auto& row = p->text[static_cast<std::size_t>(i)];
            const auto column = static_cast<std::size_t>(index.column());
            return column < row.size() ? row[column] : QVariant();
        }
        case Qt::ToolTipRole:
            return tooltip(c, index.column());
        case Qt::DecorationRole:
            return index.column() == State
                       ? QVariant(stateIcon(c.record.state, QApplication::palette()))
                       : QVariant();
        case Qt::ForegroundRole:
            if (index.column() == State || index.column() == FinalCode)
                return stateColor(c.record.state, QApplication::palette());
            return {};
    }
    return {};
}

QVariant CallListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount()) return {};
    if (role == Qt::DisplayRole) {
        if (section < FixedColumns) return QString::fromUtf8(kColumnNames[section]);
        return m_headerColumns[section - FixedColumns];
    }
    if (role == Qt::ToolTipRole && section >= FixedColumns)
        return tr("Header %1 of the call's initial request")
            .arg(m_headerColumns[section - FixedColumns]);
    return {};
}

void CallListModel::sort(int column, Qt::SortOrder order) {
    static constexpr CallSortKey kKeys[] = {
        CallSortKey::Start,  CallSortKey::Duration,  CallSortKey::From,      CallSortKey::To,
        CallSortKey::State,  CallSortKey::FinalCode, CallSortKey::Pdd,       CallSortKey::Messages,
        CallSortKey::Legs,   CallSortKey::Transport, CallSortKey::Anomalies, CallSortKey::UserAgent,
        CallSortKey::CallId, CallSortKey::Kind};
    if (column < 0 || column >= FixedColumns) return;  // header columns keep the order
    const bool descending = order == Qt::DescendingOrder;
    if (m_query.sort == kKeys[column] && m_query.descending == descending) return;
    m_query.sort = kKeys[column];
    m_query.descending = descending;
    refresh();
}

}  // namespace sipscope::gui
