#pragma once
// One TCP or TLS connection of the active transports, set up without blocking the EventLoop:
// a non-blocking connect (EINPROGRESS, then writable, then SO_ERROR), then for TLS the
// handshake driven by the loop (WANT_READ / WANT_WRITE), all bounded by a timeout on the loop's
// clock. Messages sent before it is up are queued and written once it is, as the socket takes
// them. Connecting -> (Handshaking ->) Up -> Closed, or Connecting/Handshaking -> Closed on
// refusal, timeout or a TLS failure, each with its own error text.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "transport/address.hpp"
#include "transport/event_loop.hpp"
#include "transport/tls.hpp"

namespace sipscope::stack::net {

class StreamSocket {
  public:
    enum class State { Connecting, Handshaking, Up, Closed };
    struct Events {
        std::function<void()> onReadable;  // Up: bytes (or the end) to read()
        // Setup failed or timed out, or a queued write failed: the socket is Closed and may be
        // destroyed inside this call.
        std::function<void(const std::string& error)> onFailed;
    };

    // Starts connecting to `to` (then a TLS client handshake when `tls` is set). nullptr and
    // `error` when there is no socket or connect() fails at once.
    static std::unique_ptr<StreamSocket> connect(EventLoop& loop, const SockAddr& to,
                                                 std::optional<TlsClientParams> tls,
                                                 Duration timeout, Events events,
                                                 std::string& error);
    // An accepted connection; a TLS server handshake first when `serverTls` is set.
    static std::unique_ptr<StreamSocket> accepted(EventLoop& loop, int fd, const SockAddr& peer,
                                                  SSL_CTX* serverTls, Duration timeout,
                                                  Events events);
    ~StreamSocket();
    StreamSocket(const StreamSocket&) = delete;
    StreamSocket& operator=(const StreamSocket&) = delete;

    State state() const noexcept { return m_state; }
    const SockAddr& local() const noexcept { return m_local; }
    // Queues `bytes`, writing what the socket takes once Up. False and `error` when the write
    // fails (the owner closes the connection; onFailed is not called for it).
    bool send(std::string_view bytes, std::string& error);
    // Up: > 0 bytes read, 0 the peer closed, -1 nothing now, -2 an error.
    long read(char* buf, std::size_t size);

  private:
    StreamSocket(EventLoop& loop, int fd, const SockAddr& peer, Events events);
    void onReadable();
    void onWritable();
    void checkConnected();
    void handshake();
    void becomeUp();
    bool flush(std::string& error);
    void fail(const std::string& error);
    void wantWritable(bool on);

    EventLoop& m_loop;
    int m_fd = -1;
    SockAddr m_peer, m_local;
    Events m_events;
    State m_state = State::Connecting;
    std::optional<TlsClientParams> m_tls;  // client side, until the session exists
    SslPtr m_ssl;
    std::string m_verifyName;  // client verification: the name checked (error messages)
    std::string m_outbox;
    bool m_writeWantsRead = false;  // SSL_write waits for a read (TLS 1.3 key update)
    bool m_watchingWritable = false;
    EventLoop::TimerId m_timer = 0;
};

}  // namespace sipscope::stack::net
