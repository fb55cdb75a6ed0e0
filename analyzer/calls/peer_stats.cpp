#include "calls/peer_stats.hpp"

#include <algorithm>

namespace sipscope::analyzer {

namespace {

std::optional<double> percent(std::uint32_t part, std::int64_t whole) {
    if (whole <= 0) return std::nullopt;
    return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

void DelayStats::add(double ms) {
    minMs = count == 0 ? ms : std::min(minMs, ms);
    maxMs = count == 0 ? ms : std::max(maxMs, ms);
    sumMs += ms;
    ++count;
}

std::optional<double> DelayStats::meanMs() const {
    if (count == 0) return std::nullopt;
    return sumMs / count;
}

void PeerStats::add(const CallRecord& r) {
    retransmissions += r.retransmissions;
    anomalies += static_cast<std::uint32_t>(r.anomalies.size());
    ++states[callStateName(r.state)];
    if (r.finalCode) ++finalCodes[*r.finalCode];
    if (r.kind == CallKind::Register) {
        ++registrations;
        // RFC 6076 §4.2: a REGISTER ends ineffective with a final failure or no answer.
        if (r.state != CallState::Answered) ++registrationsFailed;
        if (r.metrics.rrdMs) rrd.add(*r.metrics.rrdMs);
        return;
    }
    if (r.kind != CallKind::Call) {
        ++otherExchanges;
        return;
    }
    ++sessions;
    const int code = r.finalCode.value_or(0);
    if (r.state == CallState::Answered) ++answered;
    if (code >= 300 && code < 400) ++redirected;
    if (r.state == CallState::Answered || code == 480 || code == 486 || code == 600 || code == 603)
        ++effective;
    if (code == 408 || code == 500 || code == 503 || code == 504 || r.state == CallState::Timeout)
        ++ineffective;
    if (r.state == CallState::Answered && r.endNs) ++completed;
    if (r.metrics.pddMs) pdd.add(*r.metrics.pddMs);
    if (r.metrics.srdMs) srd.add(*r.metrics.srdMs);
    if (r.metrics.sddMs) sdd.add(*r.metrics.sddMs);
    if (r.metrics.sdtMs) sdt.add(*r.metrics.sdtMs);
}

// SER = sessions answered 2xx / (session attempts - attempts answered 3xx) x 100.
std::optional<double> PeerStats::ser() const {
    return percent(answered, std::int64_t(sessions) - redirected);
}

// SEER = sessions answered 200, 480, 486, 600 or 603 / (attempts - 3xx) x 100: the network
// delivered the request, whatever the user decided.
std::optional<double> PeerStats::seer() const {
    return percent(effective, std::int64_t(sessions) - redirected);
}

// ISA = attempts ending 408, 500, 503, 504 (or never answered) / attempts x 100.
std::optional<double> PeerStats::isa() const {
    return percent(ineffective, sessions);
}

// SCR = sessions answered and ended by a BYE / attempts x 100.
std::optional<double> PeerStats::scr() const {
    return percent(completed, sessions);
}

// IRA = ineffective REGISTERs (final failure or no answer) / REGISTERs x 100.
std::optional<double> PeerStats::ira() const {
    return percent(registrationsFailed, registrations);
}

void StatsAggregator::add(const CallRecord& r) {
    m_total.add(r);
    PeerStats& p = m_peers[r.callee];
    p.peer = r.callee;
    p.add(r);
}

std::vector<PeerStats> StatsAggregator::peers() const {
    std::vector<PeerStats> out;
    out.reserve(m_peers.size());
    for (const auto& [peer, stats] : m_peers) out.push_back(stats);
    return out;
}

}  // namespace sipscope::analyzer
