#include "store/filter_sql.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string_view>

#include "calls/call_record.hpp"
#include "query/call_subject.hpp"
#include "query/filter_ast.hpp"

namespace sipscope::analyzer::store {

namespace {

using filter_detail::CmpOp;
using filter_detail::Comparison;
using filter_detail::Literal;
using filter_detail::Node;

// Beyond these the filter is left to the per-row evaluation: SQLite limits the depth of an
// expression (1000) and the number of parameters.
constexpr std::size_t kMaxComparisons = 100;
constexpr std::size_t kMaxTimeSet = 100;
constexpr std::size_t kMaxParams = 4000;

// A translated part of a filter. "1" and "0" carry no parameters; every other condition is
// two-valued (never NULL), so NOT of it is the complement.
struct Piece {
    std::string sql;
    std::vector<SqlValue> params;
    bool exact = false;
};

Piece constant(bool value, bool exact) {
    return {value ? "1" : "0", {}, exact};
}

Piece both(std::vector<Piece> parts) {
    Piece out{"", {}, true};
    for (auto& p : parts) {
        if (p.sql == "0") return constant(false, true);  // nothing matches, whatever else says
        out.exact = out.exact && p.exact;
        if (p.sql == "1") continue;
        out.sql += (out.sql.empty() ? "(" : " AND ") + p.sql;
        out.params.insert(out.params.end(), p.params.begin(), p.params.end());
    }
    out.sql = out.sql.empty() ? "1" : out.sql + ")";
    return out;
}

Piece either(std::vector<Piece> parts) {
    // A child that is always true makes the whole `or` true; exactly so when that child is exact.
    bool always = false, exactlyAlways = false;
    for (const auto& p : parts) {
        if (p.sql != "1") continue;
        always = true;
        exactlyAlways = exactlyAlways || p.exact;
    }
    if (always) return constant(true, exactlyAlways);
    Piece out{"", {}, true};
    for (auto& p : parts) {
        out.exact = out.exact && p.exact;
        if (p.sql == "0") continue;
        out.sql += (out.sql.empty() ? "(" : " OR ") + p.sql;
        out.params.insert(out.params.end(), p.params.begin(), p.params.end());
    }
    out.sql = out.sql.empty() ? "0" : out.sql + ")";
    return out;
}

Piece negate(Piece p) {
    if (!p.exact) return constant(true, false);  // the complement of a superset says nothing
    if (p.sql == "1" || p.sql == "0") return constant(p.sql == "0", true);
    p.sql = "NOT " + p.sql;
    return p;
}

enum class Column : std::uint8_t { None, Enum, Text, Integer, Real, Time };

struct ColumnInfo {
    Column kind = Column::None;
    const char* name = "";
    bool nullable = true;
    bool icase = false;  // keyword fields compare ignoring ASCII case
};

// How the reader (store_reader.cpp) and CallRecordSubject turn a column into the field's value.
ColumnInfo columnOf(FilterField f) {
    using F = FilterField;
    switch (f) {
        case F::Kind:
            return {Column::Enum, "kind", false};
        case F::State:
            return {Column::Enum, "state", false};
        case F::Method:
            return {Column::Text, "method", true, true};
        case F::Transport:
            return {Column::Text, "transport", true, true};
        case F::FromUser:
            return {Column::Text, "from_user"};
        case F::ToUser:
            return {Column::Text, "to_user"};
        case F::UserAgent:
            return {Column::Text, "user_agent"};
        case F::Reason:
            return {Column::Text, "reason"};
        case F::FinalCode:
            return {Column::Integer, "final_code"};
        case F::Messages:
            return {Column::Integer, "messages", false};
        case F::Retransmissions:
            return {Column::Integer, "retransmissions", false};
        case F::Duplicates:
            return {Column::Integer, "duplicates", false};
        case F::Legs:
            return {Column::Integer, "legs", false};
        case F::Transactions:
            return {Column::Integer, "transactions", false};
        case F::AuthChallenges:
            return {Column::Integer, "auth_challenges", false};
        case F::PddMs:
            return {Column::Real, "pdd_ms"};
        case F::SrdMs:
            return {Column::Real, "srd_ms"};
        case F::SddMs:
            return {Column::Real, "sdd_ms"};
        case F::SdtMs:
            return {Column::Real, "sdt_ms"};
        case F::RrdMs:
            return {Column::Real, "rrd_ms"};
        case F::Start:
            return {Column::Time, "start_ns", false};
        case F::Answer:
            return {Column::Time, "answer_ns"};
        case F::End:
            return {Column::Time, "end_ns"};
        default:
            return {};
    }
}

// Whether the field has a value (text fields are null when empty).
std::string present(const ColumnInfo& c) {
    const std::string n = c.name;
    if (c.kind == Column::Text) return "(" + n + " IS NOT NULL AND " + n + " <> '')";
    return c.nullable ? "(" + n + " IS NOT NULL)" : "1";
}

// kind and state have a few values: the comparison is evaluated on each of them, the very
// evaluation Filter::matches runs. The reader maps a stored name it does not know to `other`
// (kind) or `in_progress` (state).
Piece enumPiece(const Comparison& c, const ColumnInfo& col) {
    std::vector<std::string> names;
    std::string fallback;
    if (c.field == FilterField::Kind) {
        for (int k = 0; k <= static_cast<int>(CallKind::Other); ++k)
            names.emplace_back(callKindName(static_cast<CallKind>(k)));
        fallback = callKindName(CallKind::Other);
    } else {
        for (int s = 0; s <= static_cast<int>(CallState::Failed); ++s)
            names.emplace_back(callStateName(static_cast<CallState>(s)));
        fallback = callStateName(CallState::InProgress);
    }
    std::vector<std::string> match;
    for (const auto& n : names)
        if (filter_detail::evaluateComparison(c, FilterValue(n))) match.push_back(n);
    if (match.empty() || match.size() == names.size()) return constant(!match.empty(), true);
    const std::string n = col.name;
    Piece p{"", {match.begin(), match.end()}, true};
    if (std::find(match.begin(), match.end(), fallback) == match.end()) {
        p.sql =
            "(" + n + " IS NOT NULL AND " + n + " IN (" + sql::placeholders(match.size()) + "))";
        return p;
    }
    p.sql = "(" + n + " IN (" + sql::placeholders(match.size()) + ") OR " + n + " IS NULL OR " + n +
            " NOT IN (" + sql::placeholders(names.size()) + "))";
    p.params.insert(p.params.end(), names.begin(), names.end());
    return p;
}

// The time field's value for `ns`, computed as CallRecordSubject computes it.
double timeValue(FilterField f, CallRecord& r, std::int64_t ns) {
    r.startNs = ns;
    r.answerNs = ns;
    r.endNs = ns;
    const FilterValue v = CallRecordSubject(r).field(f);
    const double* d = std::get_if<double>(&v);
    return d ? *d : 0;
}

// The least ns whose time value is >= x (> x when strict), nullopt when none is: the value is
// non-decreasing in ns, so a comparison on it is a range of ns.
std::optional<std::int64_t> firstNs(FilterField f, double x, bool strict) {
    CallRecord r;
    const auto ok = [&](std::int64_t ns) {
        const double v = timeValue(f, r, ns);
        return strict ? v > x : v >= x;
    };
    std::int64_t lo = std::numeric_limits<std::int64_t>::min();
    std::int64_t hi = std::numeric_limits<std::int64_t>::max();
    if (!ok(hi)) return std::nullopt;
    if (ok(lo)) return lo;
    while (static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) >
           1) {  // !ok(lo), ok(hi)
        const std::int64_t mid = static_cast<std::int64_t>(
            static_cast<std::uint64_t>(lo) +
            (static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo)) / 2);
        (ok(mid) ? hi : lo) = mid;
    }
    return hi;
}

