// parseUri: one pass over the view, no copies. Every loop is bounded by the view's size, so the
// parser never needs a terminator and never reads past the end (NUL is just an invalid byte).

#include <cstdio>

#include "syntax/byte_search.hpp"
#include "syntax/char_class.hpp"
#include "uri/uri.hpp"
#include "uri/uri_detail.hpp"

namespace sipscope::stack {
namespace {

using syntax::is;
using syntax::isHex;
using Status = std::optional<Error>;

constexpr std::uint16_t kUserChars = syntax::kUnreserved | syntax::kUserUnreserved;
constexpr std::uint16_t kPasswordChars = syntax::kUnreserved | syntax::kPasswordExtra;
constexpr std::uint16_t kParamChars = syntax::kUnreserved | syntax::kParamUnreserved;
constexpr std::uint16_t kHeaderChars = syntax::kUnreserved | syntax::kHnvUnreserved;
// Most URIs on the wire carry one to three params (transport, lr, user=phone, ...): one
// allocation instead of the 1-2-4 growth of push_back.
constexpr std::size_t kTypicalParamCount = 4;

Error uriError(std::size_t offset, std::string message) {
    return makeError(ErrorCode::BadUri, offset, std::move(message));
}

// Printable ASCII is quoted; anything else is shown as a hex byte so that NUL or binary input
// never ends up raw in a log line.
std::string describe(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u > 0x20 && u < 0x7f) return std::string{'\'', c, '\''};
    char buf[16];
    std::snprintf(buf, sizeof buf, "byte 0x%02X", static_cast<unsigned>(u));
    return buf;
}

bool isEscapeAt(std::string_view text, std::size_t pos) noexcept {
    return text.size() - pos >= 3 && text[pos] == '%' && isHex(text[pos + 1]) &&
           isHex(text[pos + 2]);
}

Error badChar(std::string_view text, std::size_t pos, std::string_view where) {
    const std::string in = " in " + std::string(where);
    if (pos >= text.size()) return uriError(pos, "unexpected end of URI" + in);
    if (text[pos] == '%' && !isEscapeAt(text, pos))
        return uriError(pos, "'%' not followed by two hex digits (RFC 3261 §19.1.2)" + in);
    return uriError(pos, "invalid character " + describe(text[pos]) + in);
}

// Skips *(chars of `cls` / escaped). Stops at any other byte, including a '%' that does not
// start a valid escape, so the caller reports exactly that offset.
std::size_t skipEscaped(std::string_view text, std::size_t pos, std::size_t end,
                        std::uint16_t cls) noexcept {
    while (pos < end) {
        if (is(text[pos], cls)) {
            ++pos;
        } else if (isEscapeAt(text.substr(0, end), pos)) {
            pos += 3;
        } else {
            break;
        }
    }
    return pos;
}

bool isAnyOf(std::string_view text, std::size_t pos, std::string_view set) noexcept {
    if (pos >= text.size()) return false;
    for (const char c : set)  // two or three bytes: a loop, not a memchr call
        if (text[pos] == c) return true;
    return false;
}

// --- sip: / sips: (RFC 3261 §19.1.1, §25.1) -----------------------------------------------

// The user part may hold unescaped ";?/&=+$," (user-unreserved), so only the first '@' of the
// URI can end the userinfo: no later component allows a raw '@'.
Status parseUserInfo(std::string_view text, std::size_t begin, std::size_t at, SipUri& sip) {
    std::size_t pos = skipEscaped(text, begin, at, kUserChars);
    // Tolerated: '#' of RFC 2806 dtmf-digit ("*21#"), which phones send unescaped.
    while (pos < at && text[pos] == '#') pos = skipEscaped(text, pos + 1, at, kUserChars);
    if (pos < at && text[pos] != ':') return badChar(text.substr(0, at), pos, "user part");
    if (pos == begin) return uriError(begin, "empty user part before '@'");
    sip.user = text.substr(begin, pos - begin);
    sip.hasUserInfo = true;
    if (pos == at) return std::nullopt;
    const std::size_t pwBegin = pos + 1;
    pos = skipEscaped(text, pwBegin, at, kPasswordChars);
    if (pos < at) return badChar(text.substr(0, at), pos, "password");
    sip.password = text.substr(pwBegin, at - pwBegin);
    sip.hasPassword = true;
    return std::nullopt;
}

Status parseBracketHost(std::string_view text, std::size_t& pos, SipUri& sip) {
    const std::size_t close = text.find(']', pos);
    if (close == std::string_view::npos)
        return uriError(pos, "'[' without closing ']' in IPv6 reference");
    if (!uri_detail::parseIpv6(text.substr(pos + 1, close - pos - 1)))
        return uriError(pos + 1, "invalid IPv6 address (RFC 4291 §2.2)");
    sip.host = text.substr(pos, close + 1 - pos);
    sip.hostKind = HostKind::IPv6;
    pos = close + 1;
    return std::nullopt;
}

// RFC 5118 §4.2: "sip:2001:db8::10" is invalid. Read as host "2001" and port "db8::10" it
// would get a confusing host or port error, so a failed hostport that starts with hex digits
// and two colons is named for what it is. Only checked on the error path.
bool looksLikeBareIpv6(std::string_view text, std::size_t begin) noexcept {
    std::size_t i = begin;
    while (i < text.size() && isHex(text[i])) ++i;
    if (i >= text.size() || text[i] != ':') return false;
    for (++i; i < text.size() && text[i] != ';' && text[i] != '?'; ++i)
        if (text[i] == ':') return true;
    return false;
}

Status parseNamedHost(std::string_view text, std::size_t& pos, SipUri& sip) {
    const std::size_t begin = pos;
    while (pos < text.size() && uri_detail::isHostChar(text[pos])) ++pos;
    if (pos < text.size() && !isAnyOf(text, pos, ":;?")) return badChar(text, pos, "host");
    if (pos == begin) return uriError(begin, "missing host");
    const std::string_view host = text.substr(begin, pos - begin);
    const auto check = uri_detail::classifyHost(host);
    if (check.message != nullptr) return uriError(begin + check.badOffset, check.message);
    sip.host = host;
    sip.hostKind = check.kind;
    return std::nullopt;
}

// RFC 3261 §25.1: port = 1*DIGIT; values above 65535 cannot be a UDP/TCP port.
Status parsePort(std::string_view text, std::size_t& pos, SipUri& sip) {
    const std::size_t begin = ++pos;  // past ':'
    std::uint32_t value = 0;
    while (pos < text.size() && syntax::isDigit(text[pos])) {
        if (value <= 65535) value = value * 10 + static_cast<std::uint32_t>(text[pos] - '0');
        ++pos;
    }
    if (pos == begin) {
        if (pos >= text.size()) return uriError(pos, "empty port after ':'");
        return badChar(text, pos, "port");
    }
    if (value > 65535) return uriError(begin, "port out of range (0-65535)");
    if (pos < text.size() && !isAnyOf(text, pos, ";?")) return badChar(text, pos, "port");
    sip.port = static_cast<std::uint16_t>(value);
    return std::nullopt;
}

Status parseHostPort(std::string_view text, std::size_t& pos, SipUri& sip) {
    if (pos >= text.size()) return uriError(pos, "missing host");
    const std::size_t begin = pos;
    const bool bracketed = text[pos] == '[';
    Status status = bracketed ? parseBracketHost(text, pos, sip) : parseNamedHost(text, pos, sip);
    if (!status && pos < text.size() && text[pos] == ':') {
        status = parsePort(text, pos, sip);
    } else if (!status && pos < text.size() && !isAnyOf(text, pos, ";?")) {
        status = badChar(text, pos, "host");
    }
    if (status && !bracketed && looksLikeBareIpv6(text, begin))
        return uriError(begin, "IPv6 address must be enclosed in '[' ']' (RFC 5118 §4.2)");
    return status;
}

// One ";name[=value]" at `pos` (on the ';'). RFC 3261 §25.1 and RFC 3966 §3 both require
// 1*paramchar on either side of '=', so ";;", ";=x" and ";x=" are errors.
Status parseOneParam(std::string_view text, std::size_t& pos, UriParam& param,
                     std::string_view stops) {
    const std::size_t nameBegin = ++pos;
    pos = skipEscaped(text, pos, text.size(), kParamChars);
    if (pos == nameBegin) {
        if (pos < text.size() && text[pos] != '=' && !isAnyOf(text, pos, stops))
            return badChar(text, pos, "uri-parameter name");
        return uriError(pos, "empty uri-parameter name");
    }
    param.name = text.substr(nameBegin, pos - nameBegin);
    if (pos < text.size() && text[pos] == '=') {
        const std::size_t valueBegin = ++pos;
        pos = skipEscaped(text, pos, text.size(), kParamChars);
        if (pos == valueBegin && (pos >= text.size() || isAnyOf(text, pos, stops)))
            return uriError(pos, "empty uri-parameter value after '='");
        param.value = text.substr(valueBegin, pos - valueBegin);
        param.hasValue = true;
    }
    if (pos < text.size() && !isAnyOf(text, pos, stops)) return badChar(text, pos, "uri-parameter");
    return std::nullopt;
}

// `stops` lists the bytes that may end a param: ";" (the next one) and, for SIP, "?" (headers).
Status parseParams(std::string_view text, std::size_t& pos, std::vector<UriParam>& out,
                   std::string_view stops) {
    while (pos < text.size() && text[pos] == ';') {
        UriParam param;
        if (Status status = parseOneParam(text, pos, param, stops)) return status;
        if (out.empty()) out.reserve(kTypicalParamCount);
        out.push_back(param);
    }
    return std::nullopt;
}

// RFC 3261 §25.1: headers = "?" header *( "&" header ); header = hname "=" hvalue, where hname
// is 1*char and hvalue may be empty.
Status parseHeaders(std::string_view text, std::size_t& pos, std::vector<UriParam>& out) {
    do {
        const std::size_t nameBegin = ++pos;  // past '?' or '&'
        pos = skipEscaped(text, pos, text.size(), kHeaderChars);
        if (pos == nameBegin && pos < text.size() && !isAnyOf(text, pos, "&="))
            return badChar(text, pos, "header name");
        if (pos == nameBegin) return uriError(pos, "empty header name");
        if (pos >= text.size() || text[pos] == '&')
            return uriError(pos, "header without '=' (RFC 3261 §25.1: hname \"=\" hvalue)");
        if (text[pos] != '=') return badChar(text, pos, "header name");
        const std::size_t valueBegin = ++pos;
        pos = skipEscaped(text, pos, text.size(), kHeaderChars);
        if (pos < text.size() && text[pos] != '&') return badChar(text, pos, "header value");
        if (out.empty()) out.reserve(kTypicalParamCount);
        out.push_back(UriParam{text.substr(nameBegin, valueBegin - 1 - nameBegin),
                               text.substr(valueBegin, pos - valueBegin), true});
    } while (pos < text.size());
    return std::nullopt;
}

Status parseSip(std::string_view text, std::size_t pos, SipUri& sip) {
    const std::size_t at = syntax::findByte(text, pos, '@');
    if (at != text.size()) {
        if (Status status = parseUserInfo(text, pos, at, sip)) return status;
        pos = at + 1;
    }
    if (Status status = parseHostPort(text, pos, sip)) return status;
    if (Status status = parseParams(text, pos, sip.params, "?;")) return status;
    if (pos < text.size()) return parseHeaders(text, pos, sip.headers);
    return std::nullopt;
}

// --- tel: (RFC 3966 §3) --------------------------------------------------------------------

// global-number-digits = "+" *phonedigit DIGIT *phonedigit;
// local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex.
// A local number without ";phone-context=" is tolerated (RFC 3966 §5.1.5 requires one): old
// gateways send "tel:1234" and the number is still worth showing.
Status parseTel(std::string_view text, std::size_t pos, TelUri& tel) {
    const std::size_t begin = pos;
    const bool global = pos < text.size() && text[pos] == '+';
    if (global) ++pos;
    bool hasDigit = false;
    for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (global ? syntax::isDigit(c) : (isHex(c) || c == '*' || c == '#')) {
            hasDigit = true;
        } else if (!uri_detail::isVisualSeparator(c)) {
            break;
        }
    }
    if (pos < text.size() && text[pos] != ';') return badChar(text, pos, "telephone number");
    if (!hasDigit) return uriError(pos, "telephone number without digits (RFC 3966 §3)");
    tel.number = text.substr(begin, pos - begin);
    return parseParams(text, pos, tel.params, ";");
}

