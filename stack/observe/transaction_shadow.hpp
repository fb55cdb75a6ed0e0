#pragma once
// One observed transaction: the client-side and the server-side state machines running as
// shadows of the two endpoints (ARCHITECTURE.md "Passive"), plus what the capture showed of it.
//
// A transaction spends nearly all its life waiting (Timers J, K, L, M and D run for up to 32 s
// after its final response, which comes within milliseconds), and a busy capture has hundreds of
// thousands of them open at once. So a shadow can sleep: what it knows is packed into a few
// hundred bytes, and its machines are shared with every sleeping shadow whose machines compare
// equal (the same state and stand-ins). Waking unpacks it exactly; a sleeping shadow keeps only
// what the observer's index and timers read (id, key, hop digest, timer slots).

#include <memory>
#include <variant>

#include "observe/observer_events.hpp"
#include "observe/shadow_timers.hpp"
#include "transaction/invite_client.hpp"
#include "transaction/invite_server.hpp"
#include "transaction/non_invite_client.hpp"
#include "transaction/non_invite_server.hpp"

namespace sipscope::stack {

class ShadowPacker;

// (status, To tag, RSeq) of each response seen: a second sighting is a retransmission. The To
// tag and RSeq enter as a 64-bit hash: a shadow keeps no strings per response, and two
// different responses of one transaction collide with probability 2^-64. (Outside the class:
// clang 14 does not see a nested struct's member initialisers from within the enclosing class.)
struct ShadowResponseSignature {
    int status = 0;
    std::uint64_t tagAndRseq = 0;
    bool operator==(const ShadowResponseSignature&) const = default;
};

class TransactionShadow {
  public:
    using Client = std::variant<InviteClientTransaction, NonInviteClientTransaction>;
    using Server = std::variant<InviteServerTransaction, NonInviteServerTransaction>;
    struct Machines {
        Client client;
        Server server;
        bool operator==(const Machines&) const = default;
    };

    using ResponseSignature = ShadowResponseSignature;
    static ResponseSignature signatureOf(int status, std::string_view toTag, std::string_view rseq);

    // What only an awake shadow holds; packed (shadow_packer.cpp) while it sleeps.
    struct Live {
        TransactionRecord record;
        bool clientDone = false, serverDone = false, ended = false;
        bool confirmed = false;  // the server shadow reached Confirmed (ACK for non-2xx)
        std::vector<Instant> expectedSends;  // request retransmissions the client shadow made
        std::size_t consumedSends = 0;
        // A copy matched a Timer A/E deadline that had not fired yet: that send is already seen.
        std::optional<Instant> matchedAhead;
        std::uint64_t finalId = 0;  // the first final response's message id
        Instant lastSend{0};        // the last request sighting matched to the schedule
        Instant lastActivity{0};    // for the INVITE idle limit (Timer C)
        std::vector<std::pair<ResponseSignature, std::uint64_t>> responsesSeen;
        // Keys (Call-ID, CSeq, From tag, To tag digests) of this INVITE's 2xx awaiting ACK.
        std::vector<std::uint64_t> pending2xx;
        bool operator==(const Live&) const = default;
    };

    // Awake, with machines for the request's method and transport; `id` is the record's.
    TransactionShadow(std::uint64_t id, const Observation& request, TimerConfig timers);

    // What the machines are handed instead of an observed message: a message with the same
    // start line and nothing else. RFC 3261 §17's transitions read only the method and the
    // status code, and a shadow's "sends" are compared with the capture by kind and time, so
    // the shadows need no header or body. Stand-ins are shared (one per method and status), so
    // an open transaction does not keep the observed messages' bytes and parsed index alive.
    static SipMessage standIn(const SipMessage& m);

    // Both machines leave Idle: the client "sends" the request, the server "receives" it.
    Actions startClient();
    Actions startServer();
    Actions toClient(const TransactionEvent& event);
    Actions toServer(const TransactionEvent& event);

    TransactionState clientState() const;
    TransactionState serverState() const;

    bool awake() const noexcept { return m_live != nullptr; }
    Live& live() noexcept { return *m_live; }  // awake only
    const Live& live() const noexcept { return *m_live; }
    void sleep(ShadowPacker& packer);
    void wake(ShadowPacker& packer);

    // Kept while asleep.
    const std::uint64_t id;
    ShadowTimers::Slots timers{};
    std::uint64_t matchKey = 0;  // where the observer's index lists this transaction (keyOf)
    std::uint64_t hop = 0;       // digest of (record.client, record.server)
    TransactionShadow* olderSameKey = nullptr;  // the index's chain, newest first

  private:
    Machines& machines();  // the shadow's own, copied first if shared

    std::unique_ptr<Live> m_live;
    std::unique_ptr<char[]> m_packed;  // the Live fields while asleep
    std::shared_ptr<Machines> m_machines;
};

}  // namespace sipscope::stack
