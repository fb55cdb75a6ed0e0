#pragma once
// URIs of RFC 3261 §19.1 (sip:, sips:), RFC 3966 (tel:) and RFC 3986 absolute URIs (any other
// scheme). Parsed values are slices of the input: the caller keeps the input alive.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sipscope::stack {

enum class UriScheme : std::uint8_t { Sip, Sips, Tel, Other };
enum class HostKind : std::uint8_t { None, Name, IPv4, IPv6 };

struct UriParam {
    std::string_view name;   // as written (may contain %-escapes)
    std::string_view value;  // empty when !hasValue
    bool hasValue = false;
};

struct SipUri {
    std::string_view user;  // raw, may hold %-escapes; empty when no userinfo
    std::string_view password;
    bool hasUserInfo = false;
    bool hasPassword = false;
    std::string_view host;  // IPv6 references keep their brackets: "[2001:db8::1]"
    HostKind hostKind = HostKind::None;
    std::optional<std::uint16_t> port;
    std::vector<UriParam> params;   // uri-parameters (";" ...)
    std::vector<UriParam> headers;  // headers ("?" h=v & ...)

    const UriParam* param(std::string_view name) const;  // case-insensitive name match
    std::string_view transport() const;                  // value of ;transport= or ""
    std::string_view maddr() const;
    bool lr() const;
};

struct TelUri {
    std::string_view number;  // global (+...) or local number, visual separators kept
    std::vector<UriParam> params;
};

struct Uri {
    UriScheme scheme = UriScheme::Other;
    std::string_view schemeName;  // as written
    std::string_view raw;         // the whole URI text
    SipUri sip;                   // for Sip/Sips
    TelUri tel;                   // for Tel
    std::string_view opaque;      // for Other: everything after "scheme:"

    bool isSip() const noexcept { return scheme == UriScheme::Sip || scheme == UriScheme::Sips; }
    // The user part for display ("alice", "+4930123"): SIP user (unescaped) or tel number.
    std::string user() const;
    // Host[:port] for SIP URIs, "" otherwise.
    std::string hostPort() const;
};

// Parses one complete URI (the whole view must be the URI). Offsets in errors are relative to
// the start of `text`. Never reads outside the view and never needs a terminator.
Result<Uri> parseUri(std::string_view text);

// The kind of a host as SIP writes it in URIs and Via ("example.com", "192.0.2.1",
// "[2001:db8::1]"); HostKind::None when it is not a valid host. With `allowBareIpv6`, an IPv6
// address without brackets is accepted too (Via received=, RFC 5118 §4.5).
HostKind classifyHostText(std::string_view host, bool allowBareIpv6 = false) noexcept;

// Percent-decoding (RFC 3261 §19.1.2); an invalid escape is kept literally.
std::string unescape(std::string_view s);

// RFC 3261 §19.1.4 URI comparison for sip/sips; tel per RFC 3966 §4 (number and params);
// other schemes by case-insensitive scheme and exact opaque part.
bool uriEquivalent(const Uri& a, const Uri& b);

// Canonical re-encoding from the parsed parts (used when a URI is edited).
std::string encodeUri(const Uri& uri);

}  // namespace sipscope::stack
