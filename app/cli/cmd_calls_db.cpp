// `sipscope-cli calls --db LIB [--json] [--limit N]`: stored calls, the same objects as
// `calls FILE` printed when the capture was imported.

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
        // The filter's time range narrows the indexed query; the whole filter decides.
        std::optional<std::int64_t> from, to;
        if (auto range = o.parsedFilter.startRange()) {
            constexpr double kLimit = 9.0e9;  // seconds; beyond it: unbounded
            if (std::isfinite(range->first) && std::abs(range->first) < kLimit)
                from = static_cast<std::int64_t>(range->first * 1e9) - 1000;
            if (std::isfinite(range->second) && std::abs(range->second) < kLimit)
                to = static_cast<std::int64_t>(range->second * 1e9) + 1000;  // µs in the JSON
        }
        reader.calls(from, to, [&](analyzer::store::StoredCall& c) {
            if (o.limit && shown >= o.limit) return false;
            if (!o.parsedFilter.empty()) {
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
