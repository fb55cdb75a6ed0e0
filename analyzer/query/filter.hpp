#pragma once
// The call filter language, shared by `sipscope-cli calls --filter EXPR` and the GUI filter bar.
//
//   state == "failed" and from_user ~ "^49"        final_code >= 500
//   method == OPTIONS                              not kind == "options"
//   header("User-Agent") ~ "Asterisk"              anomaly == ack_missing
//   state in [busy, rejected] or final_code between 500 and 599
//   start between "2026-11-25 10:00" and "2026-11-25T11:00:00Z"
//
// Grammar (EBNF; keywords and field names are case-insensitive):
//
//   filter     = [ or_expr ] ;                           (* empty: every call matches *)
//   or_expr    = and_expr { ( "or" | "||" ) and_expr } ;
//   and_expr   = unary { ( "and" | "&&" ) unary } ;
//   unary      = ( "not" | "!" ) unary | primary ;        (* precedence: not > and > or *)
//   primary    = "(" or_expr ")" | comparison ;
//   comparison = field ( cmp_op value
//                      | [ "not" ] "in" "[" value { "," value } "]"
//                      | "between" value "and" value ) ;  (* inclusive, numbers and times *)
//   field      = name | "header" "(" ( string | word ) ")" ;
//   cmp_op     = "==" | "=" | "!=" | "<" | "<=" | ">" | ">=" | "~" | "!~" ;
//   value      = "null" | string | word ;                (* a word that looks like a number is one
//   *) string     = '"' { char | escape } '"' | "'" { char | escape } "'" ; escape     = "\\" ( '"'
//   | "'" | "\\" | "n" | "t" | "r" | "x" hex hex ) ; word       = 1*( alnum | "_" | "." | ":" | "@"
//   | "/" | "+" | "-" | byte >= 0x80 ) ;
//
// Any other backslash sequence stays as written, so regular expressions read naturally
// ("^\+49\d+"). `~` is a std::regex ECMAScript search, compiled once by parseFilter; it sees the
// first kFilterRegexSubjectLimit bytes of a value, and back-references are not supported (the
// matcher runs in polynomial mode, so neither time nor stack can explode on long values).
//
// Types: text fields compare as bytes, keyword fields (kind, state, method, transport, anomaly,
// codec) ignore ASCII case; number fields take numbers; time fields (start, answer, end) take
// Unix seconds or a UTC date "YYYY-MM-DD[( |T)HH:MM[:SS[.frac]]][Z|+HH:MM|-HH:MM]".
// Time ranges use `between` (inclusive at both ends) or two comparisons joined by `and`.
// `<`, `>` ... on text compare bytewise. `~` on a number searches its decimal text.
//
// Null: an absent value (no final code yet, no answer time ...) satisfies only `== null`;
// `!= null` is false for it and so is every other comparison, `!=` and `not in` included.
// List fields (call_id, anomaly, codec, header(...)) match when any element matches; `!=`,
// `!~` and `not in` match when no element does. An empty anomaly or codec list is `== null`
// (and `anomaly != "x"` is then true); header("X") is null when the request has no X.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace sipscope::analyzer {

// Fields, in the order of the `calls` JSON keys.
enum class FilterField : std::uint8_t {
    CallId,
    Kind,
    Method,
    FromUser,
    ToUser,
    State,
    FinalCode,
    Reason,
    Messages,
    Retransmissions,
    Duplicates,
    Legs,
    Transactions,
    AuthChallenges,
    Start,
    Answer,
    End,
    DurationS,
    PddMs,
    SrdMs,
    SddMs,
    SdtMs,
    RrdMs,
    Src,
    Dst,
    Sport,
    Dport,
    Transport,
    UserAgent,
    Anomalies,     // count
    Anomaly,       // the anomaly codes
    Codec,         // every codec of every media line
    MediaProblem,  // the RTP verdicts (one_way_audio, no_media, codec_mismatch)
    Header,        // header("Name"): the subject's header() values
};