// --- other schemes (RFC 3986 §3) ------------------------------------------------------------

// Unknown schemes are kept opaque. Only what can never be inside a URI is refused: controls,
// space, non-ASCII and the delimiters '<' '>' '"' that enclose URIs in SIP headers.
Status parseOpaque(std::string_view text, std::size_t pos, Uri& uri) {
    if (pos >= text.size()) return uriError(pos, "empty URI after scheme");
    for (std::size_t i = pos; i < text.size(); ++i) {
        const auto u = static_cast<unsigned char>(text[i]);
        if (u <= 0x20 || u >= 0x7f || u == '<' || u == '>' || u == '"')
            return badChar(text, i, "URI");
    }
    uri.opaque = text.substr(pos);
    return std::nullopt;
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), case-insensitive.
Status parseScheme(std::string_view text, Uri& uri) {
    if (text.empty()) return uriError(0, "empty URI");
    if (!syntax::isAlpha(text[0])) return badChar(text, 0, "scheme (must start with a letter)");
    std::size_t pos = 1;
    while (pos < text.size() &&
           (syntax::isAlpha(text[pos]) || syntax::isDigit(text[pos]) || isAnyOf(text, pos, "+-.")))
        ++pos;
    if (pos >= text.size()) return uriError(pos, "missing ':' after scheme");
    if (text[pos] != ':') return badChar(text, pos, "scheme (expected ':' after the name)");
    uri.schemeName = text.substr(0, pos);
    if (syntax::iequals(uri.schemeName, "sip")) {
        uri.scheme = UriScheme::Sip;
    } else if (syntax::iequals(uri.schemeName, "sips")) {
        uri.scheme = UriScheme::Sips;
    } else if (syntax::iequals(uri.schemeName, "tel")) {
        uri.scheme = UriScheme::Tel;
    } else {
        uri.scheme = UriScheme::Other;
    }
    return std::nullopt;
}

Status parseAfterScheme(std::string_view text, Uri& uri) {
    const std::size_t pos = uri.schemeName.size() + 1;
    switch (uri.scheme) {
        case UriScheme::Sip:
        case UriScheme::Sips:
            return parseSip(text, pos, uri.sip);
        case UriScheme::Tel:
            return parseTel(text, pos, uri.tel);
        case UriScheme::Other:
            break;
    }
    return parseOpaque(text, pos, uri);
}

}  // namespace

Result<Uri> parseUri(std::string_view text) {
    Uri uri;
    uri.raw = text;
    if (Status status = parseScheme(text, uri)) return std::move(*status);
    if (Status status = parseAfterScheme(text, uri)) return std::move(*status);
    return uri;
}

}  // namespace sipscope::stack
