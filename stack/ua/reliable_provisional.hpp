#pragma once
// The UAS's side of one reliable provisional response (RFC 3262 §3): the 1xx carries
// Require: 100rel and an RSeq, is retransmitted at T1, 2*T1, 4*T1 ... until the PRACK whose
// RAck names it arrives, and after 64*T1 without one the INVITE is rejected with a 5xx.
// Idle -> Pending -> Acknowledged (-> Pending for the next 1xx), or Pending -> Failed.
// Sans-I/O: the owner runs the timer and sends what it is told to.

#include <cstdint>
#include <optional>

#include "core/clock.hpp"
#include "message/sip_message.hpp"

namespace sipscope::stack::ua {

class ReliableProvisional {
  public:
    enum class State { Idle, Pending, Acknowledged, Failed };
    struct Step {
        bool retransmit = false;  // send the pending response again now
        bool giveUp = false;      // 64*T1 passed: reject the INVITE with a 5xx
        Duration next{0};         // when to call onTimer() again (retransmit only)
    };

    // `firstRseq`: RFC 3262 §3 wants it random in 1 .. 2**31 - 1 (other values are folded
    // into that range).
    ReliableProvisional(TimerConfig timers, std::uint32_t firstRseq) noexcept;

    // Makes `response` (a 101-199 to the INVITE with CSeq `inviteCseq`) reliable: Require:
    // 100rel and the next RSeq. False while an earlier one is unacknowledged (§3: one at a
    // time) or for a 100 / final response. On true: Pending, call onTimer() after `next`.
    bool stamp(SipMessage& response, std::uint32_t inviteCseq);
    Duration firstInterval() const noexcept { return m_timers.t1; }
    Step onTimer();
    // A PRACK: true when its RAck matches the pending response (§3, §7.2): -> Acknowledged.
    bool onPrack(const SipMessage& prack);

    State state() const noexcept { return m_state; }
    std::uint32_t rseq() const noexcept { return m_rseq; }

  private:
    TimerConfig m_timers;
    State m_state = State::Idle;
    std::uint32_t m_rseq = 0, m_inviteCseq = 0;
    bool m_first = true;
    Duration m_interval{0}, m_elapsed{0};
};

}  // namespace sipscope::stack::ua
