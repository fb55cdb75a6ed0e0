// `sipscope-cli listen`: the answering mode (issue 8). Answers INVITEs with a chosen code after
// a chosen delay (and an SDP answer + RTP tone for a 2xx), OPTIONS with 200, CANCEL and BYE as
// RFC 3261 says; prints one JSON line per finished call.

#include <iostream>
#include <optional>

#include "capture_run.hpp"
#include "commands.hpp"
#include "core/json_writer.hpp"
#include "ua/answerer.hpp"
#include "ua_json.hpp"
#include "ua_session.hpp"

namespace sipscope::cli {

namespace {

constexpr const char* kListenHelp =
    "usage: sipscope-cli listen [--port N] [--code C] [--delay S] [--transport udp|tcp|tls]\n"
    "         [--max-calls N] [--bind ADDR] [--cert FILE --key FILE] [--db LIB.sqlite]\n"
    "         [--wav FILE] [--100rel]\n"
    "\n"
    "Answers calls: 100 Trying, 180 Ringing, then after --delay the --code (default 200, with\n"
    "an SDP answer and a G.711 tone). CANCEL gets 487, BYE 200, OPTIONS and MESSAGE 200.\n"
    "Prints one JSON line per call when it ends: call_id, from, to, result (answered,\n"
    "rejected, cancelled, timeout), code, reinvites, prack {received, reliable_provisionals},\n"
    "duration_s, rtp {sent, received, lost, jitter_ms}.\n"
    "Runs until SIGINT/SIGTERM or --max-calls calls have ended.\n"
    "\n"
    "  --port N                 UDP (and TCP/TLS) port (default 5060)\n"
    "  --transport udp|tcp|tls  also listen on TCP or TLS (TLS needs --cert/--key); UDP always\n"
    "  --no-media               answer without RTP\n"
    "  --wav FILE               answer with FILE's audio (looped) instead of the tone (see\n"
    "                           sipscope-cli call --help for the WAV formats)\n"
    "  --100rel                 send the 180 reliably when the INVITE supports 100rel and\n"
    "                           answer only after its PRACK (RFC 3262); an INVITE requiring\n"
    "                           100rel without this option gets 420\n"
    "%COMMON%"
    "\n"
    "Example: sipscope-cli listen --bind 127.0.0.1 --port 5080 --code 486 --max-calls 1\n"
    "Exit status: 0 after a clean stop, 2 usage error or the port cannot be opened.\n";

void printCall(const stack::ua::AnsweredCall& c) {
    analyzer::JsonWriter w;
    w.beginObject();
    w.key("call_id").value(c.callId);
    w.key("from").value(c.from);
    w.key("to").value(c.to);
    w.key("result").value(c.result);
    w.key("code").value(c.code);
    w.key("reinvites").value(c.reinvites);
    writePrack(w, "received", c.pracks, c.reliableProvisionals);
    w.key("duration_s");
    if (c.durationS)
        w.value(*c.durationS, 3);
    else
        w.null();
    w.key("rtp");
    if (c.media) {
        w.beginObject();
        w.key("sent").value(c.rtp.sent);
        w.key("received").value(c.rtp.received);
        w.key("lost").value(c.rtp.lost);
        w.key("jitter_ms").value(c.rtp.jitterMs, 3);
        w.endObject();
    } else {
        w.null();
    }
    w.endObject();
    std::cout << w.str() << '\n' << std::flush;
}

struct ListenArgs {
    UaCommonOptions common;
    stack::ua::AnswerOptions answer;
    std::optional<std::uint64_t> maxCalls;
};

// One option of `listen` at args[i] (common UA options are read before): nothing when taken, else
// the exit code the command ends with (0 after --help, 2 after a usage error it reported).
std::optional<int> parseListenOption(const Args& args, std::size_t& i, ListenArgs& out) {
    const std::string_view a = args[i];
    const bool hasValue = i + 1 < args.size();
    stack::Duration d{0};
    std::uint16_t n = 0;
    std::string error;
    if (a == "--help" || a == "-h") {
        std::string help = kListenHelp;
        help.replace(help.find("%COMMON%"), 8, kUaCommonHelp);
        std::cout << help;
        return 0;
    } else if (a == "--port" && hasValue && parsePort(args[i + 1], n)) {
        out.common.localPort = n;
        ++i;
    } else if (a == "--code" && hasValue && parsePort(args[i + 1], n) && n >= 180 && n < 700) {
        out.answer.code = n;
        ++i;
    } else if (a == "--delay" && hasValue && parseSeconds(args[i + 1], d)) {
        out.answer.delay = d;
        ++i;
    } else if (a == "--max-calls" && hasValue && parsePort(args[i + 1], n) && n > 0) {
        out.maxCalls = n;
        ++i;
    } else if (a == "--no-media") {
        out.answer.media = false;
    } else if (a == "--wav" && hasValue) {
        out.answer.audio = loadCallAudio(std::string(args[++i]), error);
        if (!out.answer.audio) {
            std::cerr << "sipscope-cli listen: " << error << '\n';
            return 2;
        }
    } else if (a == "--100rel") {
        out.answer.rel100 = true;
    } else {
        std::cerr << "sipscope-cli listen: bad or unknown option " << a << " (see --help)\n";
        return 2;
    }
    return std::nullopt;
}

// With --transport tcp or tls, also a stream listener on the address and port the UDP socket
// took (RFC 3261 §18.2.1: a port a server listens on for UDP it listens on for TCP too).
bool listenStream(UaSession& session, const UaCommonOptions& common, std::string& error) {
    const auto proto = common.transport.value_or(stack::net::Protocol::Udp);
    if (proto == stack::net::Protocol::Udp) return true;
    const bool tls = proto == stack::net::Protocol::Tls;
    auto local = session.transport().udpLocal(
        common.bind.empty() ? AF_INET : stack::net::SockAddr::fromLiteral(common.bind, 0).family());
    return (!tls || session.transport().setTlsServer(common.tls, error)) &&
           session.transport().listen(local, tls, error);
}

}  // namespace

int cmdListen(const Args& args) {
    ListenArgs la;
    la.common.localPort = 5060;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string error;
        const int c = parseCommonOption(args, i, la.common, error);
        if (c < 0) {
            std::cerr << "sipscope-cli listen: " << error << '\n';
            return 2;
        }
        if (c > 0) continue;
        if (const auto rc = parseListenOption(args, i, la)) return *rc;
    }
    UaSession::installSignalHandlers();
    UaSession session;
    std::string error;
    if (!session.open(la.common, false, "sipscope-cli listen", error) ||
        !listenStream(session, la.common, error)) {
        std::cerr << "sipscope-cli listen: " << error << '\n';
        return 2;
    }
    stack::ua::Answerer answerer(session.endpoint(), la.answer);
    std::uint64_t ended = 0;
    answerer.onCallEnded = [&](const stack::ua::AnsweredCall& c) {
        printCall(c);
        ++ended;
    };
    session.endpoint().onRequest = [&](const stack::ua::ServerRequest& r) {
        answerer.onRequest(r);
    };
    std::cerr << "sipscope-cli listen: listening on port " << la.common.localPort << '\n';
    // A day at most: the command is meant to be stopped by a signal or --max-calls.
    session.runUntil([&] { return la.maxCalls && ended >= *la.maxCalls; },
                     stack::Duration{86400000});
    // Let the last responses (200 to BYE) leave before the sockets close.
    const auto end = session.loop().now() + stack::Duration{50};
    while (session.loop().now() < end) session.loop().runOnce(stack::Duration{10});
    session.endpoint().onRequest = nullptr;
    return 0;
}

}  // namespace sipscope::cli
