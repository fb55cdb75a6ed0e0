#include "calls/call_packer.hpp"

#include <algorithm>

#include "calls/call_tracker.hpp"
#include "core/packing.hpp"

namespace sipscope::analyzer {

namespace {

using stack::PackReader;
using stack::PackWriter;

enum Flag : std::uint32_t {
    kInviteDialog = 1u << 0,
    kCloseScheduled = 1u << 1,
    kByeNs = 1u << 2,
    kByeDoneNs = 1u << 3,
    kLastByeNs = 1u << 4,
};
enum AttemptFlag : std::uint32_t {
    kFinalCode = 1u << 0,
    kFinalNs = 1u << 1,
    kRingNs = 1u << 2,
    kFirstResponseNs = 1u << 3,
    kCancelled = 1u << 4,
    kTimeout = 1u << 5,
};

void strings(PackWriter& w, const std::vector<std::string>& v) {
    w.u(v.size());
    for (const auto& s : v) w.str(s);
}
void strings(PackReader& in, std::vector<std::string>& v) {
    v.resize(in.u());
    for (auto& s : v) in.str(s);
}

// Message ids grow through a call: each as the difference from the one before.
void ascending(PackWriter& w, const std::vector<std::uint64_t>& v) {
    w.u(v.size());
    std::uint64_t previous = 0;
    for (auto id : v) {
        w.s(static_cast<std::int64_t>(id - previous));
        previous = id;
    }
}
void ascending(PackReader& in, std::vector<std::uint64_t>& v) {
    v.resize(in.u());
    std::uint64_t previous = 0;
    for (auto& id : v) previous = id = previous + static_cast<std::uint64_t>(in.s());
}

void packAttempt(PackWriter& w, const Attempt& a, std::int64_t start) {
    std::uint32_t f = 0;
    if (a.finalCode) f |= kFinalCode;
    if (a.finalNs) f |= kFinalNs;
    if (a.ringNs) f |= kRingNs;
    if (a.firstResponseNs) f |= kFirstResponseNs;
    if (a.cancelled) f |= kCancelled;
    if (a.timeout) f |= kTimeout;
    w.u(f);
    w.u(a.tx);
    w.str(a.branch);
    w.u(a.cseq);
    w.delta(a.ns, start);
    if (a.finalCode) w.s(*a.finalCode);
    w.str(a.reason);
    if (a.finalNs) w.delta(*a.finalNs, start);
    if (a.ringNs) w.delta(*a.ringNs, start);
    if (a.firstResponseNs) w.delta(*a.firstResponseNs, start);
}

void unpackAttempt(PackReader& in, Attempt& a, std::int64_t start) {
    const auto f = static_cast<std::uint32_t>(in.u());
    a.tx = in.u();
    in.str(a.branch);
    a.cseq = static_cast<std::uint32_t>(in.u());
    a.ns = in.delta(start);
    a.finalCode = f & kFinalCode ? decltype(a.finalCode)(static_cast<int>(in.s())) : std::nullopt;
    in.str(a.reason);
    a.finalNs = f & kFinalNs ? decltype(a.finalNs)(in.delta(start)) : std::nullopt;
    a.ringNs = f & kRingNs ? decltype(a.ringNs)(in.delta(start)) : std::nullopt;
    a.firstResponseNs =
        f & kFirstResponseNs ? decltype(a.firstResponseNs)(in.delta(start)) : std::nullopt;
    a.cancelled = f & kCancelled;
    a.timeout = f & kTimeout;
}

void packMedia(PackWriter& w, const MediaSummary& m) {
    w.str(m.origin);
    w.u(m.messageId);
    w.str(m.type);
    w.str(m.address);
    w.u(m.port);
    w.str(m.direction);
    strings(w, m.codecs);
    w.u(m.hold);
}

void unpackMedia(PackReader& in, MediaSummary& m) {
    in.str(m.origin);
    m.messageId = in.u();
    in.str(m.type);
    in.str(m.address);
    m.port = static_cast<std::uint16_t>(in.u());
    in.str(m.direction);
    strings(in, m.codecs);
    m.hold = in.u();
}

void packAnomaly(PackWriter& w, const stack::Anomaly& a) {
    w.str(a.code);
    w.ids(a.messageIds);
    w.str(a.rfc);
    w.str(a.text);
    w.s(a.at.count());
    w.u(a.transaction);
}

void unpackAnomaly(PackReader& in, stack::Anomaly& a) {
    in.str(a.code);
    in.ids(a.messageIds);
    in.str(a.rfc);
    in.str(a.text);
    a.at = stack::Instant{in.s()};
    a.transaction = in.u();
}

}  // namespace

std::unique_ptr<char[]> packCall(const CallData& c, std::string& scratch) {
    PackWriter w(scratch);
    std::uint32_t f = 0;
    if (c.inviteDialog) f |= kInviteDialog;
    if (c.closeScheduled) f |= kCloseScheduled;
    if (c.byeNs) f |= kByeNs;
    if (c.byeDoneNs) f |= kByeDoneNs;
    if (c.lastByeNs) f |= kLastByeNs;
    const std::int64_t start = c.startNs;
    w.u(f);
    w.u(c.no);
    strings(w, c.callIds);
    for (const std::string* s : {&c.method, &c.firstRequestMethod, &c.fromUser, &c.toUser,
                                 &c.requestUser, &c.caller, &c.callee, &c.userAgent, &c.transport})
        w.str(*s);
    strings(w, c.sessionIds);
    w.s(start);
    w.delta(c.lastNs, start);
    ascending(w, c.messageIds);
    for (std::uint32_t n :
         {c.messages, c.retransmissions, c.duplicates, c.transactions, c.authChallenges})
        w.u(n);
    w.u(c.legHops.size());
    for (const auto& [from, to] : c.legHops) {
        w.str(from);
        w.str(to);
    }
    w.u(c.firstRequestId);
    w.u(c.attempts.size());
    for (const Attempt& a : c.attempts) packAttempt(w, a, start);
    w.ids(c.openTx);
    if (c.byeNs) w.delta(*c.byeNs, start);
    if (c.byeDoneNs) w.delta(*c.byeDoneNs, start);
    w.u(c.byeTx);
    if (c.lastByeNs) w.delta(*c.lastByeNs, start);
    w.u(c.byeDialogs.size());
    for (std::uint64_t d : c.byeDialogs) w.digest(d);
    w.u(c.dialogs.size());
    for (const auto& [key, state] : c.dialogs) {
        w.str(key);
        w.u(static_cast<std::uint64_t>(state));
    }
    w.u(c.media.size());
    for (const MediaSummary& m : c.media) packMedia(w, m);
    w.u(c.anomalies.size());
    for (const stack::Anomaly& a : c.anomalies) packAnomaly(w, a);
    w.u(c.revision);
    w.u(c.snapshotRevision);
    w.s(c.holdUntilNs);
    return w.take();
}

void unpackCall(const char* packed, CallData& c) {
    PackReader in(packed);
    const auto f = static_cast<std::uint32_t>(in.u());
    c.no = in.u();
    strings(in, c.callIds);
    for (std::string* s : {&c.method, &c.firstRequestMethod, &c.fromUser, &c.toUser, &c.requestUser,
                           &c.caller, &c.callee, &c.userAgent, &c.transport})
        in.str(*s);
    strings(in, c.sessionIds);
    const std::int64_t start = c.startNs = in.s();
    c.lastNs = in.delta(start);
    ascending(in, c.messageIds);
    for (std::uint32_t* n :
         {&c.messages, &c.retransmissions, &c.duplicates, &c.transactions, &c.authChallenges})
        *n = static_cast<std::uint32_t>(in.u());
    c.legHops.resize(in.u());
    for (auto& [from, to] : c.legHops) {
        in.str(from);
        in.str(to);
    }
    c.firstRequestId = in.u();
    c.attempts.resize(in.u());
    for (Attempt& a : c.attempts) unpackAttempt(in, a, start);
    in.ids(c.openTx);
    c.inviteDialog = f & kInviteDialog;
    c.closeScheduled = f & kCloseScheduled;
    c.byeNs = f & kByeNs ? decltype(c.byeNs)(in.delta(start)) : std::nullopt;
    c.byeDoneNs = f & kByeDoneNs ? decltype(c.byeDoneNs)(in.delta(start)) : std::nullopt;
    c.byeTx = in.u();
    c.lastByeNs = f & kLastByeNs ? decltype(c.lastByeNs)(in.delta(start)) : std::nullopt;
    c.byeDialogs.resize(in.u());
    for (std::uint64_t& d : c.byeDialogs) d = in.digest();
    c.dialogs.clear();
    for (std::uint64_t n = in.u(); n > 0; --n) {
        std::string key = in.str();
        c.dialogs.emplace(std::move(key), static_cast<stack::DialogState>(in.u()));
    }
    c.media.resize(in.u());
    for (MediaSummary& m : c.media) unpackMedia(in, m);
    c.anomalies.resize(in.u());
    for (stack::Anomaly& a : c.anomalies) unpackAnomaly(in, a);
    c.revision = in.u();
    c.snapshotRevision = in.u();
    c.holdUntilNs = in.s();
}

// ---- the tracker's sleeping calls ----

namespace {

// No dialog up (early or confirmed) and every attempt answered: nothing but retransmissions,
// the transactions' ends and the close are still to come.
bool onlyWaits(const CallData& c) {
    for (const auto& [key, state] : c.dialogs)
        if (state != stack::DialogState::Terminated) return false;
    return std::all_of(c.attempts.begin(), c.attempts.end(),
                       [](const Attempt& a) { return a.finalCode.has_value(); });
}

}  // namespace

CallData* CallTracker::byNumber(std::uint64_t no) {
    OpenCall* open = m_calls.find(no);
    if (!open) return nullptr;
    if (!open->live) {
        std::unique_ptr<CallData> c = m_spareCalls.take();
        unpackCall(open->packed.get(), *c);
        c->firstRequest = std::move(open->firstRequest);
        open->packed.reset();
        open->live = std::move(c);
    }
    m_awakeCalls.push_back(no);  // also when already awake: settleCalls() sees it again
    return open->live.get();
}

std::size_t CallTracker::awakeCalls() const {
    std::size_t n = 0;
    m_calls.forEach([&n](std::uint64_t, const OpenCall& c) { n += c.live ? 1 : 0; });
    return n;
}

void CallTracker::settleCalls() {
    for (std::uint64_t no : m_awakeCalls) {
        OpenCall* open = m_calls.find(no);
        if (!open || !open->live || !onlyWaits(*open->live)) continue;
        CallData& c = *open->live;
        open->unsnapshotted = c.revision != c.snapshotRevision;
        open->firstRequest = std::move(c.firstRequest);
        open->packed = packCall(c, m_packScratch);
        m_spareCalls.give(std::move(open->live));
    }
    m_awakeCalls.clear();
}

}  // namespace sipscope::analyzer