// value >= x (> x when strict) on a time column, or its complement.
Piece timeBound(const ColumnInfo& col, FilterField f, double x, bool strict, bool atLeast) {
    const auto ns = firstNs(f, x, strict);
    if (!ns) return constant(!atLeast, true);
    return {std::string(col.name) + (atLeast ? " >= ?" : " < ?"), {*ns}, true};
}

std::optional<Piece> timePositive(const Comparison& c, const ColumnInfo& col,
                                  const std::vector<double>& v) {
    const FilterField f = c.field;
    const auto equal = [&](double x) {
        return both({timeBound(col, f, x, false, true), timeBound(col, f, x, true, false)});
    };
    switch (c.op) {
        case CmpOp::Eq:
        case CmpOp::Ne:
            return equal(v.front());
        case CmpOp::Lt:
            return timeBound(col, f, v.front(), false, false);
        case CmpOp::Le:
            return timeBound(col, f, v.front(), true, false);
        case CmpOp::Gt:
            return timeBound(col, f, v.front(), true, true);
        case CmpOp::Ge:
            return timeBound(col, f, v.front(), false, true);
        case CmpOp::Between:
            return both({timeBound(col, f, v.front(), false, true),
                         timeBound(col, f, v.back(), true, false)});
        case CmpOp::In:
        case CmpOp::NotIn: {
            if (v.size() > kMaxTimeSet) return std::nullopt;
            std::vector<Piece> any;
            for (double x : v) any.push_back(equal(x));
            return either(std::move(any));
        }
        default:
            return std::nullopt;
    }
}

