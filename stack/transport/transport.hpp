#pragma once
// The active transports (RFC 3261 §18): UDP sockets per address family, TCP and TLS
// connections framed with the stack's StreamFramer and reused for every message to the same
// peer (§18.1.1, §18.2.2: responses go back on the connection the request came on), and TCP/TLS
// listeners for the answering mode. Connecting and writing are bounded waits; reading is driven
// by the EventLoop.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "message/sip_message.hpp"
#include "transport/address.hpp"
#include "transport/event_loop.hpp"
#include "transport/tls.hpp"

namespace sipscope::stack::net {

// A message as it arrived: the message plus where and when it came from.
struct Inbound {
    SipMessage message;
    Protocol protocol = Protocol::Udp;
    SockAddr from, local;
    Instant at{0};
};

struct SendResult {
    bool ok = false;
    SockAddr local;  // the address the message left from
    std::string error;
};

class TransportLayer {
  public:
    explicit TransportLayer(EventLoop& loop);
    ~TransportLayer();
    TransportLayer(const TransportLayer&) = delete;
    TransportLayer& operator=(const TransportLayer&) = delete;

    // A UDP socket on `local` (port 0: any free port), one per address family.
    bool openUdp(const SockAddr& local, std::string& error);
    // A TCP (or TLS when `tls`) listener on `local`.
    bool listen(const SockAddr& local, bool tls, std::string& error);
    // Client TLS settings (verification, CA file, client certificate) and server settings.
    bool setTlsClient(const TlsOptions& options, std::string& error);
    bool setTlsServer(const TlsOptions& options, std::string& error);
    void setConnectTimeout(Duration d) noexcept { m_connectTimeout = d; }

    // The bound address of the UDP socket / listener of this family (port 0 when none).
    SockAddr udpLocal(int family) const;
    SockAddr listenLocal(Protocol p, int family) const;

    // Sends one message. TCP/TLS connect first unless a connection to `to` exists; `tlsName`
    // is the name the server certificate must carry.
    SendResult send(Protocol p, const SockAddr& to, std::string_view bytes,
                    const std::string& tlsName = {});
    // The local address a message to `to` leaves from (connecting TCP/TLS if needed).
    SendResult prepare(Protocol p, const SockAddr& to, const std::string& tlsName = {});

    std::function<void(Inbound&&)> onMessage;
    // A stream connection was closed or failed after it was established.
    std::function<void(Protocol, const SockAddr&)> onClosed;

    std::size_t connectionCount() const noexcept { return m_connections.size(); }

  private:
    struct Connection;
    struct Listener;
    using ConnKey = std::pair<Protocol, SockAddr>;

    Connection* connect(Protocol p, const SockAddr& to, const std::string& tlsName,
                        std::string& error);
    Connection* adopt(Protocol p, int fd, const SockAddr& peer, SslPtr ssl);
    SockAddr udpSource(const SockAddr& to);
    void readUdp(int fd);
    void readStream(const ConnKey& key);
    void acceptOn(Listener& l);
    void close(const ConnKey& key);
    bool writeAll(Connection& c, std::string_view bytes, std::string& error);

    EventLoop& m_loop;
    std::map<int, int> m_udp;                   // family -> fd
    std::map<SockAddr, SockAddr> m_udpSources;  // destination -> local address it is sent from
    std::map<ConnKey, std::unique_ptr<Connection>> m_connections;
    std::map<int, std::unique_ptr<Listener>> m_listeners;  // fd -> listener
    SslCtxPtr m_clientTls, m_serverTls;
    bool m_verify = true;
    Duration m_connectTimeout{5000};
};

}  // namespace sipscope::stack::net
