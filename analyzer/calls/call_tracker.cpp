#include "calls/call_tracker.hpp"

#include <algorithm>
#include <charconv>

#include "calls/call_data.hpp"
#include "core/digest.hpp"
#include "message/key_headers.hpp"
#include "message/name_addr.hpp"
#include "message/simple_headers.hpp"

namespace sipscope::analyzer {

namespace {

std::string userOf(const stack::SipMessage& m, stack::HeaderId id) {
    const auto* na = m.typed<stack::NameAddr>(id);
    if (!na || !na->ok()) return {};
    return na->value().uri.user();
}

std::string requestUser(const stack::SipMessage& m) {
    auto uri = stack::parseUri(m.requestUri());
    return uri.ok() ? uri.value().user() : std::string();
}

// RFC 3261 §10.3 step 8 / RFC 6665 §4.1.2.1: how long a 2xx to REGISTER or SUBSCRIBE keeps
// the binding or subscription: the largest Contact expires (REGISTER), else Expires.
std::optional<std::uint32_t> grantedSeconds(const stack::SipMessage& m, std::string_view method) {
    std::optional<std::uint32_t> out;
    if (method == "REGISTER") {
        for (std::size_t i = 0; i < m.headers().size(); ++i) {
            if (m.headers()[i].id != stack::HeaderId::Contact) continue;
            const auto& list = m.typed<stack::NameAddrList>(i);
            if (!list.ok()) continue;
            for (const auto& item : list.value().items) {
                const auto* p = stack::findParam(item.params, "expires");
                std::uint32_t v = 0;
                if (!p) continue;
                const std::string text = p->unquotedValue();
                const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
                if (ec == std::errc() && end == text.data() + text.size())
                    out = std::max(out.value_or(0), v);
            }
        }
        if (out) return out;
    }
    if (const auto* e = m.typed<stack::DeltaSeconds>(stack::HeaderId::Expires); e && e->ok())
        return e->value().seconds;
    return out;
}

bool isInviteDialogMethod(std::string_view method) {
    return method == "INVITE" || method == "BYE" || method == "PRACK" || method == "UPDATE" ||
           method == "ACK";
}

// SDP offers and answers of the INVITE session on the caller's leg (RFC 3264): the initial
// exchange, re-INVITEs and UPDATEs (hold and resume), first copies only.
void noteMedia(CallData& c, const stack::Observation& o, const stack::MessageVerdict& v) {
    const stack::SipMessage& m = *o.message;
    if (m.body().empty() || v.role == stack::MessageRole::Retransmission) return;
    if (o.src != c.caller && o.dst != c.caller) return;
    const std::string_view method = m.isRequest() ? m.method() : o.keys->cseqMethod;
    if (method != "INVITE" && method != "UPDATE" && method != "PRACK" && method != "ACK") return;
    if (m.isResponse() && (m.status().value_or(0) <= 100 || m.status().value_or(0) >= 300)) return;
    addMedia(c, m, o.id, m.isRequest() && method != "ACK" ? "offer" : "answer");
}

}  // namespace

CallTracker::CallTracker(CallTrackerOptions options, CallTrackerSinks sinks)
    : m_options(options),
      m_sinks(std::move(sinks)),
      m_observer(options.observer, *this),
      m_dialogs([this](const stack::DialogEvent& e) { onDialog(e); },
                [this](const stack::Anomaly& a) { onAnomaly(a); }) {}

CallTracker::~CallTracker() = default;

void CallTracker::observe(const ObservedMessage& m) {
    if (!m.message) return;
    // ARCHITECTURE.md "Time": an earlier timestamp is clamped (the transaction observer reports
    // it), so call times only grow and calls come out in start order.
    m_nowNs = std::max(m_nowNs, m.tsNs);
    // Timers due before this message fire first, and calls over by now are reported, so a new
    // message with an old Call-ID starts a new call when the old one is over.
    m_observer.advanceTo(stack::Instant{m_nowNs / 1000});
    closeDue(m_nowNs);
    const stack::KeyHeaders& k = m.message->keyHeaders();
    m_current = &m;
    m_currentCall = &callFor(m, k.callId);
    m_srcText = hopText(m.src);  // copies into kept capacity: the two may share a slot
    m_dstText = hopText(m.dst);
    stack::Observation o;
    o.id = m.id;
    o.at = stack::Instant{m.tsNs / 1000};
    o.message = &*m.message;
    o.src = m_srcText;
    o.dst = m_dstText;
    o.transport = m.transport == Transport::Udp ? stack::TransportKind::Unreliable
                                                : stack::TransportKind::Reliable;
    o.keys = &k;
    const stack::MessageVerdict v = m_observer.observe(o);
    m_dialogs.observe(o, v);
    m_current = nullptr;
    m_currentCall = nullptr;
    closeDue(m_nowNs);
    emitReady();
    settleCalls();
}

const std::string& CallTracker::hopText(const Endpoint& e) {
    HopTextSlot& slot = m_hopTexts[EndpointHash{}(e) % m_hopTexts.size()];
    if (slot.text.empty() || !(slot.endpoint == e)) {
        slot.endpoint = e;
        slot.text = endpointText(e);
    }
    return slot.text;
}

void CallTracker::finish() {
    m_observer.finish();
    // Every call is over now. Each is built and given out in turn, in start order (the order
    // of m_ready and m_openStarts alike), so that the end of a big capture does not hold its
    // open calls twice over, as data and as records.
    m_closeAt.clear();
    while (!m_ready.empty() || !m_openStarts.empty()) {
        if (!m_ready.empty() &&
            (m_openStarts.empty() || m_ready.begin()->first < *m_openStarts.begin())) {
            emitReady(1);
            continue;
        }
        CallRecord r = takeRecord(m_openStarts.begin()->second);
        if (m_sinks.call) m_sinks.call(std::move(r));
    }
    m_byCalleeNode.clear();
    m_awakeCalls.clear();
}

CallData& CallTracker::callFor(const ObservedMessage& m, std::string_view callId) {
    const std::uint64_t key = callIdDigest(callId);
    if (const std::uint64_t* no = m_byCallId.find(key))
        if (CallData* c = byNumber(*no)) return *c;
    CallData* c = correlate(m);
    if (!c) {
        auto data = std::make_unique<CallData>();
        data->no = m_nextCall++;
        data->startNs = m_nowNs;
        data->lastNs = m_nowNs;
        c = data.get();
        m_openStarts.emplace(c->startNs, c->no);
        m_calls.insertOrAssign(c->no, OpenCall{std::move(data), nullptr, nullptr, false});
        m_awakeCalls.push_back(c->no);
    }
    c->callIds.emplace_back(callId);
    m_byCallId[key] = c->no;
    return *c;
}

void CallTracker::onMessage(const stack::Observation& o, const stack::MessageVerdict& v) {
    if (m_sinks.message) m_sinks.message(*m_current, v, m_currentCall->no, o);
    CallData& c = *m_currentCall;
    ++c.revision;
    noteMessage(c, o, v);
    scheduleClose(c);  // a call of strays or ACKs only has nothing else that would close it
}

void CallTracker::noteMessage(CallData& c, const stack::Observation& o,
                              const stack::MessageVerdict& v) {
    const stack::SipMessage& m = *o.message;
    ++c.messages;
    c.messageIds.push_back(o.id);
    c.lastNs = m_nowNs;
    if (v.role == stack::MessageRole::Retransmission) ++c.retransmissions;
    if (v.role == stack::MessageRole::Duplicate) {
        ++c.duplicates;
        return;
    }
    if (m.isRequest()) {
        if (isInviteDialogMethod(m.method())) c.inviteDialog = true;
        if (c.firstRequestMethod.empty()) c.firstRequestMethod = std::string(m.method());
    }
    if (v.role == stack::MessageRole::Request) noteRequest(c, o, v);
    if (c.method.empty()) noteMidCall(c, o);
    noteMedia(c, o, v);
    if (v.role == stack::MessageRole::Response) noteResponse(c, o, v);
}

// A request that starts a transaction.
void CallTracker::noteRequest(CallData& c, const stack::Observation& o,
                              const stack::MessageVerdict& v) {
    const stack::SipMessage& m = *o.message;
    ++c.transactions;
    if (std::find(c.openTx.begin(), c.openTx.end(), v.transaction) == c.openTx.end())
        c.openTx.push_back(v.transaction);
    m_txCall[v.transaction] = c.no;
    const stack::KeyHeaders& k = *o.keys;
    if (m.method() == "CANCEL") {
        for (auto& a : c.attempts)
            if (a.branch == k.topViaBranch && a.cseq == k.cseq.value_or(0)) a.cancelled = true;
    } else if (m.method() == "BYE") {
        noteBye(c, k, v.transaction);
    }
    if (k.toTag.empty() && m.method() != "CANCEL" && m.method() != "ACK")
        noteOutOfDialogRequest(c, o, v);
}

// RFC 3261 §15.1: a BYE ends its dialog. The call's first BYE gives SDD (RFC 6076 §4.4); the
// call lasts until the BYE of its last dialog (forks answered, legs with tags of their own).
void CallTracker::noteBye(CallData& c, const stack::KeyHeaders& k, std::uint64_t tx) {
    if (!c.byeNs) {
        c.byeNs = m_nowNs;
        c.byeTx = tx;
    }
    // The two tags in either order: the callee's BYE has them swapped (RFC 3261 §12.2.1.1).
    const auto [low, high] = std::minmax(k.fromTag, k.toTag);
    const std::uint64_t dialog = stack::Digest().add(low).add(high).value();
    if (std::find(c.byeDialogs.begin(), c.byeDialogs.end(), dialog) != c.byeDialogs.end()) return;
    constexpr std::size_t kMaxDialogs = 16;
    if (c.byeDialogs.size() < kMaxDialogs) c.byeDialogs.push_back(dialog);
    c.lastByeNs = m_nowNs;
}

// A call whose capture began after its initial request (no out-of-dialog request seen yet):
// its ends and users are those of its first message (a response's From and To are its
// request's, and it goes to the request's sender), whichever side sent it; every hop a message
// crossed, in either direction, is a leg.
void CallTracker::noteMidCall(CallData& c, const stack::Observation& o) {
    const stack::SipMessage& m = *o.message;
    const std::string_view sender = m.isRequest() ? o.src : o.dst;
    const std::string_view receiver = m.isRequest() ? o.dst : o.src;
    if (c.caller.empty()) {
        c.caller = std::string(sender);
        c.callee = std::string(receiver);
        c.fromUser = userOf(m, stack::HeaderId::From);
        c.toUser = userOf(m, stack::HeaderId::To);
        if (m.isRequest()) c.userAgent = std::string(m.headerValue(stack::HeaderId::UserAgent));
        c.transport = transportName(m_current->transport);
    }
    const auto sameHop = [&o](const auto& h) {
        return (h.first == o.src && h.second == o.dst) || (h.first == o.dst && h.second == o.src);
    };
    if (std::none_of(c.legHops.begin(), c.legHops.end(), sameHop))
        c.legHops.emplace_back(sender, receiver);
}

// A request outside any dialog (no To tag): the first one names the call's method, its two
// ends and its users; each sighting of that method on a new hop is a leg, and each one the
// caller sends is an attempt (RFC 6076 counts attempts).
void CallTracker::noteOutOfDialogRequest(CallData& c, const stack::Observation& o,
                                         const stack::MessageVerdict& v) {
    const stack::SipMessage& m = *o.message;
    const stack::KeyHeaders& k = *o.keys;
    if (c.method.empty()) {
        c.method = std::string(m.method());
        c.caller = std::string(o.src);
        c.callee = std::string(o.dst);
        c.fromUser = userOf(m, stack::HeaderId::From);
        c.toUser = userOf(m, stack::HeaderId::To);
        c.requestUser = requestUser(m);
        c.userAgent = std::string(m.headerValue(stack::HeaderId::UserAgent));
        c.transport = transportName(m_current->transport);
    }
    if (m.method() == "INVITE") registerSessionId(c, m);
    if (m.method() != c.method) return;
    const auto sameHop = [&o](const auto& h) { return h.first == o.src && h.second == o.dst; };
    if (std::none_of(c.legHops.begin(), c.legHops.end(), sameHop))
        c.legHops.emplace_back(o.src, o.dst);
    if (!c.firstRequestId) {
        c.firstRequestId = o.id;
        // Not its index: parsed when needed.
        if (m_options.keepFirstRequest) c.firstRequest = m.wireBytes();
    }
    if (o.src != c.caller) return;
    Attempt a;
    a.tx = v.transaction;
    a.branch = std::string(k.topViaBranch);
    a.cseq = k.cseq.value_or(0);
    a.ns = m_nowNs;
    c.attempts.push_back(std::move(a));
    if (c.attempts.size() == 1 && c.method == "INVITE") registerCallee(c);
}

// A response matched to a transaction: registration and subscription hold times, challenges,
// the end of the BYE, and the times and final answer of the attempt it answers.
void CallTracker::noteResponse(CallData& c, const stack::Observation& o,
                               const stack::MessageVerdict& v) {
    const stack::SipMessage& m = *o.message;
    const int code = m.status().value_or(0);
    const std::string_view cseqMethod = o.keys->cseqMethod;
    if (code >= 200 && code < 300 && (cseqMethod == "REGISTER" || cseqMethod == "SUBSCRIBE")) {
        constexpr std::uint32_t kMaxHoldSeconds = 3600;
        const auto granted = grantedSeconds(m, cseqMethod);
        const std::uint32_t secs = std::min(granted.value_or(3600), kMaxHoldSeconds);
        c.holdUntilNs = secs == 0 ? 0 : m_nowNs + std::int64_t(secs) * 1000000000;
    }
    if (code == 401 || code == 407) ++c.authChallenges;
    if (v.transaction == c.byeTx && code >= 200 && !c.byeDoneNs) c.byeDoneNs = m_nowNs;
    for (auto& a : c.attempts) {
        if (a.tx != v.transaction) continue;
        if (code > 100 && code != 401 && code != 407 && !a.firstResponseNs)
            a.firstResponseNs = m_nowNs;
        if ((code == 180 || code == 183) && !a.ringNs) a.ringNs = m_nowNs;
        if (code >= 200 && !a.finalCode) {
            a.finalCode = code;
            a.finalNs = m_nowNs;
            a.reason = std::string(m.reason());
        }
    }
}

void CallTracker::onTransactionEnded(const stack::TransactionRecord& t) {
    if (m_sinks.transaction) m_sinks.transaction(t);
    m_dialogs.transactionEnded(t, m_observer.now());
    const std::uint64_t* call = m_txCall.find(t.id);
    if (!call) return;
    if (CallData* c = byNumber(*call)) {
        std::erase(c->openTx, t.id);
        ++c->revision;
        for (auto& a : c->attempts)
            if (a.tx == t.id) a.timeout = t.timeout;
        scheduleClose(*c);
    }
    m_txCall.erase(t.id);
    settleBetweenMessages();
}

// Between messages (timers, the end of input) the transactions of many calls end, time out or
// meet their dialogs' ends in one go: their calls go back to sleep in batches, not all at once
// after the jump. Only the listener callbacks call this, and while no message is being handled
// no call is held across them.
void CallTracker::settleBetweenMessages() {
    if (!m_current && m_awakeCalls.size() >= kSettleBatch) settleCalls();
}

void CallTracker::onAnomaly(const stack::Anomaly& a) {
    if (m_sinks.anomaly) m_sinks.anomaly(a);
    CallData* c = nullptr;
    if (const std::uint64_t* call = a.transaction ? m_txCall.find(a.transaction) : nullptr)
        c = byNumber(*call);
    if (!c) c = m_currentCall;
    if (c) {
        c->anomalies.push_back(a);
        ++c->revision;
    }
    settleBetweenMessages();
}

void CallTracker::onDialog(const stack::DialogEvent& e) {
    if (m_sinks.dialog) m_sinks.dialog(e);
    const std::uint64_t* no = m_byCallId.find(callIdDigest(e.callId));
    if (!no) return;
    if (CallData* c = byNumber(*no)) {
        c->dialogs[e.uac + ">" + e.uas + " " + e.uacTag + " " + e.uasTag] = e.to;
        ++c->revision;
        scheduleClose(*c);
    }
    settleBetweenMessages();
}

}  // namespace sipscope::analyzer
