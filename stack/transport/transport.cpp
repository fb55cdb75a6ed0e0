#include "transport/transport.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "parser/stream_framer.hpp"

namespace sipscope::stack::net {

struct TransportLayer::Connection {
    int fd = -1;
    SslPtr ssl;
    SockAddr local;
    StreamFramer framer;
};

struct TransportLayer::Listener {
    int fd = -1;
    bool tls = false;
    SockAddr local;
};

namespace {

constexpr std::size_t kMaxDatagram = 65535;

void setNonBlocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
}

SockAddr localOf(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    return SockAddr(reinterpret_cast<const sockaddr*>(&ss), len);
}

std::string sysError(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

// Bounded wait for `events` on fd; false on timeout.
bool waitFor(int fd, short events, Duration timeout) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

int connectTcp(const SockAddr& to, Duration timeout, std::string& error) {
    const int fd = ::socket(to.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = sysError("socket");
        return -1;
    }
    setNonBlocking(fd);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, to.sa(), to.len()) != 0 && errno != EINPROGRESS) {
        error = sysError("connect to " + to.hostPort());
        ::close(fd);
        return -1;
    }
    if (!waitFor(fd, POLLOUT, timeout)) {
        error = "connect to " + to.hostPort() + " timed out";
        ::close(fd);
        return -1;
    }
    int soError = 0;
    socklen_t len = sizeof soError;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len);
    if (soError != 0) {
        error = "connect to " + to.hostPort() + ": " + std::strerror(soError);
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

TransportLayer::TransportLayer(EventLoop& loop) : m_loop(loop) {}

TransportLayer::~TransportLayer() {
    for (auto& [family, fd] : m_udp) {
        m_loop.unwatch(fd);
        ::close(fd);
    }
    for (auto& [fd, l] : m_listeners) {
        m_loop.unwatch(fd);
        ::close(fd);
    }
    for (auto& [key, c] : m_connections) {
        m_loop.unwatch(c->fd);
        if (c->ssl) SSL_shutdown(c->ssl.get());
        ::close(c->fd);
    }
}

bool TransportLayer::openUdp(const SockAddr& local, std::string& error) {
    const int fd = ::socket(local.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = sysError("socket");
        return false;
    }
    if (local.isV6()) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    if (::bind(fd, local.sa(), local.len()) != 0) {
        error = sysError("bind UDP " + local.hostPort());
        ::close(fd);
        return false;
    }
    setNonBlocking(fd);
    m_udp[local.family()] = fd;
    m_loop.watch(fd, [this, fd] { readUdp(fd); });
    return true;
}

bool TransportLayer::listen(const SockAddr& local, bool tls, std::string& error) {
    if (tls && !m_serverTls) {
        error = "TLS listener without a server certificate";
        return false;
    }
    const int fd = ::socket(local.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = sysError("socket");
        return false;
    }
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (local.isV6()) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd, local.sa(), local.len()) != 0 || ::listen(fd, 64) != 0) {
        error = sysError("listen " + local.hostPort());
        ::close(fd);
        return false;
    }
    setNonBlocking(fd);
    auto l = std::make_unique<Listener>();
    l->fd = fd;
    l->tls = tls;
    l->local = localOf(fd);
    Listener* raw = l.get();
    m_listeners[fd] = std::move(l);
    m_loop.watch(fd, [this, raw] { acceptOn(*raw); });
    return true;
}

bool TransportLayer::setTlsClient(const TlsOptions& options, std::string& error) {
    m_clientTls = makeClientContext(options, error);
    m_verify = !options.insecure;
    return m_clientTls != nullptr;
}

bool TransportLayer::setTlsServer(const TlsOptions& options, std::string& error) {
    m_serverTls = makeServerContext(options, error);
    return m_serverTls != nullptr;
}

SockAddr TransportLayer::udpLocal(int family) const {
    auto it = m_udp.find(family);
    return it == m_udp.end() ? SockAddr{} : localOf(it->second);
}

