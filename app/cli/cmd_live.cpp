// `sipscope-cli interfaces` and `sipscope-cli capture -i IF ...`: live capture through the
// privileged helper sipscope-capture; this process never needs capture privileges.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "capture_helper.hpp"
#include "capture_run.hpp"
#include "commands.hpp"
#include "observed_json.hpp"

namespace sipscope::cli {

namespace {

constexpr const char* kInterfacesHelp =
    "usage: sipscope-cli interfaces [--json]\n"
    "\n"
    "Lists the interfaces the capture helper (sipscope-capture) can open: a table, or with\n"
    "--json one object per line {name, description, addresses, loopback, up, running}.\n"
    "\n"
    "example:\n"
    "  sipscope-cli interfaces\n";

constexpr const char* kCaptureHelp =
    "usage: sipscope-cli capture -i IF [-i IF]... [-f BPF] [-w FILE] [--duration S | --count N]\n"
    "                            [--summary] [--sip-port N]...\n"
    "\n"
    "Captures live through sipscope-capture (which holds the capture privileges) and prints one\n"
    "JSON object per SIP message as it arrives, like `messages`. With -w the packets are written\n"
    "to FILE (pcapng) instead and a summary is printed at the end; --summary prints only the\n"
    "summary. Ctrl-C stops the capture cleanly. Drop counts from the kernel are reported.\n"
    "\n"
    "example:\n"
    "  sipscope-cli capture -i eth0 -f 'udp port 5060' --duration 30 | jq -c '[.method, "
    ".status]'\n";

std::string readFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string readFd(int fd) {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    return out;
}

std::string jsonString(const std::string& line, const std::string& key) {
    const auto at = line.find("\"" + key + "\":\"");
    if (at == std::string::npos) return {};
    const auto b = at + key.size() + 4;
    return line.substr(b, line.find('"', b) - b);
}

// Waits (bounded) until the helper reports that every interface is capturing: its first
// statistics line. False when it ended or said nothing within 10 s.
bool waitUntilCapturing(const HelperProcess& h) {
    for (int i = 0; i < 500; ++i) {
        const std::string text = readFile(h.stderrPath);
        if (text.find("{\"interface\"") != std::string::npos) return true;
        if (waitpid(h.pid, nullptr, WNOHANG) != 0) return false;
        usleep(20000);
    }
    return false;
}

int finishHelper(HelperProcess& h, std::string& stats) {
    const int rc = waitHelper(h);
    stats = readFile(h.stderrPath);
    unlink(h.stderrPath.c_str());
    if (rc != 0) std::cerr << helperMessages(stats);
    return rc;
}

}  // namespace

int cmdInterfaces(const Args& args) {
    bool json = false;
    for (auto a : args) {
        if (a == "--help" || a == "-h") return std::cout << kInterfacesHelp, 0;
        if (a == "--json")
            json = true;
        else
            return std::cerr << "sipscope-cli interfaces: unknown option '" << a << "'\n", 2;
    }
    const std::string helper = findCaptureHelper();
    HelperProcess h;
    std::string error, stats;
    if (helper.empty() || !startHelper(helper, {"--list"}, h, error)) {
        std::cerr << "sipscope-cli interfaces: "
                  << (helper.empty() ? "sipscope-capture not found" : error) << '\n';
        return 2;
    }
    const std::string list = readFd(h.stdoutFd);
    close(h.stdoutFd);
    if (finishHelper(h, stats) != 0) return 2;
    if (json) {
        std::cout << list;
        return 0;
    }
    std::printf("%-16s %-8s %s\n", "INTERFACE", "STATE", "DESCRIPTION");
    std::stringstream in(list);
    for (std::string line; std::getline(in, line);) {
        const bool up = line.find("\"up\":true") != std::string::npos;
        const bool loop = line.find("\"loopback\":true") != std::string::npos;
        std::string desc = jsonString(line, "description");
        if (loop) desc = desc.empty() ? "loopback" : desc + " (loopback)";
        std::printf("%-16s %-8s %s\n", jsonString(line, "name").c_str(), up ? "up" : "down",
                    desc.c_str());
    }
    return 0;
}

namespace {

struct CaptureArgs {
    std::vector<std::string> helperArgs;  // for sipscope-capture
    std::string file;                     // -w
    bool summary = false;
    CaptureRunOptions run;
};

// Reads the command line into `out`; returns an exit code when the command ends here (help, or
// a usage error already reported).
std::optional<int> parseCaptureArgs(const Args& args, CaptureArgs& out) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == "--help" || a == "-h") return std::cout << kCaptureHelp, 0;
        if (a == "--summary") {
            out.summary = true;
        } else if ((a == "-i" || a == "-f" || a == "--duration" || a == "--count" || a == "-c") &&
                   hasValue) {
            out.helperArgs.emplace_back(a == "-c" ? "--count" : a);
            out.helperArgs.emplace_back(args[++i]);
        } else if (a == "-w" && hasValue) {
            out.file = std::string(args[++i]);
        } else if (a == "--sip-port" && hasValue) {
            std::uint16_t port = 0;
            if (!parsePort(args[++i], port))
                return std::cerr << "sipscope-cli capture: bad port\n", 2;
            out.run.sipPorts.push_back(port);
        } else {
            std::cerr << "sipscope-cli capture: unexpected '" << a << "'\n" << kCaptureHelp;
            return 2;
        }
    }
    const auto& h = out.helperArgs;
    if (std::find(h.begin(), h.end(), "-i") == h.end()) return std::cerr << kCaptureHelp, 2;
    return std::nullopt;
}

}  // namespace

