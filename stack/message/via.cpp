#include "message/via.hpp"

#include "syntax/char_class.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

using namespace syntax;

namespace {

// sent-by = host [ COLON port ]; the host ends at ':' (unless bracketed), ';', ',' or LWS.
Result<bool> parseSentBy(Scanner& s, Via& v) {
    const std::size_t start = s.pos();
    if (s.peek() == '[') {
        const std::size_t close = s.text().find(']', start);
        if (close == std::string_view::npos)
            return s.error(ErrorCode::BadHeaderValue, "unclosed '['");
        s.setPos(close + 1);
    } else {
        while (!s.atEnd() && (isAlpha(s.peek()) || isDigit(s.peek()) || s.peek() == '.' ||
                              s.peek() == '-' || s.peek() == '_'))
            s.setPos(s.pos() + 1);
    }
    v.host = s.text().substr(start, s.pos() - start);
    if (!isValidHost(v.host)) {
        s.setPos(start);
        return s.error(ErrorCode::BadHeaderValue, "Via sent-by host is not valid");
    }
    if (s.separator(':')) {
        const std::size_t p = s.pos();
        auto port = parseUnsigned(s.digits(), 65535);
        if (!port) {
            s.setPos(p);
            return s.error(ErrorCode::BadHeaderValue, "Via port is not a number 0-65535");
        }
        v.port = static_cast<std::uint16_t>(*port);
    }
    return true;
}

// via-params: ttl (0-255), maddr (host), received (IPv4/IPv6), branch (token), rport [=port].
Result<bool> checkViaParams(const Scanner& s, const Via& v) {
    for (const auto& p : v.params) {
        const auto at = static_cast<std::size_t>(p.name.data() - s.text().data());
        auto fail = [&](std::string m) { return makeError(ErrorCode::BadParam, at, std::move(m)); };
        if (iequals(p.name, "ttl") && !parseUnsigned(p.value, 255))
            return fail("ttl must be 0-255");
        if (iequals(p.name, "maddr") && !isValidHost(p.value)) return fail("maddr is not a host");
        if (iequals(p.name, "received") && !isValidHost(p.value, true))
            return fail("received is not an IP address");
        if (iequals(p.name, "branch") && (!p.hasValue || p.quoted()))
            return fail("branch must be a token");
        if (iequals(p.name, "rport") && p.hasValue && !parseUnsigned(p.value, 65535))
            return fail("rport must be a port number");
    }
    return true;
}

Result<Via> parseViaParm(Scanner& s) {
    Via v;
    // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS
    v.protocolName = s.token();
    if (v.protocolName.empty() || !s.separator('/'))
        return s.error(ErrorCode::BadHeaderValue, "Via must start with SIP/2.0/transport");
    v.protocolVersion = s.token();
    if (v.protocolVersion.empty() || !s.separator('/'))
        return s.error(ErrorCode::BadHeaderValue, "Via protocol version missing");
    v.transport = s.token();
    if (v.transport.empty()) return s.error(ErrorCode::BadHeaderValue, "Via transport missing");
    if (!s.skipLws()) return s.error(ErrorCode::BadHeaderValue, "Via needs LWS before sent-by");
    if (auto r = parseSentBy(s, v); !r.ok()) return r.error();
    if (auto r = parseParams(s, v.params); !r.ok()) return r.error();
    if (auto r = checkViaParams(s, v); !r.ok()) return r.error();
    return v;
}

}  // namespace

Result<ViaList> ViaList::parse(std::string_view value) {
    ViaList list;
    Scanner s(value);
    s.skipLws();
    do {
        auto v = parseViaParm(s);
        if (!v.ok()) return v.error();
        list.vias.push_back(std::move(*v));
    } while (s.separator(','));
    s.skipLws();
    if (!s.atEnd()) return s.error(ErrorCode::BadHeaderValue, "unexpected text in Via");
    return list;
}

std::string_view Via::branch() const noexcept {
    const auto* p = findParam(params, "branch");
    return p ? p->value : std::string_view();
}
std::string_view Via::received() const noexcept {
    const auto* p = findParam(params, "received");
    return p ? p->value : std::string_view();
}
std::string_view Via::maddr() const noexcept {
    const auto* p = findParam(params, "maddr");
    return p ? p->value : std::string_view();
}
bool Via::hasRport() const noexcept {
    return findParam(params, "rport") != nullptr;
}
std::optional<std::uint16_t> Via::rport() const noexcept {
    const auto* p = findParam(params, "rport");
    if (!p || !p->hasValue) return std::nullopt;
    auto v = parseUnsigned(p->value, 65535);
    return v ? std::optional<std::uint16_t>(static_cast<std::uint16_t>(*v)) : std::nullopt;
}
bool Via::hasMagicCookie() const noexcept {
    const std::string_view b = branch();
    return b.size() > kMagicCookie.size() && b.substr(0, kMagicCookie.size()) == kMagicCookie;
}

std::string Via::encode() const {
    std::string out;
    out.append(protocolName).append("/").append(protocolVersion).append("/").append(transport);
    out.append(" ").append(host);
    if (port) out.append(":").append(std::to_string(*port));
    encodeParams(params, out);
    return out;
}

}  // namespace sipscope::stack