enum class FilterValueType : std::uint8_t {
    Text,         // compared bytewise
    Keyword,      // compared ignoring ASCII case
    Number,       // compared as double
    Time,         // Unix seconds (double); literals may be dates
    TextList,     // any element, bytewise
    KeywordList,  // any element, ignoring case
};

struct FilterFieldInfo {
    std::string_view name;  // as written in filters; "header" is written header("Name")
    FilterField field;
    FilterValueType type;
    std::string_view description;              // one line, for completion tooltips
    std::span<const std::string_view> values;  // known values to complete (may be empty)
};

// For completion: every field, every comparison operator ("==", ..., "in", "not in",
// "between"), every other keyword ("and", "or", "not", "null").
std::span<const FilterFieldInfo> filterFields() noexcept;
std::span<const std::string_view> filterOperators() noexcept;
std::span<const std::string_view> filterKeywords() noexcept;
const FilterFieldInfo* findFilterField(std::string_view name) noexcept;  // case-insensitive
const FilterFieldInfo& filterFieldInfo(FilterField field) noexcept;

inline constexpr std::size_t kFilterMaxLength = 64 * 1024;     // bytes of filter text
inline constexpr int kFilterMaxDepth = 64;                     // nested "(" and "not"
inline constexpr std::size_t kFilterRegexMaxLength = 1024;     // bytes of one pattern
inline constexpr std::size_t kFilterRegexSubjectLimit = 8192;  // bytes of a value `~` searches
// Syntax errors carry this code (there is no filter-specific ErrorCode yet); an unterminated
// string has UnterminatedQuote, an input too long or too deep TooLarge, a number or time that
// does not fit ValueOutOfRange. Error::offset is the 0-based byte column, which the message
// also names ("expected a value after '>=' at column 14").
inline constexpr stack::ErrorCode kFilterSyntaxError = stack::ErrorCode::BadHeaderValue;

// A field's value as the filter sees it.
using FilterValue = std::variant<std::monostate, double, std::string, std::vector<std::string>>;

// What a filter is evaluated on (a call record, a stored row ...).
class FilterSubject {
  public:
    virtual ~FilterSubject() = default;
    virtual FilterValue field(FilterField field) const = 0;  // never asked for Header
    // Values of the named header (name as written in the filter), or null when there is none.
    virtual FilterValue header(std::string_view name) const = 0;
};

namespace filter_detail {
struct Node;
}

// A parsed filter: immutable, cheap to copy, safe to evaluate from several threads at once.
class Filter {
  public:
    Filter() = default;  // the empty filter: matches everything

    bool matches(const FilterSubject& subject) const noexcept;
    // Canonical text: lower-case keywords and fields, "==" for "=", double-quoted strings,
    // minimal parentheses, whole-second times as "YYYY-MM-DDTHH:MM:SSZ". Parsing it gives the
    // same filter (and the same text again); "" for the empty filter.
    std::string normalized() const;
    // The narrowest [first, last] interval of `start` (Unix seconds, ±infinity when open; the
    // bounds of `<` and `>` included) that the top-level `and` conjuncts allow, or nullopt when
    // none of them constrains `start`. Every matching call starts inside it, so a store can narrow
    // an indexed time query with it and then evaluate the whole filter on the rows it reads.
    std::optional<std::pair<double, double>> startRange() const;
    bool empty() const noexcept { return m_root == nullptr; }
    // The parsed tree (filter_ast.hpp) for translators inside the analyzer, such as the store's
    // SQL narrowing (store/filter_sql.hpp); nullptr for the empty filter.
    const filter_detail::Node* syntaxTree() const noexcept { return m_root.get(); }

  private:
    friend stack::Result<Filter> parseFilter(std::string_view text);
    explicit Filter(std::shared_ptr<const filter_detail::Node> root) : m_root(std::move(root)) {}

    std::shared_ptr<const filter_detail::Node> m_root;
};

stack::Result<Filter> parseFilter(std::string_view text);

// "state == faild and\n" followed by a caret line under the error column, for terminals.
std::string filterErrorPointer(std::string_view text, const stack::Error& error);

}  // namespace sipscope::analyzer
