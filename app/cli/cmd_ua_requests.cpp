// `sipscope-cli options URI` (a sipsak-style ping with latency), `sipscope-cli register URI`
// (REGISTER with expiry and digest auth) and `sipscope-cli message URI --text T` (RFC 3428):
// one non-INVITE transaction each (issue 8); `options --count N` repeats the ping.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <iostream>
#include <vector>

#include "commands.hpp"
#include "core/json_writer.hpp"
#include "ua/request_client.hpp"
#include "ua_json.hpp"
#include "ua_session.hpp"
#include "uri/uri.hpp"

namespace sipscope::cli {

namespace {

constexpr const char* kOptionsHelp =
    "usage: sipscope-cli options sip:HOST[:PORT] [--count N [--interval S]]\n"
    "         [--transport udp|tcp|tls] [options]\n"
    "\n"
    "Sends one OPTIONS request (RFC 3261 §11) and prints one JSON object: result (ok for a\n"
    "2xx, rejected, timeout, error), final_code, reason, latency_ms, call_id, auth_rounds,\n"
    "target {transport, address, port, how} (the one that answered, or the last tried),\n"
    "targets_tried, error. A target that fails (ICMP unreachable, refused, Timer F, 503)\n"
    "gives way to the next RFC 3263 target (§4.3).\n"
    "  --count N                keep-alive ping: N requests (default 1), each a new transaction\n"
    "                           (new branch and Call-ID) to the target that answered the first,\n"
    "  --interval S             one every S seconds (default 1, fractions allowed; right after\n"
    "                           the previous one when that took longer). Prints one object per\n"
    "                           ping as it ends (the keys above and seq 1..N), then {summary:\n"
    "                           true, sent, answered (2xx), failed, latency_ms {min, avg, max,\n"
    "                           p50} over the answered pings (null: none), loss (0..1)}. Ctrl-C\n"
    "                           stops after the ping in flight (a second one at once) and still\n"
    "                           prints the summary.\n"
    "%COMMON%"
    "\n"
    "Example: sipscope-cli options sip:pbx.example.com --transport tcp\n"
    "         sipscope-cli options sip:pbx.example.com --count 10 --interval 0.5\n"
    "         sipscope-cli options sip:pbx.example.com --dns-server 192.0.2.53\n"
    "Exit status: 0 on a 2xx (with --count: every ping sent got one), 1 otherwise, 2 usage\n"
    "error.\n";

constexpr const char* kRegisterHelp =
    "usage: sipscope-cli register sip:USER@HOST[:PORT] --auth-user U --password P\n"
    "         [--expires S] [--transport udp|tcp|tls] [options]\n"
    "\n"
    "Registers sip:USER@HOST (RFC 3261 §10) with our Contact at the registrar HOST and prints\n"
    "one JSON object: result, final_code, reason, expires (granted), latency_ms, call_id,\n"
    "auth_rounds, target, targets_tried, error. --expires 0 removes the binding.\n"
    "%COMMON%"
    "\n"
    "Example: sipscope-cli register sip:200@pbx.example.com --auth-user 200 --password s3cret\n"
    "Exit status: 0 on a 2xx, 1 otherwise, 2 usage error.\n";

constexpr const char* kMessageHelp =
    "usage: sipscope-cli message sip:USER@HOST[:PORT] --text TEXT [--transport udp|tcp|tls]\n"
    "         [options]\n"
    "\n"
    "Sends one MESSAGE (RFC 3428, text/plain) and prints one JSON object: result, final_code,\n"
    "reason, latency_ms, call_id, auth_rounds, target, targets_tried, error.\n"
    "%COMMON%"
    "\n"
    "Example: sipscope-cli message sip:bob@127.0.0.1:5080 --text 'hello'\n"
    "Exit status: 0 on a 2xx, 1 otherwise, 2 usage error.\n";

enum class Kind { Options, Register, Message };

// `options --count N --interval S`: the keep-alive ping (1: one request, as without them).
struct PingOptions {
    int count = 1;
    stack::Duration interval{1000};
};

struct RequestArgs {
    UaCommonOptions common;
    int expires = 3600;
    std::optional<std::string> text;
    PingOptions ping;
};

// What the keep-alive summary counts.
struct PingStats {
    int sent = 0;
    std::vector<double> latencies;  // one per answered (2xx) ping
};

void printHelp(const char* text) {
    std::string help = text;
    help.replace(help.find("%COMMON%"), 8, kUaCommonHelp);
    std::cout << help;
}

// One request's JSON object; `hop`: where it went (the one that answered, or the last tried);
// `seq`: the ping's number in a keep-alive series (none for a single request).
void printReport(const stack::ua::RequestReport& r, bool withExpires, const stack::ua::NextHop* hop,
                 std::optional<int> seq = std::nullopt) {
    analyzer::JsonWriter w;
    w.beginObject();
    if (seq) w.key("seq").value(*seq);
    w.key("result").value(r.result);
    w.key("final_code").optional(r.finalCode);
    w.key("reason").stringOrNull(r.reason);
    w.key("latency_ms");
    if (r.latencyMs)
        w.value(*r.latencyMs, 3);
    else
        w.null();
    if (withExpires) {
        w.key("expires");
        std::optional<int> granted;
        if (r.finalResponse && r.result == "ok")
            granted = stack::ua::grantedExpiry(*r.finalResponse);
        w.optional(granted);
    }
    w.key("call_id").stringOrNull(r.callId);
    w.key("auth_rounds").value(r.authRounds);
    writeTarget(w, hop ? &hop->target : nullptr, hop ? hop->how : "");
    w.key("targets_tried").value(r.targetsTried);
    w.key("error").stringOrNull(r.error);
    w.endObject();
    std::cout << w.str() << '\n' << std::flush;
}

// {"summary": true, sent, answered, failed, latency_ms {min, avg, max, p50} | null, loss}.
void printSummary(const PingStats& s) {
    std::vector<double> l = s.latencies;
    std::sort(l.begin(), l.end());
    const auto answered = static_cast<int>(l.size());
    analyzer::JsonWriter w;
    w.beginObject();
    w.key("summary").value(true);
    w.key("sent").value(s.sent);
    w.key("answered").value(answered);
    w.key("failed").value(s.sent - answered);
    w.key("latency_ms");
    if (l.empty()) {
        w.null();
    } else {
        double sum = 0;
        for (const double x : l) sum += x;
        const std::size_t n = l.size();
        const double median = n % 2 ? l[n / 2] : (l[n / 2 - 1] + l[n / 2]) / 2;
        w.beginObject();
        w.key("min").value(l.front(), 3);
        w.key("avg").value(sum / static_cast<double>(n), 3);
        w.key("max").value(l.back(), 3);
        w.key("p50").value(median, 3);
        w.endObject();
    }
    w.key("loss");
    if (s.sent == 0)
        w.null();
    else
        w.value(static_cast<double>(s.sent - answered) / s.sent, 3);
    w.endObject();
    std::cout << w.str() << '\n' << std::flush;
}

// --count N / --interval S at args[i] (advancing i past the value). 1: consumed, 0: neither,
// -1: bad value (`error` says why).
int parsePingOption(const Args& args, std::size_t& i, PingOptions& p, std::string& error) {
    const std::string_view a = args[i];
    if (a != "--count" && a != "--interval") return 0;
    if (i + 1 >= args.size()) {
        error = std::string(a) + " needs a value";
        return -1;
    }
    const std::string_view v = args[++i];
    if (a == "--count") {
        const auto r = std::from_chars(v.data(), v.data() + v.size(), p.count);
        if (r.ec != std::errc() || r.ptr != v.data() + v.size() || p.count < 1) {
            error = "--count must be a whole number >= 1, not '" + std::string(v) + "'";
            return -1;
        }
    } else if (!parseSeconds(v, p.interval) || p.interval.count() <= 0) {
        error =
            "--interval must be a number of seconds > 0 (at least 0.001, at most 86400), "
            "not '" +
            std::string(v) + "'";
        return -1;
    }
    return 1;
}

// The command line into `out`: -1 to go on, else the exit status (0: --help, 2: usage error).
int parseArgs(const Args& args, Kind kind, const char* name, RequestArgs& out) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        std::string error;
        int c = parseCommonOption(args, i, out.common, error);
        if (c == 0 && kind == Kind::Options) c = parsePingOption(args, i, out.ping, error);
        if (c < 0) {
            std::cerr << "sipscope-cli " << name << ": " << error << '\n';
            return 2;
        }
        if (c > 0) continue;
        stack::Duration d{0};
        if (a == "--help" || a == "-h") {
            printHelp(kind == Kind::Register  ? kRegisterHelp
                      : kind == Kind::Message ? kMessageHelp
                                              : kOptionsHelp);
            return 0;
        } else if (kind == Kind::Message && a == "--text" && i + 1 < args.size()) {
            out.text = std::string(args[++i]);
        } else if (kind == Kind::Register && a == "--expires" && i + 1 < args.size() &&
                   parseSeconds(args[i + 1], d)) {
            out.expires = static_cast<int>(d.count() / 1000);
            ++i;
        } else if (!a.starts_with("-") && out.common.uri.empty()) {
            out.common.uri = std::string(a);
        } else {
            std::cerr << "sipscope-cli " << name << ": bad or unknown option " << a
                      << " (see --help)\n";
            return 2;
        }
    }
    if (out.common.uri.empty()) {
        std::cerr << "sipscope-cli " << name << ": a target URI is required (see --help)\n";
        return 2;
    }
    if (kind == Kind::Message && !out.text) {
        std::cerr << "sipscope-cli message: --text is required (see --help)\n";
        return 2;
    }
    return -1;
}

