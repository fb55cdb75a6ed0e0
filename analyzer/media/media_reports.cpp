// MediaTracker, reports: each stream's problems and MOS, each call's media verdicts, at the end
// of the capture (finish) or when a call is over (retireCall, retireIdle), after which the
// tracker forgets what it kept for it.

#include <algorithm>

#include "media/emodel.hpp"
#include "media/media_tracker.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::analyzer {

namespace {

// RFC 3389 comfort noise; left out when picking a stream's main payload type.
constexpr int kComfortNoise = 13;

bool has(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

template <class Map>
std::vector<std::uint32_t> sortedKeys(const Map& m) {
    std::vector<std::uint32_t> keys;
    keys.reserve(m.size());
    for (const auto& entry : m) keys.push_back(entry.first);
    std::sort(keys.begin(), keys.end());
    return keys;
}

}  // namespace

const MediaTracker::CallMedia* MediaTracker::callMedia(std::int64_t call) const {
    if (call < 0) return nullptr;
    const CallSlot* c = m_calls.find(static_cast<std::uint32_t>(call));
    return c ? &c->media : nullptr;
}

bool MediaTracker::codecMismatch(const RtpStream& s, const CallMedia* media) const {
    // RFC 3264 §5.1: media may only use the payload types the answer (or, before it, the
    // offer) listed.
    if (!media || !(media->answer || media->offer)) return false;
    const auto& allowed = media->answer ? media->answerPts : media->offerPts;
    for (int pt : s.payloadTypes())
        if (!allowed.test(static_cast<std::size_t>(pt))) return true;
    return false;
}

bool MediaTracker::qualifies(const RtpStream& s) const {
    // A heuristic stream must have come in sequence long enough.
    return s.received() >= m_options.heuristicMinPackets && s.sequenceErrors() * 4 <= s.received();
}

MediaStreamReport MediaTracker::report(std::uint32_t index) {
    const StreamSlot& slot = m_streams.at(index);
    const RtpStream& s = slot.stream;
    MediaStreamReport r;
    r.stream = &s;
    r.index = index;
    r.heuristic = slot.call < 0;
    const CallMedia* media = callMedia(slot.call);
    if (media) r.callId = media->callId;
    for (int pt : s.payloadTypes()) {
        std::string name;
        if (media)
            for (const auto& [mapPt, info] : media->rtpmaps)
                if (mapPt == pt) name = info.first;
        if (name.empty())
            if (const auto* sp = stack::staticPayload(pt)) name = std::string(sp->encoding);
        if (r.encoding.empty() && pt != kComfortNoise &&
            !stack::syntax::iequals(name, "telephone-event"))
            r.encoding = name;
    }
    if (stack::syntax::iequals(r.encoding, "PCMU") || stack::syntax::iequals(r.encoding, "PCMA")) {
        EModelInput in;
        in.lossPct = s.lossPct();
        in.jitterMs = s.meanJitterMs();
        const EModelResult e = emodel(in);
        r.mos = e.mos;
        r.rFactor = e.r;
    }
    if (s.lost() > 0 && s.lossPct() >= m_options.lossProblemPct) r.problems.push_back("loss");
    if (s.maxJitterMs() > m_options.jitterProblemMs) r.problems.push_back("high_jitter");
    if (slot.ssrcChange) r.problems.push_back("ssrc_change");
    if (s.outOfOrder() > 0 || s.duplicates() > 0) r.problems.push_back("seq_errors");
    if (codecMismatch(s, media)) r.problems.push_back("codec_mismatch");
    return r;
}

std::vector<std::string> MediaTracker::problemsOf(const CallMedia& media,
                                                  const std::vector<std::uint32_t>& streams) const {
    std::vector<std::string> out;
    if (streams.empty()) {
        // Answered with SDP on both sides, an active line negotiated, and not one packet,
        // in a capture that does carry RTP: a SIP-only capture (`port 5060`) says nothing
        // about media and gets no verdict.
        if (media.answered && media.offer && media.answer && media.expectsMedia &&
            m_stats.rtpPackets > 0)
            out.push_back("no_media");
        return out;
    }
    bool oneWay = false, mismatch = false;
    for (auto i : streams) {
        const RtpStream& s = m_streams.at(i).stream;
        const RtpStreamKey& k = s.key();
        bool reverse = false;
        for (auto j : streams) {
            const RtpStreamKey& o = m_streams.at(j).stream.key();
            // Symmetric RTP comes back from the port it was sent to; asymmetric RTP at least
            // goes to the port the sender announced.
            if (o.src == k.dst || o.dst == k.src) reverse = true;
        }
        if (!reverse) oneWay = true;
        if (codecMismatch(s, &media)) mismatch = true;
    }
    // Early media and negotiated sendonly/recvonly/hold are one-way by design.
    if (oneWay && media.answered && !media.directional) out.push_back("one_way_audio");
    if (mismatch) out.push_back("codec_mismatch");
    return out;
}

std::vector<std::string> MediaTracker::callProblemsSoFar(std::string_view callId) const {
    const std::uint32_t* index = m_callById.find(callIdDigest(callId));
    if (!index) return {};
    const CallSlot& c = callSlot(*index);
    return problemsOf(c.media, c.streams);
}

void MediaTracker::finish() {
    m_reports.clear();
    m_callReports.clear();
    for (auto& [index, slot] : m_streams) slot.stream.finish();
    std::unordered_map<std::uint32_t, std::size_t> callReport;  // call key -> m_callReports
    std::vector<std::uint32_t> callKeys;
    callKeys.reserve(m_calls.size());
    m_calls.forEach([&callKeys](std::uint64_t key, CallSlot&) {
        callKeys.push_back(static_cast<std::uint32_t>(key));
    });
    std::sort(callKeys.begin(), callKeys.end());
    for (std::uint32_t key : callKeys) {
        const CallMedia& c = callSlot(key).media;
        MediaCallReport r;
        r.callId = c.callId;
        r.answered = c.answered;
        r.offer = c.offer;
        r.answer = c.answer;
        callReport.emplace(key, m_callReports.size());
        m_callReports.push_back(std::move(r));
    }
    for (std::uint32_t index : sortedKeys(m_streams)) {
        const StreamSlot& slot = m_streams.at(index);
        if (slot.call < 0 && !qualifies(slot.stream)) continue;
        m_reports.push_back(report(index));
        if (slot.call >= 0)
            m_callReports[callReport.at(static_cast<std::uint32_t>(slot.call))].streams.push_back(
                m_reports.size() - 1);
    }
    for (const auto& [key, at] : callReport) {
        MediaCallReport& call = m_callReports[at];
        const CallSlot& c = callSlot(key);
        call.problems = problemsOf(c.media, c.streams);
        if (has(call.problems, "one_way_audio"))
            for (auto i : call.streams) m_reports[i].problems.push_back("one_way_audio");
    }
}

void MediaTracker::dropStream(std::uint32_t index) {
    const auto it = m_streams.find(index);
    if (it == m_streams.end()) return;
    const auto [b, e] = m_bySsrc.equal_range(it->second.stream.key().ssrc);
    for (auto s = b; s != e; ++s)
        if (s->second == index) {
            m_bySsrc.erase(s);
            break;
        }
    m_streams.erase(it);
}

std::vector<std::string> MediaTracker::retireCall(std::string_view callId, const ReportSink& sink) {
    const std::uint64_t idKey = callIdDigest(callId);
    const std::uint32_t* byId = m_callById.find(idKey);
    if (!byId) return {};
    const std::uint32_t key = *byId;
    CallSlot& c = callSlot(key);
    std::vector<std::string> problems = problemsOf(c.media, c.streams);
    const bool oneWay = has(problems, "one_way_audio");
    for (std::uint32_t index : c.streams) {
        m_streams.at(index).stream.finish();
        MediaStreamReport r = report(index);
        if (oneWay) r.problems.push_back("one_way_audio");
        if (sink) sink(r);
    }
    for (std::uint32_t index : c.streams) dropStream(index);
    for (const FlowKey& k : c.flows)
        if (auto f = m_flows.find(k); f != m_flows.end() && f->second.call == key) m_flows.erase(f);
    for (std::uint64_t bound : c.bound)
        if (const Binding* b = m_bindings.find(bound); b && b->call == key) m_bindings.erase(bound);
    ++m_generation;  // flows of other calls look their ports up again
    m_calls.erase(key);
    m_callById.erase(idKey);
    return problems;
}

void MediaTracker::retireIdle(std::int64_t nowNs, std::int64_t idleNs, const ReportSink& sink) {
    std::vector<std::uint32_t> idle;
    for (const auto& [index, slot] : m_streams)
        if (slot.call < 0 && nowNs - slot.stream.lastNs() > idleNs) idle.push_back(index);
    if (idle.empty()) return;
    std::sort(idle.begin(), idle.end());
    for (std::uint32_t index : idle) {
        RtpStream& s = m_streams.at(index).stream;
        s.finish();
        if (sink && qualifies(s)) sink(report(index));
        dropStream(index);
    }
    // Flows of no call keep only live streams; those left with none go.
    for (auto it = m_flows.begin(); it != m_flows.end();) {
        Flow& f = it->second;
        if (f.call >= 0) {
            ++it;
            continue;
        }
        auto& v = f.streams;
        v.erase(std::remove_if(v.begin(), v.end(),
                               [this](const auto& s) { return !m_streams.count(s.first); }),
                v.end());
        it = v.empty() ? m_flows.erase(it) : std::next(it);
    }
}

}  // namespace sipscope::analyzer
