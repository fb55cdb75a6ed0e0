// `sipscope-cli calls --db LIB [--json] [--filter EXPR] [--limit N]`: stored calls, the same
// objects as `calls FILE` printed when the capture was imported.

#include <cmath>
#include <iostream>

#include "calls_options.hpp"
#include "store/store_reader.hpp"

namespace sipscope::cli {

int callsFromDb(const CallsOptions& o) {
    try {
        analyzer::store::StoreReader reader(o.db);
        TextTable table = callTable();
        std::uint64_t shown = 0;
        // The filter's columns narrow the indexed query (filter_sql.hpp); the whole filter
        // decides on the rows it reads unless the SQL alone is exact.
        const analyzer::store::FilterSql narrow = analyzer::store::filterSql(o.parsedFilter);
        std::optional<std::int64_t> from, to;
        if (auto range = o.parsedFilter.startRange()) {
            constexpr double kLimit = 9.0e9;  // seconds; beyond it: unbounded
            // A start is its microsecond, and a double of seconds is precise to ~240 ns only.
            constexpr std::int64_t kMarginNs = 1'000'000;
            if (std::isfinite(range->first) && std::abs(range->first) < kLimit)
                from = static_cast<std::int64_t>(range->first * 1e9) - kMarginNs;
            if (std::isfinite(range->second) && std::abs(range->second) < kLimit)
                to = static_cast<std::int64_t>(range->second * 1e9) + kMarginNs;
        }
        reader.calls(from, to, narrow, [&](analyzer::store::StoredCall& c) {
            if (o.limit && shown >= o.limit) return false;
            if (!narrow.exact) {
                if (c.firstSeq)
                    if (auto m = reader.message(c.captureId, c.firstSeq))
                        if (auto parsed = stack::SipMessage::parse(m->bytes); parsed.ok())
                            c.record.firstRequest = std::move(parsed).value();
                if (!passes(o, c.record)) return true;
            }
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