// The comparison on a present value of a text or number column (null literals left out).
std::optional<Piece> positive(const Comparison& c, const ColumnInfo& col,
                              const std::vector<const Literal*>& lits) {
    const bool text = col.kind == Column::Text;
    std::vector<SqlValue> params;
    std::vector<double> numbers;
    for (const Literal* l : lits) {
        if (!text && !l->number) return std::nullopt;  // the parser gives numeric fields numbers
        if (text) {
            params.emplace_back(l->text);
        } else {
            params.emplace_back(*l->number);
            numbers.push_back(*l->number);
        }
    }
    if (col.kind == Column::Time) return timePositive(c, col, numbers);
    std::string e = col.name;
    if (text && col.icase) e += " COLLATE NOCASE";
    if (col.kind == Column::Integer) e = "CAST(" + e + " AS INTEGER)";  // as sqlite3_column_int64
    if (col.kind == Column::Real) e = "CAST(" + e + " AS REAL)";        // as sqlite3_column_double
    switch (c.op) {
        case CmpOp::Eq:
        case CmpOp::Ne:
            return Piece{e + " = ?", params, true};
        case CmpOp::Lt:
            return Piece{e + " < ?", params, true};
        case CmpOp::Le:
            return Piece{e + " <= ?", params, true};
        case CmpOp::Gt:
            return Piece{e + " > ?", params, true};
        case CmpOp::Ge:
            return Piece{e + " >= ?", params, true};
        case CmpOp::Between:
            return Piece{"(" + e + " BETWEEN ? AND ?)", params, true};
        case CmpOp::In:
        case CmpOp::NotIn:
            if (params.empty()) return constant(false, true);
            return Piece{e + " IN (" + sql::placeholders(params.size()) + ")", params, true};
        default:
            return std::nullopt;
    }
}

// "^abc..." without alternatives: every match starts with "abc" (the last character dropped
// when a quantifier that allows zero of it follows).
std::string literalPrefix(std::string_view pattern) {
    if (pattern.empty() || pattern.front() != '^' || pattern.find('|') != std::string_view::npos)
        return {};
    constexpr std::string_view kMeta = "\\^$.|?*+()[]{}";
    std::size_t i = 1;
    while (i < pattern.size() && kMeta.find(pattern[i]) == std::string_view::npos) ++i;
    std::string prefix(pattern.substr(1, i - 1));
    if (i < pattern.size() && !prefix.empty() &&
        (pattern[i] == '?' || pattern[i] == '*' || pattern[i] == '{'))
        prefix.pop_back();
    return prefix;
}

