#pragma once
// Passive dialog shadows (RFC 3261 §12): for every hop on which a dialog-creating request
// (INVITE, SUBSCRIBE, REFER) was answered with a tagged 1xx or a 2xx, the UAC's and the UAS's
// Dialog run side by side. Forks give several dialogs for one request; the ones never
// confirmed end with their transaction (RFC 6026 §8.4 / RFC 3261 §13.2.2.4).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include "core/id_table.hpp"
#include "dialog/dialog.hpp"
#include "observe/observer_events.hpp"

namespace sipscope::stack {

struct DialogEvent {
    std::string callId, uacTag, uasTag;
    std::string uac, uas;  // the hop's ends: who sent the creating request, who answered it
    std::string method;    // creating method
    bool created = false;
    DialogState from = DialogState::Early, to = DialogState::Early;
    DialogReason reason = DialogReason::None;
    Instant at{0};
    std::uint64_t messageId = 0;  // the message that caused it (0: a transaction ended)
};

class DialogObserver {
  public:
    using EventSink = std::function<void(const DialogEvent&)>;
    using AnomalySink = std::function<void(const Anomaly&)>;
    DialogObserver(EventSink events, AnomalySink anomalies);

    // Call after the transaction observer's verdict for the same message.
    void observe(const Observation& o, const MessageVerdict& v);
    // The transaction observer reported the end of a transaction.
    void transactionEnded(const TransactionRecord& r, Instant now);

    std::size_t openDialogs() const noexcept { return m_open; }

  private:
    struct Key {
        std::string callId, uacTag, uasTag, uac, uas;
        auto operator<=>(const Key&) const = default;
    };
    struct Pair {
        Dialog uac, uas;
        std::uint64_t creatingTx = 0;
        std::uint64_t created = 0;  // creation order
        std::string method;
    };
    // A request waiting for its responses. A creating request answered with 2xx waits for
    // more 2xx only (other forks, retransmissions, RFC 3261 §13.2.2.4), up to 64*T1: it is
    // kept then as the bytes of the lines dialogs are made from, parsed again when one comes.
    struct Request {
        Request(const SipMessage& m, std::string_view from, std::string_view to, bool isCreating)
            : parsed(m), client(from), server(to), creating(isCreating) {}
        const SipMessage& message();
        void compact();

        std::optional<SipMessage> parsed;
        Bytes bytes;  // while not parsed
        std::string client, server;
        bool creating = false;
    };

    // The dialogs of one Call-ID: a few at most (forks, the hops of a proxy).
    using Dialogs = std::map<Key, Pair>;

    void onRequest(const Observation& o, std::uint64_t tx);
    void onResponse(const Observation& o, std::uint64_t tx);
    void onCreatingResponse(const Observation& o, Request& req, std::uint64_t tx);
    // The dialogs `m` belongs to, all of one Call-ID: ended ones are erased with eraseEnded().
    std::vector<Dialogs::iterator> inDialog(const SipMessage& m, std::string_view a,
                                            std::string_view b);
    Dialogs* dialogsOf(std::string_view callId);
    void eraseEnded(std::string_view callId, const std::vector<Dialogs::iterator>& candidates);
    void report(const Key& k, const Pair& p, const DialogUpdate& u, const Observation* o,
                bool created = false, Instant now = Instant{0});

    EventSink m_events;
    AnomalySink m_anomalies;
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    // By Call-ID: hashed, because a busy capture keeps hundreds of thousands open.
    std::unordered_map<std::string, Dialogs, TextHash, std::equal_to<>> m_dialogs;
    std::size_t m_open = 0;
    IdTable<std::unique_ptr<Request>> m_requests;  // open transactions' requests
    std::uint64_t m_created = 0;
};

}  // namespace sipscope::stack
