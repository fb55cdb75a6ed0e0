#include "observe/transaction_shadow.hpp"

namespace sipscope::stack {

namespace {

TransactionShadow::Client makeClient(const SipMessage& request, TransportKind transport,
                                     TimerConfig timers) {
    if (request.method() == "INVITE") return InviteClientTransaction(request, transport, timers);
    return NonInviteClientTransaction(request, transport, timers);
}

TransactionShadow::Server makeServer(const SipMessage& request, TransportKind transport,
                                     TimerConfig timers) {
    if (request.method() == "INVITE") return InviteServerTransaction(request, transport, timers);
    return NonInviteServerTransaction(request, transport, timers);
}

}  // namespace

TransactionShadow::TransactionShadow(const Observation& request, TimerConfig timers)
    : m_client(makeClient(*request.message, request.transport, timers)),
      m_server(makeServer(*request.message, request.transport, timers)) {}

Actions TransactionShadow::startClient() {
    return std::visit([](auto& fsm) { return fsm.start(); }, m_client);
}

Actions TransactionShadow::startServer() {
    // The server shadow does not invent a 100 Trying: the capture shows what the server sent.
    return std::visit(
        [](auto& fsm) {
            if constexpr (std::is_same_v<std::decay_t<decltype(fsm)>, InviteServerTransaction>)
                return fsm.start(false);
            else
                return fsm.start();
        },
        m_server);
}

Actions TransactionShadow::toClient(const TransactionEvent& event) {
    return std::visit([&](auto& fsm) { return fsm.handle(event); }, m_client);
}

Actions TransactionShadow::toServer(const TransactionEvent& event) {
    return std::visit([&](auto& fsm) { return fsm.handle(event); }, m_server);
}

TransactionState TransactionShadow::clientState() const {
    return std::visit([](const auto& fsm) { return fsm.state(); }, m_client);
}

TransactionState TransactionShadow::serverState() const {
    return std::visit([](const auto& fsm) { return fsm.state(); }, m_server);
}

}  // namespace sipscope::stack