stack::ua::RequestOptions makeRequest(Kind kind, const RequestArgs& a, const UaSession& session) {
    const UaCommonOptions& common = a.common;
    stack::ua::RequestOptions o;
    o.target = session.target();
    o.alternates = session.alternates();
    o.credentials = common.credentials;
    o.requestUri = common.uri;
    o.toUri = common.uri;
    o.fromUri = session.fromUri();
    if (kind == Kind::Register) {
        // RFC 3261 §10.2: Request-URI = the registrar's domain, To = From = the address of
        // record.
        o.method = "REGISTER";
        o.fromUri = common.from.empty() ? common.uri : common.from;
        auto parsed = stack::parseUri(common.uri);
        if (parsed.ok() && parsed->isSip()) {
            o.requestUri = std::string(parsed->schemeName) + ":" + std::string(parsed->sip.host);
            if (parsed->sip.port) o.requestUri += ":" + std::to_string(*parsed->sip.port);
        }
        o.extra.emplace_back("Expires", std::to_string(a.expires));
    } else if (kind == Kind::Message) {
        o.method = "MESSAGE";
        o.body = stack::ua::BodyPart{"text/plain", *a.text};
    } else {
        o.method = "OPTIONS";
        o.extra.emplace_back("Accept", "application/sdp");
    }
    return o;
}

