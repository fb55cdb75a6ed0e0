#pragma once
// RFC 3261 §17.1.2 non-INVITE client transaction (figure 6).

#include "transaction/transaction_types.hpp"

namespace sipscope::stack {

class NonInviteClientTransaction {
  public:
    NonInviteClientTransaction(SipMessage request, TransportKind transport,
                               TimerConfig timers = {});

    // Trying: sends the request, starts Timer E (unreliable) and Timer F.
    Actions start();
    Actions handle(const TransactionEvent& event);
    Actions onResponse(const SipMessage& response);
    Actions onTimer(TimerName timer);
    Actions onTransportError();

    TransactionState state() const noexcept { return m_state; }
    // Same state, transport, timers and messages (sameMessage): the same behaviour from now on.
    bool operator==(const NonInviteClientTransaction& other) const noexcept;
    const SipMessage& request() const noexcept { return m_request; }

  private:
    Actions onFinal(const SipMessage& response);
    void stopRunningTimers(Actions& out) const;
    void terminate(Actions& out);

    SipMessage m_request;
    TransportKind m_transport;
    TimerConfig m_timers;
    TransactionState m_state = TransactionState::Idle;
    Duration m_timerE{0};
};

}  // namespace sipscope::stack
