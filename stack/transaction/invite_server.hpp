#pragma once
// RFC 3261 §17.2.1 INVITE server transaction (figure 7) with the Accepted state of RFC 6026 §8.7.

#include "transaction/transaction_types.hpp"

namespace sipscope::stack {

class InviteServerTransaction {
  public:
    InviteServerTransaction(SipMessage invite, TransportKind transport, TimerConfig timers = {});

    // Proceeding: sends 100 Trying (unless the TU answers within 200 ms, §17.2.1) and passes the
    // INVITE to the TU.
    Actions start(bool sendTrying = true);
    Actions handle(const TransactionEvent& event);
    Actions onRequest(const SipMessage& request);      // INVITE retransmission or ACK
    Actions onTuResponse(const SipMessage& response);  // response from the TU
    Actions onTimer(TimerName timer);
    Actions onTransportError();

    TransactionState state() const noexcept { return m_state; }
    // Same state, transport, timers and messages (sameMessage): the same behaviour from now on.
    bool operator==(const InviteServerTransaction& other) const noexcept;
    const SipMessage& request() const noexcept { return m_invite; }
    const std::optional<SipMessage>& lastResponse() const noexcept { return m_lastResponse; }

  private:
    Actions onAck(const SipMessage& ack);
    Actions onFinalFromTu(const SipMessage& response);
    void stopCompletedTimers(Actions& out) const;
    void terminate(Actions& out);

    SipMessage m_invite;
    TransportKind m_transport;
    TimerConfig m_timers;
    TransactionState m_state = TransactionState::Idle;
    Duration m_timerG{0};
    std::optional<SipMessage> m_lastResponse;
};

}  // namespace sipscope::stack
