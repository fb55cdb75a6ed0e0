#include "sdp/sdp_fields.hpp"

#include <climits>

#include "syntax/scanner.hpp"

namespace sipscope::stack::sdp_detail {

namespace {

constexpr std::size_t kNpos = std::string_view::npos;
constexpr std::uint64_t kMaxPort = 65535;
constexpr std::uint64_t kMaxPayloadType = 127;  // RTP's PT field has 7 bits (RFC 3550 §5.1)

std::optional<int> parseInt(std::string_view s, std::uint64_t max) noexcept {
    const auto v = syntax::parseUnsigned(s, max);
    if (!v) return std::nullopt;
    return static_cast<int>(*v);
}

// Splits the /ttl[/count] or /count suffix of a multicast connection-address (RFC 8866 §5.7).
// Only IPv4 multicast carries a TTL; IPv6 relies on the address scope instead.
std::optional<Error> parseMulticastSuffix(SdpConnection& c, std::string_view suffix,
                                          std::size_t base) {
    std::string_view countText = suffix;
    std::size_t countBase = base;
    if (syntax::iequals(c.addrType, "IP4")) {
        const std::size_t slash = suffix.find('/');
        const auto ttl = parseInt(suffix.substr(0, slash), 255);
        if (!ttl) return sdpError(base, "c= multicast TTL must be 0-255 (RFC 8866 §5.7)");
        c.ttl = ttl;
        if (slash == kNpos) return std::nullopt;
        countText = suffix.substr(slash + 1);
        countBase = base + slash + 1;
    }
    const auto count = parseInt(countText, kMaxPort);
    if (!count || *count == 0) {
        return sdpError(countBase, "c= number of addresses must be 1-65535 (RFC 8866 §5.7)");
    }
    c.count = *count;
    return std::nullopt;
}

}  // namespace

std::size_t FieldCursor::countRemaining() const noexcept {
    std::size_t n = 0;
    bool inField = false;
    for (std::size_t i = m_pos; i < m_text.size(); ++i) {
        const bool wsp = syntax::isWsp(m_text[i]);
        if (!wsp && !inField) ++n;
        inField = !wsp;
    }
    return n;
}

std::string_view trimTrailingWsp(std::string_view s) noexcept {
    while (!s.empty() && syntax::isWsp(s.back())) s.remove_suffix(1);
    return s;
}

Result<SdpOrigin> parseOrigin(std::string_view value, std::size_t base) {
    // RFC 8866 §5.2: o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
    FieldCursor f(value, base);
    SdpOrigin o;
    std::string_view* const order[] = {&o.username, &o.sessId,   &o.sessVersion,
                                       &o.netType,  &o.addrType, &o.address};
    for (std::string_view* field : order) {
        *field = f.next();
        if (field->empty()) {
            return sdpError(f.endOffset(),
                            "o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> "
                            "<address> (RFC 8866 §5.2)");
        }
    }
    if (!f.next().empty()) return sdpError(f.lastOffset(), "o= has more than six fields");
    return o;
}

Result<SdpConnection> parseConnection(std::string_view value, std::size_t base) {
    FieldCursor f(value, base);
    SdpConnection c;
    c.netType = f.next();
    c.addrType = f.next();
    const std::string_view addressField = f.next();
    const std::size_t addressBase = f.lastOffset();
    if (addressField.empty()) {
        return sdpError(f.endOffset(),
                        "c= needs <nettype> <addrtype> <connection-address> (RFC 8866 §5.7)");
    }
    if (!f.next().empty()) {
        return sdpError(f.lastOffset(), "c= has a field after the connection address");
    }
    const bool knownType = syntax::iequals(c.addrType, "IP4") || syntax::iequals(c.addrType, "IP6");
    const std::size_t slash = knownType ? addressField.find('/') : kNpos;
    c.address = addressField.substr(0, slash);
    if (c.address.empty()) return sdpError(addressBase, "c= connection address is empty");
    if (slash != kNpos) {
        if (auto e =
                parseMulticastSuffix(c, addressField.substr(slash + 1), addressBase + slash + 1))
            return std::move(*e);
    }
    return c;
}

Result<SdpMedia> parseMediaLine(std::string_view value, std::size_t base) {
    // RFC 8866 §5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
    FieldCursor f(value, base);
    SdpMedia m;
    m.type = f.next();
    const std::string_view portField = f.next();
    if (portField.empty()) {
        return sdpError(f.endOffset(), "m= needs <media> <port> <proto> <fmt> (RFC 8866 §5.14)");
    }
    const std::size_t portBase = f.lastOffset();
    const std::size_t slash = portField.find('/');
    const auto port = syntax::parseUnsigned(portField.substr(0, slash), kMaxPort);
    if (!port) return sdpError(portBase, "m= port must be a number 0-65535 (RFC 8866 §5.14)");
    m.port = static_cast<std::uint16_t>(*port);
    if (slash != kNpos) {
        const auto count = parseInt(portField.substr(slash + 1), kMaxPort);
        if (!count || *count == 0) {
            return sdpError(portBase + slash + 1, "m= number of ports must be 1-65535");
        }
        m.portCount = *count;
    }
    m.proto = f.next();
    if (m.proto.empty()) {
        return sdpError(f.endOffset(), "m= needs a transport protocol (RFC 8866 §5.14)");
    }
    m.formats.reserve(f.countRemaining());
    for (std::string_view fmt = f.next(); !fmt.empty(); fmt = f.next()) m.formats.push_back(fmt);
    return m;
}

std::optional<SdpRtpmap> parseRtpmap(std::string_view value) noexcept {
    FieldCursor f(value, 0);
    const auto pt = parseInt(f.next(), kMaxPayloadType);
    const std::string_view encoding = f.next();
    if (!pt || encoding.empty() || !f.next().empty()) return std::nullopt;
    // RFC 8866 §6.6: <encoding name>/<clock rate>[/<encoding parameters>]; the clock rate is
    // mandatory because RTP timestamps are meaningless without it.
    const std::size_t slash = encoding.find('/');
    if (slash == 0 || slash == kNpos) return std::nullopt;
    const std::string_view afterName = encoding.substr(slash + 1);
    const std::size_t slash2 = afterName.find('/');
    const auto clock = parseInt(afterName.substr(0, slash2), INT_MAX);
    if (!clock) return std::nullopt;
    SdpRtpmap r;
    r.payloadType = *pt;
    r.encoding = encoding.substr(0, slash);
    r.clockRate = *clock;
    if (slash2 != kNpos) r.channels = afterName.substr(slash2 + 1);
    return r;
}

std::optional<SdpFmtp> parseFmtp(std::string_view value) noexcept {
    FieldCursor f(value, 0);
    const auto pt = parseInt(f.next(), kMaxPayloadType);
    if (!pt) return std::nullopt;
    return SdpFmtp{*pt, f.rest()};
}

std::optional<SdpRtcp> parseRtcp(std::string_view value) noexcept {
    // RFC 3605 §2.1: a=rtcp:<port> [<nettype> <addrtype> <connection-address>]
    FieldCursor f(value, 0);
    const auto port = syntax::parseUnsigned(f.next(), kMaxPort);
    if (!port) return std::nullopt;
    SdpRtcp r;
    r.port = static_cast<std::uint16_t>(*port);
    r.netType = f.next();
    if (r.netType.empty()) return r;
    r.addrType = f.next();
    r.address = f.next();
    if (r.address.empty() || !f.next().empty()) return std::nullopt;
    return r;
}

std::optional<SdpDirection> directionFromName(std::string_view name) noexcept {
    // RFC 8866 §6.7.1-6.7.4
    if (syntax::iequals(name, "sendrecv")) return SdpDirection::SendRecv;
    if (syntax::iequals(name, "sendonly")) return SdpDirection::SendOnly;
    if (syntax::iequals(name, "recvonly")) return SdpDirection::RecvOnly;
    if (syntax::iequals(name, "inactive")) return SdpDirection::Inactive;
    return std::nullopt;
}

}  // namespace sipscope::stack::sdp_detail
