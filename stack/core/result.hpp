#pragma once
// Result<T>: a value or an Error that says what went wrong and where (byte offset, header).
// GCC 12 has no std::expected; this is the small subset the stack needs.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sipscope::stack {

enum class ErrorCode : std::uint16_t {
    Ok = 0,
    Empty,              // no bytes at all
    Incomplete,         // more bytes are needed (framer) or the header section never ended
    BadStartLine,       // request/status line does not follow RFC 3261 §25.1
    BadVersion,         // SIP-Version other than SIP/2.0 (505)
    BadMethod,          // method is not a token
    BadStatusCode,      // Status-Code is not 3DIGIT
    BadRequestUri,      // Request-URI malformed or not allowed there (§19.1.1)
    BadHeaderLine,      // a header line without a colon or with a non-token name
    BadHeaderValue,     // a known header whose value breaks its grammar
    BadUri,             // URI grammar error
    BadParam,           // empty or malformed ;param
    UnterminatedQuote,  // quoted-string without closing DQUOTE
    ValueOutOfRange,    // scalar larger than its grammar allows
    MissingHeader,      // a mandatory header is absent (§8.1.1, §20)
    MultipleValues,     // a single-valued header appears more than once (§7.3)
    CSeqMismatch,       // CSeq method differs from the request method (§8.1.1.5)
    BadContentLength,   // Content-Length negative, not a number, or ambiguous
    BodyTruncated,      // Content-Length larger than the bytes available (§18.3)
    TooLarge,           // a configured limit was exceeded
    BadBody,            // a body (SDP, multipart) that cannot be parsed
    // Tolerated oddities (reported as issues, the message stays acceptable):
    LeadingWhitespace,     // CRLFs before the start line (§7.5 says ignore them)
    TrailingData,          // octets after Content-Length in a datagram (§18.3)
    NoContentLength,       // body framed by the datagram end (§18.3 allows it on UDP)
    HeadersNotTerminated,  // end of datagram before the empty line
    LegacySyntax,          // RFC 2543 form: no branch cookie, no From tag, no Max-Forwards
    Tolerated,             // any other tolerated deviation; the message says which
    KeepAlive,             // CRLF keep-alive between stream messages (RFC 5626 §3.5.1)
};

// Stable snake_case names, used in JSON output and tests.
std::string_view errorCodeName(ErrorCode code) noexcept;

struct Error {
    ErrorCode code = ErrorCode::Ok;
    std::size_t offset = 0;  // byte offset from the start of the parsed input
    std::string header;      // header name as on the wire ("" for the start line / body)
    std::string message;     // human-readable explanation

    Error rebased(std::size_t base, std::string_view headerName) const {
        Error e = *this;
        e.offset += base;
        if (e.header.empty()) e.header = std::string(headerName);
        return e;
    }
};

inline Error makeError(ErrorCode code, std::size_t offset, std::string message,
                       std::string header = {}) {
    return Error{code, offset, std::move(header), std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &std::get<0>(m_v); }
    const T* operator->() const { return &std::get<0>(m_v); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const& { return std::get<1>(m_v); }
    Error&& error() && { return std::get<1>(std::move(m_v)); }

  private:
    std::variant<T, Error> m_v;
};

}  // namespace sipscope::stack
