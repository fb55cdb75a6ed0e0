#include "transaction/invite_server.hpp"

#include <algorithm>

#include "message/message_builder.hpp"

namespace sipscope::stack {

bool InviteServerTransaction::operator==(const InviteServerTransaction& other) const noexcept {
    return m_state == other.m_state && m_transport == other.m_transport &&
           m_timers == other.m_timers && m_timerG == other.m_timerG &&
           sameMessage(m_invite, other.m_invite) &&
           sameMessage(m_lastResponse, other.m_lastResponse);
}

InviteServerTransaction::InviteServerTransaction(SipMessage invite, TransportKind transport,
                                                 TimerConfig timers)
    : m_invite(std::move(invite)), m_transport(transport), m_timers(timers) {}

Actions InviteServerTransaction::start(bool sendTrying) {
    Actions out;
    if (m_state != TransactionState::Idle) return out;
    // RFC 3261 §17.2.1: Idle -> Proceeding on the INVITE: answer 100 Trying unless the TU
    // answers within 200 ms, pass the request to the TU.
    m_state = TransactionState::Proceeding;
    if (sendTrying) {
        if (auto trying = makeResponse(m_invite, 100); trying.ok()) {
            m_lastResponse = std::move(trying).value();
            out.push_back(SendMessage{*m_lastResponse});
        }
    }
    out.push_back(DeliverToTu{m_invite});
    return out;
}

Actions InviteServerTransaction::handle(const TransactionEvent& event) {
    if (const auto* m = std::get_if<MessageFromNetwork>(&event)) return onRequest(m->message);
    if (const auto* m = std::get_if<MessageFromTu>(&event)) return onTuResponse(m->message);
    if (const auto* t = std::get_if<TimerFired>(&event)) return onTimer(t->timer);
    return onTransportError();
}

Actions InviteServerTransaction::onRequest(const SipMessage& request) {
    Actions out;
    if (!request.isRequest()) return out;
    if (request.method() == "ACK") return onAck(request);
    if (m_state == TransactionState::Proceeding || m_state == TransactionState::Completed) {
        // RFC 3261 §17.2.1: a retransmitted INVITE in Proceeding/Completed: resend the most
        // recent provisional or final response.
        if (m_lastResponse) out.push_back(SendMessage{*m_lastResponse});
    }
    // RFC 6026 §8.7: in Accepted a retransmitted INVITE is absorbed (the TU retransmits 2xx).
    return out;
}

Actions InviteServerTransaction::onAck(const SipMessage& ack) {
    Actions out;
    if (m_state == TransactionState::Completed) {
        // RFC 3261 §17.2.1: ACK in Completed -> Confirmed: stop G and H, start Timer I
        // (T4 unreliable, 0 reliable).
        stopCompletedTimers(out);
        m_state = TransactionState::Confirmed;
        if (m_transport == TransportKind::Unreliable) {
            out.push_back(StartTimer{TimerName::I, m_timers.t4});
        } else {
            // RFC 3261 §17.2.1: Timer I is 0 on reliable transports: Confirmed -> Terminated.
            terminate(out);
        }
    } else if (m_state == TransactionState::Accepted) {
        // RFC 6026 §8.7: an ACK matching the transaction in Accepted goes to the TU.
        out.push_back(DeliverToTu{ack});
    }
    // RFC 3261 §17.2.1: Confirmed absorbs further ACKs.
    return out;
}

Actions InviteServerTransaction::onTuResponse(const SipMessage& response) {
    Actions out;
    if (!response.isResponse() || !response.status()) return out;
    const int code = *response.status();
    if (code >= 300) return onFinalFromTu(response);
    if (code < 200) {
        if (m_state != TransactionState::Proceeding) return out;
        // RFC 3261 §17.2.1: provisional from the TU in Proceeding: send it, remember it.
        m_lastResponse = response;
        out.push_back(SendMessage{response});
        return out;
    }
    if (m_state == TransactionState::Proceeding) {
        // RFC 6026 §8.7: 2xx from the TU in Proceeding: send it, start Timer L (64*T1),
        // Proceeding -> Accepted.
        m_lastResponse = response;
        out.push_back(SendMessage{response});
        out.push_back(StartTimer{TimerName::L, m_timers.sixtyFourT1()});
        m_state = TransactionState::Accepted;
    } else if (m_state == TransactionState::Accepted) {
        // RFC 6026 §8.7: 2xx retransmissions from the TU in Accepted are sent.
        out.push_back(SendMessage{response});
    }
    return out;
}

Actions InviteServerTransaction::onFinalFromTu(const SipMessage& response) {
    Actions out;
    if (m_state != TransactionState::Proceeding) return out;
    // RFC 3261 §17.2.1: 300-699 from the TU in Proceeding: send it, start Timer G (T1,
    // unreliable only) and Timer H (64*T1), Proceeding -> Completed.
    m_lastResponse = response;
    out.push_back(SendMessage{response});
    if (m_transport == TransportKind::Unreliable) {
        m_timerG = m_timers.t1;
        out.push_back(StartTimer{TimerName::G, m_timerG});
    }
    out.push_back(StartTimer{TimerName::H, m_timers.sixtyFourT1()});
    m_state = TransactionState::Completed;
    return out;
}

Actions InviteServerTransaction::onTimer(TimerName timer) {
    Actions out;
    if (timer == TimerName::G && m_state == TransactionState::Completed) {
        // RFC 3261 §17.2.1: Timer G fires: resend the final response, G = min(2G, T2).
        m_timerG = std::min(2 * m_timerG, m_timers.t2);
        if (m_lastResponse) out.push_back(SendMessage{*m_lastResponse});
        out.push_back(StartTimer{TimerName::G, m_timerG});
    } else if (timer == TimerName::H && m_state == TransactionState::Completed) {
        // RFC 3261 §17.2.1: Timer H fires (no ACK): inform the TU, Completed -> Terminated.
        if (m_transport == TransportKind::Unreliable) out.push_back(StopTimer{TimerName::G});
        out.push_back(TimeoutToTu{TimerName::H});
        terminate(out);
    } else if (timer == TimerName::I && m_state == TransactionState::Confirmed) {
        // RFC 3261 §17.2.1: Timer I fires: Confirmed -> Terminated.
        terminate(out);
    } else if (timer == TimerName::L && m_state == TransactionState::Accepted) {
        // RFC 6026 §8.7: Timer L fires: Accepted -> Terminated.
        terminate(out);
    }
    return out;
}

Actions InviteServerTransaction::onTransportError() {
    Actions out;
    if (m_state == TransactionState::Proceeding) {
        // RFC 3261 §17.2.4 (figure 7): sending a response failed: inform the TU, -> Terminated.
        out.push_back(TransportErrorToTu{});
        terminate(out);
    } else if (m_state == TransactionState::Completed) {
        // RFC 3261 §17.2.4 (figure 7): transport error in Completed: inform the TU,
        // Completed -> Terminated.
        stopCompletedTimers(out);
        out.push_back(TransportErrorToTu{});
        terminate(out);
    }
    return out;
}

void InviteServerTransaction::stopCompletedTimers(Actions& out) const {
    if (m_transport == TransportKind::Unreliable) out.push_back(StopTimer{TimerName::G});
    out.push_back(StopTimer{TimerName::H});
}

void InviteServerTransaction::terminate(Actions& out) {
    m_state = TransactionState::Terminated;
    out.push_back(TransactionTerminated{});
}

}  // namespace sipscope::stack
