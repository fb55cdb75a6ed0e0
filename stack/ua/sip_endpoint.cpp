#include "ua/sip_endpoint.hpp"

#include <cstdio>
#include <variant>

#include "message/key_headers.hpp"
#include "transaction/invite_client.hpp"
#include "transaction/invite_server.hpp"
#include "transaction/matching.hpp"
#include "transaction/non_invite_client.hpp"
#include "transaction/non_invite_server.hpp"

namespace sipscope::stack::ua {

using net::Protocol;

struct SipEndpoint::Client {
    std::string id;
    std::variant<InviteClientTransaction, NonInviteClientTransaction> fsm;
    Target target;
    ClientCallbacks callbacks;
    std::map<TimerName, net::EventLoop::TimerId> timers;
    bool terminated = false;
};

struct SipEndpoint::Server {
    ServerRequest request;
    std::variant<InviteServerTransaction, NonInviteServerTransaction> fsm;
    std::map<TimerName, net::EventLoop::TimerId> timers;
    bool terminated = false;
};

namespace {

TransportKind kindOf(Protocol p) noexcept {
    return p == Protocol::Udp ? TransportKind::Unreliable : TransportKind::Reliable;
}

std::string clientId(std::string_view branch, std::string_view method) {
    return std::string(branch) + "|" + std::string(foldAck(method));
}

}  // namespace

SipEndpoint::SipEndpoint(net::EventLoop& loop, net::TransportLayer& transport, TimerConfig timers,
                         RandomSource random)
    : m_loop(loop), m_transport(transport), m_timers(timers), m_random(std::move(random)) {
    m_transport.onMessage = [this](net::Inbound&& in) { onInbound(std::move(in)); };
    m_transport.onClosed = [this](Protocol p, const net::SockAddr& peer, const std::string& e) {
        onClosed(p, peer, e);
    };
}

void SipEndpoint::onClosed(Protocol p, const net::SockAddr& peer, const std::string& error) {
    // RFC 3261 §18.4 / §17.1.4: a connection lost under a client transaction is a transport
    // error for it (a reliable transport will not retransmit); server transactions lose the way
    // back to their client the same way (§17.2.4). A connection that never came up (refused,
    // timed out, TLS failure) fails the transactions that queued messages on it, and so does an
    // ICMP unreachable for a UDP peer (§18.4).
    const auto fail = [this](auto& txn) {
        perform(txn, std::visit([](auto& f) { return f.onTransportError(); }, txn.fsm));
    };
    for (auto& [id, c] : m_clients) {
        if (c->terminated || c->target.protocol != p || !(c->target.address == peer)) continue;
        if (c->callbacks.onFailure)
            c->callbacks.onFailure(false, error.empty() ? "connection closed by the peer" : error);
        fail(*c);
    }
    for (auto& [key, s] : m_servers)
        if (!s->terminated && s->request.protocol == p && s->request.from == peer) fail(*s);
}

SipEndpoint::~SipEndpoint() {
    m_transport.onMessage = nullptr;
    m_transport.onClosed = nullptr;
    for (auto& [id, c] : m_clients)
        for (auto& [t, timer] : c->timers) m_loop.cancelTimer(timer);
    for (auto& [id, s] : m_servers)
        for (auto& [t, timer] : s->timers) m_loop.cancelTimer(timer);
}

std::string SipEndpoint::newToken() {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(m_random()));
    return buf;
}

std::string SipEndpoint::newBranch() {
    return "z9hG4bK" + newToken();
}

net::SendResult SipEndpoint::prepare(const Target& to) {
    return m_transport.prepare(to.protocol, to.address, to.tlsName);
}

std::string SipEndpoint::viaFor(const Target& to, const net::SockAddr& local,
                                const std::string& branch) const {
    // RFC 3581 §3: an empty rport asks the server to answer to the source port.
    return "SIP/2.0/" + std::string(net::protocolName(to.protocol)) + " " + local.hostPort() +
           ";rport;branch=" + branch;
}

