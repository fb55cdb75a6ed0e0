#include "observe/shadow_packer.hpp"

#include "core/digest.hpp"
#include "core/packing.hpp"

namespace sipscope::stack {

namespace {

using Live = TransactionShadow::Live;

// The flags of a Live and its record, one bit each.
enum Flag : std::uint32_t {
    kInvite = 1u << 0,
    kReliable = 1u << 1,
    kTimeout = 1u << 2,
    kAckMissing = 1u << 3,
    kAbandoned = 1u << 4,
    kFinalCode = 1u << 5,
    kFirstProvisional = 1u << 6,
    kFirstFinal = 1u << 7,
    kClientDone = 1u << 8,
    kServerDone = 1u << 9,
    kEnded = 1u << 10,
    kConfirmed = 1u << 11,
    kMatchedAhead = 1u << 12,
};

std::uint32_t flagsOf(const Live& l) {
    const TransactionRecord& r = l.record;
    std::uint32_t f = 0;
    const auto set = [&f](bool on, Flag flag) {
        if (on) f |= flag;
    };
    set(r.invite, kInvite);
    set(r.transport == TransportKind::Reliable, kReliable);
    set(r.timeout, kTimeout);
    set(r.ackMissing, kAckMissing);
    set(r.abandoned, kAbandoned);
    set(r.finalCode.has_value(), kFinalCode);
    set(r.firstProvisional.has_value(), kFirstProvisional);
    set(r.firstFinal.has_value(), kFirstFinal);
    set(l.clientDone, kClientDone);
    set(l.serverDone, kServerDone);
    set(l.ended, kEnded);
    set(l.confirmed, kConfirmed);
    set(l.matchedAhead.has_value(), kMatchedAhead);
    return f;
}

}  // namespace

std::unique_ptr<char[]> ShadowPacker::pack(const Live& l) {
    const TransactionRecord& r = l.record;
    const std::uint32_t flags = flagsOf(l);
    PackWriter w(m_scratch);
    // Times as offsets from the start: a few bytes each.
    const auto at = [&](Instant t) { w.delta(t.count(), r.start.count()); };
    w.u(flags);
    w.u(r.id);
    w.str(r.method);
    w.str(r.branch);
    w.str(r.callId);
    w.str(r.fromTag);
    w.u(r.cseq);
    w.str(r.client);
    w.str(r.server);
    w.s(r.start.count());
    at(r.end);
    if (flags & kFinalCode) w.s(*r.finalCode);
    if (flags & kFirstProvisional) at(*r.firstProvisional);
    if (flags & kFirstFinal) at(*r.firstFinal);
    w.ids(r.requests);
    w.ids(r.responses);
    w.ids(r.acks);
    w.u(r.retransmissions);
    w.u(static_cast<std::uint64_t>(r.outcome));
    w.u(r.cancels);
    w.u(l.expectedSends.size());
    for (Instant t : l.expectedSends) at(t);
    w.u(l.consumedSends);
    if (flags & kMatchedAhead) at(*l.matchedAhead);
    w.u(l.finalId);
    at(l.lastSend);
    at(l.lastActivity);
    w.u(l.responsesSeen.size());
    for (const auto& [signature, first] : l.responsesSeen) {
        w.s(signature.status);
        w.digest(signature.tagAndRseq);
        w.u(first);
    }
    w.u(l.pending2xx.size());
    for (auto key : l.pending2xx) w.digest(key);
    return w.take();
}

void ShadowPacker::unpack(const char* packed, Live& l) {
    TransactionRecord& r = l.record;
    PackReader in(packed);
    const auto flags = static_cast<std::uint32_t>(in.u());
    const auto at = [&]() { return Instant{in.delta(r.start.count())}; };
    r.id = in.u();
    in.str(r.method);
    in.str(r.branch);
    in.str(r.callId);
    in.str(r.fromTag);
    r.cseq = static_cast<std::uint32_t>(in.u());
    in.str(r.client);
    in.str(r.server);
    r.start = Instant{in.s()};
    r.end = at();
    r.invite = flags & kInvite;
    r.transport = flags & kReliable ? TransportKind::Reliable : TransportKind::Unreliable;
    r.timeout = flags & kTimeout;
    r.ackMissing = flags & kAckMissing;
    r.abandoned = flags & kAbandoned;
    r.finalCode =
        flags & kFinalCode ? decltype(r.finalCode)(static_cast<int>(in.s())) : std::nullopt;
    r.firstProvisional =
        flags & kFirstProvisional ? decltype(r.firstProvisional)(at()) : std::nullopt;
    r.firstFinal = flags & kFirstFinal ? decltype(r.firstFinal)(at()) : std::nullopt;
    in.ids(r.requests);
    in.ids(r.responses);
    in.ids(r.acks);
    r.retransmissions = static_cast<std::uint32_t>(in.u());
    r.outcome = static_cast<TransactionState>(in.u());
    r.cancels = in.u();
    l.expectedSends.resize(in.u());
    for (Instant& t : l.expectedSends) t = at();
    l.consumedSends = in.u();
    l.matchedAhead = flags & kMatchedAhead ? decltype(l.matchedAhead)(at()) : std::nullopt;
    l.finalId = in.u();
    l.lastSend = at();
    l.lastActivity = at();
    l.responsesSeen.resize(in.u());
    for (auto& [signature, first] : l.responsesSeen) {
        signature.status = static_cast<int>(in.s());
        signature.tagAndRseq = in.digest();
        first = in.u();
    }
    l.pending2xx.resize(in.u());
    for (auto& key : l.pending2xx) key = in.digest();
    l.clientDone = flags & kClientDone;
    l.serverDone = flags & kServerDone;
    l.ended = flags & kEnded;
    l.confirmed = flags & kConfirmed;
}

std::uint64_t ShadowPacker::hashOf(const TransactionShadow::Machines& m) {
    Digest d;
    const auto add = [&d](const auto& fsm) {
        d.add(static_cast<std::uint64_t>(fsm.state())).add(fsm.request().bytes());
    };
    d.add(std::uint64_t{m.client.index()}).add(std::uint64_t{m.server.index()});
    std::visit(add, m.client);
    std::visit(add, m.server);
    return d.value();
}

std::shared_ptr<TransactionShadow::Machines> ShadowPacker::intern(
    std::shared_ptr<TransactionShadow::Machines> machines) {
    const std::uint64_t hash = hashOf(*machines);
    const auto [first, last] = m_pool.equal_range(hash);
    for (auto it = first; it != last; ++it)
        if (*it->second == *machines) return it->second;
    if (m_pool.size() >= m_pruneAt) prune();
    m_pool.emplace(hash, machines);
    return machines;
}

void ShadowPacker::prune() {
    for (auto it = m_pool.begin(); it != m_pool.end();)
        it = it->second.use_count() == 1 ? m_pool.erase(it) : std::next(it);
    m_pruneAt = std::max<std::size_t>(256, 2 * m_pool.size());
}

}  // namespace sipscope::stack
