#include "ua/reliable_provisional.hpp"

#include <algorithm>
#include <string>

#include "message/header_id.hpp"
#include "message/simple_headers.hpp"

namespace sipscope::stack::ua {

namespace {

constexpr std::uint32_t kMaxFirstRseq = 0x7fffffffu;  // RFC 3262 §3: at most 2**31 - 1

}  // namespace

ReliableProvisional::ReliableProvisional(TimerConfig timers, std::uint32_t firstRseq) noexcept
    : m_timers(timers),
      m_rseq(firstRseq >= 1 && firstRseq <= kMaxFirstRseq ? firstRseq
                                                          : firstRseq % kMaxFirstRseq + 1) {}

bool ReliableProvisional::stamp(SipMessage& response, std::uint32_t inviteCseq) {
    const int code = response.status().value_or(0);
    if (m_state == State::Pending || m_state == State::Failed || code <= 100 || code >= 200)
        return false;
    // RFC 3262 §3: the first RSeq is the chosen start, each later one is one more.
    if (!m_first) ++m_rseq;
    m_first = false;
    m_inviteCseq = inviteCseq;
    response.setHeader(HeaderId::Require, "100rel");
    response.setHeader(HeaderId::RSeq, std::to_string(m_rseq));
    // RFC 3262 §3: Idle/Acknowledged -> Pending; retransmitted from T1 on, doubling.
    m_state = State::Pending;
    m_interval = m_timers.t1;
    m_elapsed = Duration{0};
    return true;
}

ReliableProvisional::Step ReliableProvisional::onTimer() {
    Step step;
    if (m_state != State::Pending) return step;
    m_elapsed += m_interval;
    const Duration limit = m_timers.sixtyFourT1();
    if (m_elapsed >= limit) {
        // RFC 3262 §3: no PRACK within 64*T1: Pending -> Failed, the INVITE gets a 5xx.
        m_state = State::Failed;
        step.giveUp = true;
        return step;
    }
    // RFC 3262 §3: the interval doubles for each retransmission (no T2 cap, unlike §17.2.1);
    // the last wait is cut so the give-up falls exactly at 64*T1.
    m_interval = std::min(m_interval * 2, limit - m_elapsed);
    step.retransmit = true;
    step.next = m_interval;
    return step;
}

bool ReliableProvisional::onPrack(const SipMessage& prack) {
    if (m_state != State::Pending) return false;
    auto rack = RAck::parse(prack.headerValue(HeaderId::RAck));
    // RFC 3262 §7.2: the RAck names the response by RSeq and the INVITE by CSeq and method.
    if (!rack.ok() || rack.value().rseq != m_rseq || rack.value().cseq != m_inviteCseq ||
        rack.value().method != "INVITE")
        return false;
    // RFC 3262 §3: Pending -> Acknowledged; retransmissions stop.
    m_state = State::Acknowledged;
    return true;
}

}  // namespace sipscope::stack::ua