SockAddr TransportLayer::listenLocal(Protocol p, int family) const {
    for (const auto& [fd, l] : m_listeners)
        if (l->local.family() == family && l->tls == (p == Protocol::Tls)) return l->local;
    return {};
}

TransportLayer::Connection* TransportLayer::adopt(Protocol p, int fd, const SockAddr& peer,
                                                  SslPtr ssl) {
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->ssl = std::move(ssl);
    c->local = localOf(fd);
    Connection* raw = c.get();
    const ConnKey key{p, peer};
    m_connections[key] = std::move(c);
    m_loop.watch(fd, [this, key] { readStream(key); });
    return raw;
}

TransportLayer::Connection* TransportLayer::connect(Protocol p, const SockAddr& to,
                                                    const std::string& tlsName,
                                                    std::string& error) {
    if (auto it = m_connections.find({p, to}); it != m_connections.end()) return it->second.get();
    if (p == Protocol::Tls && !m_clientTls) {
        TlsOptions defaults;
        if (!setTlsClient(defaults, error)) return nullptr;
    }
    const int fd = connectTcp(to, m_connectTimeout, error);
    if (fd < 0) return nullptr;
    SslPtr ssl;
    if (p == Protocol::Tls) {
        ssl = connectTls(m_clientTls.get(), fd, tlsName.empty() ? to.ip() : tlsName, m_verify,
                         m_connectTimeout, error);
        if (!ssl) {
            ::close(fd);
            return nullptr;
        }
    }
    return adopt(p, fd, to, std::move(ssl));
}

SockAddr TransportLayer::udpSource(const SockAddr& to) {
    // A socket bound to the wildcard address sends from the address routed to `to`: that is the
    // one Via, Contact and the message log must show. Cached per destination.
    auto cached = m_udpSources.find(to);
    if (cached != m_udpSources.end()) return cached->second;
    SockAddr local = udpLocal(to.family());
    const std::string ip = local.ip();
    if (ip == "0.0.0.0" || ip == "::") {
        const std::uint16_t port = local.port();
        local = localAddressFor(to);
        local.setPort(port);
    }
    if (m_udpSources.size() > 1024) m_udpSources.clear();
    m_udpSources[to] = local;
    return local;
}

SendResult TransportLayer::prepare(Protocol p, const SockAddr& to, const std::string& tlsName) {
    SendResult r;
    if (p == Protocol::Udp) {
        const SockAddr bound = udpLocal(to.family());
        if (!bound.valid()) {
            r.error = "no UDP socket for this address family";
            return r;
        }
        r.local = udpSource(to);
        r.ok = r.local.valid();
        if (!r.ok) r.error = "no route to " + to.hostPort();
        return r;
    }
    Connection* c = connect(p, to, tlsName, r.error);
    if (!c) return r;
    r.local = c->local;
    r.ok = true;
    return r;
}

SendResult TransportLayer::send(Protocol p, const SockAddr& to, std::string_view bytes,
                                const std::string& tlsName) {
    SendResult r;
    if (p == Protocol::Udp) {
        auto it = m_udp.find(to.family());
        if (it == m_udp.end()) {
            r.error = "no UDP socket for this address family";
            return r;
        }
        if (::sendto(it->second, bytes.data(), bytes.size(), 0, to.sa(), to.len()) < 0) {
            r.error = sysError("send to " + to.hostPort());
            return r;
        }
        r.local = udpSource(to);
        r.ok = true;
        return r;
    }
    Connection* c = connect(p, to, tlsName, r.error);
    if (!c) return r;
    r.local = c->local;
    r.ok = writeAll(*c, bytes, r.error);
    if (!r.ok) close({p, to});
    return r;
}

