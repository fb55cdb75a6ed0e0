// The filter's field table (names are the keys of the `calls` JSON), operators and keywords,
// and the "did you mean" suggestion for a misspelt field.

#include <algorithm>
#include <array>

#include "query/filter_ast.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::analyzer {

namespace {

using Type = FilterValueType;
using F = FilterField;

constexpr std::string_view kKinds[] = {"call",    "register",  "options",
                                       "message", "subscribe", "other"};
constexpr std::string_view kStates[] = {"in_progress", "ringing",   "answered", "busy",
                                        "rejected",    "cancelled", "timeout",  "failed"};
constexpr std::string_view kMethods[] = {"INVITE",  "ACK",       "BYE",    "CANCEL", "REGISTER",
                                         "OPTIONS", "MESSAGE",   "INFO",   "PRACK",  "UPDATE",
                                         "REFER",   "SUBSCRIBE", "NOTIFY", "PUBLISH"};
constexpr std::string_view kTransports[] = {"udp", "tcp", "tls", "ws", "wss", "sctp"};
constexpr std::string_view kAnomalies[] = {"transaction_timeout",
                                           "ack_missing",
                                           "ack_2xx_missing",
                                           "ack_without_2xx",
                                           "response_without_transaction",
                                           "response_after_final",
                                           "retransmission_off_schedule",
                                           "retransmission_on_reliable",
                                           "late_message",
                                           "cseq_out_of_order",
                                           "transaction_abandoned",
                                           "timestamp_out_of_order",
                                           "message_without_call_id_or_cseq"};
constexpr std::string_view kCodecs[] = {"PCMU", "PCMA", "G722",   "G729",
                                        "opus", "AMR",  "AMR-WB", "telephone-event"};
constexpr std::string_view kMediaProblems[] = {"one_way_audio", "no_media", "codec_mismatch"};
constexpr std::string_view kHeaders[] = {"User-Agent", "Server", "Contact", "P-Asserted-Identity",
                                         "Diversion",  "Reason", "X-CID",   "Session-ID"};

constexpr std::array<FilterFieldInfo, 34> kFields{{
    {"call_id", F::CallId, Type::TextList, "any Call-ID of the call's legs", {}},
    {"kind", F::Kind, Type::Keyword, "call, register, options, message, subscribe, other", kKinds},
    {"method", F::Method, Type::Keyword, "method of the initial request", kMethods},
    {"from_user", F::FromUser, Type::Text, "user part of the From URI", {}},
    {"to_user", F::ToUser, Type::Text, "user part of the To URI", {}},
    {"state", F::State, Type::Keyword, "outcome of the call", kStates},
    {"final_code", F::FinalCode, Type::Number, "final response code (null before one)", {}},
    {"reason", F::Reason, Type::Text, "reason phrase of the final response", {}},
    {"messages", F::Messages, Type::Number, "messages, every copy counted", {}},
    {"retransmissions", F::Retransmissions, Type::Number, "retransmitted copies", {}},
    {"duplicates", F::Duplicates, Type::Number, "the same packet captured twice", {}},
    {"legs", F::Legs, Type::Number, "hops of the call (proxies, B2BUA legs)", {}},
    {"transactions", F::Transactions, Type::Number, "transactions of the call", {}},
    {"auth_challenges", F::AuthChallenges, Type::Number, "401/407 challenges", {}},
    {"start", F::Start, Type::Time, "time of the first message (UTC)", {}},
    {"answer", F::Answer, Type::Time, "time of the 2xx (UTC)", {}},
    {"end", F::End, Type::Time, "time the call ended (UTC)", {}},
    {"duration_s", F::DurationS, Type::Number, "answer to end, seconds", {}},
    {"pdd_ms", F::PddMs, Type::Number, "post-dial delay, ms", {}},
    {"srd_ms", F::SrdMs, Type::Number, "session request delay (RFC 6076 §4.3), ms", {}},
    {"sdd_ms", F::SddMs, Type::Number, "session disconnect delay (RFC 6076 §4.4), ms", {}},
    {"sdt_ms", F::SdtMs, Type::Number, "session duration time (RFC 6076 §4.5), ms", {}},
    {"rrd_ms", F::RrdMs, Type::Number, "registration request delay (RFC 6076 §4.1), ms", {}},
    {"src", F::Src, Type::Text, "caller's address", {}},
    {"dst", F::Dst, Type::Text, "address the first request went to", {}},
    {"sport", F::Sport, Type::Number, "caller's port", {}},
    {"dport", F::Dport, Type::Number, "port the first request went to", {}},
    {"transport", F::Transport, Type::Keyword, "transport of the first leg", kTransports},
    {"user_agent", F::UserAgent, Type::Text, "caller's User-Agent", {}},
    {"anomalies", F::Anomalies, Type::Number, "number of anomalies", {}},
    {"anomaly", F::Anomaly, Type::KeywordList, "any anomaly code", kAnomalies},
    {"codec", F::Codec, Type::KeywordList, "any codec of any SDP media line", kCodecs},
    {"media_problem", F::MediaProblem, Type::KeywordList,
     "RTP verdict: one_way_audio, no_media, codec_mismatch", kMediaProblems},
    {"header", F::Header, Type::TextList, "header(\"Name\"): any value in the initial request",
     kHeaders},
}};

constexpr std::string_view kOperators[] = {
    "==", "!=", "<", "<=", ">", ">=", "~", "!~", "in", "not in", "between"};
constexpr std::string_view kKeywords[] = {"and", "or", "not", "null"};

constexpr bool fieldsInEnumOrder() {
    for (std::size_t i = 0; i < kFields.size(); ++i)
        if (static_cast<std::size_t>(kFields[i].field) != i) return false;
    return true;
}
static_assert(fieldsInEnumOrder(), "filterFieldInfo() indexes kFields by FilterField");

// Optimal string alignment distance (Levenshtein plus adjacent transpositions: "form").
std::size_t editDistance(std::string_view a, std::string_view b) {
    using stack::syntax::toLower;
    const auto lower = [](char c) { return toLower(c); };
    constexpr std::size_t kMax = 32;
    if (a.size() > kMax || b.size() > kMax) return kMax;
    std::array<std::array<std::size_t, kMax + 1>, kMax + 1> d{};
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = lower(a[i - 1]) == lower(b[j - 1]);
            d[i][j] =
                std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same ? 0 : 1)});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

}  // namespace

