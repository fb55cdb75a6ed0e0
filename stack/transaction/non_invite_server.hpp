#pragma once
// RFC 3261 §17.2.2 non-INVITE server transaction (figure 8).

#include "transaction/transaction_types.hpp"

namespace sipscope::stack {

class NonInviteServerTransaction {
  public:
    NonInviteServerTransaction(SipMessage request, TransportKind transport,
                               TimerConfig timers = {});

    // Trying: passes the request to the TU.
    Actions start();
    Actions handle(const TransactionEvent& event);
    Actions onRequest(const SipMessage& request);      // retransmission of the request
    Actions onTuResponse(const SipMessage& response);  // response from the TU
    Actions onTimer(TimerName timer);
    Actions onTransportError();

    TransactionState state() const noexcept { return m_state; }
    // Same state, transport, timers and messages (sameMessage): the same behaviour from now on.
    bool operator==(const NonInviteServerTransaction& other) const noexcept;
    const SipMessage& request() const noexcept { return m_request; }
    const std::optional<SipMessage>& lastResponse() const noexcept { return m_lastResponse; }

  private:
    void terminate(Actions& out);

    SipMessage m_request;
    TransportKind m_transport;
    TimerConfig m_timers;
    TransactionState m_state = TransactionState::Idle;
    std::optional<SipMessage> m_lastResponse;
};

}  // namespace sipscope::stack
