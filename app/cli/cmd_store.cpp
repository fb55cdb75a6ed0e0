// `sipscope-cli import --db LIB FILE...`: captures into the SQLite store from the command line
// (`ladder` is in cmd_ladder.cpp, `export-pcap` in cmd_export.cpp).

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "calls/call_ladder.hpp"
#include "calls/call_tracker.hpp"
#include "capture_run.hpp"
#include "commands.hpp"
#include "json_writer.hpp"
#include "store/importer.hpp"
#include "store/pcap_export.hpp"
#include "store/store_reader.hpp"

namespace sipscope::cli {

namespace {

std::atomic<bool> g_cancel{false};

extern "C" void onInterrupt(int) {
    g_cancel.store(true);
}

constexpr const char* kImportHelp =
    "usage: sipscope-cli import --db LIB.sqlite FILE... [--t1-ms N] [--sip-port N]...\n"
    "                            [--no-media-packets]\n"
    "\n"
    "Analyses each capture (pcap, pcapng, gzip) and stores its messages (raw bytes, times,\n"
    "endpoints, frames), transactions, dialogs and calls in the SipScope database LIB, which is\n"
    "created when missing. RTP streams are stored with their statistics and their packets (for\n"
    "`audio` and `export-pcap`); --no-media-packets keeps only the statistics. A file\n"
    "already imported completely is recognised by its fingerprint and skipped. Progress goes\n"
    "to stderr on a terminal; Ctrl-C stops cleanly (the interrupted capture is kept, marked\n"
    "incomplete). At the end one JSON object:\n"
    "{\"captures\", \"skipped\", \"messages\", \"calls\", \"seconds\", \"files\": [...]}.\n"
    "\n"
    "Exit status: 0 success, 1 a file was damaged or the import interrupted, 2 usage error or\n"
    "unreadable file/database.\n"
    "\n"
    "example:\n"
    "  sipscope-cli import --db lib.sqlite resources/examples/basic-calls.pcap\n";

class ImportProgressLine {
  public:
    ImportProgressLine() : m_tty(isatty(2) != 0) {}
    ~ImportProgressLine() {
        if (m_shown) std::fprintf(stderr, "\r\033[K");
    }
    void show(const std::string& file, const analyzer::store::ImportProgress& p) {
        if (!m_tty) return;
        const double secs = std::chrono::duration<double>(Clock::now() - m_start).count();
        const double pct =
            p.totalBytes && *p.totalBytes
                ? 100.0 * static_cast<double>(p.bytesRead) / static_cast<double>(*p.totalBytes)
                : 0.0;
        const int filled = static_cast<int>(pct / 5);
        std::fprintf(stderr, "\r[%-20.*s] %5.1f%%  %s  %llu msgs  %llu calls  %.0f msg/s   ",
                     filled, "####################", pct, file.c_str(),
                     static_cast<unsigned long long>(p.messages),
                     static_cast<unsigned long long>(p.calls),
                     secs > 0 ? static_cast<double>(p.messages) / secs : 0.0);
        m_shown = true;
    }

