#include "observe/transaction_shadow.hpp"

#include <array>
#include <unordered_map>

#include "core/digest.hpp"
#include "observe/shadow_packer.hpp"

namespace sipscope::stack {

namespace {

// Methods are tokens anyone can make up: past this many the stand-ins are not kept.
constexpr std::size_t kMaxCachedMethods = 64;

// The message itself when its start line does not parse alone (it parsed with its headers).
SipMessage parseStandIn(const std::string& startLine, const SipMessage& m) {
    auto parsed = SipMessage::parse(startLine + "\r\n\r\n");
    return parsed.ok() ? std::move(parsed).value() : m;
}

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

TransactionShadow::TransactionShadow(std::uint64_t id_, const Observation& request,
                                     TimerConfig timers)
    : id(id_), m_live(std::make_unique<Live>()) {
    const SipMessage standInRequest = standIn(*request.message);
    m_machines =
        std::make_shared<Machines>(Machines{makeClient(standInRequest, request.transport, timers),
                                            makeServer(standInRequest, request.transport, timers)});
    m_live->record.id = id_;
}

TransactionShadow::ResponseSignature TransactionShadow::signatureOf(int status,
                                                                    std::string_view toTag,
                                                                    std::string_view rseq) {
    return ResponseSignature{status, Digest().add(toTag).add(rseq).value()};
}

SipMessage TransactionShadow::standIn(const SipMessage& m) {
    // Per thread: a SipMessage's shared parts are not filled concurrently (sip_message.hpp).
    if (m.isResponse()) {
        thread_local std::array<std::optional<SipMessage>, 600> byStatus;
        const int code = m.status().value_or(0);
        if (code < 100 || code > 699) return m;
        auto& slot = byStatus[static_cast<std::size_t>(code - 100)];
        if (!slot) slot = parseStandIn("SIP/2.0 " + std::to_string(code) + " X", m);
        return *slot;
    }
    thread_local std::unordered_map<std::string, SipMessage> byMethod;
    const std::string method(m.method());
    if (auto it = byMethod.find(method); it != byMethod.end()) return it->second;
    SipMessage made = parseStandIn(method + " sip:shadow.invalid SIP/2.0", m);
    if (byMethod.size() < kMaxCachedMethods) byMethod.emplace(method, made);
    return made;
}

TransactionShadow::Machines& TransactionShadow::machines() {
    // Shared with the packer's pool (and so with other sleeping shadows): copy on write.
    if (m_machines.use_count() > 1) m_machines = std::make_shared<Machines>(*m_machines);
    return *m_machines;
}

Actions TransactionShadow::startClient() {
    return std::visit([](auto& fsm) { return fsm.start(); }, machines().client);
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
        machines().server);
}

Actions TransactionShadow::toClient(const TransactionEvent& event) {
    return std::visit([&](auto& fsm) { return fsm.handle(event); }, machines().client);
}

Actions TransactionShadow::toServer(const TransactionEvent& event) {
    return std::visit([&](auto& fsm) { return fsm.handle(event); }, machines().server);
}

TransactionState TransactionShadow::clientState() const {
    return std::visit([](const auto& fsm) { return fsm.state(); }, m_machines->client);
}

TransactionState TransactionShadow::serverState() const {
    return std::visit([](const auto& fsm) { return fsm.state(); }, m_machines->server);
}

void TransactionShadow::sleep(ShadowPacker& packer) {
    if (!m_live) return;
    m_packed = packer.pack(*m_live);
    packer.spareLives.give(std::move(m_live));
    m_machines = packer.intern(std::move(m_machines));
}

void TransactionShadow::wake(ShadowPacker& packer) {
    if (m_live) return;
    auto live = packer.spareLives.take();
    ShadowPacker::unpack(m_packed.get(), *live);
    m_live = std::move(live);
    m_packed.reset();
}

}  // namespace sipscope::stack
