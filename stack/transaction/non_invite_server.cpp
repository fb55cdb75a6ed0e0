#include "transaction/non_invite_server.hpp"

namespace sipscope::stack {

bool NonInviteServerTransaction::operator==(
    const NonInviteServerTransaction& other) const noexcept {
    return m_state == other.m_state && m_transport == other.m_transport &&
           m_timers == other.m_timers && sameMessage(m_request, other.m_request) &&
           sameMessage(m_lastResponse, other.m_lastResponse);
}

NonInviteServerTransaction::NonInviteServerTransaction(SipMessage request, TransportKind transport,
                                                       TimerConfig timers)
    : m_request(std::move(request)), m_transport(transport), m_timers(timers) {}

Actions NonInviteServerTransaction::start() {
    Actions out;
    if (m_state != TransactionState::Idle) return out;
    // RFC 3261 §17.2.2: Idle -> Trying on the request, which is passed to the TU.
    m_state = TransactionState::Trying;
    out.push_back(DeliverToTu{m_request});
    return out;
}

Actions NonInviteServerTransaction::handle(const TransactionEvent& event) {
    if (const auto* m = std::get_if<MessageFromNetwork>(&event)) return onRequest(m->message);
    if (const auto* m = std::get_if<MessageFromTu>(&event)) return onTuResponse(m->message);
    if (const auto* t = std::get_if<TimerFired>(&event)) return onTimer(t->timer);
    return onTransportError();
}

Actions NonInviteServerTransaction::onRequest(const SipMessage& request) {
    Actions out;
    if (!request.isRequest()) return out;
    // RFC 3261 §17.2.2: a retransmission in Trying is discarded; in Proceeding and Completed
    // the most recent response is sent again.
    if ((m_state == TransactionState::Proceeding || m_state == TransactionState::Completed) &&
        m_lastResponse)
        out.push_back(SendMessage{*m_lastResponse});
    return out;
}

Actions NonInviteServerTransaction::onTuResponse(const SipMessage& response) {
    Actions out;
    if (!response.isResponse() || !response.status()) return out;
    if (m_state != TransactionState::Trying && m_state != TransactionState::Proceeding)
        return out;  // RFC 3261 §17.2.2: later responses from the TU are discarded
    m_lastResponse = response;
    out.push_back(SendMessage{response});
    if (*response.status() < 200) {
        // RFC 3261 §17.2.2: 1xx from the TU: send it, Trying -> Proceeding.
        m_state = TransactionState::Proceeding;
        return out;
    }
    // RFC 3261 §17.2.2: 200-699 from the TU: send it, start Timer J (64*T1 unreliable),
    // Trying/Proceeding -> Completed.
    m_state = TransactionState::Completed;
    if (m_transport == TransportKind::Unreliable) {
        out.push_back(StartTimer{TimerName::J, m_timers.sixtyFourT1()});
    } else {
        // RFC 3261 §17.2.2: Timer J is 0 on reliable transports: Completed -> Terminated.
        terminate(out);
    }
    return out;
}

Actions NonInviteServerTransaction::onTimer(TimerName timer) {
    Actions out;
    if (timer == TimerName::J && m_state == TransactionState::Completed) {
        // RFC 3261 §17.2.2: Timer J fires: Completed -> Terminated.
        terminate(out);
    }
    return out;
}

Actions NonInviteServerTransaction::onTransportError() {
    Actions out;
    if (m_state == TransactionState::Proceeding || m_state == TransactionState::Completed) {
        // RFC 3261 §17.2.2 (figure 8), §17.2.4: sending a response failed: inform the TU,
        // -> Terminated.
        if (m_state == TransactionState::Completed && m_transport == TransportKind::Unreliable)
            out.push_back(StopTimer{TimerName::J});
        out.push_back(TransportErrorToTu{});
        terminate(out);
    }
    return out;
}

void NonInviteServerTransaction::terminate(Actions& out) {
    m_state = TransactionState::Terminated;
    out.push_back(TransactionTerminated{});
}

}  // namespace sipscope::stack
