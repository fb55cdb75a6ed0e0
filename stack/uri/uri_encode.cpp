// Re-encoding and accessors. Components are emitted as written (escapes kept) so that an
// unedited URI re-encodes to its input, with only the scheme name lowercased.

#include <charconv>

#include "syntax/char_class.hpp"
#include "uri/uri.hpp"
#include "uri/uri_detail.hpp"

namespace sipscope::stack {
namespace {

void appendLower(std::string& out, std::string_view s) {
    for (char c : s) out.push_back(syntax::toLower(c));
}

void appendPort(std::string& out, std::uint16_t port) {
    char buf[8];
    const auto end = std::to_chars(buf, buf + sizeof buf, port).ptr;
    out.append(buf, end);
}

void appendParams(std::string& out, const std::vector<UriParam>& params) {
    for (const UriParam& p : params) {
        out.push_back(';');
        out.append(p.name);
        if (!p.hasValue) continue;
        out.push_back('=');
        out.append(p.value);
    }
}

void appendHeaders(std::string& out, const std::vector<UriParam>& headers) {
    char lead = '?';
    for (const UriParam& h : headers) {
        out.push_back(lead);
        out.append(h.name);
        out.push_back('=');
        out.append(h.value);
        lead = '&';
    }
}

void appendHost(std::string& out, const SipUri& sip) {
    // A host edited in by hand may lack the brackets the grammar needs (RFC 5118 §4.2).
    const bool bracket = sip.hostKind == HostKind::IPv6 && !sip.host.starts_with('[');
    if (bracket) out.push_back('[');
    out.append(sip.host);
    if (bracket) out.push_back(']');
}

void appendSip(std::string& out, const SipUri& sip) {
    if (sip.hasUserInfo) {
        out.append(sip.user);
        if (sip.hasPassword) {
            out.push_back(':');
            out.append(sip.password);
        }
        out.push_back('@');
    }
    appendHost(out, sip);
    if (sip.port) {
        out.push_back(':');
        appendPort(out, *sip.port);
    }
    appendParams(out, sip.params);
    appendHeaders(out, sip.headers);
}

std::string_view schemeText(const Uri& uri) noexcept {
    switch (uri.scheme) {
        case UriScheme::Sip:
            return "sip";
        case UriScheme::Sips:
            return "sips";
        case UriScheme::Tel:
            return "tel";
        case UriScheme::Other:
            break;
    }
    return uri.schemeName;
}

}  // namespace

std::string encodeUri(const Uri& uri) {
    std::string out;
    out.reserve(uri.raw.size() + 16);
    appendLower(out, schemeText(uri));
    out.push_back(':');
    switch (uri.scheme) {
        case UriScheme::Sip:
        case UriScheme::Sips:
            appendSip(out, uri.sip);
            break;
        case UriScheme::Tel:
            out.append(uri.tel.number);
            appendParams(out, uri.tel.params);
            break;
        case UriScheme::Other:
            out.append(uri.opaque);
            break;
    }
    return out;
}

std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const int hi = s[i] == '%' && s.size() - i >= 3 ? syntax::hexValue(s[i + 1]) : -1;
        const int lo = hi >= 0 ? syntax::hexValue(s[i + 2]) : -1;
        if (lo < 0) {
            out.push_back(s[i]);
            continue;
        }
        // RFC 4475 §3.1.1.4: "%00" is an ordinary octet; std::string keeps it.
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

const UriParam* SipUri::param(std::string_view name) const {
    for (const UriParam& p : params)
        if (uri_detail::componentsEqual(p.name, name, true)) return &p;
    return nullptr;
}

std::string_view SipUri::transport() const {
    const UriParam* p = param("transport");
    return p ? p->value : std::string_view{};
}

std::string_view SipUri::maddr() const {
    const UriParam* p = param("maddr");
    return p ? p->value : std::string_view{};
}

bool SipUri::lr() const {
    return param("lr") != nullptr;
}

std::string Uri::user() const {
    if (isSip()) return unescape(sip.user);
    if (scheme == UriScheme::Tel) return std::string(tel.number);
    return {};
}

std::string Uri::hostPort() const {
    if (!isSip()) return {};
    std::string out;
    out.reserve(sip.host.size() + 8);
    appendHost(out, sip);
    if (sip.port) {
        out.push_back(':');
        appendPort(out, *sip.port);
    }
    return out;
}

}  // namespace sipscope::stack
