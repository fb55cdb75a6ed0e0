// `sipscope-cli call URI`: one test call through the stack's user agent (issue 8): INVITE with
// an SDP offer, digest auth, CANCEL on --timeout, RTP tone, BYE after --duration; one JSON
// object when done.

#include <iostream>
#include <optional>

#include "commands.hpp"
#include "core/json_writer.hpp"
#include "message/message_builder.hpp"
#include "ua/call_client.hpp"
#include "ua_json.hpp"
#include "ua_session.hpp"

namespace sipscope::cli {

namespace {

constexpr const char* kCallHelp =
    "usage: sipscope-cli call sip:USER@HOST[:PORT] [--transport udp|tcp|tls] [--from URI]\n"
    "         [--auth-user U --password P] [--duration S] [--timeout S] [--codec pcmu|pcma]\n"
    "         [--db LIB.sqlite] [--ca FILE] [--insecure] [--dns-server ADDR[:PORT]]\n"
    "         [--wav FILE] [--100rel [require]] [--trace FILE|-]\n"
    "\n"
    "Places one test call and prints one JSON object when it is over:\n"
    "  result (answered, busy, rejected, cancelled, timeout, error), final_code, reason,\n"
    "  call_id, auth_rounds, pdd_ms, setup_ms, duration_s, rtp {sent, received, lost,\n"
    "  jitter_ms}, one_way_audio, codec, hold_code, prack {sent, reliable_provisionals},\n"
    "  target {transport, address, port, how: naptr, srv, a, literal, getaddrinfo} (the one\n"
    "  that answered, or the last tried), targets_tried, error. A target that fails (ICMP\n"
    "  unreachable, refused, Timer B, 503) gives way to the next RFC 3263 target (§4.3).\n"
    "A 400 Hz G.711 tone (or --wav audio) is sent to the answered SDP address; the far end's\n"
    "RTP is counted. --trace - writes each message as it is sent or received to standard\n"
    "error, one JSON line each, while the call is up (the desktop app draws it live).\n"
    "\n"
    "  --duration S             hang up (BYE) S seconds after the answer (default 5)\n"
    "  --timeout S              unanswered after S seconds: CANCEL if ringing, else timeout\n"
    "  --codec pcmu|pcma        the preferred codec (both are offered, this one first)\n"
    "  --one-way-after S        one_way_audio when no RTP arrived S s after answer (default 2)\n"
    "  --no-media               offer SDP but send no RTP\n"
    "  --wav FILE               send FILE's audio (looped) instead of the tone: WAV 16-bit PCM\n"
    "                           (8000 Hz, or resampled from other rates; stereo mixed down) or\n"
    "                           G.711 u-law/A-law at 8000 Hz, e.g. resources/audio/melody.wav\n"
    "  --hold S                 S seconds after the answer, put the callee on hold (re-INVITE\n"
    "                           with a=sendonly); its final code is reported as hold_code\n"
    "  --100rel [require]       offer reliable provisional responses (Supported: 100rel) or\n"
    "                           demand them (Require); each is PRACKed (RFC 3262), counted in\n"
    "                           prack {sent, reliable_provisionals}\n"
    "%COMMON%"
    "\n"
    "Example: sipscope-cli call sip:1000@pbx.example.com --auth-user 200 --password s3cret \\\n"
    "           --duration 10 --db calls.sqlite\n"
    "Exit status: 0 answered, 1 not answered or failed, 2 usage error.\n";

void printHelp() {
    std::string help = kCallHelp;
    help.replace(help.find("%COMMON%"), 8, kUaCommonHelp);
    std::cout << help;
}

void printReport(const stack::ua::CallReport& r, const UaSession& session) {
    analyzer::JsonWriter w;
    w.beginObject();
    w.key("result").value(r.result);
    w.key("final_code").optional(r.finalCode);
    w.key("reason").stringOrNull(r.reason);
    w.key("call_id").stringOrNull(r.callId);
    w.key("auth_rounds").value(r.authRounds);
    const auto num = [&w](const char* k, const std::optional<double>& v, int decimals) {
        w.key(k);
        if (v)
            w.value(*v, decimals);
        else
            w.null();
    };
    num("pdd_ms", r.pddMs, 3);
    num("setup_ms", r.setupMs, 3);
    num("duration_s", r.durationS, 3);
    w.key("rtp");
    if (r.mediaStarted) {
        w.beginObject();
        w.key("sent").value(r.rtp.sent);
        w.key("received").value(r.rtp.received);
        w.key("lost").value(r.rtp.lost);
        w.key("jitter_ms").value(r.rtp.jitterMs, 3);
        w.endObject();
    } else {
        w.null();
    }
    w.key("one_way_audio").optional(r.oneWayAudio);
    w.key("codec").stringOrNull(r.codec);
    w.key("hold_code").optional(r.holdCode);
    writePrack(w, "sent", r.prackSent, r.reliableProvisionals);
    const stack::ua::NextHop* hop = session.hopTried(r.targetsTried);
    writeTarget(w, hop ? &hop->target : nullptr, hop ? hop->how : "");
    w.key("targets_tried").value(r.targetsTried);
    w.key("error").stringOrNull(r.error);
    w.endObject();
    std::cout << w.str() << '\n' << std::flush;
}

// One option of `call` at args[i] (common UA options are read before): nothing when taken, else
// the exit code the command ends with (0 after --help, 2 after a usage error it reported).
std::optional<int> parseCallOption(const Args& args, std::size_t& i, UaCommonOptions& common,
                                   stack::ua::CallOptions& call) {
    const std::string_view a = args[i];
    const bool hasValue = i + 1 < args.size();
    stack::Duration d{0};
    std::string error;
    if (a == "--help" || a == "-h") {
        printHelp();
        return 0;
    } else if (a == "--duration" && hasValue && parseSeconds(args[i + 1], d)) {
        call.duration = d;
        ++i;
    } else if (a == "--timeout" && hasValue && parseSeconds(args[i + 1], d) && d.count() > 0) {
        call.timeout = d;
        ++i;
    } else if (a == "--one-way-after" && hasValue && parseSeconds(args[i + 1], d)) {
        call.oneWayAfter = d;
        ++i;
    } else if (a == "--codec" && hasValue && (args[i + 1] == "pcmu" || args[i + 1] == "pcma")) {
        call.codecs = args[++i] == "pcmu" ? std::vector<int>{stack::ua::kPcmu, stack::ua::kPcma}
                                          : std::vector<int>{stack::ua::kPcma, stack::ua::kPcmu};
    } else if (a == "--hold" && hasValue && parseSeconds(args[i + 1], d)) {
        call.holdAfter = d;
        ++i;
    } else if (a == "--no-media") {
        call.media = false;
    } else if (a == "--wav" && hasValue) {
        call.audio = loadCallAudio(std::string(args[++i]), error);
        if (!call.audio) {
            std::cerr << "sipscope-cli call: " << error << '\n';
            return 2;
        }
    } else if (a == "--100rel") {
        // RFC 3262 §4: Supported by default, Require with "require".
        const bool req = hasValue && args[i + 1] == "require";
        if (req || (hasValue && args[i + 1] == "supported")) ++i;
        call.rel100 = req ? stack::ua::Rel100::Required : stack::ua::Rel100::Supported;
    } else if (!a.starts_with("-") && common.uri.empty()) {
        common.uri = std::string(a);
    } else {
        std::cerr << "sipscope-cli call: bad or unknown option " << a << " (see --help)\n";
        return 2;
    }
    return std::nullopt;
}

// Places the call and waits for its end (or Ctrl-C, which hangs up); returns its report.
stack::ua::CallReport placeCall(UaSession& session, const UaCommonOptions& common,
                                stack::ua::CallOptions call) {
    call.targetUri = common.uri;
    call.fromUri = session.fromUri();
    call.target = session.target();
    call.alternates = session.alternates();
    call.credentials = common.credentials;
    stack::ua::CallClient client(session.endpoint(), call);
    session.endpoint().onRequest = [&](const stack::ua::ServerRequest& r) {
        if (client.onRequest(r) || r.request.method() == "ACK") return;
        if (auto resp = stack::makeResponse(r.request, 481); resp.ok())
            session.endpoint().respond(r.key, resp.value());
    };
    session.endpoint().onStrayResponse = [&](const stack::SipMessage& m) {
        client.onStrayResponse(m);
    };
    client.start();
    const auto sixtyFour = common.timers.sixtyFourT1();
    // RFC 3263 §4.3: Timer B may run out at every target in turn.
    const auto targets = static_cast<int>(call.alternates.size()) + 1;
    const stack::Duration limit = call.timeout.value_or(targets * sixtyFour) + call.duration +
                                  2 * sixtyFour + stack::Duration{5000};
    if (!session.runUntil([&] { return client.done(); }, limit)) {
        client.hangUp();  // Ctrl-C: CANCEL or BYE, and wait a little for its answer
        const auto end = session.loop().now() + stack::Duration{2000};
        while (!client.done() && session.loop().now() < end)
            session.loop().runOnce(stack::Duration{100});
    }
    stack::ua::CallReport report = client.done() ? client.report() : client.snapshot();
    if (!client.done()) {
        report.result = "error";
        report.error = "interrupted";
    }
    session.endpoint().onRequest = nullptr;
    session.endpoint().onStrayResponse = nullptr;
    return report;
}

}  // namespace

int cmdCall(const Args& args) {
    UaCommonOptions common;
    stack::ua::CallOptions call;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string error;
        const int c = parseCommonOption(args, i, common, error);
        if (c < 0) {
            std::cerr << "sipscope-cli call: " << error << '\n';
            return 2;
        }
        if (c > 0) continue;
        if (const auto rc = parseCallOption(args, i, common, call)) return *rc;
    }
    if (common.uri.empty()) {
        std::cerr << "sipscope-cli call: a target URI is required (see --help)\n";
        return 2;
    }
    UaSession::installSignalHandlers();
    UaSession session;
    std::string error;
    if (!session.open(common, true, "sipscope-cli call " + common.uri, error)) {
        stack::ua::CallReport r;
        r.error = error;
        printReport(r, session);
        return 1;
    }
    const stack::ua::CallReport report = placeCall(session, common, std::move(call));
    printReport(report, session);
    return report.result == "answered" ? 0 : 1;
}

}  // namespace sipscope::cli
