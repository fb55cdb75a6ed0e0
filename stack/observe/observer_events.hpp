#pragma once
// What the passive observer takes in (one observed message at a time, in capture order) and
// what it reports (ARCHITECTURE.md "Passive pipeline"): a verdict per message, transaction
// records when they end, and anomalies with a code, the message ids and the RFC section.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "message/key_headers.hpp"
#include "message/sip_message.hpp"
#include "transaction/transaction_types.hpp"

namespace sipscope::stack {

// One message as the capture saw it. `src`/`dst` identify the two ends of the hop as text
// ("udp 192.0.2.1:5060"); the observer only compares them.
struct Observation {
    std::uint64_t id = 0;  // the message id, stable for a capture
    Instant at{0};
    const SipMessage* message = nullptr;
    std::string_view src, dst;
    TransportKind transport = TransportKind::Unreliable;
    // The message's key headers when the caller already extracted them (else the observer
    // does); read once per message, shared by every layer.
    const KeyHeaders* keys = nullptr;
};

enum class MessageRole : std::uint8_t {
    Request,         // first sighting of a request that starts a transaction
    Response,        // first sighting of a response within its transaction
    Retransmission,  // the same request or response again on the same hop
    AckNon2xx,       // ACK inside an INVITE transaction (RFC 3261 §17.1.1.3)
    Ack2xx,          // ACK for a 2xx: a transaction of its own, outside the INVITE's (§13.2.2.4)
    Stray,           // a response that matches no transaction (§17.1.3)
    Duplicate        // the same bytes on the same hop within milliseconds: a capture artifact
};
std::string_view messageRoleLabel(MessageRole r) noexcept;

struct MessageVerdict {
    MessageRole role = MessageRole::Request;
    std::uint64_t transaction = 0;  // 0: none (Ack2xx, Stray)
    std::uint64_t original = 0;     // for retransmissions: the id of the first copy
};

// Anomaly codes (stable strings, used by the CLI, the store and filters).
namespace anomaly {
inline constexpr std::string_view kTransactionTimeout = "transaction_timeout";  // Timer B/F
inline constexpr std::string_view kAckMissing = "ack_missing";                  // Timer H
inline constexpr std::string_view kAck2xxMissing = "ack_2xx_missing";           // §13.3.1.4
inline constexpr std::string_view kStrayResponse = "response_without_transaction";
inline constexpr std::string_view kStrayAck = "ack_without_2xx";
inline constexpr std::string_view kRetransmissionSchedule = "retransmission_off_schedule";
inline constexpr std::string_view kRetransmissionReliable = "retransmission_on_reliable";
inline constexpr std::string_view kResponseAfterFinal = "response_after_final";
inline constexpr std::string_view kLateMessage = "late_message";
inline constexpr std::string_view kClockBackwards = "timestamp_out_of_order";
inline constexpr std::string_view kCSeqOutOfOrder = "cseq_out_of_order";
inline constexpr std::string_view kAbandoned = "transaction_abandoned";
inline constexpr std::string_view kUnmatchable = "message_without_call_id_or_cseq";
}  // namespace anomaly

struct Anomaly {
    std::string code;
    std::vector<std::uint64_t> messageIds;
    std::string rfc;  // e.g. "RFC 3261 §17.1.1.2"
    std::string text;
    Instant at{0};
    std::uint64_t transaction = 0;
    bool operator==(const Anomaly&) const = default;
};

// One transaction as both shadows saw it, reported when it has ended.
struct TransactionRecord {
    std::uint64_t id = 0;
    bool invite = false;  // ict/ist pair vs nict/nist pair
    std::string method, branch, callId, fromTag;
    std::uint32_t cseq = 0;
    std::string client, server;  // the hop: who sent the request, who received it
    TransportKind transport = TransportKind::Unreliable;
    Instant start{0}, end{0};
    std::optional<int> finalCode;
    std::optional<Instant> firstProvisional, firstFinal;
    std::vector<std::uint64_t> requests, responses, acks;  // message ids, retransmissions incl.
    std::uint32_t retransmissions = 0;
    bool timeout = false;     // Timer B or F fired on the client shadow
    bool ackMissing = false;  // Timer H fired on the server shadow
    bool abandoned = false;   // never got a final response and went quiet (or input ended)
    bool openAtEnd = false;   // still waiting for its final response when the input ended
    // The furthest state the transaction reached: Calling/Trying/Proceeding/Completed/Accepted/
    // Confirmed (non-2xx ACKed).
    TransactionState outcome = TransactionState::Calling;
    std::uint64_t cancels = 0;  // for CANCEL transactions: the INVITE transaction cancelled
    bool operator==(const TransactionRecord&) const = default;
};

// Receives the observer's output. Default implementations ignore everything.
class ObserverListener {
  public:
    virtual ~ObserverListener() = default;
    virtual void onMessage(const Observation& /*o*/, const MessageVerdict& /*v*/) {}
    virtual void onTransactionEnded(const TransactionRecord& /*t*/) {}
    virtual void onAnomaly(const Anomaly& /*a*/) {}
};

inline std::string_view messageRoleLabel(MessageRole r) noexcept {
    constexpr std::string_view kLabels[] = {"request", "response", "retransmission", "ack",
                                            "ack_2xx", "stray",    "duplicate"};
    return kLabels[static_cast<std::size_t>(r)];
}

}  // namespace sipscope::stack
