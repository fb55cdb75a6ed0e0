#include "core/ip_address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace sipscope::analyzer {

IpAddress IpAddress::v4(const std::uint8_t* p) {
    IpAddress a;
    a.version = 4;
    std::memcpy(a.bytes.data(), p, 4);
    return a;
}

IpAddress IpAddress::v6(const std::uint8_t* p) {
    IpAddress a;
    a.version = 6;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
}

namespace {

// Decimal digits of v at p (the hot path of call analysis and import: no printf, no locale).
char* putDecimal(char* p, unsigned v) {
    char digits[6];
    int n = 0;
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = digits[--n];
    return p;
}

// The decimal text of every octet, padded to 3 characters, and its length: an address is four
// copies rather than four division loops (every message's row and hops need addresses).
struct OctetText {
    char text[3];
    std::uint8_t length;
};
constexpr std::array<OctetText, 256> kOctetText = [] {
    std::array<OctetText, 256> table{};
    for (unsigned v = 0; v < 256; ++v) {
        OctetText& t = table[v];
        const char digits[3] = {static_cast<char>('0' + v / 100),
                                static_cast<char>('0' + v / 10 % 10),
                                static_cast<char>('0' + v % 10)};
        t.length = v >= 100 ? 3 : v >= 10 ? 2 : 1;
        for (unsigned i = 0; i < 3; ++i) t.text[i] = i < t.length ? digits[3 - t.length + i] : 0;
    }
    return table;
}();

// "a.b.c.d" of the first four bytes; returns the end. Each octet copies all 3 characters (the
// next one or the '.' overwrites the padding), so no more than the 15 of the longest address are
// written.
char* putIpv4(char* p, const std::array<std::uint8_t, 16>& bytes) {
    for (std::size_t i = 0; i < 4; ++i) {
        const OctetText& t = kOctetText[bytes[i]];
        std::memcpy(p, t.text, sizeof t.text);
        p += t.length;
        if (i < 3) *p++ = '.';
    }
    return p;
}

}  // namespace

std::string IpAddress::toString() const {
    if (version == 4) {
        char buf[16];
        return std::string(buf, putIpv4(buf, bytes));
    }
    char buf[INET6_ADDRSTRLEN] = {};
    if (version == 6) inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

std::string endpointText(const Endpoint& e) {
    if (e.ip.version == 4) {
        char buf[24];
        char* p = putIpv4(buf, e.ip.bytes);
        *p++ = ':';
        p = putDecimal(p, e.port);
        return std::string(buf, p);
    }
    return endpointText(e.ip.toString(), e.port);
}

std::string endpointText(std::string_view address, std::uint16_t port) {
    const bool v6 = address.find(':') != std::string_view::npos;
    std::string out;
    if (v6) out += '[';
    out += address;
    if (v6) out += ']';
    return out + ":" + std::to_string(port);
}

std::string nodeKeyOf(std::string_view endpoint) {
    const auto colon = endpoint.rfind(':');
    const std::string_view host =
        colon == std::string_view::npos ? endpoint : endpoint.substr(0, colon);
    const bool loopback = host.substr(0, 4) == "127." || host == "[::1]";
    return std::string(loopback ? endpoint : host);
}

const char* transportName(Transport t) noexcept {
    switch (t) {
        case Transport::Udp:
            return "udp";
        case Transport::Tcp:
            return "tcp";
        case Transport::Tls:
            return "tls";
        case Transport::Ws:
            return "ws";
        case Transport::Wss:
            return "wss";
        case Transport::Sctp:
            return "sctp";
    }
    return "udp";
}

std::size_t EndpointHash::operator()(const Endpoint& e) const noexcept {
    // FNV-1a over the address bytes and the port.
    std::size_t h = 1469598103934665603ull;
    for (auto b : e.ip.bytes) h = (h ^ b) * 1099511628211ull;
    h = (h ^ e.port) * 1099511628211ull;
    return h ^ e.ip.version;
}

}  // namespace sipscope::analyzer
