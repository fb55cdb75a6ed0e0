#include "message/name_addr.hpp"

#include "syntax/byte_search.hpp"
#include "syntax/char_class.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

using namespace syntax;

namespace {

// Finds the first '<' (and, in a list, ',') from `from`, skipping quoted strings.
std::size_t findAngleOrComma(std::string_view t, std::size_t from, bool list) noexcept {
    for (std::size_t i = from; (i = findAnyOf(t, i, '"', '<', list ? ',' : '<')) < t.size();) {
        if (t[i] != '"') return i;
        i = skipQuoted(t, i);
    }
    return std::string_view::npos;
}

Result<bool> parseBracketed(Scanner& s, NameAddr& na) {
    const std::size_t lt = s.pos();
    const std::size_t gt = findByte(s.text(), lt, '>');
    if (gt == s.text().size()) return s.error(ErrorCode::BadHeaderValue, "'<' without '>'");
    const std::string_view inner = s.text().substr(lt + 1, gt - lt - 1);
    // RFC 3261 §25.1: LAQUOT = SWS "<" and RAQUOT = ">" SWS: no whitespace inside the brackets.
    if (!inner.empty() && (isLws(inner.front()) || isLws(inner.back())))
        return makeError(ErrorCode::BadUri, lt + 1, "whitespace inside '<' '>'");
    auto uri = parseUri(inner);
    if (!uri.ok()) return uri.error().rebased(lt + 1, "");
    na.uri = std::move(*uri);
    na.bracketed = true;
    s.setPos(gt + 1);
    return true;
}

Result<bool> parseAddrSpec(Scanner& s, NameAddr& na) {
    const std::size_t start = s.pos();
    std::size_t end = start;
    const std::string_view t = s.text();
    while (end < t.size() && t[end] != ';' && t[end] != ',' && !isLws(t[end])) ++end;
    const std::string_view text = t.substr(start, end - start);
    if (text.empty()) return s.error(ErrorCode::BadHeaderValue, "expected a URI");
    // RFC 3261 §20.10: a URI with ',', '?' or ';' must be enclosed in '<' '>'.
    if (const auto q = text.find('?'); q != std::string_view::npos)
        return makeError(ErrorCode::BadUri, start + q,
                         "URI with '?' must be enclosed in '<' '>' (RFC 3261 §20.10)");
    auto uri = parseUri(text);
    if (!uri.ok()) return uri.error().rebased(start, "");
    na.uri = std::move(*uri);
    s.setPos(end);
    return true;
}

Result<NameAddr> parseOne(Scanner& s, bool list) {
    NameAddr na;
    s.skipLws();
    const std::size_t start = s.pos();
    if (s.peek() == '"') {
        auto q = s.quotedString();
        if (!q.ok()) return q.error();
        na.display = *q;
        s.skipLws();
        if (s.peek() != '<')
            return s.error(ErrorCode::BadHeaderValue, "expected '<' after display name");
    } else {
        const std::size_t lt = findAngleOrComma(s.text(), start, list);
        if (lt != std::string_view::npos && s.text()[lt] == '<') {
            const std::string_view dn = trimLws(s.text().substr(start, lt - start));
            // display-name = *(token LWS) / quoted-string
            for (std::size_t i = 0; i < dn.size(); ++i)
                if (!isToken(dn[i]) && !isLws(dn[i]))
                    return makeError(ErrorCode::BadHeaderValue, start + i,
                                     "display name must be tokens or a quoted-string");
            na.display = dn;
            s.setPos(lt);
        }
    }
    auto r = s.peek() == '<' ? parseBracketed(s, na) : parseAddrSpec(s, na);
    if (!r.ok()) return r.error();
    if (auto p = parseParams(s, na.params); !p.ok()) return p.error();
    return na;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
bool isQValue(std::string_view q) noexcept {
    if (q.empty() || (q[0] != '0' && q[0] != '1')) return false;
    if (q.size() == 1) return true;
    if (q[1] != '.' || q.size() > 5) return false;
    for (char c : q.substr(2))
        if (!isDigit(c) || (q[0] == '1' && c != '0')) return false;
    return true;
}

Result<bool> checkContactParams(const NameAddr& na, std::string_view text) {
    for (const auto& p : na.params) {
        const auto at = static_cast<std::size_t>(p.name.data() - text.data());
        if (iequals(p.name, "expires") && !parseUnsigned(p.value, 0xFFFFFFFFu))
            return makeError(ErrorCode::ValueOutOfRange, at, "expires must be 0..2^32-1 seconds");
        if (iequals(p.name, "q") && !isQValue(p.value))
            return makeError(ErrorCode::BadParam, at, "q must be a qvalue 0..1");
    }
    return true;
}

template <class List>
Result<bool> parseList(std::string_view value, List& out, bool requireBrackets, bool contact) {
    Scanner s(value);
    do {
        auto na = parseOne(s, true);
        if (!na.ok()) return na.error();
        if (requireBrackets && !na->bracketed)
            return makeError(ErrorCode::BadHeaderValue, 0, "route entries must use '<' '>'");
        if (contact) {
            if (auto c = checkContactParams(*na, value); !c.ok()) return c.error();
        }
        out.items.push_back(std::move(*na));
    } while (s.separator(','));
    s.skipLws();
    if (!s.atEnd()) return s.error(ErrorCode::BadHeaderValue, "unexpected text after the value");
    return true;
}

}  // namespace

Result<NameAddr> NameAddr::parse(std::string_view value) {
    Scanner s(value);
    auto na = parseOne(s, false);
    if (!na.ok()) return na;
    s.skipLws();
    if (!s.atEnd())
        return s.error(ErrorCode::BadHeaderValue,
                       s.peek() == ',' ? "more than one value in a single-value header"
                                       : "unexpected text after the value");
    if (const auto* tag = findParam(na->params, "tag"); tag && (!tag->hasValue || tag->quoted()))
        return makeError(ErrorCode::BadParam,
                         static_cast<std::size_t>(tag->name.data() - value.data()),
                         "tag must be a token");
    return na;
}

Result<NameAddrList> NameAddrList::parse(std::string_view value) {
    NameAddrList list;
    if (trimLws(value) == "*") {
        list.star = true;
        return list;
    }
    if (auto r = parseList(value, list, false, true); !r.ok()) return r.error();
    return list;
}

Result<RouteList> RouteList::parse(std::string_view value) {
    RouteList list;
    if (auto r = parseList(value, list, true, false); !r.ok()) return r.error();
    return list;
}

std::string NameAddr::displayName() const {
    if (!display.empty() && display.front() == '"') return unquote(display);
    return std::string(display);
}

std::string_view NameAddr::tag() const noexcept {
    const auto* p = findParam(params, "tag");
    return p ? p->value : std::string_view();
}

std::string NameAddr::encode() const {
    std::string out;
    if (!display.empty()) out.append(display).append(" ");
    out.append("<").append(uri.raw).append(">");
    encodeParams(params, out);
    return out;
}

}  // namespace sipscope::stack