bool SipEndpoint::transmit(const SipMessage& m, Protocol p, const net::SockAddr& to,
                           const std::string& tlsName, std::string& error) {
    const std::string bytes = m.encode();
    const auto r = m_transport.send(p, to, bytes, tlsName);
    if (!r.ok) {
        error = r.error;
        return false;
    }
    if (tap) tap(TappedMessage{m, true, p, r.local, to, m_loop.now()});
    return true;
}

template <class Txn>
void SipEndpoint::perform(Txn& txn, const Actions& actions) {
    constexpr bool kIsClient = std::is_same_v<Txn, Client>;
    for (const auto& action : actions) {
        if (const auto* a = std::get_if<SendMessage>(&action)) {
            std::string error;
            bool ok;
            if constexpr (kIsClient)
                ok = transmit(a->message, txn.target.protocol, txn.target.address,
                              txn.target.tlsName, error);
            else
                ok = transmit(a->message, txn.request.protocol, txn.request.from, {}, error);
            if (!ok) {
                // RFC 3261 §17.1.4 / §17.2.4: a transport failure is reported to the machine.
                auto more = std::visit([](auto& f) { return f.onTransportError(); }, txn.fsm);
                if constexpr (kIsClient)
                    if (txn.callbacks.onFailure) txn.callbacks.onFailure(false, error);
                perform(txn, more);
            }
        } else if (const auto* a = std::get_if<StartTimer>(&action)) {
            if (auto it = txn.timers.find(a->timer); it != txn.timers.end())
                m_loop.cancelTimer(it->second);
            const TimerName name = a->timer;
            txn.timers[name] = m_loop.addTimer(a->duration, [this, &txn, name] {
                txn.timers.erase(name);
                perform(txn, std::visit([name](auto& f) { return f.onTimer(name); }, txn.fsm));
            });
        } else if (const auto* a = std::get_if<StopTimer>(&action)) {
            if (auto it = txn.timers.find(a->timer); it != txn.timers.end()) {
                m_loop.cancelTimer(it->second);
                txn.timers.erase(it);
            }
        } else if (const auto* a = std::get_if<DeliverToTu>(&action)) {
            if constexpr (kIsClient) {
                if (txn.callbacks.onResponse) txn.callbacks.onResponse(a->message);
            } else if (onRequest) {
                ServerRequest r = txn.request;
                r.request = a->message;
                onRequest(r);
            }
        } else if (const auto* a = std::get_if<TimeoutToTu>(&action)) {
            if constexpr (kIsClient)
                if (txn.callbacks.onFailure)
                    txn.callbacks.onFailure(true, "Timer " + std::string(timerLabel(a->timer)) +
                                                      " fired: no final response");
        } else if (std::holds_alternative<TransactionTerminated>(action)) {
            txn.terminated = true;
            for (auto& [t, timer] : txn.timers) m_loop.cancelTimer(timer);
            txn.timers.clear();
            reap();
        }
    }
}

bool SipEndpoint::sendRequest(const SipMessage& request, const Target& to,
                              ClientCallbacks callbacks, std::string& error) {
    const KeyHeaders k = extractKeyHeaders(request);
    auto c = std::make_unique<Client>(Client{
        clientId(k.topViaBranch, request.method()),
        request.method() == "INVITE"
            ? decltype(Client::fsm)(InviteClientTransaction(request, kindOf(to.protocol), m_timers))
            : decltype(Client::fsm)(
                  NonInviteClientTransaction(request, kindOf(to.protocol), m_timers)),
        to,
        std::move(callbacks),
        {},
        false});
    Client& ref = *c;
    m_clients[ref.id] = std::move(c);
    // The first send fails synchronously when no socket can be made; a connection or TLS
    // handshake that fails later reports through onClosed().
    std::string firstError;
    auto saved = ref.callbacks.onFailure;
    ref.callbacks.onFailure = [&firstError](bool, const std::string& why) { firstError = why; };
    perform(ref, std::visit([](auto& f) { return f.start(); }, ref.fsm));
    ref.callbacks.onFailure = std::move(saved);
    if (!firstError.empty()) {
        error = firstError;
        return false;
    }
    return true;
}

