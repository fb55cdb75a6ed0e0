#include "message/simple_headers.hpp"

#include "syntax/char_class.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

using namespace syntax;

namespace {

constexpr std::uint64_t kMaxDelta = 0xFFFFFFFFu;

Error outOfRange(std::size_t at, std::string_view what) {
    return makeError(ErrorCode::ValueOutOfRange, at, std::string(what));
}

// Reads 1*DIGIT bounded by `max`; distinguishes "no digits" from "too large".
Result<std::uint64_t> number(Scanner& s, std::uint64_t max, std::string_view what) {
    const std::size_t at = s.pos();
    const std::string_view d = s.digits();
    if (d.empty())
        return s.error(ErrorCode::BadHeaderValue, std::string(what) + " is not a number");
    auto v = parseUnsigned(d, max);
    if (!v) return outOfRange(at, std::string(what) + " is out of range");
    return *v;
}

Result<bool> atEnd(Scanner& s) {
    s.skipLws();
    if (!s.atEnd()) return s.error(ErrorCode::BadHeaderValue, "unexpected text after the value");
    return true;
}

}  // namespace

Result<CSeq> CSeq::parse(std::string_view value) {
    Scanner s(value);
    s.skipLws();
    auto n = number(s, 0x7FFFFFFFu, "CSeq sequence number");  // §8.1.1.5: < 2^31
    if (!n.ok()) return n.error();
    if (!s.skipLws()) return s.error(ErrorCode::BadHeaderValue, "CSeq needs LWS before the method");
    CSeq c;
    c.seq = static_cast<std::uint32_t>(*n);
    c.method = s.token();
    if (c.method.empty()) return s.error(ErrorCode::BadHeaderValue, "CSeq method missing");
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return c;
}

Result<CallId> CallId::parse(std::string_view value) {
    Scanner s(value);
    const std::string_view w1 = s.span(kToken | kWordExtra);
    if (w1.empty()) return s.error(ErrorCode::BadHeaderValue, "Call-ID is empty");
    if (s.consume('@') && s.span(kToken | kWordExtra).empty())
        return s.error(ErrorCode::BadHeaderValue, "Call-ID has nothing after '@'");
    if (!s.atEnd())
        return s.error(ErrorCode::BadHeaderValue, "Call-ID has a character not allowed in a word");
    return CallId{value};
}

Result<MaxForwards> MaxForwards::parse(std::string_view value) {
    Scanner s(value);
    auto n = number(s, 255, "Max-Forwards");
    if (!n.ok()) return n.error();
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return MaxForwards{static_cast<int>(*n)};
}

Result<ContentLength> ContentLength::parse(std::string_view value) {
    Scanner s(value);
    if (s.peek() == '-') return s.error(ErrorCode::BadContentLength, "negative Content-Length");
    auto n = number(s, kMaxDelta, "Content-Length");
    if (!n.ok()) return n.error();
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return ContentLength{static_cast<std::uint32_t>(*n)};
}

Result<DeltaSeconds> DeltaSeconds::parse(std::string_view value) {
    Scanner s(value);
    auto n = number(s, kMaxDelta, "delta-seconds");
    if (!n.ok()) return n.error();
    DeltaSeconds d;
    d.seconds = static_cast<std::uint32_t>(*n);
    if (auto p = parseParams(s, d.params); !p.ok()) return p.error();
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return d;
}

Result<RetryAfter> RetryAfter::parse(std::string_view value) {
    Scanner s(value);
    auto n = number(s, kMaxDelta, "Retry-After");
    if (!n.ok()) return n.error();
    RetryAfter r;
    r.seconds = static_cast<std::uint32_t>(*n);
    s.skipLws();
    if (s.peek() == '(') {
        auto c = s.comment();
        if (!c.ok()) return c.error();
        r.comment = *c;
    }
    if (auto p = parseParams(s, r.params); !p.ok()) return p.error();
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return r;
}

Result<WarningList> WarningList::parse(std::string_view value) {
    WarningList w;
    Scanner s(value);
    do {
        s.skipLws();
        const std::size_t at = s.pos();
        const std::string_view code = s.digits();
        if (code.size() != 3)
            return makeError(ErrorCode::ValueOutOfRange, at, "warn-code must be 3 digits");
        Value v;
        v.code = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        if (!s.consume(' '))
            return s.error(ErrorCode::BadHeaderValue, "expected SP after warn-code");
        v.agent = s.span(kToken | kWordExtra);
        if (v.agent.empty() || !s.consume(' '))
            return s.error(ErrorCode::BadHeaderValue, "expected warn-agent and SP");
        auto t = s.quotedString();
        if (!t.ok()) return t.error();
        v.text = *t;
        w.values.push_back(v);
    } while (s.separator(','));
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return w;
}

