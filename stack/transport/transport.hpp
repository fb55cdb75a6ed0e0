#pragma once
// The active transports (RFC 3261 §18): UDP sockets per address family, TCP and TLS
// connections framed with the stack's StreamFramer and reused for every message to the same
// peer (§18.1.1, §18.2.2: responses go back on the connection the request came on), and TCP/TLS
// listeners for the answering mode. Connecting, the TLS handshake, writing and reading are all
// driven by the EventLoop (StreamSocket): nothing here waits, and messages for a connection
// still being set up are queued until it is up.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

    // Sends one message. TCP/TLS start connecting first unless a connection to `to` exists, and
    // the message is queued until it is up (a failure then comes through onClosed); `tlsName`
    // is the name the server certificate must carry.
    SendResult send(Protocol p, const SockAddr& to, std::string_view bytes,
                    const std::string& tlsName = {});
    // The local address a message to `to` leaves from (connecting TCP/TLS if needed).
    SendResult prepare(Protocol p, const SockAddr& to, const std::string& tlsName = {});
    // prepare(), then for TCP/TLS runs the loop (which keeps serving everything else) until the
    // connection is up or has failed: the error says why (refused, timed out, TLS). For choosing
    // among RFC 3263 targets before anything is sent.
    SendResult prepareAndWait(Protocol p, const SockAddr& to, const std::string& tlsName = {});

    std::function<void(Inbound&&)> onMessage;
    // A stream connection was closed, or could not be set up: `error` says why (refused,
    // timed out, each TLS verification failure), empty when the peer closed it. For UDP: an
    // ICMP port, host or network unreachable came back for a datagram sent to that address.
    std::function<void(Protocol, const SockAddr&, const std::string& error)> onClosed;

    std::size_t connectionCount() const noexcept { return m_connections.size(); }

  private:
    struct Connection;
    struct Listener;
    using ConnKey = std::pair<Protocol, SockAddr>;

    Connection* connect(Protocol p, const SockAddr& to, const std::string& tlsName,
                        std::string& error);
    SockAddr udpSource(const SockAddr& to);
    void readUdp(int fd);
    void reportUnreachable(const std::vector<std::pair<SockAddr, std::string>>& errors);
    void readStream(const ConnKey& key);
    void acceptOn(Listener& l);
    void close(const ConnKey& key, const std::string& error = {});

    EventLoop& m_loop;
    std::map<int, int> m_udp;                   // family -> fd
    std::map<SockAddr, SockAddr> m_udpSources;  // destination -> local address it is sent from
    std::map<ConnKey, std::unique_ptr<Connection>> m_connections;
    std::map<int, std::unique_ptr<Listener>> m_listeners;  // fd -> listener
    SslCtxPtr m_clientTls, m_serverTls;
    bool m_verify = true;
    Duration m_connectTimeout{5000};
    std::pair<ConnKey, std::string> m_lastFailure;  // the last connection closed with an error
};

}  // namespace sipscope::stack::net
