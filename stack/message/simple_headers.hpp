#pragma once
// Typed values of the single-purpose headers (RFC 3261 §20 and extensions). Each has
// `static Result<T> parse(std::string_view value)` for SipMessage::typed<T>().

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "message/params.hpp"

namespace sipscope::stack {

// CSeq = 1*DIGIT LWS Method; the number is below 2^31 (§8.1.1.5).
struct CSeq {
    std::uint32_t seq = 0;
    std::string_view method;
    static Result<CSeq> parse(std::string_view value);
};

// Call-ID = word [ "@" word ] (§25.1).
struct CallId {
    std::string_view value;
    static Result<CallId> parse(std::string_view value);
};

// Max-Forwards = 1*DIGIT, 0-255 (§20.22, RFC 4475 §3.1.2.4 treats 300 as overlarge).
struct MaxForwards {
    int hops = 0;
    static Result<MaxForwards> parse(std::string_view value);
};

// Content-Length = 1*DIGIT (§20.14).
struct ContentLength {
    std::uint32_t length = 0;
    static Result<ContentLength> parse(std::string_view value);
};

// delta-seconds = 1*DIGIT, 0 .. 2^32-1 (§20.19): Expires, Min-Expires, Min-SE,
// Session-Expires (RFC 4028, with params).
struct DeltaSeconds {
    std::uint32_t seconds = 0;
    ParamList params;
    static Result<DeltaSeconds> parse(std::string_view value);
};

// Retry-After = delta-seconds [ comment ] *( SEMI retry-param ) (§20.33).
struct RetryAfter {
    std::uint32_t seconds = 0;
    std::string_view comment;
    ParamList params;
    static Result<RetryAfter> parse(std::string_view value);
};

// Warning = warning-value *(COMMA warning-value); warn-code = 3DIGIT (§20.43).
struct WarningList {
    struct Value {
        int code = 0;
        std::string_view agent;
        std::string_view text;  // quoted
    };
    std::vector<Value> values;
    static Result<WarningList> parse(std::string_view value);
};

// Date = rfc1123-date, always GMT (§20.17).
struct SipDate {
    std::string_view value;
    static Result<SipDate> parse(std::string_view value);
};

// Comma-separated tokens: Allow, Supported, Require, Proxy-Require, Unsupported,
// Allow-Events, Content-Encoding, Privacy (';'-separated there too). May be empty.
struct TokenList {
    std::vector<std::string_view> tokens;
    bool contains(std::string_view token) const noexcept;  // case-insensitive
    static Result<TokenList> parse(std::string_view value);
};

// RSeq = 1*DIGIT (RFC 3262 §7.1); RAck = response-num LWS CSeq-num LWS Method (§7.2).
struct RSeq {
    std::uint32_t value = 0;
    static Result<RSeq> parse(std::string_view value);
};
struct RAck {
    std::uint32_t rseq = 0;
    std::uint32_t cseq = 0;
    std::string_view method;
    static Result<RAck> parse(std::string_view value);
};

// Event = event-type *( SEMI event-param ) (RFC 6665 §8.2.1); also Subscription-State.
struct EventValue {
    std::string_view type;
    ParamList params;
    std::string_view id() const noexcept;
    static Result<EventValue> parse(std::string_view value);
};

// Content-Type = m-type SLASH m-subtype *( SEMI m-parameter ) (§20.15).
struct ContentTypeValue {
    std::string_view type, subtype;
    ParamList params;
    bool is(std::string_view t, std::string_view sub) const noexcept;
    static Result<ContentTypeValue> parse(std::string_view value);
};

}  // namespace sipscope::stack
