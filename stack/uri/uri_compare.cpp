// uriEquivalent: RFC 3261 §19.1.4 for sip/sips, RFC 3966 §4 for tel. No allocation: escapes are
// decoded on the fly while two components are walked side by side.

#include <array>

#include "syntax/char_class.hpp"
#include "uri/uri.hpp"
#include "uri/uri_detail.hpp"

namespace sipscope::stack {
namespace uri_detail {
namespace {

// The comparison units of a component. RFC 3261 §19.1.4: "Characters other than those in the
// 'reserved' set are equivalent to their '%' HEX HEX encoding", so an escaped reserved character
// stays distinct from the character itself: it is returned as 0x100 | byte.
class EscapeReader {
  public:
    explicit EscapeReader(std::string_view s) noexcept : m_s(s) {}
    bool atEnd() const noexcept { return m_pos >= m_s.size(); }

    unsigned next() noexcept {
        const char c = m_s[m_pos];
        if (c == '%' && m_s.size() - m_pos >= 3 && syntax::isHex(m_s[m_pos + 1]) &&
            syntax::isHex(m_s[m_pos + 2])) {
            const auto byte = static_cast<unsigned>(syntax::hexValue(m_s[m_pos + 1]) * 16 +
                                                    syntax::hexValue(m_s[m_pos + 2]));
            m_pos += 3;
            return syntax::is(static_cast<char>(byte), syntax::kReserved) ? (0x100 | byte) : byte;
        }
        ++m_pos;
        return static_cast<unsigned char>(c);
    }

