#include "transport/stream_socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sipscope::stack::net {

namespace {

SockAddr localOf(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    return SockAddr(reinterpret_cast<const sockaddr*>(&ss), len);
}

}  // namespace

StreamSocket::StreamSocket(EventLoop& loop, int fd, const SockAddr& peer, Events events)
    : m_loop(loop), m_fd(fd), m_peer(peer), m_events(std::move(events)) {}

StreamSocket::~StreamSocket() {
    m_loop.cancelTimer(m_timer);
    m_loop.unwatch(m_fd);
    if (m_ssl && m_state == State::Up) SSL_shutdown(m_ssl.get());
    m_ssl.reset();
    ::close(m_fd);
}

std::unique_ptr<StreamSocket> StreamSocket::connect(EventLoop& loop, const SockAddr& to,
                                                    std::optional<TlsClientParams> tls,
                                                    Duration timeout, Events events,
                                                    std::string& error) {
    const int fd = ::socket(to.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return nullptr;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, to.sa(), to.len()) != 0 && errno != EINPROGRESS) {
        error = "connect to " + to.hostPort() + ": " + std::strerror(errno);
        ::close(fd);
        return nullptr;
    }
    std::unique_ptr<StreamSocket> s(new StreamSocket(loop, fd, to, std::move(events)));
    // The kernel picks the source address and port in connect(): Via and Contact can use them
    // while the connection is still being set up.
    s->m_local = localOf(fd);
    s->m_tls = std::move(tls);
    StreamSocket* raw = s.get();
    loop.watch(fd, [raw] { raw->onReadable(); });
    raw->wantWritable(true);  // connect() completes when the socket turns writable
    s->m_timer = loop.addTimer(timeout, [raw] {
        raw->m_timer = 0;
        raw->fail(raw->m_state == State::Connecting
                      ? "connect to " + raw->m_peer.hostPort() + " timed out"
                      : "TLS handshake with " + raw->m_peer.hostPort() + " timed out");
    });
    return s;
}

std::unique_ptr<StreamSocket> StreamSocket::accepted(EventLoop& loop, int fd, const SockAddr& peer,
                                                     SSL_CTX* serverTls, Duration timeout,
                                                     Events events) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
    std::unique_ptr<StreamSocket> s(new StreamSocket(loop, fd, peer, std::move(events)));
    s->m_local = localOf(fd);
    StreamSocket* raw = s.get();
    loop.watch(fd, [raw] { raw->onReadable(); });
    if (!serverTls) {
        s->m_state = State::Up;
        return s;
    }
    std::string error;
    s->m_ssl = newServerSession(serverTls, fd, error);
    s->m_state = State::Handshaking;
    s->m_timer = loop.addTimer(timeout, [raw] {
        raw->m_timer = 0;
        raw->fail("TLS handshake with " + raw->m_peer.hostPort() + " timed out");
    });
    // The ClientHello is read when it arrives; onFailed may not run inside this function.
    if (!s->m_ssl) s->m_state = State::Closed;
    return s;
}

void StreamSocket::wantWritable(bool on) {
    if (on == m_watchingWritable) return;
    m_watchingWritable = on;
    if (on)
        m_loop.watchWritable(m_fd, [this] { onWritable(); });
    else
        m_loop.unwatchWritable(m_fd);
}

void StreamSocket::onReadable() {
    switch (m_state) {
        case State::Connecting:
            return checkConnected();  // POLLERR / POLLHUP: refused
        case State::Handshaking:
            return handshake();
        case State::Closed:
            return;
        case State::Up:
            break;
    }
    if (m_writeWantsRead) {
        std::string error;
        if (!flush(error)) return fail(error);
    }
    m_events.onReadable();  // last: the owner may close and destroy this socket
}

void StreamSocket::onWritable() {
    switch (m_state) {
        case State::Connecting:
            return checkConnected();
        case State::Handshaking:
            return handshake();
        case State::Closed:
            return wantWritable(false);
        case State::Up:
            break;
    }
    std::string error;
    if (!flush(error)) fail(error);
}