bool TransportLayer::writeAll(Connection& c, std::string_view bytes, std::string& error) {
    const auto end = std::chrono::steady_clock::now() + m_connectTimeout;
    while (!bytes.empty()) {
        long n;
        if (c.ssl) {
            n = SSL_write(c.ssl.get(), bytes.data(), static_cast<int>(bytes.size()));
            if (n <= 0 && SSL_get_error(c.ssl.get(), static_cast<int>(n)) != SSL_ERROR_WANT_WRITE &&
                SSL_get_error(c.ssl.get(), static_cast<int>(n)) != SSL_ERROR_WANT_READ) {
                error = "TLS write failed";
                return false;
            }
        } else {
            n = ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                error = sysError("send");
                return false;
            }
        }
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (std::chrono::steady_clock::now() > end || !waitFor(c.fd, POLLOUT, m_connectTimeout)) {
            error = "send timed out";
            return false;
        }
    }
    return true;
}

void TransportLayer::readUdp(int fd) {
    std::string buf(kMaxDatagram, '\0');
    for (int i = 0; i < 64; ++i) {  // bounded: other sockets get their turn
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const long n =
            ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n <= 0) return;
        // RFC 5626 §3.5.1 keep-alives and stray bytes are not messages.
        auto parsed = SipMessage::parse(std::string_view(buf.data(), static_cast<std::size_t>(n)));
        if (!parsed.ok() || !onMessage) continue;
        const SockAddr peer(reinterpret_cast<const sockaddr*>(&from), len);
        Inbound in{std::move(parsed.value()), Protocol::Udp, peer, udpSource(peer), m_loop.now()};
        onMessage(std::move(in));
    }
}

void TransportLayer::readStream(const ConnKey& key) {
    auto it = m_connections.find(key);
    if (it == m_connections.end()) return;
    Connection& c = *it->second;
    char buf[16384];
    bool closed = false;
    for (int i = 0; i < 64; ++i) {
        long n;
        if (c.ssl) {
            n = SSL_read(c.ssl.get(), buf, sizeof buf);
            if (n <= 0) {
                const int e = SSL_get_error(c.ssl.get(), static_cast<int>(n));
                closed = e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
                break;
            }
        } else {
            n = ::recv(c.fd, buf, sizeof buf, 0);
            if (n <= 0) {
                closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
                break;
            }
        }
        c.framer.push(std::string_view(buf, static_cast<std::size_t>(n)));
    }
    const SockAddr local = c.local;
    std::vector<Inbound> ready;
    while (auto frame = c.framer.next()) {
        if (frame->kind != Frame::Kind::Message) continue;
        auto parsed = SipMessage::parse(frame->bytes);
        if (parsed.ok())
            ready.push_back(
                Inbound{std::move(parsed.value()), key.first, key.second, local, m_loop.now()});
    }
    if (closed) close(key);
    for (auto& in : ready)
        if (onMessage) onMessage(std::move(in));
}

void TransportLayer::acceptOn(Listener& l) {
    for (int i = 0; i < 16; ++i) {
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const int fd = ::accept4(l.fd, reinterpret_cast<sockaddr*>(&from), &len, SOCK_CLOEXEC);
        if (fd < 0) return;
        const SockAddr peer(reinterpret_cast<const sockaddr*>(&from), len);
        setNonBlocking(fd);
        SslPtr ssl;
        if (l.tls) {
            std::string error;
            ssl = acceptTls(m_serverTls.get(), fd, m_connectTimeout, error);
            if (!ssl) {
                ::close(fd);
                continue;
            }
        }
        adopt(l.tls ? Protocol::Tls : Protocol::Tcp, fd, peer, std::move(ssl));
    }
}

void TransportLayer::close(const ConnKey& key) {
    auto it = m_connections.find(key);
    if (it == m_connections.end()) return;
    m_loop.unwatch(it->second->fd);
    ::close(it->second->fd);
    m_connections.erase(it);
    if (onClosed) onClosed(key.first, key.second);
}

}  // namespace sipscope::stack::net
