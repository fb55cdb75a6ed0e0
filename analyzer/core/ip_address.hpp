#pragma once
// IPv4/IPv6 addresses and endpoints of the passive pipeline, cheap to copy and hash.

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace sipscope::analyzer {

struct IpAddress {
    std::uint8_t version = 0;              // 4 or 6; 0 = unset
    std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4 bytes

    static IpAddress v4(const std::uint8_t* p);
    static IpAddress v6(const std::uint8_t* p);
    std::string toString() const;  // "192.0.2.1", "2001:db8::1" (RFC 5952, no brackets)
    bool operator==(const IpAddress&) const = default;
    auto operator<=>(const IpAddress&) const = default;
};

struct Endpoint {
    IpAddress ip;
    std::uint16_t port = 0;
    bool operator==(const Endpoint&) const = default;
    auto operator<=>(const Endpoint&) const = default;
};

enum class Transport : std::uint8_t { Udp, Tcp, Tls, Ws, Wss, Sctp };
const char* transportName(Transport t) noexcept;  // "udp", "tcp", ...

// "192.0.2.1:5060", "[2001:db8::1]:5060": how nodes and hops are named in call analysis.
std::string endpointText(const Endpoint& e);
// The same from an address written without brackets ("2001:db8::1") and a port.
std::string endpointText(std::string_view address, std::uint16_t port);
// The node an endpoint text belongs to: its address (a node may send from several ports), but
// address and port on loopback, where every node shares the address.
std::string nodeKeyOf(std::string_view endpoint);

struct EndpointHash {
    std::size_t operator()(const Endpoint& e) const noexcept;
};

}  // namespace sipscope::analyzer