// rfc1123-date = wkday "," SP date1 SP time SP "GMT"; date1 = 2DIGIT SP month SP 4DIGIT;
// time = 2DIGIT ":" 2DIGIT ":" 2DIGIT (§25.1).
Result<SipDate> SipDate::parse(std::string_view value) {
    static constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto in = [](std::string_view v, const auto& set) {
        for (auto x : set)
            if (x == v) return true;
        return false;
    };
    const std::string_view v = value;
    // "Sat, 13 Nov 2010 23:29:00 GMT" is exactly 29 characters.
    auto digitsAt = [&](std::size_t i, std::size_t n) { return allOf(v.substr(i, n), kDigit); };
    const bool ok = v.size() == 29 && in(v.substr(0, 3), kDays) && v.substr(3, 2) == ", " &&
                    digitsAt(5, 2) && v[7] == ' ' && in(v.substr(8, 3), kMonths) && v[11] == ' ' &&
                    digitsAt(12, 4) && v[16] == ' ' && digitsAt(17, 2) && v[19] == ':' &&
                    digitsAt(20, 2) && v[22] == ':' && digitsAt(23, 2) && v[25] == ' ';
    if (!ok) return makeError(ErrorCode::BadHeaderValue, 0, "Date is not an RFC 1123 date");
    if (v.substr(26) != "GMT")
        return makeError(ErrorCode::BadHeaderValue, 26, "Date must be in GMT (RFC 3261 §20.17)");
    return SipDate{value};
}

Result<TokenList> TokenList::parse(std::string_view value) {
    TokenList l;
    Scanner s(value);
    s.skipLws();
    if (s.atEnd()) return l;
    do {
        const std::string_view t = s.token();
        if (t.empty()) return s.error(ErrorCode::BadHeaderValue, "expected a token");
        if (l.tokens.empty()) l.tokens.reserve(8);  // Allow lists run to ~10 methods
        l.tokens.push_back(t);
    } while (s.separator(',') || s.separator(';'));
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return l;
}

bool TokenList::contains(std::string_view token) const noexcept {
    for (auto t : tokens)
        if (iequals(t, token)) return true;
    return false;
}

Result<RSeq> RSeq::parse(std::string_view value) {
    Scanner s(value);
    auto n = number(s, kMaxDelta, "RSeq");
    if (!n.ok()) return n.error();
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return RSeq{static_cast<std::uint32_t>(*n)};
}

Result<RAck> RAck::parse(std::string_view value) {
    Scanner s(value);
    RAck r;
    auto a = number(s, kMaxDelta, "RAck response-num");
    if (!a.ok()) return a.error();
    s.skipLws();
    auto b = number(s, 0x7FFFFFFFu, "RAck CSeq-num");
    if (!b.ok()) return b.error();
    s.skipLws();
    r.rseq = static_cast<std::uint32_t>(*a);
    r.cseq = static_cast<std::uint32_t>(*b);
    r.method = s.token();
    if (r.method.empty()) return s.error(ErrorCode::BadHeaderValue, "RAck method missing");
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return r;
}

Result<EventValue> EventValue::parse(std::string_view value) {
    Scanner s(value);
    s.skipLws();
    EventValue ev;
    ev.type = s.token();
    if (ev.type.empty()) return s.error(ErrorCode::BadHeaderValue, "event type missing");
    if (auto p = parseParams(s, ev.params); !p.ok()) return p.error();
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return ev;
}

std::string_view EventValue::id() const noexcept {
    const auto* p = findParam(params, "id");
    return p ? p->value : std::string_view();
}

Result<ContentTypeValue> ContentTypeValue::parse(std::string_view value) {
    Scanner s(value);
    s.skipLws();
    ContentTypeValue ct;
    ct.type = s.token();
    if (ct.type.empty() || !s.separator('/'))
        return s.error(ErrorCode::BadHeaderValue, "media type must be type/subtype");
    ct.subtype = s.token();
    if (ct.subtype.empty()) return s.error(ErrorCode::BadHeaderValue, "media subtype missing");
    if (auto p = parseParams(s, ct.params); !p.ok()) return p.error();
    if (auto e = atEnd(s); !e.ok()) return e.error();
    return ct;
}

bool ContentTypeValue::is(std::string_view t, std::string_view sub) const noexcept {
    return iequals(type, t) && iequals(subtype, sub);
}

}  // namespace sipscope::stack
