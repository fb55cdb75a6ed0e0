#include "observe/transaction_observer.hpp"

#include <algorithm>

#include "message/key_headers.hpp"

namespace sipscope::stack {

namespace {

std::string section(bool invite, std::string_view inviteRfc, std::string_view otherRfc) {
    return std::string(invite ? inviteRfc : otherRfc);
}

}  // namespace

TransactionObserver::TransactionObserver(ObserverOptions options, ObserverListener& listener)
    : m_options(options), m_listener(listener) {}

TransactionObserver::~TransactionObserver() = default;

// ---- clock and timers ----

bool TransactionObserver::advanceTo(Instant at) {
    if (!m_started) {
        m_started = true;
        m_now = at;
        return true;
    }
    if (at < m_now) return false;
    // ARCHITECTURE.md "Time": timers due earlier fire first, each at its own deadline.
    auto slotsOf = [this](std::uint64_t tx) -> ShadowTimers::Slots* {
        auto* s = m_tx.find(tx);
        return s ? &(*s)->timers : nullptr;
    };
    while (auto due = m_timers.popDue(at, slotsOf)) {
        m_now = std::max(m_now, due->at);
        fire(*due);
        // A long jump (the end of input runs 32 s of timers at once) wakes a shadow per timer:
        // they go back to sleep in batches, not all at the end.
        if (m_awake.size() >= kSettleBatch) settle();
    }
    m_timers.compactIfStale(slotsOf);
    settle();
    m_now = at;
    return true;
}

void TransactionObserver::fire(const ShadowTimers::Due& key) {
    auto* found = m_tx.find(key.tx);
    if (!found) return;
    TransactionShadow& s = **found;
    TransactionShadow::Live& l = wake(s);
    switch (key.side) {
        case ShadowSide::Client:
            apply(s, key.side, s.toClient(TimerFired{key.timer}));
            break;
        case ShadowSide::Server:
            apply(s, key.side, s.toServer(TimerFired{key.timer}));
            break;
        case ShadowSide::Idle:
            if (l.lastActivity + m_options.inviteIdle > m_now) {
                m_timers.schedule(s.id, s.timers, ShadowSide::Idle, TimerName::A, m_now,
                                  l.lastActivity + m_options.inviteIdle);
                break;
            }
            // RFC 3261 §16.6 step 11: nobody answers an INVITE for longer than Timer C.
            if (!l.ended) {
                l.record.abandoned = true;
                anomalyFor(&s, anomaly::kAbandoned, l.record.requests, "RFC 3261 §16.6",
                           "no final response and no activity for " +
                               std::to_string(m_options.inviteIdle.count() / 1000) + " s");
                endTransaction(s);
            }
            break;
        case ShadowSide::Evict:
            evict(key.tx);
            break;
    }
}

void TransactionObserver::apply(TransactionShadow& s, ShadowSide side, const Actions& actions) {
    TransactionShadow::Live& l = s.live();
    for (const auto& action : actions) {
        if (const auto* send = std::get_if<SendMessage>(&action)) {
            // What the shadow would put on the wire: a request retransmission (Timer A/E) is
            // checked against the capture when the copy shows up.
            if (side == ShadowSide::Client && send->message.isRequest() &&
                send->message.method() != "ACK") {
                l.expectedSends.push_back(m_now);
                if (l.matchedAhead && *l.matchedAhead == m_now) {
                    l.consumedSends = l.expectedSends.size();
                    l.matchedAhead.reset();
                }
            }
        } else if (const auto* start = std::get_if<StartTimer>(&action)) {
            m_timers.schedule(s.id, s.timers, side, start->timer, m_now, m_now + start->duration);
        } else if (const auto* stop = std::get_if<StopTimer>(&action)) {
            ShadowTimers::cancel(s.timers, side, stop->timer);
        } else if (const auto* timeout = std::get_if<TimeoutToTu>(&action)) {
            if (side == ShadowSide::Client) {
                // RFC 3261 §17.1.1.2 (Timer B) / §17.1.2.2 (Timer F).
                l.record.timeout = true;
                anomalyFor(&s, anomaly::kTransactionTimeout, l.record.requests,
                           section(l.record.invite, "RFC 3261 §17.1.1.2", "RFC 3261 §17.1.2.2"),
                           "Timer " + std::string(timerLabel(timeout->timer)) +
                               " fired: no final response to " + l.record.method);
            } else {
                // RFC 3261 §17.2.1: Timer H: the ACK for a non-2xx final response never came.
                l.record.ackMissing = true;
                anomalyFor(&s, anomaly::kAckMissing, {l.finalId}, "RFC 3261 §17.2.1",
                           "Timer H fired: no ACK for the " +
                               std::to_string(l.record.finalCode.value_or(0)) + " response");
            }
        } else if (std::holds_alternative<TransactionTerminated>(action)) {
            sideTerminated(s, side);
        }
    }
}

void TransactionObserver::sideTerminated(TransactionShadow& s, ShadowSide side) {
    TransactionShadow::Live& l = s.live();
    if (side == ShadowSide::Client) l.clientDone = true;
    if (side == ShadowSide::Server) l.serverDone = true;
    // A server shadow that never sent a final response has no timer of its own: it ends with
    // its client (the request timed out or was given up).
    if (l.clientDone && !l.serverDone && !l.record.finalCode) l.serverDone = true;
    if (l.clientDone && l.serverDone) endTransaction(s);
}

void TransactionObserver::endTransaction(TransactionShadow& s) {
    TransactionShadow::Live& l = s.live();
    if (l.ended) return;
    l.ended = true;
    l.record.end = m_now;
    ShadowTimers::cancelAll(s.timers);
    // Kept findable for another T4 (the longest a copy stays in the network) so late copies
    // are recognised, then reported.
    m_timers.schedule(s.id, s.timers, ShadowSide::Evict, TimerName::A, m_now,
                      m_now + m_options.timers.t4);
}

void TransactionObserver::evict(std::uint64_t id) {
    auto* found = m_tx.find(id);
    if (!found) return;
    TransactionShadow& s = **found;
    TransactionShadow::Live& l = wake(s);
    TransactionRecord& r = l.record;
    if (r.finalCode && *r.finalCode >= 300 && r.invite) {
        r.outcome = l.confirmed ? TransactionState::Confirmed : TransactionState::Completed;
    } else if (r.finalCode) {
        r.outcome = r.invite && *r.finalCode < 300 ? TransactionState::Accepted
                                                   : TransactionState::Completed;
    } else {
        r.outcome = r.firstProvisional ? TransactionState::Proceeding
                    : r.invite         ? TransactionState::Calling
                                       : TransactionState::Trying;
        if (!l.ended || !r.timeout) r.abandoned = true;
    }
    if (!l.ended) r.end = m_now;
    r.openAtEnd = m_inputEnded && !l.ended;
    // RFC 3261 §13.3.1.4: a 2xx that was never acknowledged.
    for (const auto& key : l.pending2xx) {
        std::vector<Pending2xx>* pending = m_pending2xx.find(key);
        if (!pending) continue;
        auto& list = *pending;
        for (auto it = list.begin(); it != list.end();) {
            if (it->tx != id) {
                ++it;
                continue;
            }
            if (!it->acked)
                anomalyFor(&s, anomaly::kAck2xxMissing, {it->response}, "RFC 3261 §13.3.1.4",
                           "no ACK for the 2xx to INVITE before the transaction ended");
            it = list.erase(it);
        }
        if (list.empty()) m_pending2xx.erase(key);
    }
    m_listener.onTransactionEnded(r);
    if (TransactionShadow** newest = m_index.find(s.matchKey)) {
        TransactionShadow** link = newest;
        while (*link && *link != &s) link = &(*link)->olderSameKey;
        if (*link) *link = s.olderSameKey;
        if (!*newest) m_index.erase(s.matchKey);
    }
    m_tx.erase(id);
}

void TransactionObserver::finish() {
    if (!m_started) return;
    const Duration longest = std::max(m_options.timers.sixtyFourT1(), kTimerDUnreliable);
    advanceTo(m_now + longest + m_options.timers.t4);
    std::vector<std::uint64_t> open;
    m_tx.forEach([&open](std::uint64_t id, auto&) { open.push_back(id); });
    std::sort(open.begin(), open.end());
    m_inputEnded = true;
    for (auto id : open) evict(id);
}

void TransactionObserver::touch(TransactionShadow& s) {
    TransactionShadow::Live& l = s.live();
    if (!l.record.invite || l.ended || l.record.finalCode) {
        ShadowTimers::cancel(s.timers, ShadowSide::Idle, TimerName::A);
        return;
    }
    // Armed once; when it comes up early (activity since) it is moved to the new deadline.
    l.lastActivity = m_now;
    if (!ShadowTimers::deadlineOf(s.timers, ShadowSide::Idle, TimerName::A))
        m_timers.schedule(s.id, s.timers, ShadowSide::Idle, TimerName::A, m_now,
                          m_now + m_options.inviteIdle);
}

TransactionShadow::Live& TransactionObserver::wake(TransactionShadow& s) {
    s.wake(m_packer);
    m_awake.push_back(s.id);  // also when already awake: settle() sees each shadow worked on
    return s.live();
}

std::size_t TransactionObserver::awakeTransactions() const {
    std::size_t n = 0;
    m_tx.forEach([&n](std::uint64_t, const auto& s) { n += s->awake() ? 1 : 0; });
    return n;
}

void TransactionObserver::settle() {
    // A shadow with its final response (or ended) only waits for its timers and for copies:
    // it sleeps until one comes (transaction_shadow.hpp).
    for (std::uint64_t id : m_awake) {
        auto* found = m_tx.find(id);
        if (!found || !(*found)->awake()) continue;
        const TransactionShadow::Live& l = (*found)->live();
        if (l.record.finalCode || l.ended) (*found)->sleep(m_packer);
    }
    m_awake.clear();
}

void TransactionObserver::anomalyFor(const TransactionShadow* s, std::string_view code,
                                     std::vector<std::uint64_t> ids, std::string_view rfc,
                                     std::string text) {
    Anomaly a;
    a.code = std::string(code);
    a.messageIds = std::move(ids);
    a.rfc = std::string(rfc);
    a.text = std::move(text);
    a.at = m_now;
    a.transaction = s ? s->id : 0;
    m_listener.onAnomaly(a);
}

}  // namespace sipscope::stack