// Runs one request to its end. `letItFinish` (keep-alive pings): SIGINT/SIGTERM does not cut
// the request short, and puts back the default action so that a second signal ends the process.
stack::ua::RequestReport sendOne(UaSession& session, const stack::ua::RequestOptions& o,
                                 const stack::TimerConfig& timers, bool letItFinish) {
    stack::ua::RequestClient client(session.endpoint(), o);
    client.start();
    // RFC 3263 §4.3: Timer F may run out at every target in turn.
    const auto targets = static_cast<int>(o.alternates.size()) + 1;
    const stack::Duration limit = (targets + 3) * timers.sixtyFourT1() + stack::Duration{5000};
    if (!letItFinish) {
        session.runUntil([&] { return client.done(); }, limit);
    } else {
        const auto end = session.loop().now() + limit;
        while (!client.done() && session.loop().now() < end) {
            if (UaSession::interrupted()) {
                std::signal(SIGINT, SIG_DFL);
                std::signal(SIGTERM, SIG_DFL);
            }
            session.loop().runOnce(stack::Duration{100});
        }
    }
    stack::ua::RequestReport report = client.report();
    if (!client.done()) {
        report.result = "error";
        report.error = !letItFinish && UaSession::interrupted() ? "interrupted" : "no answer";
    }
    return report;
}

