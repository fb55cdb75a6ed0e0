#pragma once
// The parsed form of a filter and the value helpers the parser and the evaluator share
// (internal to analyzer/query).

#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "query/filter.hpp"

namespace sipscope::analyzer::filter_detail {

enum class CmpOp : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge, Match, NotMatch, In, NotIn, Between };
std::string_view cmpOpText(CmpOp op) noexcept;

struct Literal {
    bool null = false;
    std::optional<double> number;  // set for number and time fields (and numeric-looking text)
    std::string text;              // the text as written (decoded), empty for null
};

struct Comparison {
    FilterField field = FilterField::CallId;
    FilterValueType type = FilterValueType::Text;
    std::string headerName;  // for FilterField::Header
    CmpOp op = CmpOp::Eq;
    std::vector<Literal> values;  // one; the set of `in`; the two ends of `between`
    std::shared_ptr<const std::regex> regex;
};

struct Node {
    enum class Kind : std::uint8_t { And, Or, Not, Compare };
    Kind kind = Kind::Compare;
    std::vector<Node> children;  // And, Or: two or more; Not: one
    Comparison cmp;
};

// filter_eval.cpp: one comparison on one field value, exactly as Filter::matches evaluates it
// (false when evaluation fails).
bool evaluateComparison(const Comparison& c, const FilterValue& value) noexcept;

// filter_values.cpp
// Decimal number "[+-]digits[.digits]"; nullopt when the text is not one or does not fit.
std::optional<double> parseNumberText(std::string_view text, bool* outOfRange = nullptr);
// Shortest fixed-notation text that parses back to the same double.
std::string formatNumber(double value);
// Unix seconds from a number or "YYYY-MM-DD[( |T)HH:MM[:SS[.frac]]][Z|±HH:MM]" (UTC).
std::optional<double> parseTimeText(std::string_view text);
// "\"YYYY-MM-DDTHH:MM:SSZ\"" (quoted) for whole seconds from 1970 to 9999, else formatNumber().
std::string formatTime(double unixSeconds);
// Double-quoted, with \" \\ \n \r \t \xHH escapes, so the lexer decodes it back byte for byte.
std::string quoteString(std::string_view text);
// Compiles an ECMAScript pattern for `~`; the message on failure says why (no column).
std::shared_ptr<const std::regex> compileRegex(std::string_view pattern, bool icase,
                                               std::string& whyNot);
bool asciiLess(std::string_view a, std::string_view b, bool icase) noexcept;

// filter_fields.cpp: the closest field name within a small edit distance, or "".
std::string_view suggestField(std::string_view unknown);

}  // namespace sipscope::analyzer::filter_detail
