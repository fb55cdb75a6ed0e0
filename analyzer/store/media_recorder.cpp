#include "store/media_recorder.hpp"

#include <algorithm>

namespace sipscope::analyzer::store {

MediaRecorder::MediaRecorder(bool keepPackets, bool rows) : m_keepRows(rows) {
    if (keepPackets)
        m_tracker.setPacketSink([this](std::uint32_t stream, const TransportPacket& t) {
            m_chunker.add(stream, t.tsNs, t.payload);
        });
}

namespace {

void addNew(std::vector<std::string>& out, std::vector<std::string>&& more) {
    for (auto& p : more)
        if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
}

}  // namespace

void MediaRecorder::noteCallKey(std::string_view callId, std::uint64_t key) {
    if (callId.empty() || !key) return;
    std::uint64_t& known = m_callKeys[callIdDigest(callId)];  // 0: just added (keys are not 0)
    if (!known) known = key;
}

void MediaRecorder::onDatagram(const TransportPacket& t) {
    m_tracker.onDatagram(t);
    if (t.tsNs < m_nextSweepNs) return;
    // Once a minute of capture time is enough: the sweep walks all live streams.
    m_nextSweepNs = t.tsNs + 60'000'000'000;
    m_tracker.retireIdle(t.tsNs, kIdleNs, rowSink(std::nullopt));
}

MediaTracker::ReportSink MediaRecorder::rowSink(std::optional<std::uint64_t> callKey) {
    if (!m_keepRows) return {};
    return [this, callKey](const MediaStreamReport& r) {
        m_rows.push_back(mediaRowOf(r, callKey));
        m_chunker.cutStream(r.index);  // the stream ended: its last packets go out now
    };
}

std::vector<std::string> MediaRecorder::retire(const CallRecord& call) {
    // Each Call-ID's problems come with its retirement (as problemsOf would give them: retiring
    // one leg changes nothing another leg's verdicts read), in problemsOf's order.
    std::vector<std::string> problems;
    const MediaTracker::ReportSink toRow = rowSink(call.key);
    auto retireId = [&](std::string_view id) {
        addNew(problems, m_tracker.retireCall(id, toRow));
        m_callKeys.erase(callIdDigest(id));
    };
    retireId(call.callId);
    for (const auto& id : call.callIds)
        if (id != call.callId) retireId(id);
    return problems;
}

std::vector<std::string> MediaRecorder::problemsOf(const CallRecord& call) const {
    std::vector<std::string> out;
    addNew(out, m_tracker.callProblemsSoFar(call.callId));
    for (const auto& id : call.callIds)
        if (id != call.callId) addNew(out, m_tracker.callProblemsSoFar(id));
    return out;
}

void MediaRecorder::finish() {
    m_tracker.finish();
    m_chunker.cutAll();
    if (!m_keepRows) return;
    for (const auto& r : m_tracker.streams()) {
        std::optional<std::uint64_t> key;
        if (const std::uint64_t* k = m_callKeys.find(callIdDigest(r.callId));
            !r.callId.empty() && k)
            key = *k;
        m_rows.push_back(mediaRowOf(r, key));
    }
}

}  // namespace sipscope::analyzer::store
