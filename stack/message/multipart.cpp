#include "message/multipart.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "syntax/char_class.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

namespace {

constexpr std::size_t kNpos = std::string_view::npos;
constexpr std::string_view kContentType = "Content-Type";
constexpr std::size_t kTypicalPartHeaders = 4;

// RFC 2045 §5.1: token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>. Wider than
// the SIP token of RFC 3261 §25.1: MIME part headers follow MIME, not SIP.
// A table: the test runs once per byte of every Content-Type.
constexpr std::array<bool, 256> kMimeTokenTable = [] {
    std::array<bool, 256> t{};
    for (int c = 0x21; c < 0x7F; ++c) t[c] = true;
    for (char c : std::string_view("()<>@,;:\\\"/[]?=")) t[static_cast<unsigned char>(c)] = false;
    return t;
}();
constexpr bool isMimeTokenChar(char c) noexcept {
    return kMimeTokenTable[static_cast<unsigned char>(c)];
}

// Unquoted parameter values: a MIME token strictly, but senders often leave boundaries such as
// "----=_Part_1" unquoted, so anything printable up to the next ';' is taken.
constexpr bool isLooseValueChar(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u != 0x7F && c != ';' && c != '"';
}

template <class Pred>
std::string_view spanWhile(syntax::Scanner& s, Pred pred) {
    const std::size_t start = s.pos();
    while (!s.atEnd() && pred(s.peek())) s.setPos(s.pos() + 1);
    return s.text().substr(start, s.pos() - start);
}

Error typeError(const syntax::Scanner& s, std::string message) {
    return makeError(ErrorCode::BadHeaderValue, s.pos(), std::move(message),
                     std::string(kContentType));
}

Error bodyError(std::size_t offset, std::string message) {
    return makeError(ErrorCode::BadBody, offset, std::move(message));
}

std::optional<Error> parseParameter(syntax::Scanner& s, MediaTypeView& mt) {
    const std::string_view name = spanWhile(s, isMimeTokenChar);
    if (name.empty()) return typeError(s, "parameter name expected (RFC 2045 §5.1)");
    if (!s.separator('=')) return typeError(s, "'=' expected after the parameter name");
    std::string_view value;
    if (s.peek() == '"') {
        auto quoted = s.quotedString();
        if (!quoted) {
            Error e = std::move(quoted).error();
            e.header = std::string(kContentType);
            return e;
        }
        value = quoted->substr(1, quoted->size() - 2);
    } else {
        value = spanWhile(s, isLooseValueChar);
        if (value.empty()) return typeError(s, "parameter value expected (RFC 2045 §5.1)");
    }
    mt.params.emplace_back(name, value);
    return std::nullopt;
}

struct Delimiter {
    std::size_t contentEnd = 0;  // end of the content before it: its CRLF belongs to the delimiter
    std::size_t next = 0;        // first byte after the delimiter line
    bool close = false;
};

// Returns where the line after a dash-boundary starts, or kNpos when text follows the boundary on
// the same line (then the boundary was only a prefix of some other line).
std::size_t delimiterLineEnd(std::string_view body, std::size_t i) noexcept {
    // RFC 2046 §5.1.1: transport-padding := *LWSP-char, added by gateways and to be ignored.
    while (i < body.size() && syntax::isWsp(body[i])) ++i;
    if (i == body.size()) return i;
    if (body[i] == '\n') return i + 1;
    if (body[i] == '\r' && (i + 1 == body.size() || body[i + 1] == '\n')) {
        return std::min(i + 2, body.size());
    }
    return kNpos;
}

// Finds the first delimiter line starting at or after `from`.
std::optional<Delimiter> findDelimiter(std::string_view body, std::string_view boundary,
                                       std::size_t from) noexcept {
    for (std::size_t q = body.find(boundary, from + 2); q != kNpos;
         q = body.find(boundary, q + 1)) {
        const std::size_t dash = q - 2;
        // RFC 2046 §5.1.1: delimiter := CRLF "--" boundary; only the very first one may sit at
        // the start of the body. A bare LF is accepted as well.
        if (body[dash] != '-' || body[dash + 1] != '-') continue;
        if (dash != 0 && body[dash - 1] != '\n') continue;
        Delimiter d;
        d.contentEnd = dash;
        if (dash > from && body[dash - 1] == '\n') --d.contentEnd;
        if (d.contentEnd > from && body[d.contentEnd - 1] == '\r') --d.contentEnd;
        const std::size_t after = q + boundary.size();
        if (body.substr(after, 2) == "--") {
            // close-delimiter; whatever follows on its line is treated as epilogue.
            const std::size_t nl = body.find('\n', after + 2);
            d.next = nl == kNpos ? body.size() : nl + 1;
            d.close = true;
            return d;
        }
        d.next = delimiterLineEnd(body, after);
        if (d.next != kNpos) return d;
    }
    return std::nullopt;
}

std::size_t countDelimiters(std::string_view body, std::string_view boundary) noexcept {
    std::size_t n = 0;
    for (auto d = findDelimiter(body, boundary, 0); d && !d->close;
         d = findDelimiter(body, boundary, d->next))
        ++n;
    return n;
}

Result<MultipartBody> splitMultipart(std::string_view body, std::string_view boundary,
                                     int depthLeft, std::size_t base);

// Parses the header section of one part (RFC 2045 §3, RFC 5322 §2.2); returns where the content
// starts, which is the end of `part` when the empty line is missing (RFC 2046 §5.1.1 allows a
// part made of headers only).
Result<std::size_t> parsePartHeaders(std::string_view part, std::size_t base, BodyPart& bp) {
    std::size_t valueStart = 0;
    for (std::size_t pos = 0; pos < part.size();) {
        const std::size_t nl = part.find('\n', pos);
        const std::size_t next = nl == kNpos ? part.size() : nl + 1;
        std::string_view line = part.substr(pos, (nl == kNpos ? part.size() : nl) - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) return next;
        if (syntax::isWsp(line[0])) {
            // RFC 5322 §2.2.3: a line starting with WSP continues the previous field.
            if (bp.headers.empty()) return bodyError(base + pos, "part starts with a folded line");
            bp.headers.back().value =
                syntax::trimLws(part.substr(valueStart, pos + line.size() - valueStart));
        } else {
            const std::size_t colon = line.find(':');
            const std::string_view name =
                colon == kNpos ? std::string_view{} : syntax::trimLws(line.substr(0, colon));
            if (name.empty() || name.find_first_of(" \t") != kNpos) {
                return bodyError(base + pos, "part header line is not `name: value` (RFC 2045 §3)");
            }
            valueStart = pos + colon + 1;
            bp.headers.push_back(MimeHeader{name, syntax::trimLws(line.substr(colon + 1))});
        }
        pos = next;
    }
    return part.size();
}

Result<BodyPart> parsePart(std::string_view part, std::size_t base, int depthLeft) {
    BodyPart bp;
    bp.headers.reserve(kTypicalPartHeaders);
    auto contentStart = parsePartHeaders(part, base, bp);
    if (!contentStart) return std::move(contentStart).error();
    bp.body = part.substr(*contentStart);
    bp.offset = base + *contentStart;
    bp.contentType = bp.header(kContentType);
    if (depthLeft <= 1 || bp.contentType.empty()) return bp;
    const auto mt = parseMediaType(bp.contentType);
    // A part whose Content-Type cannot be read is kept as an opaque leaf, as RFC 2046 §5.1
    // treats unrecognized types like application/octet-stream.
    if (!mt || !mt->isMultipart()) return bp;
    const std::string_view boundary = mt->param("boundary");
    if (boundary.empty()) {
        return bodyError(bp.offset, "multipart part without a boundary (RFC 2046 §5.1.1)");
    }
    auto children = splitMultipart(bp.body, boundary, depthLeft - 1, bp.offset);
    if (!children) return std::move(children).error();
    bp.parts = std::move(children->parts);
    bp.closed = children->closed;
    return bp;
}

Result<MultipartBody> splitMultipart(std::string_view body, std::string_view boundary,
                                     int depthLeft, std::size_t base) {
    if (boundary.empty()) return bodyError(base, "empty multipart boundary (RFC 2046 §5.1.1)");
    auto d = findDelimiter(body, boundary, 0);
    if (!d)
        return bodyError(base, "no \"--boundary\" delimiter line in the body (RFC 2046 §5.1.1)");
    MultipartBody mp;
    mp.preamble = body.substr(0, d->contentEnd);
    mp.parts.reserve(countDelimiters(body, boundary));
    while (!d->close && d->next < body.size()) {
        const std::size_t start = d->next;
        const auto nextDelimiter = findDelimiter(body, boundary, start);
        const std::size_t end = nextDelimiter ? nextDelimiter->contentEnd : body.size();
        auto part = parsePart(body.substr(start, end - start), base + start, depthLeft);
        if (!part) return std::move(part).error();
        mp.parts.push_back(std::move(*part));
        if (!nextDelimiter) break;
        d = nextDelimiter;
    }
    mp.closed = d->close;
    if (mp.closed) mp.epilogue = body.substr(d->next);
    return mp;
}

}  // namespace