int cmdCapture(const Args& args) {
    CaptureArgs ca;
    if (const auto rc = parseCaptureArgs(args, ca)) return *rc;
    if (!ca.file.empty()) ca.helperArgs.insert(ca.helperArgs.end(), {"-w", ca.file});
    const std::string helper = findCaptureHelper();
    HelperProcess h;
    std::string error, stats;
    if (helper.empty() || !startHelper(helper, ca.helperArgs, h, error)) {
        std::cerr << "sipscope-cli capture: "
                  << (helper.empty() ? "sipscope-capture not found" : error) << '\n';
        return 2;
    }
    if (waitUntilCapturing(h))
        std::cerr << "sipscope-cli capture: capturing (Ctrl-C to stop)\n" << std::flush;
    MessageSummary s;
    JsonWriter w;
    CaptureRunResult r;
    auto sink = [&](analyzer::ObservedMessage&& m) {
        s.add(m);
        if (ca.summary || !ca.file.empty()) return;
        w.clear();
        writeObservedMessage(w, m);
        std::cout << w.str() << '\n' << std::flush;
    };
    if (ca.file.empty()) {
        dup2(h.stdoutFd, 0);  // the pcapng stream becomes our standard input
        close(h.stdoutFd);
        std::string openError;
        if (auto source = analyzer::openCaptureFile("-", openError))
            runSource(*source, ca.run, sink, r);
        else if (finishHelper(h, stats) == 0)
            std::cerr << "sipscope-cli capture: " << openError << '\n';
    } else {
        close(h.stdoutFd);
    }
    if (h.pid > 0 && finishHelper(h, stats) != 0) return 2;
    if (!ca.file.empty()) {
        ca.run.path = ca.file;
        if (!runCapture(ca.run, sink, r))
            return std::cerr << "sipscope-cli capture: " << r.openError << '\n', 2;
    }
    const std::uint64_t dropped = droppedFromStats(stats);
    if (ca.summary || !ca.file.empty()) s.write(r, dropped);
    std::cerr << "sipscope-cli capture: " << r.packets << " packets, " << r.stats.sipMessages
              << " SIP messages, " << dropped << " dropped\n";
    return 0;
}

}  // namespace sipscope::cli
