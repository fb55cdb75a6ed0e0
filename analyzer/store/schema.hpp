#pragma once
// The SipScope database schema and its forward migrations (PRAGMA user_version).

#include "store/sqlite.hpp"

namespace sipscope::analyzer::store {

inline constexpr int kSchemaVersion = 7;  // 2: media_streams, media_series; 3: media_chunks;
                                          // 4: message_blocks; 5: packed call records;
                                          // 6: messages inside their blocks only;
                                          // 7: zstd blocks and records

// Brings the database to kSchemaVersion, one migration step per version, each in its own
// transaction; sets WAL mode and foreign keys. Throws sql::Error; a database written by a newer
// SipScope (user_version > kSchemaVersion) is refused.
void migrate(sql::Database& db);
int schemaVersion(sql::Database& db);
// Per-connection settings (foreign keys, busy timeout) for readers and writers alike.
void configure(sql::Database& db);

}  // namespace sipscope::analyzer::store