std::span<const FilterFieldInfo> filterFields() noexcept {
    return kFields;
}

std::span<const std::string_view> filterOperators() noexcept {
    return kOperators;
}

std::span<const std::string_view> filterKeywords() noexcept {
    return kKeywords;
}

const FilterFieldInfo* findFilterField(std::string_view name) noexcept {
    for (const auto& f : kFields)
        if (stack::syntax::iequals(f.name, name)) return &f;
    return nullptr;
}

const FilterFieldInfo& filterFieldInfo(FilterField field) noexcept {
    return kFields[static_cast<std::size_t>(field)];
}

namespace filter_detail {

std::string_view suggestField(std::string_view unknown) {
    std::string_view best;
    std::size_t bestDistance = 3;  // at most two edits ...
    for (const auto& f : kFields) {
        const std::size_t d = editDistance(unknown, f.name);
        if (d < bestDistance && d * 3 <= f.name.size()) {  // ... and not most of a short name
            best = f.name;
            bestDistance = d;
        }
    }
    return best;
}

std::string_view cmpOpText(CmpOp op) noexcept {
    constexpr std::string_view kText[] = {
        "==", "!=", "<", "<=", ">", ">=", "~", "!~", "in", "not in", "between"};
    return kText[static_cast<std::size_t>(op)];
}

}  // namespace filter_detail

}  // namespace sipscope::analyzer
