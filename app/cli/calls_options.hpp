#pragma once
// Options shared by `calls`, `transactions`, `stats` and `events`, and the pieces `calls --db`
// shares with `calls FILE`.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "calls/call_record.hpp"
#include "calls/call_tracker.hpp"
#include "capture_run.hpp"
#include "query/filter.hpp"
#include "store/store_reader.hpp"
#include "text_table.hpp"

namespace sipscope::cli {

struct CallsOptions {
    CaptureRunOptions capture;
    analyzer::CallTrackerOptions tracker;
    bool json = false;
    std::string db;      // calls --db
    std::string filter;  // calls --filter
    analyzer::Filter parsedFilter;
    std::uint64_t limit = 0;  // 0: all
};

TextTable callTable();
void addCallRow(TextTable& table, const analyzer::CallRecord& c);
// `--filter`'s text parsed into `out`; a bad expression is reported on stderr for `command`,
// with a pointer to its column, and gives false.
bool parseFilterOption(std::string_view command, const std::string& text, analyzer::Filter& out);
// Does the call pass `--filter`? (header() reads the call's first request.)
bool passes(const CallsOptions& o, const analyzer::CallRecord& c);
bool passes(const analyzer::Filter& filter, const analyzer::CallRecord& c);
// `calls --db`: the stored calls in start order (exit code).
int callsFromDb(const CallsOptions& o);
// The stored calls `filter` accepts, in start order, until `visit` returns false (then false).
bool forEachStoredCall(analyzer::store::StoreReader& reader, const analyzer::Filter& filter,
                       const std::function<bool(analyzer::store::StoredCall&)>& visit);

}  // namespace sipscope::cli
