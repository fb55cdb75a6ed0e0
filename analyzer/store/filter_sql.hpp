#pragma once
// The part of a call filter (query/filter.hpp) SQLite can decide on the `calls` columns, so an
// indexed query reads only candidate rows instead of decoding every stored call.
//
// The condition only ever narrows: every row the filter matches satisfies it (it may keep rows
// the filter rejects, which the per-row evaluation then drops). When the whole filter maps exactly
// onto columns, `exact` says so and the rows it selects are the matching ones, with no per-row
// evaluation needed. Comparisons on state, kind, method, transport, from_user, to_user,
// user_agent, reason, final_code, the counters, the metrics and the times translate exactly,
// with and/or/not around them; `~` narrows by the literal prefix of an anchored pattern;
// call_id narrows `==` and `in`; header(), anomaly, codec, media_problem, src/dst and their
// ports are left to the per-row evaluation.
//
// Assumes the columns hold what the store writes: text or NULL in text columns, integers within
// the record's types in integer columns.

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "query/filter.hpp"
#include "store/sqlite.hpp"

namespace sipscope::analyzer::store {

using SqlValue = std::variant<std::int64_t, double, std::string>;

struct FilterSql {
    std::string where = "1";       // an SQL condition over the calls columns, never NULL for a row
    std::vector<SqlValue> params;  // the values of its `?`, in order
    bool exact = true;             // `where` selects exactly the rows the filter matches
};

FilterSql filterSql(const Filter& filter);

// Binds `f.params` from parameter index `first`; returns the index after the last one.
int bindFilterSql(sql::Statement& s, int first, const FilterSql& f);

}  // namespace sipscope::analyzer::store
