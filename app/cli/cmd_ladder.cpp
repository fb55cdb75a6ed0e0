// `sipscope-cli ladder (--db LIB | FILE) --call ID [--format F] [--time M] [-o OUT]`.

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>

#include "calls/call_ladder.hpp"
#include "calls/call_tracker.hpp"
#include "capture_run.hpp"
#include "commands.hpp"
#include "store/store_reader.hpp"

namespace sipscope::cli {

namespace {

constexpr const char* kLadderHelp =
    "usage: sipscope-cli ladder (--db LIB.sqlite | FILE) --call CALL_ID [--format F]\n"
    "                           [--time absolute|relative|delta] [--hide ENDPOINT]... [-o OUT]\n"
    "\n"
    "Draws a call as a ladder (sequence) diagram: one lane per node (address, inferred role,\n"
    "user agent), arrows with method or status and time, retransmissions and duplicates\n"
    "marked, forks as adjacent lanes, the legs of one call (proxies, B2BUAs) together.\n"
    "CALL_ID is any Call-ID of the call. Formats: text (80 columns, default), svg, mermaid,\n"
    "html (one file; click a message to see it). From a capture FILE the call is rebuilt\n"
    "first (no database needed).\n"
    "\n"
    "Exit status: 0 success, 1 no such call, 2 usage error or unreadable input.\n"
    "\n"
    "example:\n"
    "  sipscope-cli ladder resources/examples/basic-calls.pcap --call call-1@sipscope.test\n";

struct LadderArgs {
    std::string db, file, callId, out;
    analyzer::LadderFormat format = analyzer::LadderFormat::Text;
    analyzer::LadderOptions options;
};

// The call's messages from a capture file: the tracker runs over it and keeps the messages of
// the open calls; the call holding `callId` is kept when it is reported.
bool callFromFile(const LadderArgs& a, std::vector<analyzer::store::StoredMessage>& out,
                  analyzer::CallLadderInfo& info, std::string& error) {
    std::map<std::uint64_t, std::vector<analyzer::store::StoredMessage>> open;
    bool found = false;
    analyzer::CallTrackerSinks sinks;
    sinks.message = [&](const analyzer::ObservedMessage& m, const stack::MessageVerdict& v,
                        std::uint64_t key, const stack::Observation&) {
        analyzer::store::StoredMessage s;
        s.seq = m.id;
        s.tsNs = m.tsNs;
        s.src = m.src.ip.toString();
        s.dst = m.dst.ip.toString();
        s.sport = m.src.port;
        s.dport = m.dst.port;
        s.transport = analyzer::transportName(m.transport);
        s.ipVersion = m.ipVersion;
        s.role = std::string(stack::messageRoleLabel(v.role));
        s.original = v.original;
        if (m.bytes) s.bytes = *m.bytes;
        open[key].push_back(std::move(s));
    };
    sinks.call = [&](analyzer::CallRecord&& c) {
        auto it = open.find(c.key);
        const bool match =
            !found && std::find(c.callIds.begin(), c.callIds.end(), a.callId) != c.callIds.end();
        if (match && it != open.end()) {
            found = true;
            out = std::move(it->second);
            info.legHops = c.legHops;
            for (const auto& an : c.anomalies)
                for (auto id : an.messageIds) info.anomalies[id].push_back(an.code);
        }
        if (it != open.end()) open.erase(it);
    };
    analyzer::CallTracker tracker({}, std::move(sinks));
    CaptureRunOptions o;
    o.path = a.file;
    CaptureRunResult r;
    if (!runCapture(
            o, [&](analyzer::ObservedMessage&& m) { tracker.observe(m); }, r)) {
        error = r.openError;
        return false;
    }
    tracker.finish();
    return true;
}

bool callFromDb(const std::string& db, const std::string& callId,
                std::vector<analyzer::store::StoredMessage>& out, analyzer::CallLadderInfo& info) {
    analyzer::store::StoreReader reader(db);
    const auto calls = reader.callsById(callId);
    if (calls.empty()) return true;
    out = reader.messagesOf(calls.front());
    info.legHops = reader.legsOf(calls.front());
    info.anomalies = reader.anomaliesOf(calls.front());
    return true;
}

int parseLadderArgs(const Args& args, LadderArgs& a) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto arg = args[i];
        const bool more = i + 1 < args.size();
        if (arg == "--help" || arg == "-h") {
            std::cout << kLadderHelp;
            return 1;
        } else if (arg == "--db" && more) {
            a.db = std::string(args[++i]);
        } else if (arg == "--call" && more) {
            a.callId = std::string(args[++i]);
        } else if ((arg == "-o" || arg == "--output") && more) {
            a.out = std::string(args[++i]);
        } else if (arg == "--hide" && more) {
            a.options.hiddenLanes.insert(std::string(args[++i]));
        } else if (arg == "--format" && more) {
            auto f = analyzer::parseLadderFormat(args[++i]);
            if (!f) return std::cerr << "sipscope-cli ladder: unknown format\n", 2;
            a.format = *f;
        } else if (arg == "--time" && more) {
            auto t = analyzer::parseLadderTimeMode(args[++i]);
            if (!t) return std::cerr << "sipscope-cli ladder: unknown time mode\n", 2;
            a.options.timeMode = *t;
        } else if (arg.size() > 1 && arg[0] == '-' && arg != "-") {
            std::cerr << "sipscope-cli ladder: unknown option '" << arg << "'\n" << kLadderHelp;
            return 2;
        } else if (a.file.empty()) {
            a.file = std::string(arg);
        } else {
            std::cerr << "sipscope-cli ladder: one capture file at a time\n";
            return 2;
        }
    }
    if (a.callId.empty() || a.db.empty() == a.file.empty()) {
        std::cerr << kLadderHelp;
        return 2;
    }
    return 0;
}

}  // namespace

int cmdLadder(const Args& args) {
    LadderArgs a;
    if (int rc = parseLadderArgs(args, a)) return rc == 1 ? 0 : rc;
    std::vector<analyzer::store::StoredMessage> messages;
    analyzer::CallLadderInfo info;
    try {
        std::string error;
        if (!a.db.empty()) {
            callFromDb(a.db, a.callId, messages, info);
        } else if (!callFromFile(a, messages, info, error)) {
            std::cerr << "sipscope-cli ladder: " << error << '\n';
            return 2;
        }
    } catch (const analyzer::sql::Error& e) {
        std::cerr << "sipscope-cli ladder: " << e.message << '\n';
        return 2;
    }
    if (messages.empty()) {
        std::cerr << "sipscope-cli ladder: no call with Call-ID " << a.callId << '\n';
        return 1;
    }
    const std::string drawing =
        analyzer::renderLadder(analyzer::buildCallLadder(messages, info), a.format, a.options);
    if (a.out.empty() || a.out == "-") {
        std::cout << drawing;
        return 0;
    }
    std::ofstream f(a.out, std::ios::binary);
    f << drawing;
    if (!f) {
        std::cerr << "sipscope-cli ladder: cannot write " << a.out << '\n';
        return 2;
    }
    return 0;
}

}  // namespace sipscope::cli
