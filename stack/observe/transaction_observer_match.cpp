// Matching observed messages to transactions (RFC 3261 §17.1.3, §17.2.3) and feeding both
// shadows. Lifecycle and timers are in transaction_observer.cpp.
#include <algorithm>

#include "core/digest.hpp"
#include "message/key_headers.hpp"
#include "observe/transaction_observer.hpp"
#include "transaction/matching.hpp"

namespace sipscope::stack {

// The key combines RFC 3261 §17.2.3 (branch, sent-by, method with ACK folded into INVITE) with
// the Call-ID, From tag and CSeq number, which all messages of one transaction share (§8.1.1,
// §17.1.1.3, §9.1). The extra fields keep apart the transactions of broken UAs that reuse a
// branch, and they are exactly the RFC 2543 fallback fields for branches without the cookie.
bool TransactionObserver::keyOf(const KeyHeaders& k, std::string_view method) {
    if (k.callId.empty() || !k.cseq) return false;
    // A digest of the fields (core/digest.hpp): a transaction keeps 8 bytes, not a copy of
    // them, and the index compares integers. Two open keys collide with probability ~2^-64.
    m_key = Digest()
                .add(k.topViaBranch)
                .add(k.topViaSentBy)
                .add(foldAck(method))
                .add(k.callId)
                .add(k.fromTag)
                .add(std::uint64_t{*k.cseq})
                .value();
    return true;
}

TransactionShadow* TransactionObserver::find(std::uint64_t key, std::string_view client,
                                             std::string_view server, bool anyHop) {
    TransactionShadow* const* newest = m_index.find(key);
    if (!newest) return nullptr;
    // The hop digest rules out the shadows of other hops without waking them.
    const std::uint64_t hop = hopDigest(client, server);
    for (TransactionShadow* s = *newest; s; s = s->olderSameKey) {
        if (s->hop != hop) continue;
        TransactionRecord& r = wake(*s).record;
        if (r.client == client && r.server == server) return s;
    }
    if (!anyHop) return nullptr;
    wake(**newest);
    return *newest;
}

MessageVerdict TransactionObserver::observe(const Observation& observed) {
    const MessageVerdict v = observeOne(observed);
    settle();
    return v;
}

MessageVerdict TransactionObserver::observeOne(const Observation& observed) {
    Observation o = observed;
    if (!o.keys) o.keys = &o.message->keyHeaders();  // read once, kept with the message
    if (!advanceTo(o.at)) {
        // ARCHITECTURE.md "Time": out-of-order timestamps are clamped and reported.
        anomalyFor(nullptr, anomaly::kClockBackwards, {o.id}, "",
                   "timestamp earlier than the previous message's; clamped");
        o.at = m_now;
    }
    std::uint64_t hash = 0;
    if (auto duplicate = duplicateOf(o, hash)) {
        m_listener.onMessage(o, *duplicate);
        return *duplicate;
    }
    const SipMessage& m = *o.message;
    const KeyHeaders& k = *o.keys;
    if (k.callId.empty() || !k.cseq) {
        // RFC 3261 §8.1.1: without Call-ID and CSeq nothing can be matched.
        MessageVerdict v{MessageRole::Stray, 0, 0};
        m_listener.onMessage(o, v);
        anomalyFor(
            nullptr, anomaly::kUnmatchable, {o.id}, "RFC 3261 §8.1.1",
            (m.isRequest() ? std::string(m.method()) : std::to_string(m.status().value_or(0))) +
                " without a usable Call-ID or CSeq");
        return v;
    }
    if (m.isResponse()) return remember(hash, o, onResponse(o));
    if (m.method() == "ACK") return remember(hash, o, onAck(o));
    keyOf(k, m.method());
    if (TransactionShadow* s = find(m_key, o.src, o.dst, false))
        return remember(hash, o, onRequestAgain(*s, o));
    return remember(hash, o, onNewRequest(o, m_key));
}

std::optional<MessageVerdict> TransactionObserver::duplicateOf(const Observation& o,
                                                               std::uint64_t& hash) {
    while (!m_recentOrder.empty() &&
           m_recentOrder.front().first + m_options.duplicateWindow < o.at) {
        const RecentCopy* copy = m_recent.find(m_recentOrder.front().second);
        if (copy && copy->at == m_recentOrder.front().first)
            m_recent.erase(m_recentOrder.front().second);  // lets the message's bytes go
        m_recentOrder.pop_front();
    }
    // Hash the hop, the size and the first bytes (the start line and Via differ between
    // messages); a hit is then compared byte for byte.
    const std::string_view bytes = o.message->bytes();
    hash = Digest()
               .add(bytes.substr(0, 192))
               .add(o.src)
               .add(o.dst)
               .add(std::uint64_t{bytes.size()})
               .value();
    const RecentCopy* copy = m_recent.find(hash);
    if (!copy || copy->bytes != bytes) return std::nullopt;
    return MessageVerdict{MessageRole::Duplicate, copy->verdict.transaction, copy->id};
}

MessageVerdict TransactionObserver::remember(std::uint64_t hash, const Observation& o,
                                             MessageVerdict v) {
    RecentCopy copy{o.at, o.id, o.message->buffer(), o.message->bytes(), v};
    m_recent[hash] = std::move(copy);
    m_recentOrder.emplace_back(o.at, hash);
    return v;
}

MessageVerdict TransactionObserver::onNewRequest(const Observation& o, std::uint64_t key) {
    const SipMessage& m = *o.message;
    auto shadow = std::make_unique<TransactionShadow>(m_nextId++, o, m_options.timers);
    TransactionShadow& s = *shadow;
    m_awake.push_back(s.id);
    TransactionRecord& r = s.live().record;
    r.invite = m.method() == "INVITE";
    r.method = std::string(m.method());
    const KeyHeaders& k = *o.keys;
    r.branch = std::string(k.topViaBranch);
    r.callId = std::string(k.callId);
    r.fromTag = std::string(k.fromTag);
    r.cseq = k.cseq.value_or(0);
    r.client = std::string(o.src);
    r.server = std::string(o.dst);
    r.transport = o.transport;
    r.start = o.at;
    r.requests.push_back(o.id);
    s.live().lastSend = o.at;
    if (m.method() == "CANCEL") {
        // RFC 3261 §9.2: the CANCEL names the INVITE by the same branch, Call-ID, From tag and
        // CSeq number on the same hop.
        if (keyOf(k, "INVITE"))
            if (TransactionShadow* invite = find(m_key, o.src, o.dst, true)) r.cancels = invite->id;
    }
    s.matchKey = key;
    s.hop = hopDigest(o.src, o.dst);
    TransactionShadow*& newest = m_index[key];
    s.olderSameKey = newest;
    newest = &s;
    m_tx.insertOrAssign(r.id, std::move(shadow));
    m_listener.onMessage(o, MessageVerdict{MessageRole::Request, r.id, 0});
    // RFC 3261 §17.1.1.2 / §17.1.2.2: the client "sends" the request (Calling/Trying); §17.2.1
    // / §17.2.2: the server "receives" it (Proceeding/Trying).
    Actions started = s.startClient();
    if (!started.empty() && std::holds_alternative<SendMessage>(started.front()))
        started.erase(started.begin());  // the request itself is the observed one
    apply(s, ShadowSide::Client, started);
    apply(s, ShadowSide::Server, s.startServer());
    touch(s);
    return MessageVerdict{MessageRole::Request, r.id, 0};
}

MessageVerdict TransactionObserver::onRequestAgain(TransactionShadow& s, const Observation& o) {
    TransactionShadow::Live& l = s.live();
    TransactionRecord& r = l.record;
    MessageVerdict v{MessageRole::Retransmission, r.id, r.requests.front()};
    m_listener.onMessage(o, v);
    r.requests.push_back(o.id);
    ++r.retransmissions;
    if (l.ended) {
        anomalyFor(&s, anomaly::kLateMessage, {r.requests.front(), o.id}, "RFC 3261 §17",
                   r.method + " retransmitted after its transaction ended");
        return v;
    }
    checkSchedule(s, o);
    // RFC 3261 §17.2.1 / §17.2.2: the server shadow answers a retransmission with its last
    // response (absorbed here: the capture shows whether the server did).
    apply(s, ShadowSide::Server,
          s.toServer(MessageFromNetwork{TransactionShadow::standIn(*o.message)}));
    touch(s);
    return v;
}

void TransactionObserver::checkSchedule(TransactionShadow& s, const Observation& o) {
    TransactionShadow::Live& l = s.live();
    const TransactionRecord& r = l.record;
    if (o.transport == TransportKind::Reliable) {
        // RFC 3261 §17.1.1.2 / §17.1.2.2: Timers A and E are not used on reliable transports.
        anomalyFor(&s, anomaly::kRetransmissionReliable, {r.requests.front(), o.id},
                   r.invite ? "RFC 3261 §17.1.1.2" : "RFC 3261 §17.1.2.2",
                   r.method + " retransmitted over a reliable transport");
        return;
    }
    // The nearest retransmission the client shadow made (Timer A: T1, 2*T1, 4*T1 ...; Timer E:
    // doubling up to T2) that the capture has not matched yet, or the next one it will make.
    const auto pending = ShadowTimers::deadlineOf(s.timers, ShadowSide::Client,
                                                  r.invite ? TimerName::A : TimerName::E);
    const std::size_t sent = l.expectedSends.size();
    const Instant previous = l.lastSend;
    for (std::size_t i = l.consumedSends; i <= sent; ++i) {
        if (i == sent && !pending) break;
        const Instant expected = i < sent ? l.expectedSends[i] : *pending;
        const Instant before = i == 0 ? r.start : l.expectedSends[i - 1];
        // Within max(tolerance, a quarter of the interval that led to this send).
        const Instant tolerance =
            std::max<Instant>(m_options.scheduleTolerance, (expected - before) / 4);
        if (Instant{std::abs((o.at - expected).count())} > tolerance) continue;
        l.consumedSends = std::min(i + 1, sent);
        if (i == sent) l.matchedAhead = expected;
        l.lastSend = o.at;
        return;
    }
    // A client that never saw the provisional response the capture shows keeps the schedule of
    // Calling/Trying: that is on time too.
    const std::int64_t since = std::chrono::duration_cast<Duration>(o.at - previous).count();
    l.lastSend = o.at;
    if (onIdealSchedule(s, o.at, m_options.scheduleTolerance)) return;
    anomalyFor(&s, anomaly::kRetransmissionSchedule, {r.requests.front(), o.id},
               r.invite ? "RFC 3261 §17.1.1.2" : "RFC 3261 §17.1.2.2",
               r.method + " retransmitted " + std::to_string(since) +
                   " ms after the previous copy, off the T1 schedule (T1 = " +
                   std::to_string(m_options.timers.t1.count()) + " ms)");
}

// RFC 3261 §17.1.1.2 (INVITE: T1, 2*T1, 4*T1 ... after the request) and §17.1.2.2 (non-INVITE:
// doubling, capped at T2) as seen from the first copy, up to 64*T1.
bool TransactionObserver::onIdealSchedule(const TransactionShadow& s, Instant at,
                                          Instant tolerance) const {
    const TransactionRecord& r = s.live().record;
    const TimerConfig& t = m_options.timers;
    Instant when = r.start;
    Duration interval = t.t1;
    while (when - r.start <= t.sixtyFourT1()) {
        when += interval;
        const Instant slack = std::max<Instant>(tolerance, Instant(interval) / 4);
        if (std::abs((at - when).count()) <= slack.count()) return true;
        interval = r.invite ? 2 * interval : std::min(2 * interval, t.t2);
    }
    return false;
}

MessageVerdict TransactionObserver::onAck(const Observation& o) {
    TransactionShadow* s = keyOf(*o.keys, "INVITE") ? find(m_key, o.src, o.dst, false) : nullptr;
    // An ACK with the INVITE's branch belongs to the INVITE transaction only when that one
    // ended with a non-2xx final response (RFC 3261 §17.1.1.3); the ACK for a 2xx is its own
    // transaction (§13.2.2.4) even when an RFC 2543 UA gives it the same key.
    if (!s || (s->live().record.finalCode && *s->live().record.finalCode < 300)) return onAck2xx(o);
    TransactionShadow::Live& l = s->live();
    TransactionRecord& r = l.record;
    MessageVerdict v{MessageRole::AckNon2xx, r.id, 0};
    if (!r.acks.empty()) {
        v = MessageVerdict{MessageRole::Retransmission, r.id, r.acks.front()};
        ++r.retransmissions;
    }
    m_listener.onMessage(o, v);
    r.acks.push_back(o.id);
    if (l.ended) {
        anomalyFor(s, anomaly::kLateMessage, {o.id}, "RFC 3261 §17.2.1",
                   "ACK after its INVITE transaction ended");
        return v;
    }
    // RFC 3261 §17.2.1: ACK in Completed -> Confirmed (-> Terminated at once when reliable);
    // later ACKs are absorbed.
    const bool completed = s->serverState() == TransactionState::Completed;
    apply(*s, ShadowSide::Server,
          s->toServer(MessageFromNetwork{TransactionShadow::standIn(*o.message)}));
    if (completed && s->serverState() != TransactionState::Completed) l.confirmed = true;
    return v;
}

std::uint64_t TransactionObserver::hopDigest(std::string_view client, std::string_view server) {
    return Digest().add(client).add(server).value();
}

std::uint64_t TransactionObserver::dialogCSeqOf(const KeyHeaders& k) {
    return Digest()
        .add(k.callId)
        .add(std::uint64_t{k.cseq.value_or(0)})
        .add(k.fromTag)
        .add(k.toTag)
        .value();
}

MessageVerdict TransactionObserver::onAck2xx(const Observation& o) {
    const KeyHeaders& k = *o.keys;
    MessageVerdict v{MessageRole::Ack2xx, 0, 0};
    std::vector<Pending2xx>* pending = m_pending2xx.find(dialogCSeqOf(k));
    if (!pending || pending->empty()) {
        m_listener.onMessage(o, v);
        // RFC 3261 §13.2.2.4: an ACK is sent for a 2xx; none was seen for this one.
        anomalyFor(nullptr, anomaly::kStrayAck, {o.id}, "RFC 3261 §13.2.2.4",
                   "ACK that matches no 2xx response to an INVITE");
        return v;
    }
    // The 2xx of this hop (a record-routing proxy forwards the ACK hop by hop); an ACK on a
    // hop without a 2xx went straight between the user agents and acknowledges them all.
    std::vector<Pending2xx*> targets;
    const std::uint64_t hop = hopDigest(o.src, o.dst);
    for (auto& p : *pending)
        if (p.hop == hop) targets.push_back(&p);
    if (targets.empty())
        for (auto& p : *pending) targets.push_back(&p);
    Pending2xx& first = *targets.front();
    v.transaction = first.tx;
    const std::uint64_t ack = Digest().add(k.topViaBranch).add(hop).value();
    const auto isThis = [ack](const auto& seen) { return seen.first == ack; };
    if (auto seen = std::find_if(first.acks.begin(), first.acks.end(), isThis);
        seen != first.acks.end()) {
        // RFC 3261 §13.2.2.4: the UAC sends the ACK again for every retransmitted 2xx.
        v = MessageVerdict{MessageRole::Retransmission, first.tx, seen->second};
        if (auto* t = m_tx.find(first.tx)) ++wake(**t).record.retransmissions;
    }
    for (Pending2xx* p : targets) {
        p->acked = true;
        if (std::none_of(p->acks.begin(), p->acks.end(), isThis)) p->acks.emplace_back(ack, o.id);
    }
    m_listener.onMessage(o, v);
    return v;
}

MessageVerdict TransactionObserver::onResponse(const Observation& o) {
    const SipMessage& m = *o.message;
    const KeyHeaders& k = *o.keys;
    // RFC 3261 §17.1.3: the response goes back over the hop the request came on.
    TransactionShadow* s = keyOf(k, k.cseqMethod) ? find(m_key, o.dst, o.src, true) : nullptr;
    if (!s) {
        MessageVerdict v{MessageRole::Stray, 0, 0};
        m_listener.onMessage(o, v);
        anomalyFor(nullptr, anomaly::kStrayResponse, {o.id}, "RFC 3261 §17.1.3",
                   std::to_string(m.status().value_or(0)) + " response (CSeq " +
                       std::string(k.cseqMethod) + ") that matches no transaction");
        return v;
    }
    return onResponseIn(*s, o);
}

MessageVerdict TransactionObserver::onResponseIn(TransactionShadow& s, const Observation& o) {
    TransactionShadow::Live& l = s.live();
    const SipMessage& m = *o.message;
    TransactionRecord& r = l.record;
    const int code = m.status().value_or(0);
    const KeyHeaders& k = *o.keys;
    const auto sig = TransactionShadow::signatureOf(code, k.toTag, m.headerValue(HeaderId::RSeq));
    r.responses.push_back(o.id);
    auto seen = std::find_if(l.responsesSeen.begin(), l.responsesSeen.end(),
                             [&](const auto& e) { return e.first == sig; });
    if (seen != l.responsesSeen.end()) {
        MessageVerdict v{MessageRole::Retransmission, r.id, seen->second};
        m_listener.onMessage(o, v);
        ++r.retransmissions;
        if (l.ended)
            anomalyFor(&s, anomaly::kLateMessage, {seen->second, o.id}, "RFC 3261 §17",
                       std::to_string(code) + " retransmitted after its transaction ended");
        // RFC 3261 §17.1.1.2: a retransmitted non-2xx final makes the client resend its ACK.
        else
            apply(s, ShadowSide::Client,
                  s.toClient(MessageFromNetwork{TransactionShadow::standIn(m)}));
        return v;
    }
    l.responsesSeen.emplace_back(sig, o.id);
    MessageVerdict v{MessageRole::Response, r.id, 0};
    m_listener.onMessage(o, v);
    if (l.ended)
        anomalyFor(&s, anomaly::kLateMessage, {o.id}, "RFC 3261 §17",
                   std::to_string(code) + " after its transaction ended");
    // RFC 3261 §13.2.2.4: only an INVITE may get several 2xx (one per fork).
    const bool forked2xx =
        r.invite && r.finalCode && *r.finalCode < 300 && code >= 200 && code < 300;
    if (r.finalCode && !forked2xx) {
        // RFC 3261 §17.1.1.2 / §17.1.2.2: nothing but retransmissions (and, for INVITE, 2xx
        // from other forks) may follow a final response.
        anomalyFor(&s, anomaly::kResponseAfterFinal, {o.id},
                   r.invite ? "RFC 3261 §17.1.1.2" : "RFC 3261 §17.1.2.2",
                   std::to_string(code) + " after the final " + std::to_string(*r.finalCode));
    }
    if (code < 200 && !r.firstProvisional && code > 0) r.firstProvisional = o.at;
    if (code >= 200 && !r.finalCode) {
        r.finalCode = code;
        r.firstFinal = o.at;
        l.finalId = o.id;
    }
    if (r.invite && code >= 200 && code < 300 && k.cseq) {
        const std::uint64_t key = dialogCSeqOf(k);
        auto& list = m_pending2xx[key];
        if (std::none_of(list.begin(), list.end(),
                         [&](const Pending2xx& p) { return p.tx == r.id; })) {
            Pending2xx p;
            p.tx = r.id;
            p.response = o.id;
            p.hop = hopDigest(r.client, r.server);
            list.push_back(std::move(p));
            l.pending2xx.push_back(key);
        }
    }
    if (!l.ended) {
        const SipMessage standIn = TransactionShadow::standIn(m);
        apply(s, ShadowSide::Client, s.toClient(MessageFromNetwork{standIn}));
        apply(s, ShadowSide::Server, s.toServer(MessageFromTu{standIn}));
        touch(s);
    }
    return v;
}

}  // namespace sipscope::stack
