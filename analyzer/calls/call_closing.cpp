// CallTracker, the end of a call: when a call with nothing open closes, how its record leaves
// (at once, or in start order once no earlier call is still open), and snapshots of the calls
// still open.

#include <algorithm>
#include <chrono>

#include "calls/call_data.hpp"
#include "calls/call_tracker.hpp"
#include "core/string_hash.hpp"

namespace sipscope::analyzer {

// When a call with nothing open may be reported: after the linger (late messages with its
// Call-ID still join it) and its registration or subscription expiry; a call whose dialog is
// still up only after maxIdle without any message.
std::int64_t CallTracker::closeDeadline(const CallData& c) const {
    if (!c.closable()) return c.lastNs + std::chrono::nanoseconds(m_options.maxIdle).count();
    return std::max(c.holdUntilNs, c.lastNs + std::chrono::nanoseconds(m_options.linger).count());
}

void CallTracker::scheduleClose(CallData& c) {
    if (c.closeScheduled || !c.closable(true)) return;
    c.closeScheduled = true;
    m_closeAt.emplace(closeDeadline(c), c.no);
}

void CallTracker::closeDue(std::int64_t nowNs) {
    while (!m_closeAt.empty() && m_closeAt.begin()->first <= nowNs) {
        const std::uint64_t no = m_closeAt.begin()->second;
        m_closeAt.erase(m_closeAt.begin());
        CallData* c = byNumber(no);
        if (!c) continue;
        // Opened again since the close was planned: the next end plans it anew.
        if (!c->closable(true)) {
            c->closeScheduled = false;
            continue;
        }
        // Activity since the close was planned: plan again from the latest message.
        const auto due = closeDeadline(*c);
        if (due > nowNs) {
            m_closeAt.emplace(due, no);
            continue;
        }
        const auto start = std::make_pair(c->startNs, c->no);
        CallRecord r = takeRecord(no);
        if (!m_options.startOrder) {
            if (m_sinks.call) m_sinks.call(std::move(r));
            continue;
        }
        m_ready.emplace(start, Ready{std::move(r)});
    }
}

CallRecord CallTracker::takeRecord(std::uint64_t no) {
    CallData& c = *byNumber(no);
    CallRecord r = buildRecord(c);
    // Calls are numbered as they start (callFor) and every one is reported once, so its number
    // is its place in start order whenever it is given out.
    r.number = no;
    m_openStarts.erase({c.startNs, c.no});
    for (const auto& id : c.callIds) {
        const std::uint64_t key = callIdDigest(id);
        if (const std::uint64_t* call = m_byCallId.find(key); call && *call == no)
            m_byCallId.erase(key);
    }
    for (const auto& uuid : c.sessionIds) m_bySessionId.erase(uuid);
    m_calls.erase(no);
    return r;
}

void CallTracker::emitReady(std::size_t most) {
    for (std::size_t given = 0;
         given < most && !m_ready.empty() &&
         (m_openStarts.empty() || m_ready.begin()->first < *m_openStarts.begin());
         ++given) {
        CallRecord r = std::move(m_ready.begin()->second.record);
        m_ready.erase(m_ready.begin());
        if (m_sinks.call) m_sinks.call(std::move(r));
    }
}

std::size_t CallTracker::snapshotOpen(const std::function<void(CallRecord&&)>& sink,
                                      std::size_t max) {
    std::size_t given = 0;
    // Over but waiting for an earlier call: final already, given once (number 0 marks every
    // snapshot).
    for (auto& [start, ready] : m_ready) {
        if (given >= max) return given;
        if (ready.snapshotted) continue;
        ready.snapshotted = true;
        CallRecord r = ready.record;
        r.number = 0;
        sink(std::move(r));
        ++given;
    }
    for (const auto& [start, no] : m_openStarts) {
        if (given >= max) break;
        // A sleeping call has not changed since it fell asleep: no need to wake it to know.
        const OpenCall* open = m_calls.find(no);
        if (!open || (!open->live && !open->unsnapshotted)) continue;
        CallData* c = byNumber(no);
        if (c->revision == c->snapshotRevision) continue;
        c->snapshotRevision = c->revision;
        CallRecord r = buildRecord(*c);
        r.number = 0;
        sink(std::move(r));
        ++given;
    }
    settleCalls();
    return given;
}

}  // namespace sipscope::analyzer
