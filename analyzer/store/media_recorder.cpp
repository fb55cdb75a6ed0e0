#include "store/media_recorder.hpp"

#include <algorithm>

namespace sipscope::analyzer::store {

MediaRecorder::MediaRecorder(bool keepPackets, bool rows) : m_keepRows(rows) {
    if (keepPackets)
        m_tracker.setPacketSink([this](std::uint32_t stream, const TransportPacket& t) {
            m_chunker.add(stream, t.tsNs, t.payload);
        });
}

void MediaRecorder::noteCallKey(std::string_view callId, std::uint64_t key) {
    // Looked up by view: a string is made once per call, not per message.
    if (!callId.empty() && key && m_callKeys.find(callId) == m_callKeys.end())
        m_callKeys.emplace(std::string(callId), key);
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
    std::vector<std::string> problems = problemsOf(call);
    const MediaTracker::ReportSink toRow = rowSink(call.key);
    m_tracker.retireCall(call.callId, toRow);
    m_callKeys.erase(call.callId);
    for (const auto& id : call.callIds) {
        if (id == call.callId) continue;
        m_tracker.retireCall(id, toRow);
        m_callKeys.erase(id);
    }
    return problems;
}

std::vector<std::string> MediaRecorder::problemsOf(const CallRecord& call) const {
    std::vector<std::string> out;
    auto add = [&out](const std::vector<std::string>& more) {
        for (const auto& p : more)
            if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    };
    add(m_tracker.callProblemsSoFar(call.callId));
    for (const auto& id : call.callIds)
        if (id != call.callId) add(m_tracker.callProblemsSoFar(id));
    return out;
}

void MediaRecorder::finish() {
    m_tracker.finish();
    m_chunker.cutAll();
    if (!m_keepRows) return;
    for (const auto& r : m_tracker.streams()) {
        std::optional<std::uint64_t> key;
        if (auto it = m_callKeys.find(r.callId); !r.callId.empty() && it != m_callKeys.end())
            key = it->second;
        m_rows.push_back(mediaRowOf(r, key));
    }
}

}  // namespace sipscope::analyzer::store
