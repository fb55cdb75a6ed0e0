#pragma once
// What the store tests share: importing a capture into a database, reading one number back.

#include <atomic>
#include <cstdint>
#include <string>

#include "store/importer.hpp"
#include "store/sqlite.hpp"

namespace sipscope::test {

inline analyzer::store::FileImport importCapture(
    const std::string& db, const std::string& file,
    const analyzer::store::ImportOptions& options = {}) {
    analyzer::store::StoreWriter writer(db);
    analyzer::store::Importer importer(writer, options);
    std::atomic<bool> cancel{false};
    return importer.importFile(file, {}, cancel);
}

// The first column of the first row of `query`; -1 when it gives no row.
inline std::int64_t scalar(analyzer::sql::Database& db, const std::string& query) {
    analyzer::sql::Statement s(db, query);
    return s.step() ? s.integer(0) : -1;
}

}  // namespace sipscope::test
