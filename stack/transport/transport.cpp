#include "transport/transport.hpp"

#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "parser/stream_framer.hpp"
#include "transport/stream_socket.hpp"

namespace sipscope::stack::net {

struct TransportLayer::Connection {
    std::unique_ptr<StreamSocket> socket;
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

// The errors a queued ICMP destination-unreachable leaves on a UDP socket (RFC 1122 §4.1.3.3).
bool isUnreachable(int error) noexcept {
    return error == ECONNREFUSED || error == EHOSTUNREACH || error == ENETUNREACH;
}

std::string unreachableText(int error, const SockAddr& to) {
    if (error == ECONNREFUSED)
        return "ICMP port unreachable from " + to.hostPort() + " (no SIP server there)";
    return std::string(error == EHOSTUNREACH ? "ICMP host" : "ICMP network") + " unreachable for " +
           to.hostPort();
}

// The destinations the kernel has queued ICMP unreachable errors for (IP_RECVERR), the queue
// emptied. Reading the queue also clears the socket's pending error, which would otherwise fail
// the next sendto() to any destination.
std::vector<std::pair<SockAddr, std::string>> takeUdpErrors(int fd) {
    std::vector<std::pair<SockAddr, std::string>> out;
    for (int i = 0; i < 64; ++i) {  // bounded: the queue is short-lived
        char data[256];
        alignas(cmsghdr) char control[512];
        sockaddr_storage dest{};
        iovec iov{data, sizeof data};
        msghdr msg{};
        msg.msg_name = &dest;
        msg.msg_namelen = sizeof dest;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        if (::recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) break;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            const bool v4 = c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR;
            const bool v6 = c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR;
            if (!v4 && !v6) continue;
            sock_extended_err ee{};
            std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
            const bool icmp =
                ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6;
            if (!icmp || !isUnreachable(static_cast<int>(ee.ee_errno))) continue;
            // ip(7): msg_name is the destination of the datagram that caused the error.
            const SockAddr to(reinterpret_cast<const sockaddr*>(&dest), msg.msg_namelen);
            out.emplace_back(to, unreachableText(static_cast<int>(ee.ee_errno), to));
        }
    }
    return out;
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
    m_connections.clear();  // each StreamSocket unwatches and closes its descriptor
}

bool TransportLayer::openUdp(const SockAddr& local, std::string& error) {
    const int fd = ::socket(local.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = sysError("socket");
        return false;
    }
    int one = 1;
    if (local.isV6()) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    // RFC 3261 §18.4: ICMP errors for what we send are reported to us (an unconnected UDP
    // socket is told nothing otherwise), so a closed port fails its transaction at once.
    if (local.isV6())
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof one);
    else
        ::setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one);
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

TransportLayer::Connection* TransportLayer::connect(Protocol p, const SockAddr& to,
                                                    const std::string& tlsName,
                                                    std::string& error) {
    if (auto it = m_connections.find({p, to}); it != m_connections.end()) return it->second.get();
    if (p == Protocol::Tls && !m_clientTls) {
        TlsOptions defaults;
        if (!setTlsClient(defaults, error)) return nullptr;
    }
    std::optional<TlsClientParams> tls;
    if (p == Protocol::Tls)
        tls = TlsClientParams{m_clientTls.get(), tlsName.empty() ? to.ip() : tlsName, m_verify};
    const ConnKey key{p, to};
    auto socket = StreamSocket::connect(
        m_loop, to, std::move(tls), m_connectTimeout,
        {[this, key] { readStream(key); }, [this, key](const std::string& e) { close(key, e); }},
        error);
    if (!socket) return nullptr;
    auto c = std::make_unique<Connection>();
    c->socket = std::move(socket);
    Connection* raw = c.get();
    m_connections[key] = std::move(c);
    return raw;
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
    r.local = c->socket->local();
    r.ok = true;
    return r;
}