// Values starting with the pattern's literal prefix lie in [prefix, successor) bytewise.
Piece prefixRange(const Comparison& c, const ColumnInfo& col) {
    if (col.kind != Column::Text || col.icase) return constant(true, false);
    const std::string prefix = literalPrefix(c.values.front().text);
    if (prefix.empty()) return constant(true, false);
    std::string upper = prefix;
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xFF) upper.pop_back();
    const std::string n = col.name;
    if (upper.empty()) return {n + " >= ?", {prefix}, false};
    upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
    return {"(" + n + " >= ? AND " + n + " < ?)", {prefix, upper}, false};
}

// call_id is every Call-ID of the call: the call_id column and the lines of call_ids.
Piece callIdPiece(const Comparison& c) {
    if (c.op != CmpOp::Eq && c.op != CmpOp::In) return constant(true, false);
    std::vector<Piece> any;
    for (const Literal& l : c.values) {
        if (l.null) return constant(true, false);
        any.push_back(
            {"(call_id = ? OR instr(char(10) || call_ids || char(10), char(10) || ? || "
             "char(10)) > 0)",
             {l.text, l.text},
             false});
    }
    Piece p = either(std::move(any));
    p.exact = false;
    return p;
}

Piece comparison(const Comparison& c) {
    const ColumnInfo col = columnOf(c.field);
    if (col.kind == Column::Enum) return enumPiece(c, col);
    if (c.field == FilterField::CallId) return callIdPiece(c);
    if (col.kind == Column::None) return constant(true, false);
    const Piece has{present(col), {}, true};
    const Piece hasNot = negate(has);
    if ((c.op == CmpOp::Eq || c.op == CmpOp::Ne) && c.values.front().null)
        return c.op == CmpOp::Eq ? hasNot : has;
    if (c.op == CmpOp::Match) return both({has, prefixRange(c, col)});
    Piece superset{has.sql, {}, false};  // every other comparison needs a value
    if (c.op == CmpOp::NotMatch) return superset;
    std::vector<const Literal*> lits;
    bool setHasNull = false;
    for (const Literal& l : c.values) {
        if (l.null)
            setHasNull = true;
        else
            lits.push_back(&l);
    }
    std::optional<Piece> q = positive(c, col, lits);
    if (!q) return superset;
    const bool negative = c.op == CmpOp::Ne || c.op == CmpOp::NotIn;
    Piece out = both({has, negative ? negate(std::move(*q)) : std::move(*q)});
    if (c.op == CmpOp::In && setHasNull) return either({hasNot, std::move(out)});
    return out;
}

std::size_t comparisons(const Node& n) {
    if (n.kind == Node::Kind::Compare) return 1;
    std::size_t total = 0;
    for (const Node& c : n.children) total += comparisons(c);
    return total;
}

Piece translate(const Node& n) {
    std::vector<Piece> parts;
    switch (n.kind) {
        case Node::Kind::Compare:
            return comparison(n.cmp);
        case Node::Kind::Not:
            return negate(translate(n.children.front()));
        case Node::Kind::And:
        case Node::Kind::Or:
            for (const Node& c : n.children) parts.push_back(translate(c));
            return n.kind == Node::Kind::And ? both(std::move(parts)) : either(std::move(parts));
    }
    return constant(true, false);
}

}  // namespace

FilterSql filterSql(const Filter& filter) {
    const Node* root = filter.syntaxTree();
    if (!root) return {};
    if (comparisons(*root) > kMaxComparisons) return {"1", {}, false};
    Piece p = translate(*root);
    if (p.params.size() > kMaxParams) return {"1", {}, false};
    return {std::move(p.sql), std::move(p.params), p.exact};
}

int bindFilterSql(sql::Statement& s, int first, const FilterSql& f) {
    for (const SqlValue& v : f.params) {
        if (const auto* i = std::get_if<std::int64_t>(&v))
            s.bind(first++, *i);
        else if (const auto* d = std::get_if<double>(&v))
            s.bind(first++, *d);
        else
            s.bind(first++, std::string_view(std::get<std::string>(v)));
    }
    return first;
}

}  // namespace sipscope::analyzer::store
