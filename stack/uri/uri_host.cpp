// Host grammar of SIP URIs: hostname, IPv4address and IPv6reference (RFC 3261 §25.1, corrected
// by RFC 5118 for IPv6).

#include "syntax/char_class.hpp"
#include "uri/uri_detail.hpp"

namespace sipscope::stack::uri_detail {
namespace {

using syntax::isDigit;
using syntax::isHex;

// Reads 1*4HEXDIG at `pos`; returns the position after it, or `pos` when there is none or more
// than four digits (RFC 4291 §2.2: "one to four hexadecimal digits").
std::size_t readHexGroup(std::string_view s, std::size_t pos, std::uint16_t& group) noexcept {
    std::size_t end = pos;
    unsigned value = 0;
    while (end < s.size() && isHex(s[end])) {
        if (end - pos == 4) return pos;
        value = value * 16 + static_cast<unsigned>(syntax::hexValue(s[end]));
        ++end;
    }
    group = static_cast<std::uint16_t>(value);
    return end;
}

// RFC 5118 §4.10: the RFC 3261 ABNF lets "::" be followed by ":" IPv4address, giving
// "2001:db8:::192.0.2.1". Implementations are told to tolerate it, so the third colon is skipped
// when a dotted quad follows.
std::size_t skipAbnfBugColon(std::string_view s, std::size_t pos) noexcept {
    if (pos < s.size() && s[pos] == ':' && parseIpv4(s.substr(pos + 1))) return pos + 1;
    return pos;
}

bool isDottedQuadStart(std::string_view s, std::size_t pos) noexcept {
    while (pos < s.size() && isHex(s[pos])) ++pos;
    return pos < s.size() && s[pos] == '.';
}

Ipv6Bytes expandGroups(const std::array<std::uint16_t, 8>& groups, int count, int gapAt) noexcept {
    Ipv6Bytes out{};
    const int tail = gapAt < 0 ? 0 : count - gapAt;
    const int head = count - tail;
    for (int i = 0; i < count; ++i) {
        const int slot = i < head ? i : 8 - tail + (i - head);
        out[static_cast<std::size_t>(slot) * 2] = static_cast<std::uint8_t>(groups[i] >> 8);
        out[static_cast<std::size_t>(slot) * 2 + 1] = static_cast<std::uint8_t>(groups[i] & 0xff);
    }
    return out;
}

HostCheck fail(std::size_t offset, const char* message) noexcept {
    return HostCheck{HostKind::None, offset, message};
}

// RFC 3261 §25.1: hostname = *( domainlabel "." ) toplabel [ "." ]. Tolerated beyond the ABNF:
// '_' anywhere in a label (SRV-style names on the wire) and a toplabel that starts with a digit
// (RFC 1123 §2.1), as long as it is not all digits, which would make it look like an address.
HostCheck checkHostname(std::string_view host) noexcept {
    std::size_t labelStart = 0;
    bool labelNumeric = true;
    for (std::size_t i = 0; i < host.size(); ++i) {
        const char c = host[i];
        if (c == '.') {
            if (i == labelStart) return fail(i, "empty label in host name");
            if (host[i - 1] == '-') return fail(i - 1, "host name label ends with '-'");
            if (i + 1 == host.size()) break;  // trailing dot: the toplabel is the one just closed
            labelStart = i + 1;
            labelNumeric = true;
        } else if (!isHostChar(c)) {
            return fail(i, "invalid character in host name");
        } else if (c == '-' && i == labelStart) {
            return fail(i, "host name label starts with '-'");
        } else {
            labelNumeric = labelNumeric && isDigit(c);
        }
    }
    if (host.back() == '-') return fail(host.size() - 1, "host name label ends with '-'");
    if (labelNumeric) return fail(labelStart, "host name ends in a numeric label");
    return HostCheck{HostKind::Name, 0, nullptr};
}

}  // namespace

std::optional<Ipv4Bytes> parseIpv4(std::string_view s) noexcept {
    Ipv4Bytes out{};
    std::size_t part = 0;
    std::size_t digits = 0;
    unsigned value = 0;
    for (char c : s) {
        if (isDigit(c)) {
            value = value * 10 + static_cast<unsigned>(c - '0');
            if (++digits > 3 || value > 255) return std::nullopt;
        } else if (c == '.' && digits > 0 && part < 3) {
            out[part++] = static_cast<std::uint8_t>(value);
            value = 0;
            digits = 0;
        } else {
            return std::nullopt;
        }
    }
    if (part != 3 || digits == 0) return std::nullopt;
    out[3] = static_cast<std::uint8_t>(value);
    return out;
}

std::optional<Ipv6Bytes> parseIpv6(std::string_view s) noexcept {
    std::array<std::uint16_t, 8> groups{};
    int count = 0;
    int gapAt = -1;  // index of the first group after "::"
    std::size_t i = 0;
    if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
        gapAt = 0;
        i = skipAbnfBugColon(s, 2);
    }
    while (i < s.size()) {
        if (isDottedQuadStart(s, i)) {
            // RFC 4291 §2.2 form 3: the dotted quad replaces the last two groups.
            const auto quad = parseIpv4(s.substr(i));
            if (!quad || count > 6) return std::nullopt;
            groups[count++] = static_cast<std::uint16_t>((*quad)[0] << 8 | (*quad)[1]);
            groups[count++] = static_cast<std::uint16_t>((*quad)[2] << 8 | (*quad)[3]);
            break;
        }
        if (count == 8) return std::nullopt;
        const std::size_t next = readHexGroup(s, i, groups[count]);
        if (next == i) return std::nullopt;
        ++count;
        i = next;
        if (i == s.size()) break;
        if (s[i++] != ':' || i == s.size()) return std::nullopt;
        if (s[i] == ':') {
            if (gapAt >= 0) return std::nullopt;  // RFC 4291 §2.2: "::" at most once
            gapAt = count;
            i = skipAbnfBugColon(s, i + 1);
        }
    }
    if (gapAt < 0 ? count != 8 : count > 7) return std::nullopt;
    return expandGroups(groups, count, gapAt);
}

HostCheck classifyHost(std::string_view host) noexcept {
    if (host.empty()) return fail(0, "missing host");
    // A toplabel cannot be all digits, so a host that starts with one is tried as IPv4 first.
    if (isDigit(host.front())) {
        if (parseIpv4(host)) return HostCheck{HostKind::IPv4, 0, nullptr};
        if (host.find_first_not_of("0123456789.") == std::string_view::npos)
            return fail(0, "invalid IPv4 address (four octets 0-255)");
    }
    return checkHostname(host);
}

}  // namespace sipscope::stack::uri_detail

namespace sipscope::stack {

HostKind classifyHostText(std::string_view host, bool allowBareIpv6) noexcept {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        return uri_detail::parseIpv6(host.substr(1, host.size() - 2)) ? HostKind::IPv6
                                                                      : HostKind::None;
    if (allowBareIpv6 && host.find(':') != std::string_view::npos)
        return uri_detail::parseIpv6(host) ? HostKind::IPv6 : HostKind::None;
    const auto check = uri_detail::classifyHost(host);
    return check.message == nullptr ? check.kind : HostKind::None;
}

}  // namespace sipscope::stack
