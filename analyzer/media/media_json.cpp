#include "media/media_json.hpp"

#include <cstdio>

namespace sipscope::analyzer {

std::string ssrcText(std::uint32_t ssrc) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", ssrc);
    return buf;
}

namespace {

double seconds(std::int64_t ns) {
    return static_cast<double>(ns) / 1e9;
}

void writeRtcp(JsonWriter& w, const RtpStream& s) {
    const auto& r = s.rtcp();
    if (r.reports == 0 && r.senderReports == 0) {
        w.null();
        return;
    }
    w.beginObject();
    w.key("sender_reports").value(r.senderReports);
    w.key("receiver_reports").value(r.reports);
    if (r.reports) {
        w.key("fraction_lost_pct").value(r.lastFractionLost * 100.0 / 256.0, 2);
        w.key("cumulative_lost").value(static_cast<std::int64_t>(r.lastCumulativeLost));
        w.key("jitter_ms").value(r.lastJitterMs, 3);
        w.key("max_jitter_ms").value(r.maxJitterMs, 3);
    } else {
        w.key("fraction_lost_pct").null();
        w.key("cumulative_lost").null();
        w.key("jitter_ms").null();
        w.key("max_jitter_ms").null();
    }
    w.endObject();
}

}  // namespace

void writeMediaStream(JsonWriter& w, const MediaStreamReport& r) {
    const RtpStream& s = *r.stream;
    const auto& k = s.key();
    w.beginObject();
    w.key("call_id").stringOrNull(r.callId);
    w.key("src").value(k.src.ip.toString());
    w.key("sport").value(static_cast<std::uint32_t>(k.src.port));
    w.key("dst").value(k.dst.ip.toString());
    w.key("dport").value(static_cast<std::uint32_t>(k.dst.port));
    w.key("ssrc").value(ssrcText(k.ssrc));
    w.key("payload_types").beginArray();
    for (int pt : s.payloadTypes()) w.value(pt);
    w.endArray();
    w.key("packets").value(s.packets());
    w.key("lost").value(s.lost());
    w.key("loss_pct").value(s.lossPct(), 3);
    w.key("jitter_ms").value(s.meanJitterMs(), 3);
    w.key("max_delta_ms").value(s.maxDeltaMs(), 3);
    if (r.mos)
        w.key("mos").value(*r.mos, 2);
    else
        w.key("mos").null();
    w.key("dtmf").beginArray();
    for (const auto& d : s.dtmf()) {
        w.beginObject();
        w.key("digit").value(std::string(1, d.symbol));
        w.key("ts").value(seconds(d.startNs), 6);
        w.key("duration_ms").value(d.durationMs, 1);
        w.key("volume").value(static_cast<std::uint32_t>(d.volume));
        w.key("ended").value(d.ended);
        w.endObject();
    }
    w.endArray();
    w.key("problems").beginArray();
    for (const auto& p : r.problems) w.value(p);
    w.endArray();
    w.key("heuristic").value(r.heuristic);
    w.key("encoding").stringOrNull(r.encoding);
    w.key("start_ts").value(seconds(s.firstNs()), 6);
    w.key("end_ts").value(seconds(s.lastNs()), 6);
    w.key("duration_s").value(s.durationS(), 3);
    w.key("bytes").value(s.bytes());
    w.key("expected").value(s.expected());
    w.key("duplicates").value(s.duplicates());
    w.key("event_repeats").value(s.eventRepeats());
    w.key("out_of_order").value(s.outOfOrder());
    w.key("sequence_errors").value(s.sequenceErrors());
    w.key("max_jitter_ms").value(s.maxJitterMs(), 3);
    if (r.rFactor)
        w.key("r_factor").value(*r.rFactor, 1);
    else
        w.key("r_factor").null();
    w.key("rtcp");
    writeRtcp(w, s);
    w.endObject();
}

}  // namespace sipscope::analyzer