  private:
    using Clock = std::chrono::steady_clock;
    bool m_tty, m_shown = false;
    Clock::time_point m_start = Clock::now();
};

void writeFile(JsonWriter& w, const analyzer::store::FileImport& f) {
    w.beginObject();
    w.key("file").value(f.path);
    w.key("capture_id");
    if (f.captureId)
        w.value(static_cast<std::int64_t>(f.captureId));
    else
        w.null();
    w.key("status").value(f.skipped ? std::string("skipped") : f.status);
    w.key("error").stringOrNull(f.error);
    w.key("messages").value(f.messages);
    w.key("calls").value(f.calls);
    w.endObject();
}

struct ImportArgs {
    std::string db;
    std::vector<std::string> files;
    analyzer::store::ImportOptions options;
};

// Reads the command line into `out`; returns an exit code when the command ends here (help, or
// a usage error already reported).
std::optional<int> parseImportArgs(const Args& args, ImportArgs& out) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto a = args[i];
        if (a == "--help" || a == "-h") {
            std::cout << kImportHelp;
            return 0;
        } else if (a == "--db" && i + 1 < args.size()) {
            out.db = std::string(args[++i]);
        } else if (a == "--t1-ms" && i + 1 < args.size()) {
            if (!parseMilliseconds(args[++i], out.options.tracker.observer.timers.t1, false)) {
                std::cerr << "sipscope-cli import: bad --t1-ms value\n";
                return 2;
            }
        } else if (a == "--sip-port" && i + 1 < args.size()) {
            std::uint16_t port = 0;
            if (!parsePort(args[++i], port)) {
                std::cerr << "sipscope-cli import: bad port\n";
                return 2;
            }
            out.options.pipeline.sipPorts.push_back(port);
        } else if (a == "--no-media-packets") {
            out.options.keepMediaPackets = false;
        } else if (a.size() > 1 && a[0] == '-' && a != "-") {
            std::cerr << "sipscope-cli import: unknown option '" << a << "'\n" << kImportHelp;
            return 2;
        } else {
            out.files.emplace_back(a);
        }
    }
    if (out.db.empty() || out.files.empty()) {
        std::cerr << kImportHelp;
        return 2;
    }
    return std::nullopt;
}

// Imports each file in turn until done or interrupted; errors go to stderr, and `rc` becomes
// 2 for a file that could not be read, 1 for one damaged or cut short.
std::vector<analyzer::store::FileImport> importAll(const ImportArgs& a, int& rc) {
    std::vector<analyzer::store::FileImport> results;
    analyzer::store::StoreWriter writer(a.db);
    analyzer::store::Importer importer(writer, a.options);
    ImportProgressLine line;
    for (const auto& file : a.files) {
        if (g_cancel.load()) break;
        auto r = importer.importFile(
            file, [&](const analyzer::store::ImportProgress& p) { line.show(file, p); }, g_cancel);
        if (r.status == "error") {
            std::cerr << "sipscope-cli import: " << file << ": " << r.error << '\n';
            rc = 2;
        } else if (r.status != "complete") {
            std::cerr << "sipscope-cli import: " << file << ": " << r.status << ": " << r.error
                      << '\n';
            rc = std::max(rc, 1);
        }
        results.push_back(std::move(r));
    }
    return results;
}

// The JSON summary on stdout: {"captures", "skipped", "messages", "calls", "seconds", "files"}.
void printSummary(const std::vector<analyzer::store::FileImport>& results, double seconds) {
    std::uint64_t captures = 0, skipped = 0, messages = 0, calls = 0;
    for (const auto& r : results) {
        if (r.skipped)
            ++skipped;
        else if (r.captureId)
            ++captures;
        messages += r.messages;
        calls += r.calls;
    }
    JsonWriter w;
    w.beginObject();
    w.key("captures").value(captures);
    w.key("skipped").value(skipped);
    w.key("messages").value(messages);
    w.key("calls").value(calls);
    w.key("seconds").value(seconds, 3);
    w.key("files").beginArray();
    for (const auto& r : results) writeFile(w, r);
    w.endArray();
    w.endObject();
    std::cout << w.str() << '\n';
}

}  // namespace

int cmdImport(const Args& args) {
    ImportArgs a;
    if (const auto rc = parseImportArgs(args, a)) return *rc;
    const auto start = std::chrono::steady_clock::now();
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    std::vector<analyzer::store::FileImport> results;
    int rc = 0;
    try {
        results = importAll(a, rc);
    } catch (const analyzer::sql::Error& e) {
        std::cerr << "sipscope-cli import: " << e.message << '\n';
        return 2;
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    printSummary(results,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (g_cancel.load()) rc = std::max(rc, 1);
    return rc;
}

}  // namespace sipscope::cli
