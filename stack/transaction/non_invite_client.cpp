#include "transaction/non_invite_client.hpp"

#include <algorithm>

namespace sipscope::stack {

bool NonInviteClientTransaction::operator==(
    const NonInviteClientTransaction& other) const noexcept {
    return m_state == other.m_state && m_transport == other.m_transport &&
           m_timers == other.m_timers && m_timerE == other.m_timerE &&
           sameMessage(m_request, other.m_request);
}

NonInviteClientTransaction::NonInviteClientTransaction(SipMessage request, TransportKind transport,
                                                       TimerConfig timers)
    : m_request(std::move(request)), m_transport(transport), m_timers(timers) {}

Actions NonInviteClientTransaction::start() {
    Actions out;
    if (m_state != TransactionState::Idle) return out;
    // RFC 3261 §17.1.2.2: Idle -> Trying: send the request, start Timer F (64*T1) and, on
    // unreliable transports, Timer E (T1).
    m_state = TransactionState::Trying;
    out.push_back(SendMessage{m_request});
    if (m_transport == TransportKind::Unreliable) {
        m_timerE = m_timers.t1;
        out.push_back(StartTimer{TimerName::E, m_timerE});
    }
    out.push_back(StartTimer{TimerName::F, m_timers.sixtyFourT1()});
    return out;
}

Actions NonInviteClientTransaction::handle(const TransactionEvent& event) {
    if (const auto* m = std::get_if<MessageFromNetwork>(&event)) return onResponse(m->message);
    if (const auto* t = std::get_if<TimerFired>(&event)) return onTimer(t->timer);
    if (std::holds_alternative<TransportFailure>(event)) return onTransportError();
    return {};
}

Actions NonInviteClientTransaction::onResponse(const SipMessage& response) {
    Actions out;
    if (!response.isResponse() || !response.status()) return out;
    if (*response.status() >= 200) return onFinal(response);
    if (m_state == TransactionState::Trying) {
        // RFC 3261 §17.1.2.2: Trying -> Proceeding on 1xx, passed to the TU; Timer E keeps
        // running.
        m_state = TransactionState::Proceeding;
        out.push_back(DeliverToTu{response});
    } else if (m_state == TransactionState::Proceeding) {
        // RFC 3261 §17.1.2.2: further 1xx in Proceeding go to the TU.
        out.push_back(DeliverToTu{response});
    }
    return out;
}

Actions NonInviteClientTransaction::onFinal(const SipMessage& response) {
    Actions out;
    if (m_state != TransactionState::Trying && m_state != TransactionState::Proceeding)
        return out;  // RFC 3261 §17.1.2.2: Completed absorbs retransmitted final responses
    // RFC 3261 §17.1.2.2: Trying/Proceeding -> Completed on 200-699: pass it to the TU, start
    // Timer K (T4 unreliable, 0 reliable).
    stopRunningTimers(out);
    out.push_back(DeliverToTu{response});
    m_state = TransactionState::Completed;
    if (m_transport == TransportKind::Unreliable) {
        out.push_back(StartTimer{TimerName::K, m_timers.t4});
    } else {
        // RFC 3261 §17.1.2.2: Timer K is 0 on reliable transports: Completed -> Terminated.
        terminate(out);
    }
    return out;
}

Actions NonInviteClientTransaction::onTimer(TimerName timer) {
    Actions out;
    const bool active =
        m_state == TransactionState::Trying || m_state == TransactionState::Proceeding;
    if (timer == TimerName::E && active) {
        // RFC 3261 §17.1.2.2: Timer E fires: retransmit; in Trying E doubles up to T2, in
        // Proceeding it is reset to T2.
        m_timerE =
            m_state == TransactionState::Trying ? std::min(2 * m_timerE, m_timers.t2) : m_timers.t2;
        out.push_back(SendMessage{m_request});
        out.push_back(StartTimer{TimerName::E, m_timerE});
    } else if (timer == TimerName::F && active) {
        // RFC 3261 §17.1.2.2: Timer F fires in Trying/Proceeding: timeout to the TU,
        // -> Terminated.
        if (m_transport == TransportKind::Unreliable) out.push_back(StopTimer{TimerName::E});
        out.push_back(TimeoutToTu{TimerName::F});
        terminate(out);
    } else if (timer == TimerName::K && m_state == TransactionState::Completed) {
        // RFC 3261 §17.1.2.2: Timer K fires: Completed -> Terminated.
        terminate(out);
    }
    return out;
}

Actions NonInviteClientTransaction::onTransportError() {
    Actions out;
    if (m_state != TransactionState::Trying && m_state != TransactionState::Proceeding) return out;
    // RFC 3261 §17.1.2.2 (figure 6): transport error in Trying/Proceeding: inform the TU,
    // -> Terminated.
    stopRunningTimers(out);
    out.push_back(TransportErrorToTu{});
    terminate(out);
    return out;
}

void NonInviteClientTransaction::stopRunningTimers(Actions& out) const {
    if (m_transport == TransportKind::Unreliable) out.push_back(StopTimer{TimerName::E});
    out.push_back(StopTimer{TimerName::F});
}

void NonInviteClientTransaction::terminate(Actions& out) {
    m_state = TransactionState::Terminated;
    out.push_back(TransactionTerminated{});
}

}  // namespace sipscope::stack