std::string_view BodyPart::header(std::string_view name) const noexcept {
    for (const MimeHeader& h : headers)
        if (syntax::iequals(h.name, name)) return h.value;
    return {};
}

std::string_view MediaTypeView::param(std::string_view name) const noexcept {
    for (const auto& [n, v] : params)
        if (syntax::iequals(n, name)) return v;
    return {};
}

bool MediaTypeView::isMultipart() const noexcept {
    return syntax::iequals(type, "multipart");
}

bool MediaTypeView::is(std::string_view t, std::string_view st) const noexcept {
    return syntax::iequals(type, t) && syntax::iequals(subtype, st);
}

Result<MediaTypeView> parseMediaType(std::string_view contentTypeValue) {
    // RFC 2045 §5.1: type "/" subtype *(";" parameter); CR/LF can only come from folding.
    syntax::Scanner s(contentTypeValue);
    MediaTypeView mt;
    s.skipLws();
    mt.type = spanWhile(s, isMimeTokenChar);
    if (mt.type.empty()) return typeError(s, "media type expected (RFC 2045 §5.1)");
    if (!s.separator('/')) return typeError(s, "'/' expected after the media type");
    mt.subtype = spanWhile(s, isMimeTokenChar);
    if (mt.subtype.empty()) return typeError(s, "media subtype expected (RFC 2045 §5.1)");
    std::size_t semicolons = 0;
    for (char c : s.rest()) semicolons += c == ';' ? 1 : 0;
    mt.params.reserve(semicolons);
    for (s.skipLws(); !s.atEnd(); s.skipLws()) {
        if (!s.consume(';')) return typeError(s, "';' expected before a parameter");
        s.skipLws();
        // Tolerated: a trailing or doubled ';', which some stacks emit.
        if (s.atEnd() || s.peek() == ';') continue;
        if (auto e = parseParameter(s, mt)) return std::move(*e);
    }
    return mt;
}

Result<MultipartBody> parseMultipart(std::string_view body, std::string_view boundary,
                                     int maxDepth) {
    return splitMultipart(body, boundary, std::min(maxDepth, kMaxMultipartDepth), 0);
}

}  // namespace sipscope::stack