void StreamSocket::checkConnected() {
    int soError = 0;
    socklen_t len = sizeof soError;
    ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &soError, &len);
    if (soError != 0)
        return fail("connect to " + m_peer.hostPort() + ": " + std::strerror(soError));
    pollfd p{m_fd, POLLOUT, 0};
    if (::poll(&p, 1, 0) <= 0 || !(p.revents & POLLOUT)) return;  // still in progress
    if (!m_tls) return becomeUp();
    // Connecting -> Handshaking (RFC 3261 §26.3.1: TLS right after the TCP connection).
    std::string error;
    m_ssl = newClientSession(*m_tls, m_fd, error);
    if (!m_ssl) return fail(error);
    if (m_tls->verify) m_verifyName = m_tls->name;
    m_tls.reset();
    m_state = State::Handshaking;
    handshake();
}

void StreamSocket::handshake() {
    std::string error;
    switch (stepHandshake(m_ssl.get(), m_verifyName, error)) {
        case HandshakeStep::Done:
            return becomeUp();
        case HandshakeStep::WantRead:
            return wantWritable(false);
        case HandshakeStep::WantWrite:
            return wantWritable(true);
        case HandshakeStep::Failed:
            return fail(error);
    }
}

void StreamSocket::becomeUp() {
    // -> Up: the timeout no longer applies; what was queued meanwhile goes out now.
    m_state = State::Up;
    m_loop.cancelTimer(m_timer);
    m_timer = 0;
    wantWritable(false);
    std::string error;
    if (!flush(error)) fail(error);
}

bool StreamSocket::send(std::string_view bytes, std::string& error) {
    if (m_state == State::Closed) {
        error = "connection to " + m_peer.hostPort() + " is closed";
        return false;
    }
    m_outbox.append(bytes);
    return m_state != State::Up || flush(error);
}

bool StreamSocket::flush(std::string& error) {
    m_writeWantsRead = false;
    // Bounded: a socket that keeps taking bytes still lets the loop serve others.
    for (int i = 0; i < 64 && !m_outbox.empty(); ++i) {
        long n;
        if (m_ssl) {
            n = SSL_write(m_ssl.get(), m_outbox.data(), static_cast<int>(m_outbox.size()));
            if (n <= 0) {
                const int e = SSL_get_error(m_ssl.get(), static_cast<int>(n));
                if (e == SSL_ERROR_WANT_READ) {
                    m_writeWantsRead = true;
                    wantWritable(false);
                    return true;
                }
                if (e != SSL_ERROR_WANT_WRITE) {
                    error = "TLS write to " + m_peer.hostPort() + " failed";
                    return false;
                }
            }
        } else {
            n = ::send(m_fd, m_outbox.data(), m_outbox.size(), MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                error = "send to " + m_peer.hostPort() + ": " + std::strerror(errno);
                return false;
            }
        }
        if (n <= 0) break;
        m_outbox.erase(0, static_cast<std::size_t>(n));
    }
    wantWritable(!m_outbox.empty());
    return true;
}

long StreamSocket::read(char* buf, std::size_t size) {
    if (m_state != State::Up) return -1;
    if (m_ssl) {
        const int n = SSL_read(m_ssl.get(), buf, static_cast<int>(size));
        if (n > 0) return n;
        const int e = SSL_get_error(m_ssl.get(), n);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return -1;
        return e == SSL_ERROR_ZERO_RETURN ? 0 : -2;
    }
    const long n = ::recv(m_fd, buf, size, 0);
    if (n >= 0) return n;
    return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
}

void StreamSocket::fail(const std::string& error) {
    if (m_state == State::Closed) return;
    m_state = State::Closed;
    m_loop.cancelTimer(m_timer);
    m_timer = 0;
    wantWritable(false);
    m_events.onFailed(error);  // last: the owner destroys this socket
}

}  // namespace sipscope::stack::net
