// `sipscope-cli calls --db LIB [--json] [--filter EXPR] [--limit N]`: stored calls, the same
// objects as `calls FILE` printed when the capture was imported.

#include <iostream>
#include <limits>

#include "calls_options.hpp"
#include "store/call_query.hpp"
#include "store/store_reader.hpp"

namespace sipscope::cli {

bool forEachStoredCall(analyzer::store::StoreReader& reader, const analyzer::Filter& filter,
                       const std::function<bool(analyzer::store::StoredCall&)>& visit) {
    // The filter's columns narrow the indexed query (filter_sql.hpp); the whole filter decides
    // on the rows it reads unless the SQL alone is exact.
    const analyzer::store::FilterSql narrow = analyzer::store::filterSql(filter);
    const auto bounds = analyzer::store::startBounds(filter);
    std::optional<std::int64_t> from, to;  // unbounded: no start condition at all
    if (bounds.first != std::numeric_limits<std::int64_t>::min()) from = bounds.first;
    if (bounds.second != std::numeric_limits<std::int64_t>::max()) to = bounds.second;
    bool stopped = false;
    reader.calls(from, to, narrow, [&](analyzer::store::StoredCall& c) {
        if (!narrow.exact) {
            if (c.firstSeq)
                if (auto m = reader.message(c.captureId, c.firstSeq))
                    c.record.firstRequest = stack::adoptBytes(std::move(m->bytes));
            if (!passes(filter, c.record)) return true;
        }
        stopped = !visit(c);
        return !stopped;
    });
    return !stopped;
}

int callsFromDb(const CallsOptions& o) {
    try {
        analyzer::store::StoreReader reader(o.db);
        TextTable table = callTable();
        std::uint64_t shown = 0;
        forEachStoredCall(reader, o.parsedFilter, [&](analyzer::store::StoredCall& c) {
            if (o.limit && shown >= o.limit) return false;
            ++shown;
            if (o.json)
                std::cout << c.json << '\n';
            else
                addCallRow(table, c.record);
            return true;
        });
        if (!o.json) table.print(std::cout);
        std::cout << std::flush;
    } catch (const analyzer::sql::Error& e) {
        std::cerr << "sipscope-cli calls: " << e.message << '\n';
        return 2;
    }
    return 0;
}

}  // namespace sipscope::cli
