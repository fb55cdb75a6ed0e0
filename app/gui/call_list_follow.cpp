// The call list while captures import: calls written since the last query are added at the end,
// and calls still in progress are followed. The importer writes each call in progress as a
// snapshot (number 0) and rewrites that row in place as the call goes on, then once more when
// the call is over; the list repaints such a row, drops it when it no longer matches the
// filter, or adds it when it starts to match.

#include <algorithm>
#include <unordered_set>

#include "call_list_model.hpp"

namespace sipscope::gui {

using analyzer::store::CallQuery;

namespace {

// What a row shows that changes while a call goes on; a different signature means a repaint.
constexpr const char* kSignature =
    "messages || ':' || state || ':' || number || ':' || legs || ':' || IFNULL(final_code, '') "
    "|| ':' || IFNULL(end_ns, '') || ':' || IFNULL(anomaly_codes, '')";

// Rows read per statement (SQLite's default limit on parameters is far above it).
constexpr std::size_t kChunk = 500;
// Changed calls handled per appendNew(); the rest wait for the next one (the GUI thread stays
// responsive while a big capture imports).
constexpr int kMaxChangesPerCall = 512;

}  // namespace

// The calls in progress of the captures being imported, with row ids in (after, upTo]; `listed`
// says which rows the list shows.
std::unordered_map<std::int64_t, CallListModel::Followed> CallListModel::inProgressOf(
    analyzer::store::StoreReader& reader, const std::vector<std::int64_t>& listed,
    std::int64_t after, std::int64_t upTo) {
    std::unordered_map<std::int64_t, Followed> out;
    analyzer::sql::Statement s(
        reader.database(),
        std::string("SELECT id, capture_id, ") + kSignature +
            " FROM calls WHERE capture_id IN (SELECT id FROM captures WHERE status = "
            "'importing') AND number = 0 AND id > ? AND id <= ?");
    s.bind(1, after).bind(2, upTo);
    while (s.step()) out[s.integer(0)] = {s.text(2), s.integer(1), false};
    if (out.empty()) return out;
    for (std::int64_t row : listed)
        if (auto it = out.find(row); it != out.end()) it->second.listed = true;
    return out;
}

int CallListModel::appendNew() {
    if (!m_reader || busy()) return 0;
    CallQuery q = m_query;
    q.afterRow = m_lastRow;
    q.upToRow = analyzer::store::lastCallRow(*m_reader);
    int changes = 0;
    if (q.upToRow > m_lastRow) {
        std::atomic<bool> never{false};
        auto rows = analyzer::store::findCallRows(*m_reader, q, never);
        for (auto& [row, f] : inProgressOf(*m_reader, rows, m_lastRow, q.upToRow))
            m_inProgress[row] = std::move(f);
        m_lastRow = q.upToRow;
        if (!rows.empty()) {
            const int first = static_cast<int>(m_rows.size());
            beginInsertRows({}, first, first + static_cast<int>(rows.size()) - 1);
            m_rows.insert(m_rows.end(), rows.begin(), rows.end());
            forgetPage(first);  // the last page was cut where the list ended
            endInsertRows();
            changes += static_cast<int>(rows.size());
        }
    }
    QList<qint64> changed;
    changes += followChanges(changed);
    if (!changed.isEmpty()) emit callsChanged(changed);
    return changes;
}

// Re-reads the followed calls; those that changed are repainted, removed or added as they now
// match the query. A call reported (number set) or gone is no longer followed.
int CallListModel::followChanges(QList<qint64>& changed) {
    if (m_inProgress.empty()) return 0;
    std::vector<std::int64_t> ids;
    ids.reserve(m_inProgress.size());
    for (const auto& [id, f] : m_inProgress) ids.push_back(id);
    std::unordered_set<std::int64_t> seen;
    int changes = 0;
    for (std::size_t at = 0; at < ids.size(); at += kChunk) {
        const std::size_t n = std::min(kChunk, ids.size() - at);
        analyzer::sql::Statement s(m_reader->database(), std::string("SELECT id, number, ") +
                                                             kSignature +
                                                             " FROM calls WHERE id IN (" +
                                                             analyzer::sql::placeholders(n) + ")");
        for (std::size_t i = 0; i < n; ++i) s.bind(static_cast<int>(i + 1), ids[at + i]);
        while (s.step()) {
            const std::int64_t id = s.integer(0);
            seen.insert(id);
            Followed& f = m_inProgress[id];
            const bool reported = s.integer(1) != 0;
            std::string signature = s.text(2);
            if (signature == f.signature && !reported) continue;
            if (changes >= kMaxChangesPerCall) continue;  // next time
            f.signature = std::move(signature);
            changed.push_back(id);
            const bool matches = matchesQuery(id, f.capture);
            const int row = f.listed ? rowFromEnd(id) : -1;
            if (row >= 0 && matches) {
                forgetPage(row);
                emit dataChanged(index(row, 0), index(row, columnCount() - 1));
            } else if (row >= 0) {
                beginRemoveRows({}, row, row);
                m_rows.erase(m_rows.begin() + row);
                m_pages.clear();
                m_pageOrder.clear();
                endRemoveRows();
            } else if (matches) {
                const int last = rowCount();
                beginInsertRows({}, last, last);
                m_rows.push_back(id);
                forgetPage(last);
                endInsertRows();
            }
            f.listed = matches;
            ++changes;
            if (reported) m_inProgress.erase(id);
        }
    }
    for (std::int64_t id : ids)
        if (!seen.count(id)) m_inProgress.erase(id);  // its capture was deleted
    return changes;
}

// Whether the list's query (scope, hidden kinds, filter) takes this call now.
bool CallListModel::matchesQuery(std::int64_t callRow, std::int64_t capture) {
    if (!m_query.captures.empty() && std::find(m_query.captures.begin(), m_query.captures.end(),
                                               capture) == m_query.captures.end())
        return false;
    if (m_query.filter.empty() && m_query.hideKinds.empty()) return true;
    CallQuery q = m_query;
    q.afterRow = callRow - 1;
    q.upToRow = callRow;
    std::atomic<bool> never{false};
    return !analyzer::store::findCallRows(*m_reader, q, never).empty();
}

// The list position of a call: calls in progress are recent, so near the end.
int CallListModel::rowFromEnd(std::int64_t callRow) const {
    for (auto i = m_rows.size(); i-- > 0;)
        if (m_rows[i] == callRow) return static_cast<int>(i);
    return -1;
}

void CallListModel::forgetPage(int row) {
    const int page = row / kPageSize;
    m_pages.erase(page);
    m_pageOrder.erase(std::remove(m_pageOrder.begin(), m_pageOrder.end(), page), m_pageOrder.end());
}

}  // namespace sipscope::gui
