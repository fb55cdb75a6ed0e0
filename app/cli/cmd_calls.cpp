// `sipscope-cli calls|transactions|stats FILE`: the passive transaction, dialog and call layers
// over a capture (issue "Transactions, dialogs and calls").

#include <iostream>
#include <map>
#include <string>

#include "call_json.hpp"
#include "calls/call_tracker.hpp"
#include "calls/event_log.hpp"
#include "calls/peer_stats.hpp"
#include "calls_options.hpp"
#include "capture_run.hpp"
#include "commands.hpp"
#include "query/call_subject.hpp"
#include "store/media_recorder.hpp"
#include "store/ordered_lines.hpp"
#include "text_table.hpp"

namespace sipscope::cli {

namespace {

constexpr const char* kOptions =
    "  --json                 NDJSON instead of a table\n"
    "  --t1-ms N              RFC 3261 T1 the endpoints use (default 500); T2 and T4 too:\n"
    "  --t2-ms N, --t4-ms N   (defaults 4000, 5000)\n"
    "  --b2bua-window-ms N    tie a B2BUA's outgoing INVITE to the incoming one for the same\n"
    "                         number within N ms (default 2000; 0: only by X-CID/Session-ID)\n"
    "  --bpf EXPR             only packets matching this libpcap filter\n"
    "  --sip-port N           treat TLS on port N as SIP over TLS (repeatable)\n"
    "\n"
    "Exit status: 0 success, 1 damaged input (partial output still printed), 2 usage error.\n";

constexpr const char* kCallsHelp =
    "usage: sipscope-cli calls FILE [--json] [--filter EXPR] [--limit N] [--t1-ms N] [options]\n"
    "       sipscope-cli calls --db LIB.sqlite [--json] [--filter EXPR] [--limit N]\n"
    "\n"
    "Rebuilds transactions (RFC 3261 §17), dialogs (§12) and calls from a capture and prints\n"
    "one call per line in start order: legs through proxies and B2BUAs, state (ringing,\n"
    "answered, busy, rejected, cancelled, timeout, failed, in_progress), final code,\n"
    "retransmissions, dialogs, RFC 6076 metrics, SDP media and anomalies.\n"
    "REGISTER, OPTIONS, MESSAGE and SUBSCRIBE exchanges are listed as calls of their own kind.\n"
    "With --db the calls come from a database made by `sipscope-cli import` (same objects).\n"
    "--filter keeps the calls an expression accepts, e.g.\n"
    "  'state == \"failed\" and from_user ~ \"^49\"', 'final_code >= 500', 'not kind == options',\n"
    "  'header(\"User-Agent\") ~ \"Asterisk\"', 'start between \"2026-11-25 10:00\" and "
    "\"2026-11-25 11:00\"'\n"
    "(fields: the JSON keys; operators == != < <= > >= ~ !~ in between; and or not).\n"
    "\n";

constexpr const char* kTransactionsHelp =
    "usage: sipscope-cli transactions FILE [--json] [--t1-ms N] [options]\n"
    "\n"
    "Every SIP transaction of a capture, in start order: kind (ict/nict, named after the\n"
    "client side), method, branch, final state, final code, requests, responses,\n"
    "retransmissions and whether Timer B/F expired.\n"
    "\n";

constexpr const char* kStatsHelp =
    "usage: sipscope-cli stats FILE [--json] [--t1-ms N] [options]\n"
    "\n"
    "RFC 6076 metrics aggregated per peer (the node that received the call's first request)\n"
    "and in total: SER, SEER, ISA, SCR, IRA and the delays PDD, SRD, SDD, SDT, RRD.\n"
    "\n";

constexpr const char* kEventsHelp =
    "usage: sipscope-cli events FILE [--t1-ms N] [options]\n"
    "\n"
    "What the passive analyzer concluded, one line per event in the order it happened: every\n"
    "message with its role (request, response, retransmission, ack, ack_2xx, stray, duplicate)\n"
    "and transaction, dialog state changes, anomalies, transaction records and calls. Times\n"
    "are seconds since the first message. The golden tests compare this log.\n"
    "\n";

// 0: parsed, 1: --help printed, 2: usage error (printed).
int parseOptions(const Args& args, const char* name, const char* help, CallsOptions& o) {
    auto fail = [&](const std::string& why) {
        std::cerr << "sipscope-cli " << name << ": " << why << '\n';
        return 2;
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto a = args[i];
        const bool hasValue = i + 1 < args.size();
        auto& timers = o.tracker.observer.timers;
        if (a == "--help" || a == "-h") {
            std::cout << help << kOptions << "\nexample:\n  sipscope-cli " << name
                      << " resources/examples/basic-calls.pcap\n";
            return 1;
        } else if (a == "--json" && std::string_view(name) != "events") {
            o.json = true;
        } else if (a == "--db" && hasValue && std::string_view(name) == "calls") {
            o.db = std::string(args[++i]);
        } else if (a == "--limit" && hasValue && std::string_view(name) == "calls") {
            std::chrono::milliseconds n{0};
            if (!parseMilliseconds(args[++i], n, false)) return fail("bad --limit value");
            o.limit = static_cast<std::uint64_t>(n.count());
        } else if (a == "--filter" && hasValue && std::string_view(name) == "calls") {
            o.filter = std::string(args[++i]);
        } else if (a == "--t1-ms" && hasValue) {
            if (!parseMilliseconds(args[++i], timers.t1, false)) return fail("bad --t1-ms value");
        } else if (a == "--t2-ms" && hasValue) {
            if (!parseMilliseconds(args[++i], timers.t2, false)) return fail("bad --t2-ms value");
        } else if (a == "--t4-ms" && hasValue) {
            if (!parseMilliseconds(args[++i], timers.t4, false)) return fail("bad --t4-ms value");
        } else if (a == "--b2bua-window-ms" && hasValue) {
            if (!parseMilliseconds(args[++i], o.tracker.b2buaWindow, true))
                return fail("bad --b2bua-window-ms value");
        } else if ((a == "--bpf" || a == "-f") && hasValue) {
            o.capture.bpf = std::string(args[++i]);
        } else if (a == "--sip-port" && hasValue) {
            std::uint16_t port = 0;
            if (!parsePort(args[++i], port)) return fail("bad port");
            o.capture.sipPorts.push_back(port);
        } else if (a != "-" && a.size() > 1 && a[0] == '-') {
            std::cerr << "sipscope-cli " << name << ": unknown option '" << a << "'\n" << help;
            return 2;
        } else if (o.capture.path.empty()) {
            o.capture.path = std::string(a);
        } else {
            return fail("one capture file at a time");
        }
    }
    if (o.capture.path.empty() == o.db.empty()) {
        std::cerr << help << kOptions;
        return 2;
    }
    o.tracker.linger = std::max(o.tracker.linger, o.tracker.observer.timers.sixtyFourT1());
    if (!o.filter.empty() && !parseFilterOption(name, o.filter, o.parsedFilter)) return 2;
    return 0;
}

// Runs the capture through a CallTracker; returns the exit code.
// With `media`, the capture's RTP is analysed alongside (calls get their media verdicts).
int run(const char* name, CallsOptions& o, analyzer::CallTrackerSinks sinks,
        analyzer::store::MediaRecorder* media = nullptr) {
    o.tracker.keepFirstRequest = !o.parsedFilter.empty();  // header("...") reads it
    analyzer::CallTracker tracker(o.tracker, std::move(sinks));
    CaptureRunResult r;
    if (media)
        o.capture.datagrams = [media](const analyzer::TransportPacket& t) { media->onDatagram(t); };
    const bool opened = runCapture(
        o.capture,
        [&](analyzer::ObservedMessage&& m) {
            tracker.observe(m);
            if (media) media->onSip(m);
        },
        r);
    if (!opened) {
        std::cerr << "sipscope-cli " << name << ": " << r.openError << '\n';
        return 2;
    }
    tracker.finish();
    if (r.sourceError) {
        std::cerr << "sipscope-cli " << name << ": " << o.capture.path << ": packet "
                  << r.sourceError->packetNumber << " at byte " << r.sourceError->offset << ": "
                  << r.sourceError->message << '\n';
        return 1;
    }
    return 0;
}

std::string optionalText(const std::optional<int>& v) {
    return v ? std::to_string(*v) : "-";
}

std::string msText(const std::optional<double>& v) {
    return v ? fixed(&*v, 0) : std::string("-");
}

}  // namespace

bool parseFilterOption(std::string_view command, const std::string& text, analyzer::Filter& out) {
    auto f = analyzer::parseFilter(text);
    if (!f.ok()) {
        std::cerr << "sipscope-cli " << command << ": bad filter: " << f.error().message << '\n'
                  << analyzer::filterErrorPointer(text, f.error()) << '\n';
        return false;
    }
    out = std::move(f).value();
    return true;
}

bool passes(const CallsOptions& o, const analyzer::CallRecord& c) {
    return passes(o.parsedFilter, c);
}

bool passes(const analyzer::Filter& filter, const analyzer::CallRecord& c) {
    if (filter.empty()) return true;
    std::optional<stack::SipMessage> first;  // parsed once the filter asks for a header
    analyzer::CallRecordSubject subject(c, [&c, &first](std::string_view name) {
        if (!first && c.firstRequest)
            if (auto parsed = stack::SipMessage::parse(c.firstRequest); parsed.ok())
                first = std::move(parsed).value();
        return first ? analyzer::headerValues(*first, name) : std::vector<std::string>();
    });
    return filter.matches(subject);
}

void addCallRow(TextTable& table, const analyzer::CallRecord& c) {
    std::optional<double> dur;
    if (c.answerNs && c.endNs) dur = static_cast<double>(*c.endNs - *c.answerNs) / 1e9;
    table.add({std::to_string(c.number), clockTime(c.startNs), analyzer::callKindName(c.kind),
               c.fromUser, c.toUser, analyzer::callStateName(c.state), optionalText(c.finalCode),
               dur ? fixed(&*dur, 1) : "-", std::to_string(c.messages),
               std::to_string(c.retransmissions), std::to_string(c.legs), msText(c.metrics.pddMs),
               std::to_string(c.anomalies.size()), c.callId});
}

TextTable callTable() {
    return TextTable({"#>", "start", "kind", "from", "to", "state", "code>", "dur_s>", "msgs>",
                      "rtx>", "legs>", "pdd_ms>", "anom>", "call_id"});
}

int cmdCalls(const Args& args) {
    CallsOptions o;
    if (int rc = parseOptions(args, "calls", kCallsHelp, o)) return rc == 1 ? 0 : rc;
    if (!o.db.empty()) return callsFromDb(o);
    TextTable table = callTable();
    JsonWriter w;
    std::uint64_t shown = 0;
    // NDJSON: each call as soon as it is over, lines put in start order by `lines` (which holds
    // them packed while an earlier call is still open). The table keeps every row anyway.
    o.tracker.startOrder = !o.json;
    analyzer::store::OrderedLines lines([&](std::string_view line) {
        if (o.limit && shown >= o.limit) return;
        ++shown;
        std::cout << line << '\n' << std::flush;
    });
    analyzer::store::MediaRecorder media(false, false);
    analyzer::CallTrackerSinks sinks;
    sinks.call = [&](analyzer::CallRecord&& c) {
        // Retired as it is reported: memory follows the calls in progress.
        c.mediaProblems = media.retire(c);
        const bool keep = !(o.limit && shown >= o.limit) && passes(o, c);
        if (o.json) {
            if (!keep) {
                lines.add(c.number, std::nullopt);
                return;
            }
            w.clear();
            writeCall(w, c);
            lines.add(c.number, w.str());
            return;
        }
        if (!keep) return;
        ++shown;
        addCallRow(table, c);
    };
    const int rc = run("calls", o, std::move(sinks), &media);
    lines.finish();
    if (!o.json && rc != 2) table.print(std::cout);
    return rc;
}

int cmdTransactions(const Args& args) {
    CallsOptions o;
    if (int rc = parseOptions(args, "transactions", kTransactionsHelp, o)) return rc == 1 ? 0 : rc;
    TextTable table({"id>", "kind", "method", "cseq>", "state", "code>", "req>", "resp>", "rtx>",
                     "timeout", "client", "server", "branch"});
    JsonWriter w;
    // Transactions end out of order; print them by id as soon as every earlier one is out.
    analyzer::store::OrderedLines lines([](std::string_view line) {
        std::cout << line << '\n' << std::flush;
    });
    std::map<std::uint64_t, stack::TransactionRecord> rows;  // the table's, by id
    auto addRow = [&](const stack::TransactionRecord& t) {
        table.add({std::to_string(t.id), transactionKind(t), t.method, std::to_string(t.cseq),
                   analyzer::transactionStateName(t), optionalText(t.finalCode),
                   std::to_string(t.requests.size()), std::to_string(t.responses.size()),
                   std::to_string(t.retransmissions), t.timeout ? "yes" : "no", t.client, t.server,
                   t.branch});
    };
    analyzer::CallTrackerSinks sinks;
    sinks.transaction = [&](const stack::TransactionRecord& t) {
        if (o.json) {
            w.clear();
            writeTransaction(w, t);
            lines.add(t.id, w.str());
            return;
        }
        rows.emplace(t.id, t);
    };
    const int rc = run("transactions", o, std::move(sinks));
    lines.finish();
    for (const auto& [id, t] : rows) addRow(t);
    if (!o.json && rc != 2) table.print(std::cout);
    return rc;
}

int cmdEvents(const Args& args) {
    CallsOptions o;
    if (int rc = parseOptions(args, "events", kEventsHelp, o)) return rc == 1 ? 0 : rc;
    analyzer::EventLog log([](const std::string& line) { std::cout << line << '\n'; });
    const int rc = run("events", o, log.sinks());
    std::cout << std::flush;
    return rc;
}

int cmdStats(const Args& args) {
    CallsOptions o;
    if (int rc = parseOptions(args, "stats", kStatsHelp, o)) return rc == 1 ? 0 : rc;
    analyzer::StatsAggregator stats;
    std::uint64_t calls = 0;
    analyzer::CallTrackerSinks sinks;
    sinks.call = [&](analyzer::CallRecord&& c) {
        ++calls;
        stats.add(c);
    };
    const int rc = run("stats", o, std::move(sinks));
    if (rc == 2) return rc;
    if (o.json) {
        JsonWriter w;
        w.beginObject();
        w.key("calls").value(calls);
        w.key("total");
        writePeerStats(w, stats.total());
        w.key("peers").beginArray();
        for (const auto& p : stats.peers()) writePeerStats(w, p);
        w.endArray();
        w.endObject();
        std::cout << w.str() << '\n';
        return rc;
    }
    TextTable table({"peer", "sessions>", "answered>", "ser%>", "seer%>", "isa%>", "scr%>",
                     "pdd_ms>", "srd_ms>", "sdt_s>", "reg>", "ira%>", "other>", "rtx>"});
    auto row = [&](const analyzer::PeerStats& p, const std::string& label) {
        const auto ser = p.ser(), seer = p.seer(), isa = p.isa(), scr = p.scr(), ira = p.ira();
        const auto pdd = p.pdd.meanMs(), srd = p.srd.meanMs(), sdt = p.sdt.meanMs();
        const std::optional<double> sdtS = sdt ? std::optional<double>(*sdt / 1000) : std::nullopt;
        auto pct = [](const std::optional<double>& v) { return v ? fixed(&*v, 1) : "-"; };
        table.add({label, std::to_string(p.sessions), std::to_string(p.answered), pct(ser),
                   pct(seer), pct(isa), pct(scr), msText(pdd), msText(srd),
                   sdtS ? fixed(&*sdtS, 1) : "-", std::to_string(p.registrations), pct(ira),
                   std::to_string(p.otherExchanges), std::to_string(p.retransmissions)});
    };
    for (const auto& p : stats.peers()) row(p, p.peer);
    row(stats.total(), "total");
    table.print(std::cout);
    return rc;
}

}  // namespace sipscope::cli
