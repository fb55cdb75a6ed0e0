#pragma once
// The call record's JSON as stored in calls.json (schema v5). The record is ~1 KB of text whose
// keys and usual values repeat in every row, and rows that large pack two or three to a
// SQLite page: the JSON was over half of a database. It is compressed with a preset dictionary
// of those keys and values, to ~20 % of its size, and stored as a BLOB: one format octet, the
// text's size as a LEB128 varint, then the compressed text. Format 2 (schema 7) is a zstd
// frame, level 1, ~3 us a record here; format 1 (schema 5-6) raw deflate, level 1, ~10 us, and
// the record's deflate was 9 % of an import's CPU. Both are read. TEXT values (databases
// written by schema 4 and earlier) are read as they are.

#include <optional>
#include <string>
#include <string_view>

namespace sipscope::analyzer::store {

// The stored form of a call record's JSON text.
std::string packCallJson(std::string_view json);
// The JSON text of a stored BLOB; nullopt when it is damaged (unknown format, bad stream,
// size other than announced).
std::optional<std::string> unpackCallJson(std::string_view blob);

}  // namespace sipscope::analyzer::store
