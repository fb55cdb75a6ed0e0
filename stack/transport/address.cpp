#include "transport/address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cstring>

namespace sipscope::stack::net {

std::string_view protocolName(Protocol p) noexcept {
    switch (p) {
        case Protocol::Udp:
            return "UDP";
        case Protocol::Tcp:
            return "TCP";
        case Protocol::Tls:
            return "TLS";
    }
    return "UDP";
}

std::string_view protocolParam(Protocol p) noexcept {
    switch (p) {
        case Protocol::Udp:
            return "udp";
        case Protocol::Tcp:
            return "tcp";
        case Protocol::Tls:
            return "tls";
    }
    return "udp";
}

std::uint16_t defaultPort(Protocol p) noexcept {
    return p == Protocol::Tls ? 5061 : 5060;
}

SockAddr::SockAddr(const sockaddr* sa, socklen_t len) {
    if (len > sizeof m_storage) return;
    std::memcpy(&m_storage, sa, len);
    m_len = len;
}

SockAddr SockAddr::fromLiteral(std::string_view host, std::uint16_t port) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string h(host);
    sockaddr_in v4{};
    if (inet_pton(AF_INET, h.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        return SockAddr(reinterpret_cast<const sockaddr*>(&v4), sizeof v4);
    }
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET6, h.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        return SockAddr(reinterpret_cast<const sockaddr*>(&v6), sizeof v6);
    }
    return {};
}

std::uint16_t SockAddr::port() const noexcept {
    if (isV6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&m_storage)->sin6_port);
    return ntohs(reinterpret_cast<const sockaddr_in*>(&m_storage)->sin_port);
}

void SockAddr::setPort(std::uint16_t port) noexcept {
    if (isV6())
        reinterpret_cast<sockaddr_in6*>(&m_storage)->sin6_port = htons(port);
    else
        reinterpret_cast<sockaddr_in*>(&m_storage)->sin_port = htons(port);
}

std::string SockAddr::ip() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (isV6())
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&m_storage)->sin6_addr, buf,
                  sizeof buf);
    else
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&m_storage)->sin_addr, buf,
                  sizeof buf);
    return buf;
}

std::string SockAddr::hostText() const {
    std::string out;
    if (isV6()) out.push_back('[');
    out.append(ip());
    if (isV6()) out.push_back(']');
    return out;
}

std::string SockAddr::hostPort() const {
    std::string out = hostText();
    out.push_back(':');
    out.append(std::to_string(port()));
    return out;
}

bool SockAddr::operator==(const SockAddr& o) const noexcept {
    return m_len == o.m_len && std::memcmp(&m_storage, &o.m_storage, m_len) == 0;
}

bool SockAddr::operator<(const SockAddr& o) const noexcept {
    if (m_len != o.m_len) return m_len < o.m_len;
    return std::memcmp(&m_storage, &o.m_storage, m_len) < 0;
}

Resolved resolveHost(std::string_view host, std::uint16_t port) {
    Resolved out;
    if (auto literal = SockAddr::fromLiteral(host, port); literal.valid()) {
        out.addresses.push_back(literal);
        return out;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* list = nullptr;
    const std::string h(host);
    const int rc = getaddrinfo(h.c_str(), std::to_string(port).c_str(), &hints, &list);
    if (rc != 0) {
        out.error = "cannot resolve " + h + ": " + gai_strerror(rc);
        return out;
    }
    for (addrinfo* ai = list; ai; ai = ai->ai_next)
        out.addresses.emplace_back(ai->ai_addr, static_cast<socklen_t>(ai->ai_addrlen));
    freeaddrinfo(list);
    if (out.addresses.empty()) out.error = "no address for " + h;
    return out;
}

SockAddr localAddressFor(const SockAddr& remote) {
    const int fd = ::socket(remote.family(), SOCK_DGRAM, 0);
    if (fd < 0) return {};
    SockAddr out;
    if (::connect(fd, remote.sa(), remote.len()) == 0) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
            out = SockAddr(reinterpret_cast<const sockaddr*>(&ss), len);
    }
    ::close(fd);
    return out;
}

}  // namespace sipscope::stack::net