// Runs the loop (timers, retransmissions, traces) until `until` or SIGINT/SIGTERM.
void waitUntil(UaSession& session, stack::Instant until) {
    auto& loop = session.loop();
    while (!UaSession::interrupted() && loop.now() < until) {
        const auto left = std::chrono::ceil<stack::Duration>(until - loop.now());
        loop.runOnce(std::min(left, stack::Duration{100}));
    }
}

// The keep-alive ping: `count` OPTIONS (RFC 3261 §11), each a new request and transaction
// (§8.1.1.7: a new Via branch; §8.1.1.4/§8.1.1.5: RequestClient gives each request outside a
// dialog its own Call-ID, From tag and CSeq 1, where sipsak/SIPp keep the Call-ID and raise the
// CSeq: both are valid), one every `interval` from the start of the previous one, in the same
// session (no new RFC 3263 lookup). Once a target has answered, the later pings start there
// (its alternates still follow it, RFC 3263 §4.3).
int runPings(UaSession& session, stack::ua::RequestOptions o, const RequestArgs& a) {
    std::vector<stack::ua::Target> hops{session.target()};
    for (auto& t : session.alternates()) hops.push_back(std::move(t));
    std::size_t first = 0;  // index in `hops` of the target the pings go to first
    PingStats stats;
    stack::Instant next = session.loop().now();
    for (int seq = 1; seq <= a.ping.count; ++seq) {
        waitUntil(session, next);
        if (UaSession::interrupted()) break;
        next = session.loop().now() + a.ping.interval;
        o.target = hops[first];
        o.alternates.assign(hops.begin() + static_cast<std::ptrdiff_t>(first) + 1, hops.end());
        const stack::ua::RequestReport r = sendOne(session, o, a.common.timers, true);
        const int tried = std::max(r.targetsTried, 1);
        ++stats.sent;
        if (r.result == "ok") stats.latencies.push_back(r.latencyMs.value_or(0.0));
        printReport(r, false, session.hopTried(static_cast<int>(first) + tried), seq);
        if (r.finalCode) first += static_cast<std::size_t>(tried - 1);
    }
    printSummary(stats);
    return stats.sent > 0 && static_cast<int>(stats.latencies.size()) == stats.sent ? 0 : 1;
}

int runRequest(const Args& args, Kind kind) {
    const char* name = kind == Kind::Register  ? "register"
                       : kind == Kind::Message ? "message"
                                               : "options";
    RequestArgs a;
    if (const int status = parseArgs(args, kind, name, a); status >= 0) return status;
    const bool isRegister = kind == Kind::Register;
    UaSession::installSignalHandlers();
    UaSession session;
    std::string error;
    if (!session.open(a.common, true, "sipscope-cli " + std::string(name) + " " + a.common.uri,
                      error)) {
        stack::ua::RequestReport r;
        r.error = error;
        printReport(r, isRegister, session.hopTried(r.targetsTried));
        if (a.ping.count > 1) printSummary({});  // nothing was sent
        return 1;
    }
    const stack::ua::RequestOptions o = makeRequest(kind, a, session);
    if (a.ping.count > 1) return runPings(session, o, a);
    const stack::ua::RequestReport report = sendOne(session, o, a.common.timers, false);
    printReport(report, isRegister, session.hopTried(report.targetsTried));
    return report.result == "ok" ? 0 : 1;
}

}  // namespace

int cmdOptions(const Args& args) {
    return runRequest(args, Kind::Options);
}

int cmdRegister(const Args& args) {
    return runRequest(args, Kind::Register);
}

int cmdMessage(const Args& args) {
    return runRequest(args, Kind::Message);
}

}  // namespace sipscope::cli
