#pragma once
// The transaction layer of the active user agent (RFC 3261 §17, §18): it runs the stack's
// sans-I/O transaction machines (stack/transaction) over a TransportLayer and an EventLoop,
// performing their actions (send, start/stop timers, deliver, time out). Layer order:
// transport -> SipEndpoint (transactions) -> CallClient / RequestClient / Answerer (TU).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "transaction/transaction_types.hpp"
#include "transport/event_loop.hpp"
#include "transport/transport.hpp"

namespace sipscope::stack::ua {

// Where requests go: the next hop's transport, address and (TLS) certificate name.
struct Target {
    net::Protocol protocol = net::Protocol::Udp;
    net::SockAddr address;
    std::string tlsName;
};

// Every message the endpoint sends or receives, for recording (--db) and logs.
struct TappedMessage {
    const SipMessage& message;
    bool sent = false;
    net::Protocol protocol = net::Protocol::Udp;
    net::SockAddr local, remote;
    Instant at{0};
};

struct ClientCallbacks {
    std::function<void(const SipMessage&)> onResponse;  // provisional and final
    // Timer B / F fired (timeout = true) or the transport failed (RFC 3261 §17.1.4).
    std::function<void(bool timeout, const std::string& why)> onFailure;
};

// Callbacks that do nothing once `owner` is gone: a transaction may outlive the call or request
// that started it (Timer K, the Accepted state) and still see retransmitted responses.
inline ClientCallbacks guarded(std::weak_ptr<void> owner, ClientCallbacks cb) {
    return ClientCallbacks{
        [owner, f = std::move(cb.onResponse)](const SipMessage& m) {
            if (!owner.expired() && f) f(m);
        },
        [owner, f = std::move(cb.onFailure)](bool timeout, const std::string& why) {
            if (!owner.expired() && f) f(timeout, why);
        }};
}

// A received request waiting for the TU's responses; valid until the server transaction ends.
struct ServerRequest {
    TransactionKey key;
    SipMessage request;
    net::Protocol protocol = net::Protocol::Udp;
    net::SockAddr from, local;
};

using RandomSource = std::function<std::uint64_t()>;

class SipEndpoint {
  public:
    SipEndpoint(net::EventLoop& loop, net::TransportLayer& transport, TimerConfig timers,
                RandomSource random);
    ~SipEndpoint();
    SipEndpoint(const SipEndpoint&) = delete;
    SipEndpoint& operator=(const SipEndpoint&) = delete;

    net::EventLoop& loop() noexcept { return m_loop; }
    const TimerConfig& timers() const noexcept { return m_timers; }
    std::uint64_t random() { return m_random(); }
    // RFC 3261 §8.1.1.7: a branch starting with the magic cookie, unique per transaction.
    std::string newBranch();
    std::string newToken();  // tags and Call-IDs

    // The local address messages to `to` leave from (connects TCP/TLS), for Via and Contact.
    net::SendResult prepare(const Target& to);
    // RFC 3261 §18.1.1 + RFC 3581 §3: "SIP/2.0/<T> host:port;rport;branch=<branch>".
    std::string viaFor(const Target& to, const net::SockAddr& local,
                       const std::string& branch) const;

    // Sends `request` in a new client transaction (INVITE: §17.1.1, others §17.1.2).
    // False when the transport failed at once (`error` says why).
    bool sendRequest(const SipMessage& request, const Target& to, ClientCallbacks callbacks,
                     std::string& error);
    // RFC 3261 §13.2.2.4: the ACK for a 2xx is sent by the TU, outside any transaction.
    bool sendStateless(const SipMessage& message, const Target& to, std::string& error);

    // Requests for which no transaction exists (new INVITE, OPTIONS, BYE, CANCEL, ACK for
    // 2xx). For everything but ACK the TU must answer through respond().
    std::function<void(const ServerRequest&)> onRequest;
    // A 2xx retransmission to an INVITE whose client transaction is gone (§13.2.2.4).
    std::function<void(const SipMessage&)> onStrayResponse;
    std::function<void(const TappedMessage&)> tap;

    // The TU's response to a server transaction (provisional or final).
    void respond(const TransactionKey& key, const SipMessage& response);
    bool hasServerTransaction(const TransactionKey& key) const;

    std::size_t activeTransactions() const noexcept;

  private:
    struct Client;
    struct Server;
    template <class Txn>
    void perform(Txn& txn, const Actions& actions);
    void onInbound(net::Inbound&& in);
    void onClosed(net::Protocol p, const net::SockAddr& peer, const std::string& error);
    void onResponse(const net::Inbound& in);
    void onRequestIn(const net::Inbound& in);
    bool transmit(const SipMessage& m, net::Protocol p, const net::SockAddr& to,
                  const std::string& tlsName, std::string& error);
    void reap();

    net::EventLoop& m_loop;
    net::TransportLayer& m_transport;
    TimerConfig m_timers;
    RandomSource m_random;
    std::map<std::string, std::unique_ptr<Client>> m_clients;     // branch + method
    std::map<TransactionKey, std::unique_ptr<Server>> m_servers;  // §17.2.3 key
    bool m_reapScheduled = false;
};

}  // namespace sipscope::stack::ua
