#pragma once
// The call list's query (GUI call table, 1 M calls): which stored calls match a filter, in which
// order, as row ids. The table then fetches only the rows it shows (StoreReader::callsByRows).
// Sorting runs in SQLite, and so does every part of the filter that maps exactly onto columns
// (filter_sql.hpp); the filter language (query/filter.hpp) is evaluated here only on the
// candidate rows of filters SQLite cannot decide alone (header(), `~`, anomaly ...).

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "query/filter.hpp"
#include "store/filter_sql.hpp"
#include "store/store_reader.hpp"

namespace sipscope::analyzer::store {

enum class CallSortKey : std::uint8_t {
    Start,
    Duration,
    From,
    To,
    State,
    FinalCode,
    Pdd,
    Messages,
    Legs,
    Transport,
    Anomalies,
    UserAgent,
    CallId,
    Kind
};

struct CallQuery {
    Filter filter;                       // empty: every call
    bool filterUsesHeaders = false;      // header("X") in the filter: load initial requests
    std::vector<std::int64_t> captures;  // empty: every capture of the database
    std::vector<std::string> hideKinds;  // e.g. "register", "options": one-click noise toggles
    CallSortKey sort = CallSortKey::Start;
    bool descending = false;
    std::int64_t afterRow = 0;  // only rows with a larger id (calls added since a query)
    std::int64_t upToRow = std::numeric_limits<std::int64_t>::max();  // and not larger than this
};

// Matching row ids in order. `cancel` is polled per row; a cancelled query returns what it has.
// `progress` (may be empty) is told about every 16k scanned rows.
std::vector<std::int64_t> findCallRows(StoreReader& reader, const CallQuery& query,
                                       const std::atomic<bool>& cancel,
                                       const std::function<void(std::uint64_t)>& progress = {});

// The statement findCallRows runs (its parameters unbound), for EXPLAIN QUERY PLAN.
std::string callQuerySql(const CallQuery& query);

// The filter's start range in ns, widened by a millisecond (a call's start is its microsecond,
// and a double of seconds near 2026 is only precise to ~240 ns), or the whole int64 range; the
// exact bounds come with the filter's SQL (filter_sql.hpp). For the indexed start condition.
std::pair<std::int64_t, std::int64_t> startBounds(const Filter& filter);

// Whether a filter text uses header("..."): such filters need each call's initial request.
bool filterTextUsesHeaders(std::string_view text);

// The highest call row id in the database (0 when empty): where a later incremental query
// (CallQuery::afterRow) starts.
std::int64_t lastCallRow(StoreReader& reader);

// Every value of header `name` in the call's initial request (empty when unknown).
std::vector<std::string> initialRequestHeader(StoreReader& reader, const StoredCall& call,
                                              std::string_view name);

}  // namespace sipscope::analyzer::store