SendResult TransportLayer::prepareAndWait(Protocol p, const SockAddr& to,
                                          const std::string& tlsName) {
    SendResult r = prepare(p, to, tlsName);
    if (!r.ok || p == Protocol::Udp) return r;
    const ConnKey key{p, to};
    // Bounded twice: the socket fails itself at the connect timeout on the loop's clock, and
    // the rounds are counted for a clock that does not move.
    for (int round = 0; round < 100000; ++round) {
        auto it = m_connections.find(key);
        if (it == m_connections.end()) {
            r.ok = false;
            r.error = m_lastFailure.first == key && !m_lastFailure.second.empty()
                          ? m_lastFailure.second
                          : "connection to " + to.hostPort() + " closed";
            return r;
        }
        if (it->second->socket->state() == StreamSocket::State::Up) return r;
        m_loop.runOnce(Duration{50});
    }
    r.ok = false;
    r.error = "connect to " + to.hostPort() + " timed out";
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
        const auto sendOnce = [&] {
            return ::sendto(it->second, bytes.data(), bytes.size(), 0, to.sa(), to.len()) >= 0;
        };
        bool sent = sendOnce();
        std::vector<std::pair<SockAddr, std::string>> unreachable;
        if (!sent && isUnreachable(errno)) {
            // The socket's pending error belongs to an earlier datagram (maybe to another
            // peer), not to this one: report it where it belongs and send again.
            unreachable = takeUdpErrors(it->second);
            sent = sendOnce();
        }
        if (!sent) r.error = sysError("send to " + to.hostPort());
        r.local = udpSource(to);
        r.ok = sent;
        reportUnreachable(unreachable);
        return r;
    }
    Connection* c = connect(p, to, tlsName, r.error);
    if (!c) return r;
    r.local = c->socket->local();
    r.ok = c->socket->send(bytes, r.error);
    if (!r.ok) close({p, to}, r.error);
    return r;
}

void TransportLayer::reportUnreachable(
    const std::vector<std::pair<SockAddr, std::string>>& errors) {
    // RFC 3261 §18.4: an ICMP port/host/network unreachable is a transport failure for whatever
    // was sent to that address.
    for (const auto& [to, why] : errors)
        if (onClosed) onClosed(Protocol::Udp, to, why);
}

void TransportLayer::readUdp(int fd) {
    reportUnreachable(takeUdpErrors(fd));
    std::string buf(kMaxDatagram, '\0');
    for (int i = 0; i < 64; ++i) {  // bounded: other sockets get their turn
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const long n =
            ::recvfrom(fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0 && isUnreachable(errno)) {
            // An ICMP error that arrived since the queue was read: it is its turn now.
            reportUnreachable(takeUdpErrors(fd));
            continue;
        }
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
    // Reads go into a fresh block that the framer adopts when the read filled much of it: the
    // messages in it are then framed in place. A short read is copied into the framer's chunk
    // instead, so that a small message does not keep a whole block alive. Frames are taken
    // after every read, so that the next push finds the framer done with the adopted block
    // (what is left of it would otherwise be copied).
    constexpr std::size_t kBlock = 16384, kAdoptFrom = 4096;
    const SockAddr local = c.socket->local();
    std::vector<Inbound> ready;
    const auto takeFrames = [&] {
        while (auto frame = c.framer.next()) {
            if (frame->kind != Frame::Kind::Message) continue;
            auto parsed = frame->parse();
            if (parsed.ok())
                ready.push_back(
                    Inbound{std::move(parsed.value()), key.first, key.second, local, m_loop.now()});
        }
    };
    std::shared_ptr<char[]> block;
    bool closed = false;
    for (int i = 0; i < 64; ++i) {  // bounded: other sockets get their turn
        if (!block) block = std::make_shared_for_overwrite<char[]>(kBlock);
        const long n = c.socket->read(block.get(), kBlock);
        if (n <= 0) {
            closed = n != -1;
            break;
        }
        const std::string_view got(block.get(), static_cast<std::size_t>(n));
        if (got.size() >= kAdoptFrom) {
            c.framer.push(Bytes(std::shared_ptr<const void>(std::move(block)), got));
        } else {
            c.framer.push(got);
        }
        takeFrames();
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
        const ConnKey key{l.tls ? Protocol::Tls : Protocol::Tcp, peer};
        // The TLS server handshake runs in the loop too, bounded by the same timeout.
        auto socket = StreamSocket::accepted(
            m_loop, fd, peer, l.tls ? m_serverTls.get() : nullptr, m_connectTimeout,
            {[this, key] { readStream(key); },
             [this, key](const std::string& e) { close(key, e); }});
        if (socket->state() == StreamSocket::State::Closed) continue;
        auto c = std::make_unique<Connection>();
        c->socket = std::move(socket);
        m_connections[key] = std::move(c);
    }
}

void TransportLayer::close(const ConnKey& key, const std::string& error) {
    auto it = m_connections.find(key);
    if (it == m_connections.end()) return;
    // Copies first: `key` and `error` may live in the socket's callbacks, destroyed below.
    const ConnKey closed = key;
    const std::string why = error;
    m_connections.erase(it);
    if (!why.empty()) m_lastFailure = {closed, why};
    if (onClosed) onClosed(closed.first, closed.second, why);
}

}  // namespace sipscope::stack::net
