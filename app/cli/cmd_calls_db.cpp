// `sipscope-cli calls --db LIB [--json] [--limit N]`: stored calls, the same objects as
// `calls FILE` printed when the capture was imported.

#include <iostream>

#include "calls_options.hpp"
#include "store/store_reader.hpp"

namespace sipscope::cli {

int callsFromDb(const CallsOptions& o) {
    try {
        analyzer::store::StoreReader reader(o.db);
        TextTable table = callTable();
        std::uint64_t shown = 0;
        reader.calls(std::nullopt, std::nullopt, [&](const analyzer::store::StoredCall& c) {
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