bool SipEndpoint::sendStateless(const SipMessage& message, const Target& to, std::string& error) {
    return transmit(message, to.protocol, to.address, to.tlsName, error);
}

void SipEndpoint::respond(const TransactionKey& key, const SipMessage& response) {
    auto it = m_servers.find(key);
    if (it == m_servers.end() || it->second->terminated) return;
    Server& s = *it->second;
    perform(s, std::visit([&](auto& f) { return f.onTuResponse(response); }, s.fsm));
}

bool SipEndpoint::hasServerTransaction(const TransactionKey& key) const {
    auto it = m_servers.find(key);
    return it != m_servers.end() && !it->second->terminated;
}

std::size_t SipEndpoint::activeTransactions() const noexcept {
    std::size_t n = 0;
    for (const auto& [id, c] : m_clients) n += c->terminated ? 0 : 1;
    for (const auto& [id, s] : m_servers) n += s->terminated ? 0 : 1;
    return n;
}

void SipEndpoint::reap() {
    if (m_reapScheduled) return;
    m_reapScheduled = true;
    // Erased on the next loop round, never under a callback that may still use them.
    m_loop.addTimer(Duration{0}, [this] {
        m_reapScheduled = false;
        std::erase_if(m_clients, [](const auto& e) { return e.second->terminated; });
        std::erase_if(m_servers, [](const auto& e) { return e.second->terminated; });
    });
}

void SipEndpoint::onInbound(net::Inbound&& in) {
    if (tap) tap(TappedMessage{in.message, false, in.protocol, in.local, in.from, in.at});
    if (in.message.isResponse())
        onResponse(in);
    else
        onRequestIn(in);
}

void SipEndpoint::onResponse(const net::Inbound& in) {
    // RFC 3261 §17.1.3: top Via branch + CSeq method.
    const KeyHeaders k = extractKeyHeaders(in.message);
    auto it = m_clients.find(clientId(k.topViaBranch, k.cseqMethod));
    if (it == m_clients.end() || it->second->terminated) {
        if (onStrayResponse) onStrayResponse(in.message);
        return;
    }
    Client& c = *it->second;
    perform(c, std::visit([&](auto& f) { return f.onResponse(in.message); }, c.fsm));
}

void SipEndpoint::onRequestIn(const net::Inbound& in) {
    const auto key = serverKeyForRequest(in.message);
    if (!key) return;  // no usable Via/CSeq: RFC 3261 §8.2 cannot even answer it
    if (auto it = m_servers.find(*key); it != m_servers.end()) {
        Server& s = *it->second;
        // RFC 3261 §17.2.3: a retransmission, or the ACK for a non-2xx final response.
        if (!s.terminated)
            perform(s, std::visit([&](auto& f) { return f.onRequest(in.message); }, s.fsm));
        return;
    }
    ServerRequest req{*key, in.message, in.protocol, in.from, in.local};
    if (in.message.method() == "ACK") {
        // RFC 3261 §13.3.1.4 / RFC 6026 §8.7: the ACK for a 2xx goes straight to the TU.
        if (onRequest) onRequest(req);
        return;
    }
    const bool invite = in.message.method() == "INVITE";
    auto s =
        std::make_unique<Server>(Server{req,
                                        invite ? decltype(Server::fsm)(InviteServerTransaction(
                                                     in.message, kindOf(in.protocol), m_timers))
                                               : decltype(Server::fsm)(NonInviteServerTransaction(
                                                     in.message, kindOf(in.protocol), m_timers)),
                                        {},
                                        false});
    Server& ref = *s;
    m_servers[*key] = std::move(s);
    perform(ref, invite ? std::get<InviteServerTransaction>(ref.fsm).start(true)
                        : std::get<NonInviteServerTransaction>(ref.fsm).start());
}

}  // namespace sipscope::stack::ua
