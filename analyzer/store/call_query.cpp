#include "store/call_query.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "query/call_subject.hpp"

namespace sipscope::analyzer::store {

std::pair<std::int64_t, std::int64_t> startBounds(const Filter& filter) {
    std::pair<std::int64_t, std::int64_t> b{std::numeric_limits<std::int64_t>::min(),
                                            std::numeric_limits<std::int64_t>::max()};
    if (auto range = filter.startRange()) {
        constexpr double kLimit = 9.0e9;  // seconds; beyond it: unbounded
        constexpr std::int64_t kMarginNs = 1'000'000;
        if (std::isfinite(range->first) && std::abs(range->first) < kLimit)
            b.first = static_cast<std::int64_t>(range->first * 1e9) - kMarginNs;
        if (std::isfinite(range->second) && std::abs(range->second) < kLimit)
            b.second = static_cast<std::int64_t>(range->second * 1e9) + kMarginNs;
    }
    return b;
}

namespace {

const char* sortExpression(CallSortKey key) {
    switch (key) {
        case CallSortKey::Start:
            return "start_ns";
        case CallSortKey::Duration:
            return "(end_ns - answer_ns)";
        case CallSortKey::From:
            return "from_user";
        case CallSortKey::To:
            return "to_user";
        case CallSortKey::State:
            return "state";
        case CallSortKey::FinalCode:
            return "final_code";
        case CallSortKey::Pdd:
            return "pdd_ms";
        case CallSortKey::Messages:
            return "messages";
        case CallSortKey::Legs:
            return "legs";
        case CallSortKey::Transport:
            return "transport";
        case CallSortKey::Anomalies:
            return "(CASE WHEN anomaly_codes IS NULL OR anomaly_codes = '' THEN 0 ELSE "
                   "length(anomaly_codes) - length(replace(anomaly_codes, ',', '')) + 1 END)";
        case CallSortKey::UserAgent:
            return "user_agent";
        case CallSortKey::CallId:
            return "call_id";
        case CallSortKey::Kind:
            return "kind";
    }
    return "start_ns";
}

// "WHERE ... ORDER BY ..." with ? parameters, and the binder for them. The filter's columns
// narrow the query (filter_sql.hpp).
std::string sqlTail(const CallQuery& q, const FilterSql& narrow,
                    std::function<void(sql::Statement&)>& bind) {
    // Rows added since a query (afterRow > 0) are few: the primary key finds them. A whole query
    // must not be steered onto the primary key by its upper bound ("+id" keeps the sort index
    // usable), or SQLite would sort a million rows instead of walking the index.
    std::string where = q.afterRow > 0 ? "WHERE start_ns BETWEEN ? AND ? AND id > ? AND id <= ?"
                                       : "WHERE start_ns BETWEEN ? AND ? AND +id > ? AND +id <= ?";
    if (!q.captures.empty()) {
        where += " AND capture_id IN (" + sql::placeholders(q.captures.size()) + ")";
    }
    if (!q.hideKinds.empty()) {
        where += " AND kind NOT IN (" + sql::placeholders(q.hideKinds.size()) + ")";
    }
    if (narrow.where != "1") where += " AND " + narrow.where;
    const char* dir = q.descending ? " DESC" : "";
    where += std::string(" ORDER BY ") + sortExpression(q.sort) + dir + ", start_ns" + dir +
             ", id" + dir;
    const auto bounds = startBounds(q.filter);
    bind = [bounds, &q, &narrow](sql::Statement& s) {
        int i = 1;
        s.bind(i++, bounds.first);
        s.bind(i++, bounds.second);
        s.bind(i++, q.afterRow);
        s.bind(i++, q.upToRow);
        for (std::int64_t c : q.captures) s.bind(i++, c);
        for (const auto& k : q.hideKinds) s.bind(i++, std::string_view(k));
        bindFilterSql(s, i, narrow);
    };
    return where;
}

}  // namespace

bool filterTextUsesHeaders(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find("header") != std::string::npos;
}

std::int64_t lastCallRow(StoreReader& reader) {
    sql::Statement s(reader.database(), "SELECT COALESCE(MAX(id), 0) FROM calls");
    return s.step() ? s.integer(0) : 0;
}

std::vector<std::string> initialRequestHeader(StoreReader& reader, const StoredCall& call,
                                              std::string_view name) {
    if (!call.firstSeq) return {};
    auto m = reader.message(call.captureId, call.firstSeq);
    if (!m) return {};
    auto parsed = stack::SipMessage::parse(m->bytes);
    if (!parsed.ok()) return {};
    return headerValues(parsed.value(), name);
}

std::string callQuerySql(const CallQuery& query) {
    std::function<void(sql::Statement&)> bind;
    const FilterSql narrow = filterSql(query.filter);
    return "SELECT id FROM calls " + sqlTail(query, narrow, bind);
}

std::vector<std::int64_t> findCallRows(StoreReader& reader, const CallQuery& query,
                                       const std::atomic<bool>& cancel,
                                       const std::function<void(std::uint64_t)>& progress) {
    std::function<void(sql::Statement&)> bind;
    const FilterSql narrow = filterSql(query.filter);
    const std::string tail = sqlTail(query, narrow, bind);
    std::vector<std::int64_t> rows;
    std::uint64_t scanned = 0;
    auto tick = [&] {
        if ((++scanned & 0x3FFF) == 0 && progress) progress(scanned);
        return !cancel.load(std::memory_order_relaxed);
    };
    if (narrow.exact) {  // the SQL decides: no row needs reading
        sql::Statement s(reader.database(), "SELECT id FROM calls " + tail);
        bind(s);
        while (s.step() && tick()) rows.push_back(s.integer(0));
        return rows;
    }
    reader.callsWhere(tail, bind, [&](StoredCall& c) {
        HeaderLookup headers;
        if (query.filterUsesHeaders)
            headers = [&](std::string_view name) { return initialRequestHeader(reader, c, name); };
        if (query.filter.matches(CallRecordSubject(c.record, headers))) rows.push_back(c.row);
        return tick();
    });
    return rows;
}

}  // namespace sipscope::analyzer::store
