#pragma once
// MIME media types (RFC 2045 §5.1) and multipart bodies (RFC 2046 §5.1), as SIP uses them for
// SDP plus ISUP/QSIG, S/MIME (RFC 3261 §23), or presence documents. Every string_view is a slice
// of the parsed input; part bodies may hold binary octets (NUL, bare CR/LF) and are never copied.

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace sipscope::stack {

struct MimeHeader {
    std::string_view name;
    std::string_view value;  // trimmed; a folded value keeps its inner CRLF (RFC 5322 §2.2.3)
};

struct BodyPart {
    std::vector<MimeHeader> headers;
    std::string_view contentType;  // raw value; "" when absent (RFC 2046 §5.1: text/plain)
    std::string_view body;         // the content, without the CRLF that belongs to the delimiter
    std::size_t offset = 0;        // of `body`, from the start of the outermost parsed body
    std::vector<BodyPart> parts;   // children when this part is itself multipart
    bool closed = true;            // for a multipart part: its close delimiter was present

    std::string_view header(std::string_view name) const noexcept;  // first, case-insensitive
};

struct MediaTypeView {
    std::string_view type;
    std::string_view subtype;
    // Values with their quotes stripped. Quoted-pairs stay escaped: resolving them would need a
    // copy, and boundaries (RFC 2046 §5.1.1 bchars) never contain a backslash.
    std::vector<std::pair<std::string_view, std::string_view>> params;

    std::string_view param(std::string_view name) const noexcept;  // case-insensitive, "" if absent
    bool isMultipart() const noexcept;
    bool is(std::string_view type, std::string_view subtype) const noexcept;  // case-insensitive
};

// Parses a Content-Type value such as `multipart/mixed;boundary=7a9cbec02ceef655` or
// `multipart/alternative; boundary="b1 x"`. Errors carry BadHeaderValue (or UnterminatedQuote) and
// an offset within `contentTypeValue`.
Result<MediaTypeView> parseMediaType(std::string_view contentTypeValue);

struct MultipartBody {
    std::vector<BodyPart> parts;
    // False when the body ended before the close delimiter ("--" boundary "--"): the parts are
    // still returned, the last one running to the end of the body.
    bool closed = false;
    std::string_view preamble;  // ignored by RFC 2046 §5.1.1, kept for display
    std::string_view epilogue;
};

// Deepest nesting parseMultipart descends to, whatever maxDepth says: recursion depth must not
// be chosen by the sender of a message.
inline constexpr int kMaxMultipartDepth = 16;

// Splits `body` at its boundary delimiters. Parts whose Content-Type is multipart are parsed
// recursively while fewer than `maxDepth` multipart levels are open (the outermost one counts,
// kMaxMultipartDepth at most); deeper ones stay leaves. A body without any delimiter, a part header
// line without a colon, or a nested multipart without a boundary is an ErrorCode::BadBody error
// with its offset in `body`.
Result<MultipartBody> parseMultipart(std::string_view body, std::string_view boundary,
                                     int maxDepth = 4);

}  // namespace sipscope::stack
