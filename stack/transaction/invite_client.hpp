#pragma once
// RFC 3261 §17.1.1 INVITE client transaction (figure 5) with the Accepted state of RFC 6026 §8.4.

#include "transaction/transaction_types.hpp"

namespace sipscope::stack {

class InviteClientTransaction {
  public:
    InviteClientTransaction(SipMessage invite, TransportKind transport, TimerConfig timers = {});

    // Calling: sends the INVITE, starts Timer A (unreliable) and Timer B.
    Actions start();
    Actions handle(const TransactionEvent& event);
    Actions onResponse(const SipMessage& response);
    Actions onTimer(TimerName timer);
    Actions onTransportError();

    TransactionState state() const noexcept { return m_state; }
    // Same state, transport, timers and messages (sameMessage): the same behaviour from now on.
    bool operator==(const InviteClientTransaction& other) const noexcept;
    const SipMessage& request() const noexcept { return m_invite; }
    // The ACK sent for a non-2xx final response (RFC 3261 §17.1.1.3), once there is one.
    const std::optional<SipMessage>& ack() const noexcept { return m_ack; }

  private:
    Actions onProvisional(const SipMessage& response);
    Actions onSuccess(const SipMessage& response);
    Actions onFailure(const SipMessage& response);
    void stopCallingTimers(Actions& out) const;
    void terminate(Actions& out);

    SipMessage m_invite;
    TransportKind m_transport;
    TimerConfig m_timers;
    TransactionState m_state = TransactionState::Idle;
    Duration m_timerA{0};
    std::optional<SipMessage> m_ack;
};

// RFC 3261 §17.1.1.3: the ACK for a non-2xx final response: Request-URI, Call-ID, From, CSeq
// number and Route headers of the INVITE, To of the response, the INVITE's top Via only.
Result<SipMessage> makeAckForNon2xx(const SipMessage& invite, const SipMessage& response);

}  // namespace sipscope::stack
