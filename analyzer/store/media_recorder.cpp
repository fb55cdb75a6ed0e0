#include "store/media_recorder.hpp"

#include <algorithm>

namespace sipscope::analyzer::store {

MediaRecorder::MediaRecorder(bool keepPackets) {
    if (keepPackets)
        m_tracker.setPacketSink([this](std::uint32_t stream, const TransportPacket& t) {
            m_chunker.add(stream, t.tsNs, t.payload);
        });
}

void MediaRecorder::noteCallKey(std::string_view callId, std::uint64_t key) {
    if (!callId.empty() && key) m_callKeys.try_emplace(std::string(callId), key);
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

std::vector<MediaStreamRow> MediaRecorder::finish() {
    m_tracker.finish();
    m_chunker.cutAll();
    return mediaRows(m_tracker, m_callKeys);
}

}  // namespace sipscope::analyzer::store