  private:
    std::string_view m_s;
    std::size_t m_pos = 0;
};

unsigned foldCase(unsigned unit) noexcept {
    return (unit >= 'A' && unit <= 'Z') ? unit - 'A' + 'a' : unit;
}

}  // namespace

bool componentsEqual(std::string_view a, std::string_view b, bool ignoreCase) noexcept {
    if (ignoreCase ? syntax::iequals(a, b) : a == b) return true;
    constexpr auto npos = std::string_view::npos;
    if (a.find('%') == npos && b.find('%') == npos) return false;
    EscapeReader x(a);
    EscapeReader y(b);
    while (!x.atEnd() && !y.atEnd()) {
        unsigned u = x.next();
        unsigned v = y.next();
        if (ignoreCase) {
            u = foldCase(u);
            v = foldCase(v);
        }
        if (u != v) return false;
    }
    return x.atEnd() && y.atEnd();
}

}  // namespace uri_detail

namespace {

using uri_detail::componentsEqual;

// RFC 3261 §19.1.4 names user, ttl, method and maddr; transport is added because the same
// section's examples call "sip:bob@biloxi.com" and "sip:bob@biloxi.com;transport=udp"
// not equivalent ("can resolve to different transports").
constexpr std::array<std::string_view, 5> kParamsRequiredInBoth{"user", "ttl", "method", "maddr",
                                                                "transport"};

bool mustBeInBoth(std::string_view name) noexcept {
    for (std::string_view required : kParamsRequiredInBoth)
        if (componentsEqual(name, required, true)) return true;
    return false;
}

bool sameName(const UriParam& a, const UriParam& b) noexcept {
    return componentsEqual(a.name, b.name, true);
}

bool sipParamValuesEqual(const UriParam& a, const UriParam& b) noexcept {
    return a.hasValue == b.hasValue && componentsEqual(a.value, b.value, true);
}

// Every param of `x` has an equal namesake in `y`, or no namesake and may be left out. Checked
// in both directions, this stays reflexive and symmetric even with a repeated param name.
bool sipParamsCovered(const std::vector<UriParam>& x, const std::vector<UriParam>& y) noexcept {
    for (const UriParam& p : x) {
        bool named = false;
        bool matched = false;
        for (const UriParam& q : y) {
            if (!sameName(p, q)) continue;
            named = true;
            if (sipParamValuesEqual(p, q)) {
                matched = true;
                break;
            }
        }
        if (named ? !matched : mustBeInBoth(p.name)) return false;
    }
    return true;
}

// RFC 3261 §19.1.4: "Header components are never ignored"; their order is not significant.
// Names are case-insensitive (§7.3.1); values are compared exactly, after unescaping.
bool headersCovered(const std::vector<UriParam>& x, const std::vector<UriParam>& y) noexcept {
    for (const UriParam& h : x) {
        bool found = false;
        for (const UriParam& g : y) {
            if (sameName(h, g) && componentsEqual(h.value, g.value, false)) {
                found = true;
                break;
            }
        }
        if (!found) return false;
    }
    return true;
}

std::string_view stripBrackets(std::string_view host) noexcept {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        return host.substr(1, host.size() - 2);
    return host;
}

// Host names compare case-insensitively. IPv6 references compare by address, since RFC 4291
// §2.2 gives one address several text forms ("[2001:db8::1]" = "[2001:DB8:0:0::1]").
bool hostsEqual(const SipUri& a, const SipUri& b) noexcept {
    if (a.hostKind == HostKind::IPv6 && b.hostKind == HostKind::IPv6) {
        const auto x = uri_detail::parseIpv6(stripBrackets(a.host));
        const auto y = uri_detail::parseIpv6(stripBrackets(b.host));
        if (x && y) return *x == *y;
    }
    return syntax::iequals(a.host, b.host);
}

// RFC 3261 §19.1.4: userinfo is case-sensitive; a component left out (user, password, port)
// never matches one given explicitly, even with its default value.
bool sipEquivalent(const SipUri& a, const SipUri& b) noexcept {
    return a.hasUserInfo == b.hasUserInfo && a.hasPassword == b.hasPassword &&
           componentsEqual(a.user, b.user, false) &&
           componentsEqual(a.password, b.password, false) && hostsEqual(a, b) && a.port == b.port &&
           sipParamsCovered(a.params, b.params) && sipParamsCovered(b.params, a.params) &&
           headersCovered(a.headers, b.headers) && headersCovered(b.headers, a.headers);
}

// RFC 3966 §4: numbers compare "after removing all visual separators"; hex digits of local
// numbers compare case-insensitively ("URI comparisons are case-insensitive").
bool phoneDigitsEqual(std::string_view a, std::string_view b) noexcept {
    std::size_t i = 0;
    std::size_t j = 0;
    for (;;) {
        while (i < a.size() && uri_detail::isVisualSeparator(a[i])) ++i;
        while (j < b.size() && uri_detail::isVisualSeparator(b[j])) ++j;
        if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
        if (syntax::toLower(a[i++]) != syntax::toLower(b[j++])) return false;
    }
}

bool telParamValuesEqual(const UriParam& a, const UriParam& b) noexcept {
    if (a.hasValue != b.hasValue) return false;
    // RFC 3966 §4: ext and a global-number phone-context compare digit by digit.
    const bool digits =
        syntax::iequals(a.name, "ext") || (syntax::iequals(a.name, "phone-context") &&
                                           a.value.starts_with('+') && b.value.starts_with('+'));
    if (digits) return phoneDigitsEqual(a.value, b.value);
    return componentsEqual(a.value, b.value, true);
}

// RFC 3966 §4: "If one URI has a parameter name not found in the other, the two URIs are not
// equal."
bool telParamsCovered(const std::vector<UriParam>& x, const std::vector<UriParam>& y) noexcept {
    for (const UriParam& p : x) {
        bool matched = false;
        for (const UriParam& q : y) {
            if (sameName(p, q) && telParamValuesEqual(p, q)) {
                matched = true;
                break;
            }
        }
        if (!matched) return false;
    }
    return true;
}

bool telEquivalent(const TelUri& a, const TelUri& b) noexcept {
    const bool aGlobal = a.number.starts_with('+');
    return aGlobal == b.number.starts_with('+') && phoneDigitsEqual(a.number, b.number) &&
           telParamsCovered(a.params, b.params) && telParamsCovered(b.params, a.params);
}

}  // namespace

bool uriEquivalent(const Uri& a, const Uri& b) {
    // RFC 3261 §19.1.4: "A SIP and SIPS URI are never equivalent."
    if (a.scheme != b.scheme) return false;
    switch (a.scheme) {
        case UriScheme::Sip:
        case UriScheme::Sips:
            return sipEquivalent(a.sip, b.sip);
        case UriScheme::Tel:
            return telEquivalent(a.tel, b.tel);
        case UriScheme::Other:
            break;
    }
    // RFC 3986 §6.2.2.1: schemes are case-insensitive; the rest is scheme-specific, so exact.
    return syntax::iequals(a.schemeName, b.schemeName) && a.opaque == b.opaque;
}

}  // namespace sipscope::stack
