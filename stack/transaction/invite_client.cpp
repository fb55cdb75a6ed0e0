#include "transaction/invite_client.hpp"

#include <string>

#include "message/message_builder.hpp"
#include "message/simple_headers.hpp"
#include "message/via.hpp"

namespace sipscope::stack {

namespace {
std::string topVia(const SipMessage& m) {
    const auto* vias = m.typed<ViaList>(HeaderId::Via);
    if (vias && vias->ok() && !(*vias)->vias.empty()) return (*vias)->vias.front().encode();
    return std::string(m.headerValue(HeaderId::Via));
}
}  // namespace

Result<SipMessage> makeAckForNon2xx(const SipMessage& invite, const SipMessage& response) {
    auto builder = MessageBuilder::request("ACK", invite.requestUri());
    builder.header(HeaderId::Via, topVia(invite));
    for (const auto& h : invite.headers())
        if (h.id == HeaderId::Route) builder.header(HeaderId::Route, h.value);
    builder.header(HeaderId::MaxForwards, "70");
    builder.header(HeaderId::From, invite.headerValue(HeaderId::From));
    builder.header(HeaderId::To, response.headerValue(HeaderId::To));
    builder.header(HeaderId::CallId, invite.headerValue(HeaderId::CallId));
    std::string cseq = "0";
    if (const auto* c = invite.typed<CSeq>(HeaderId::CSeq); c && c->ok())
        cseq = std::to_string((*c)->seq);
    builder.header(HeaderId::CSeq, cseq + " ACK");
    return builder.build();
}

bool InviteClientTransaction::operator==(const InviteClientTransaction& other) const noexcept {
    return m_state == other.m_state && m_transport == other.m_transport &&
           m_timers == other.m_timers && m_timerA == other.m_timerA &&
           sameMessage(m_invite, other.m_invite) && sameMessage(m_ack, other.m_ack);
}

InviteClientTransaction::InviteClientTransaction(SipMessage invite, TransportKind transport,
                                                 TimerConfig timers)
    : m_invite(std::move(invite)), m_transport(transport), m_timers(timers) {}

Actions InviteClientTransaction::start() {
    Actions out;
    if (m_state != TransactionState::Idle) return out;
    // RFC 3261 §17.1.1.2: Idle -> Calling: pass the INVITE to the transport, start Timer A
    // (T1, unreliable transports only) and Timer B (64*T1).
    m_state = TransactionState::Calling;
    out.push_back(SendMessage{m_invite});
    if (m_transport == TransportKind::Unreliable) {
        m_timerA = m_timers.t1;
        out.push_back(StartTimer{TimerName::A, m_timerA});
    }
    out.push_back(StartTimer{TimerName::B, m_timers.sixtyFourT1()});
    return out;
}

Actions InviteClientTransaction::handle(const TransactionEvent& event) {
    if (const auto* m = std::get_if<MessageFromNetwork>(&event)) return onResponse(m->message);
    if (const auto* t = std::get_if<TimerFired>(&event)) return onTimer(t->timer);
    if (std::holds_alternative<TransportFailure>(event)) return onTransportError();
    return {};  // the TU hands a client transaction nothing after start()
}

Actions InviteClientTransaction::onResponse(const SipMessage& response) {
    if (!response.isResponse() || !response.status()) return {};
    const int code = *response.status();
    if (code < 200) return onProvisional(response);
    if (code < 300) return onSuccess(response);
    return onFailure(response);
}

Actions InviteClientTransaction::onProvisional(const SipMessage& response) {
    Actions out;
    if (m_state == TransactionState::Calling) {
        // RFC 3261 §17.1.1.2: Calling -> Proceeding on 1xx: stop retransmitting, pass to TU.
        stopCallingTimers(out);
        m_state = TransactionState::Proceeding;
        out.push_back(DeliverToTu{response});
    } else if (m_state == TransactionState::Proceeding) {
        // RFC 3261 §17.1.1.2: further provisional responses in Proceeding go to the TU.
        out.push_back(DeliverToTu{response});
    }
    // RFC 3261 §17.1.1.2 / RFC 6026 §8.4: a 1xx in Completed or Accepted is discarded.
    return out;
}

Actions InviteClientTransaction::onSuccess(const SipMessage& response) {
    Actions out;
    if (m_state == TransactionState::Calling || m_state == TransactionState::Proceeding) {
        // RFC 6026 §8.4: Calling/Proceeding -> Accepted on 2xx: pass it to the TU, start Timer M
        // (64*T1) to absorb the 2xx retransmissions of other forks.
        if (m_state == TransactionState::Calling) stopCallingTimers(out);
        m_state = TransactionState::Accepted;
        out.push_back(DeliverToTu{response});
        out.push_back(StartTimer{TimerName::M, m_timers.sixtyFourT1()});
    } else if (m_state == TransactionState::Accepted) {
        // RFC 6026 §8.4: in Accepted, every 2xx (retransmission or fork) goes to the TU.
        out.push_back(DeliverToTu{response});
    }
    return out;
}

Actions InviteClientTransaction::onFailure(const SipMessage& response) {
    Actions out;
    if (m_state == TransactionState::Calling || m_state == TransactionState::Proceeding) {
        if (m_state == TransactionState::Calling) stopCallingTimers(out);
        auto ack = makeAckForNon2xx(m_invite, response);
        if (ack.ok()) m_ack = std::move(ack).value();
        // RFC 3261 §17.1.1.2: Calling/Proceeding -> Completed on 300-699: send the ACK, pass the
        // response to the TU, start Timer D (32 s unreliable, 0 reliable).
        if (m_ack) out.push_back(SendMessage{*m_ack});
        out.push_back(DeliverToTu{response});
        m_state = TransactionState::Completed;
        if (m_transport == TransportKind::Unreliable) {
            out.push_back(StartTimer{TimerName::D, kTimerDUnreliable});
        } else {
            // RFC 3261 §17.1.1.2: Timer D is 0 on reliable transports: Completed -> Terminated.
            terminate(out);
        }
    } else if (m_state == TransactionState::Completed) {
        // RFC 3261 §17.1.1.2: a retransmitted final response in Completed: resend the ACK, do
        // not pass it up.
        if (m_ack) out.push_back(SendMessage{*m_ack});
    }
    return out;
}

Actions InviteClientTransaction::onTimer(TimerName timer) {
    Actions out;
    if (timer == TimerName::A && m_state == TransactionState::Calling) {
        // RFC 3261 §17.1.1.2: Timer A fires: retransmit the INVITE, double A (no T2 cap).
        m_timerA *= 2;
        out.push_back(SendMessage{m_invite});
        out.push_back(StartTimer{TimerName::A, m_timerA});
    } else if (timer == TimerName::B && m_state == TransactionState::Calling) {
        // RFC 3261 §17.1.1.2: Timer B fires in Calling: inform the TU of the timeout,
        // Calling -> Terminated.
        if (m_transport == TransportKind::Unreliable) out.push_back(StopTimer{TimerName::A});
        out.push_back(TimeoutToTu{TimerName::B});
        terminate(out);
    } else if (timer == TimerName::D && m_state == TransactionState::Completed) {
        // RFC 3261 §17.1.1.2: Timer D fires: Completed -> Terminated.
        terminate(out);
    } else if (timer == TimerName::M && m_state == TransactionState::Accepted) {
        // RFC 6026 §8.4: Timer M fires: Accepted -> Terminated.
        terminate(out);
    }
    return out;
}

Actions InviteClientTransaction::onTransportError() {
    Actions out;
    switch (m_state) {
        case TransactionState::Calling:
            stopCallingTimers(out);
            [[fallthrough]];
        case TransactionState::Proceeding:
        case TransactionState::Completed:
            if (m_state == TransactionState::Completed && m_transport == TransportKind::Unreliable)
                out.push_back(StopTimer{TimerName::D});
            // RFC 3261 §17.1.1.2 (figure 5): transport error: inform the TU, -> Terminated.
            out.push_back(TransportErrorToTu{});
            terminate(out);
            break;
        default:
            break;
    }
    return out;
}

void InviteClientTransaction::stopCallingTimers(Actions& out) const {
    if (m_transport == TransportKind::Unreliable) out.push_back(StopTimer{TimerName::A});
    out.push_back(StopTimer{TimerName::B});
}

void InviteClientTransaction::terminate(Actions& out) {
    m_state = TransactionState::Terminated;
    out.push_back(TransactionTerminated{});
}

}  // namespace sipscope::stack
