// `sipscope-cli options URI` (a sipsak-style ping with latency), `sipscope-cli register URI`
// (REGISTER with expiry and digest auth) and `sipscope-cli message URI --text T` (RFC 3428):
// one non-INVITE transaction each (issue 8).

#include <iostream>

#include "commands.hpp"
#include "core/json_writer.hpp"
#include "ua/request_client.hpp"
#include "ua_json.hpp"
#include "ua_session.hpp"
#include "uri/uri.hpp"

namespace sipscope::cli {

namespace {

constexpr const char* kOptionsHelp =
    "usage: sipscope-cli options sip:HOST[:PORT] [--transport udp|tcp|tls] [options]\n"
    "\n"
    "Sends one OPTIONS request (RFC 3261 §11) and prints one JSON object: result (ok for a\n"
    "2xx, rejected, timeout, error), final_code, reason, latency_ms, call_id, auth_rounds,\n"
    "target {transport, address, port, how} (the one that answered, or the last tried),\n"
    "targets_tried, error. A target that fails (ICMP unreachable, refused, Timer F, 503)\n"
    "gives way to the next RFC 3263 target (§4.3).\n"
    "%COMMON%"
    "\n"
    "Example: sipscope-cli options sip:pbx.example.com --transport tcp\n"
    "         sipscope-cli options sip:pbx.example.com --dns-server 192.0.2.53\n"
    "Exit status: 0 on a 2xx, 1 otherwise, 2 usage error.\n";

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

void printHelp(const char* text) {
    std::string help = text;
    help.replace(help.find("%COMMON%"), 8, kUaCommonHelp);
    std::cout << help;
}

void printReport(const stack::ua::RequestReport& r, bool withExpires, const UaSession& session) {
    analyzer::JsonWriter w;
    w.beginObject();
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
    const stack::ua::NextHop* hop = session.hopTried(r.targetsTried);
    writeTarget(w, hop ? &hop->target : nullptr, hop ? hop->how : "");
    w.key("targets_tried").value(r.targetsTried);
    w.key("error").stringOrNull(r.error);
    w.endObject();
    std::cout << w.str() << '\n' << std::flush;
}

int runRequest(const Args& args, Kind kind) {
    const bool isRegister = kind == Kind::Register;
    const char* name = isRegister ? "register" : kind == Kind::Message ? "message" : "options";
    UaCommonOptions common;
    int expires = 3600;
    std::optional<std::string> text;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        std::string error;
        const int c = parseCommonOption(args, i, common, error);
        if (c < 0) {
            std::cerr << "sipscope-cli " << name << ": " << error << '\n';
            return 2;
        }
        if (c > 0) continue;
        stack::Duration d{0};
        if (a == "--help" || a == "-h") {
            printHelp(isRegister              ? kRegisterHelp
                      : kind == Kind::Message ? kMessageHelp
                                              : kOptionsHelp);
            return 0;
        } else if (kind == Kind::Message && a == "--text" && i + 1 < args.size()) {
            text = std::string(args[++i]);
        } else if (isRegister && a == "--expires" && i + 1 < args.size() &&
                   parseSeconds(args[i + 1], d)) {
            expires = static_cast<int>(d.count() / 1000);
            ++i;
        } else if (!a.starts_with("-") && common.uri.empty()) {
            common.uri = std::string(a);
        } else {
            std::cerr << "sipscope-cli " << name << ": bad or unknown option " << a
                      << " (see --help)\n";
            return 2;
        }
    }
    if (common.uri.empty()) {
        std::cerr << "sipscope-cli " << name << ": a target URI is required (see --help)\n";
        return 2;
    }
    if (kind == Kind::Message && !text) {
        std::cerr << "sipscope-cli message: --text is required (see --help)\n";
        return 2;
    }
    UaSession::installSignalHandlers();
    UaSession session;
    std::string error;
    if (!session.open(common, true, "sipscope-cli " + std::string(name) + " " + common.uri,
                      error)) {
        stack::ua::RequestReport r;
        r.error = error;
        printReport(r, isRegister, session);
        return 1;
    }
    stack::ua::RequestOptions o;
    o.target = session.target();
    o.alternates = session.alternates();
    o.credentials = common.credentials;
    o.requestUri = common.uri;
    o.toUri = common.uri;
    o.fromUri = session.fromUri();
    if (isRegister) {
        // RFC 3261 §10.2: Request-URI = the registrar's domain, To = From = the address of
        // record.
        o.method = "REGISTER";
        o.fromUri = common.from.empty() ? common.uri : common.from;
        auto parsed = stack::parseUri(common.uri);
        if (parsed.ok() && parsed->isSip()) {
            o.requestUri = std::string(parsed->schemeName) + ":" + std::string(parsed->sip.host);
            if (parsed->sip.port) o.requestUri += ":" + std::to_string(*parsed->sip.port);
        }
        o.extra.emplace_back("Expires", std::to_string(expires));
    } else if (kind == Kind::Message) {
        o.method = "MESSAGE";
        o.body = stack::ua::BodyPart{"text/plain", *text};
    } else {
        o.method = "OPTIONS";
        o.extra.emplace_back("Accept", "application/sdp");
    }
    stack::ua::RequestClient client(session.endpoint(), o);
    client.start();
    // RFC 3263 §4.3: Timer F may run out at every target in turn.
    const auto targets = static_cast<int>(o.alternates.size()) + 1;
    const stack::Duration limit =
        (targets + 3) * common.timers.sixtyFourT1() + stack::Duration{5000};
    session.runUntil([&] { return client.done(); }, limit);
    stack::ua::RequestReport report = client.report();
    if (!client.done()) {
        report.result = "error";
        report.error = UaSession::interrupted() ? "interrupted" : "no answer";
    }
    printReport(report, isRegister, session);
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
