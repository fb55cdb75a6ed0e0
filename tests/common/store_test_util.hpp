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

// Turns a call's child tables back into their shape before schema 7 (rowid tables with an
// index on call_row, call_ids also on call_id), keeping their rows, for tests that make a
// database of an earlier version out of a current one.
inline void childTablesBeforeV7(analyzer::sql::Database& db) {
    db.exec(R"sql(
CREATE TABLE legs_v6(
  call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  position INTEGER NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL);
INSERT INTO legs_v6 SELECT call_row, position, src, dst FROM legs ORDER BY call_row, position;
DROP TABLE legs;
ALTER TABLE legs_v6 RENAME TO legs;
CREATE INDEX legs_by_call ON legs(call_row);
CREATE TABLE media_v6(
  call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  message_seq INTEGER, origin TEXT, type TEXT, address TEXT, port INTEGER, direction TEXT,
  codecs TEXT, hold INTEGER);
INSERT INTO media_v6 SELECT call_row, message_seq, origin, type, address, port, direction,
  codecs, hold FROM media ORDER BY call_row, position;
DROP TABLE media;
ALTER TABLE media_v6 RENAME TO media;
CREATE INDEX media_by_call ON media(call_row);
CREATE TABLE call_ids_v6(
  call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  call_id TEXT NOT NULL);
INSERT INTO call_ids_v6 SELECT call_row, call_id FROM call_ids ORDER BY call_row;
DROP TABLE call_ids;
ALTER TABLE call_ids_v6 RENAME TO call_ids;
CREATE INDEX call_ids_by_id ON call_ids(call_id);
CREATE INDEX call_ids_by_call ON call_ids(call_row);
)sql");
}

}  // namespace sipscope::test
