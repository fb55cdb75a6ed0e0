// `sipscope-cli streams FILE [--call ID] [--json]`: the RTP streams of a capture with their
// calls, loss, jitter, MOS, DTMF and problems (issue 9, passive media).

#include <cstdio>
#include <iostream>
#include <string>

#include "capture/bpf_filter.hpp"
#include "capture_run.hpp"
#include "commands.hpp"
#include "json_writer.hpp"
#include "media/media_json.hpp"
#include "media/media_tracker.hpp"
#include "pipeline/capture_pipeline.hpp"
#include "store/media_rows.hpp"
#include "store/schema.hpp"
#include "text_table.hpp"

namespace sipscope::cli {

namespace sql = analyzer::sql;

namespace {

constexpr const char* kHelp =
    "usage: sipscope-cli streams FILE [--call CALL_ID] [--json] [options]\n"
    "       sipscope-cli streams --db LIB.sqlite [--call CALL_ID] [--json] [--no-heuristic]\n"
    "\n"
    "The RTP streams of a capture, one per SSRC and direction, in the order they started:\n"
    "the call whose SDP announced them (offers, answers, re-INVITEs, a=rtcp, rtcp-mux), packets,\n"
    "loss from the extended sequence numbers (RFC 3550 A.1), duplicates, sequence errors,\n"
    "interarrival jitter (RFC 3550 6.4.1, mean over the stream), the largest gap between\n"
    "packets, payload types, RFC 4733 DTMF digits, what the receiver's RTCP reported, and for\n"
    "G.711 an E-model MOS (ITU-T G.107: Bpl 25.1, random loss, 0 ms network delay, 20 ms\n"
    "packetisation, jitter buffer max(20 ms, 2 x jitter)).\n"
    "Problems: loss (>= 1 %), high_jitter (above 30 ms), ssrc_change, seq_errors (late or\n"
    "duplicated packets), codec_mismatch (a payload type the SDP answer did not list),\n"
    "one_way_audio (an answered call whose media flowed one way only). RTP on ports no SDP\n"
    "announced is listed with \"heuristic\": true and \"call_id\": null.\n"
    "With --db the streams come from a database made by `sipscope-cli import` (same objects).\n"
    "\n"
    "  --json                 NDJSON, one object per stream\n"
    "  --call CALL_ID         only the streams of this call\n"
    "  --no-heuristic         only streams an SDP announced\n"
    "  --calls                one object per call instead (FILE only): call_id, answered,\n"
    "                         offer, answer, streams, problems (one_way_audio, no_media,\n"
    "                         codec_mismatch)\n"
    "  --bpf EXPR             only packets matching this libpcap filter\n"
    "  --sip-port N           treat TLS on port N as SIP over TLS (repeatable)\n"
    "\n"
    "Exit status: 0 success, 1 damaged input (partial output still printed), 2 usage error.\n"
    "\nexample:\n  sipscope-cli streams call.pcap --json | jq 'select(.loss_pct > 1)'\n";

struct StreamsOptions {
    CaptureRunOptions capture;
    analyzer::MediaTrackerOptions media;
    std::string callId;
    std::string db;
    bool json = false;
    bool calls = false;
};

// 0: parsed, 1: --help printed, 2: usage error (printed).
int parseOptions(const Args& args, StreamsOptions& o) {
    auto fail = [](const std::string& why) {
        std::cerr << "sipscope-cli streams: " << why << '\n';
        return 2;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "--help" || a == "-h") {
            std::cout << kHelp;
            return 1;
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--calls") {
            o.calls = true;
        } else if (a == "--no-heuristic") {
            o.media.heuristic = false;
        } else if (a == "--call" && hasValue) {
            o.callId = std::string(args[++i]);
        } else if ((a == "--bpf" || a == "-f") && hasValue) {
            o.capture.bpf = std::string(args[++i]);
        } else if (a == "--sip-port" && hasValue) {
            std::uint16_t port = 0;
            if (!parsePort(args[++i], port)) return fail("bad port");
            o.capture.sipPorts.push_back(port);
        } else if (a == "--db" && hasValue) {
            o.db = std::string(args[++i]);
        } else if (a != "-" && a.size() > 1 && a[0] == '-') {
            std::cerr << "sipscope-cli streams: unknown option '" << a << "'\n" << kHelp;
            return 2;
        } else if (o.capture.path.empty()) {
            o.capture.path = std::string(a);
        } else {
            return fail("one capture file at a time");
        }
    }
    if (o.calls && !o.db.empty()) return fail("--calls needs a capture file");
    if (o.capture.path.empty() == o.db.empty()) {
        std::cerr << kHelp;
        return 2;
    }
    return 0;
}

void addRow(TextTable& t, const analyzer::MediaStreamReport& r) {
    const analyzer::RtpStream& s = *r.stream;
    const auto& k = s.key();
    const double loss = s.lossPct(), jitter = s.meanJitterMs(), delta = s.maxDeltaMs();
    std::string dtmf, problems;
    for (const auto& d : s.dtmf()) dtmf += d.symbol;
    for (const auto& p : r.problems) problems += (problems.empty() ? "" : ",") + p;
    t.add({r.callId.empty() ? (r.heuristic ? "(heuristic)" : "-") : r.callId,
           analyzer::endpointText(k.src), analyzer::endpointText(k.dst), analyzer::ssrcText(k.ssrc),
           r.encoding.empty() ? "-" : r.encoding, std::to_string(s.packets()),
           std::to_string(s.lost()), fixed(&loss, 2), fixed(&jitter, 2), fixed(&delta, 1),
           r.mos ? fixed(&*r.mos, 2) : "-", dtmf.empty() ? "-" : dtmf,
           problems.empty() ? "-" : problems});
}

// Reads the capture through the pipeline and the media tracker; the exit code.
int analyse(const StreamsOptions& o, analyzer::MediaTracker& tracker) {
    std::string error;
    analyzer::BpfFilter filter;
    if (!filter.compile(o.capture.bpf, error)) {
        std::cerr << "sipscope-cli streams: " << error << '\n';
        return 2;
    }
    auto source = analyzer::openCaptureFile(o.capture.path, error);
    if (!source) {
        std::cerr << "sipscope-cli streams: " << error << '\n';
        return 2;
    }
    analyzer::PipelineOptions popts;
    popts.sipPorts.insert(popts.sipPorts.end(), o.capture.sipPorts.begin(),
                          o.capture.sipPorts.end());
    analyzer::CapturePipeline pipeline(popts,
                                       [&](analyzer::ObservedMessage&& m) { tracker.onSip(m); });
    pipeline.setDatagramObserver(
        [&](const analyzer::TransportPacket& t) { tracker.onDatagram(t); });
    analyzer::RawPacket packet;
    while (source->next(packet))
        if (filter.empty() || filter.matches(packet)) pipeline.process(packet);
    pipeline.finish();
    tracker.finish();
    if (const auto& e = source->error()) {
        std::cerr << "sipscope-cli streams: " << o.capture.path << ": packet " << e->packetNumber
                  << " at byte " << e->offset << ": " << e->message << '\n';
        return 1;
    }
    return 0;
}

TextTable streamTable() {
    return TextTable({"call_id", "src", "dst", "ssrc", "codec", "pkts>", "lost>", "loss%>",
                      "jitter_ms>", "max_delta_ms>", "mos>", "dtmf", "problems"});
}

// The digits of a stored stream's "dtmf" array.
std::string dtmfOf(std::string_view json) {
    std::string digits;
    constexpr std::string_view kKey = "\"digit\":\"";
    for (auto at = json.find(kKey); at != std::string_view::npos; at = json.find(kKey, at + 1))
        if (at + kKey.size() < json.size()) digits += json[at + kKey.size()];
    return digits;
}

// `streams --db`: the stored streams (exit code).
int fromDb(const StreamsOptions& o) {
    try {
        sql::Database db(o.db, sql::Database::Mode::ReadOnly);
        analyzer::store::configure(db);
        const int v = analyzer::store::schemaVersion(db);
        if (v == 0 || v > analyzer::store::kSchemaVersion) {
            std::cerr << "sipscope-cli streams: " << o.db
                      << (v == 0 ? " is not a SipScope database\n"
                                 : " was written by a newer SipScope\n");
            return 2;
        }
        TextTable table = streamTable();
        for (const auto& st : analyzer::store::readMediaStreams(db, o.callId)) {
            const auto& r = st.row;
            if (!o.media.heuristic && r.heuristic) continue;
            if (o.json) {
                std::cout << r.json << '\n' << std::flush;
                continue;
            }
            const std::string dtmf = dtmfOf(r.json);
            table.add({r.callId.empty() ? "(heuristic)" : r.callId,
                       analyzer::endpointText(r.src, r.sport),
                       analyzer::endpointText(r.dst, r.dport), analyzer::ssrcText(r.ssrc),
                       r.payloadTypes, std::to_string(r.packets), std::to_string(r.lost),
                       fixed(&r.lossPct, 2), fixed(&r.jitterMs, 2), fixed(&r.maxDeltaMs, 1),
                       r.mos ? fixed(&*r.mos, 2) : "-", dtmf.empty() ? "-" : dtmf,
                       r.problems.empty() ? "-" : r.problems});
        }
        if (!o.json) table.print(std::cout);
    } catch (const sql::Error& e) {
        std::cerr << "sipscope-cli streams: " << e.message << '\n';
        return 2;
    }
    return 0;
}

// `--calls`: the media verdict of every call that had SDP.
void printCalls(const StreamsOptions& o, const analyzer::MediaTracker& tracker) {
    TextTable table({"call_id", "answered", "streams>", "problems"});
    JsonWriter w;
    for (const auto& c : tracker.calls()) {
        if (!o.callId.empty() && c.callId != o.callId) continue;
        std::string problems;
        for (const auto& p : c.problems) problems += (problems.empty() ? "" : ",") + p;
        if (!o.json) {
            table.add({c.callId, c.answered ? "yes" : "no", std::to_string(c.streams.size()),
                       problems.empty() ? "-" : problems});
            continue;
        }
        w.clear();
        w.beginObject();
        w.key("call_id").value(c.callId);
        w.key("answered").value(c.answered);
        w.key("offer").value(c.offer);
        w.key("answer").value(c.answer);
        w.key("streams").value(static_cast<std::uint64_t>(c.streams.size()));
        w.key("problems").beginArray();
        for (const auto& p : c.problems) w.value(p);
        w.endArray();
        w.endObject();
        std::cout << w.str() << '\n' << std::flush;
    }
    if (!o.json) table.print(std::cout);
}

}  // namespace

int cmdStreams(const Args& args) {
    StreamsOptions o;
    if (int rc = parseOptions(args, o)) return rc == 1 ? 0 : rc;
    if (!o.db.empty()) return fromDb(o);
    analyzer::MediaTracker tracker(o.media);
    const int rc = analyse(o, tracker);
    if (rc == 2) return rc;
    if (o.calls) {
        printCalls(o, tracker);
        return rc;
    }
    TextTable table = streamTable();
    JsonWriter w;
    for (const auto& r : tracker.streams()) {
        if (!o.callId.empty() && r.callId != o.callId) continue;
        if (o.json) {
            w.clear();
            analyzer::writeMediaStream(w, r);
            std::cout << w.str() << '\n' << std::flush;
        } else {
            addRow(table, r);
        }
    }
    if (!o.json) table.print(std::cout);
    std::cout << std::flush;
    return rc;
}

}  // namespace sipscope::cli
