#pragma once
// Events into and actions out of the RFC 3261 §17 transaction state machines. The machines are
// sans-I/O: the driver (active UA or passive observer) performs the actions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"
#include "message/sip_message.hpp"
#include "transaction/inline_vector.hpp"

namespace sipscope::stack {

enum class TransportKind : std::uint8_t { Unreliable, Reliable };

// RFC 3261 Table 4 timers, plus RFC 6026 §8.4 (M) and §8.7 (L).
enum class TimerName : std::uint8_t { A, B, D, E, F, G, H, I, J, K, L, M };

// States of figures 5-8 of RFC 3261 and the Accepted state of RFC 6026.
enum class TransactionState : std::uint8_t {
    Idle,  // constructed, start() not called yet
    Calling,
    Trying,
    Proceeding,
    Completed,
    Accepted,
    Confirmed,
    Terminated
};

std::string_view timerLabel(TimerName t) noexcept;
std::string_view stateLabel(TransactionState s) noexcept;

// ---- events ----
struct MessageFromNetwork {
    SipMessage message;
};
struct MessageFromTu {
    SipMessage message;
};
struct TimerFired {
    TimerName timer;
};
struct TransportFailure {};
using TransactionEvent =
    std::variant<MessageFromNetwork, MessageFromTu, TimerFired, TransportFailure>;

// ---- actions ----
struct SendMessage {
    SipMessage message;
};
struct StartTimer {
    TimerName timer;
    Duration duration;
    bool operator==(const StartTimer&) const = default;
};
struct StopTimer {
    TimerName timer;
    bool operator==(const StopTimer&) const = default;
};
struct DeliverToTu {
    SipMessage message;
};
struct TimeoutToTu {  // RFC 3261 §17.1.1.2 / §17.1.2.2 / §17.2.1: Timer B, F or H fired
    TimerName timer;
    bool operator==(const TimeoutToTu&) const = default;
};
struct TransportErrorToTu {  // RFC 3261 §17.1.4, §17.2.4
    bool operator==(const TransportErrorToTu&) const = default;
};
struct TransactionTerminated {
    bool operator==(const TransactionTerminated&) const = default;
};
using TransactionAction = std::variant<SendMessage, StartTimer, StopTimer, DeliverToTu, TimeoutToTu,
                                       TransportErrorToTu, TransactionTerminated>;
using Actions = InlineVector<TransactionAction, 6>;

// One line per action ("send INVITE", "send 180", "start A 500ms", "stop B", "deliver 200",
// "timeout B", "transport-error", "terminated"): what tests and logs compare.
std::string describe(const TransactionAction& action);
std::vector<std::string> describe(const Actions& actions);

// ---- keys (RFC 3261 §17.1.3, §17.2.3) ----
struct TransactionKey {
    // RFC 3261 §17.2.3: branch with the magic cookie (+ sent-by for servers) and method.
    std::string branch;
    std::string sentBy;  // empty for client keys
    std::string method;  // ACK is folded into INVITE
    // RFC 3261 §17.2.3: RFC 2543 fallback when the branch lacks the magic cookie.
    bool rfc2543 = false;
    std::string requestUri, toTag, fromTag, callId, topVia;
    std::uint32_t cseq = 0;

    bool operator==(const TransactionKey&) const = default;
    auto operator<=>(const TransactionKey&) const = default;
};

// ---- inline helpers ----

// What the machines' equality (operator== of each) compares messages by: their bytes, from
// which everything a machine reads of them is parsed. Two machines that compare equal make the
// same transitions and actions from then on.
inline bool sameMessage(const SipMessage& a, const SipMessage& b) noexcept {
    return a.bytes() == b.bytes();
}
inline bool sameMessage(const std::optional<SipMessage>& a,
                        const std::optional<SipMessage>& b) noexcept {
    return a.has_value() == b.has_value() && (!a || sameMessage(*a, *b));
}
inline std::string_view timerLabel(TimerName t) noexcept {
    constexpr std::string_view kLabels[] = {"A", "B", "D", "E", "F", "G",
                                            "H", "I", "J", "K", "L", "M"};
    return kLabels[static_cast<std::size_t>(t)];
}

inline std::string_view stateLabel(TransactionState s) noexcept {
    constexpr std::string_view kLabels[] = {"Idle",      "Calling",  "Trying",    "Proceeding",
                                            "Completed", "Accepted", "Confirmed", "Terminated"};
    return kLabels[static_cast<std::size_t>(s)];
}

namespace detail {
inline std::string messageLabel(const SipMessage& m) {
    if (m.isRequest()) return std::string(m.method());
    return std::to_string(m.status().value_or(0));
}
template <class... F>
struct Overload : F... {
    using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;
}  // namespace detail

inline std::string describe(const TransactionAction& action) {
    return std::visit(
        detail::Overload{
            [](const SendMessage& a) { return "send " + detail::messageLabel(a.message); },
            [](const StartTimer& a) {
                return "start " + std::string(timerLabel(a.timer)) + " " +
                       std::to_string(a.duration.count()) + "ms";
            },
            [](const StopTimer& a) { return "stop " + std::string(timerLabel(a.timer)); },
            [](const DeliverToTu& a) { return "deliver " + detail::messageLabel(a.message); },
            [](const TimeoutToTu& a) { return "timeout " + std::string(timerLabel(a.timer)); },
            [](const TransportErrorToTu&) { return std::string("transport-error"); },
            [](const TransactionTerminated&) { return std::string("terminated"); },
        },
        action);
}

inline std::vector<std::string> describe(const Actions& actions) {
    std::vector<std::string> out;
    out.reserve(actions.size());
    for (const auto& a : actions) out.push_back(describe(a));
    return out;
}

}  // namespace sipscope::stack
