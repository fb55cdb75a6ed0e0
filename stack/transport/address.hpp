#pragma once
// Socket addresses for the active transports: resolution of the host as given (getaddrinfo on
// names and literals, IPv4 and IPv6) and the text forms SIP needs (Via sent-by, Contact host,
// SDP c= line). resolveHost is the system resolver on the host as given; RFC 3263 NAPTR/SRV
// server location is in dns_resolver.hpp (stack/dns/rfc3263.hpp) and ua/request_factory.hpp.

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipscope::stack::net {

enum class Protocol : std::uint8_t { Udp, Tcp, Tls };

std::string_view protocolName(Protocol p) noexcept;   // "UDP", "TCP", "TLS" (Via transport)
std::string_view protocolParam(Protocol p) noexcept;  // "udp", "tcp", "tls" (;transport=)
// The default port of RFC 3261 §19.1.2: 5060, or 5061 for TLS.
std::uint16_t defaultPort(Protocol p) noexcept;

class SockAddr {
  public:
    SockAddr() = default;
    SockAddr(const sockaddr* sa, socklen_t len);
    // A numeric IPv4 or IPv6 literal (brackets allowed); an empty SockAddr when not one.
    static SockAddr fromLiteral(std::string_view host, std::uint16_t port);

    bool valid() const noexcept { return m_len != 0; }
    bool isV6() const noexcept { return m_storage.ss_family == AF_INET6; }
    int family() const noexcept { return m_storage.ss_family; }
    std::uint16_t port() const noexcept;
    void setPort(std::uint16_t port) noexcept;
    std::string ip() const;        // "127.0.0.1", "::1" (no brackets: CLI.md)
    std::string hostText() const;  // "127.0.0.1", "[::1]" (URI and Via form)
    std::string hostPort() const;  // "127.0.0.1:5060", "[::1]:5060"
    const sockaddr* sa() const noexcept { return reinterpret_cast<const sockaddr*>(&m_storage); }
    socklen_t len() const noexcept { return m_len; }

    bool operator==(const SockAddr& o) const noexcept;
    bool operator<(const SockAddr& o) const noexcept;

  private:
    sockaddr_storage m_storage{};
    socklen_t m_len = 0;
};

struct Resolved {
    std::vector<SockAddr> addresses;  // in getaddrinfo order
    std::string error;                // set when there is none
};

// getaddrinfo on `host` (a name, an IPv4 literal or an IPv6 reference with or without
// brackets) for `port`.
Resolved resolveHost(std::string_view host, std::uint16_t port);

// The local address the kernel would use to reach `remote` (a connected UDP probe socket, no
// packet sent): what goes into Via and Contact.
SockAddr localAddressFor(const SockAddr& remote);

}  // namespace sipscope::stack::net
