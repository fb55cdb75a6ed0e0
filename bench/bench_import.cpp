// bench_import: importing the synthetic capture of bench_capture into a new SipScope database
// (capture layer + passive analysis + SQLite writer thread), next to the capture layer alone
// and, when asked and installed, tshark -z sip,stat and sngrep reading the same file.
//
//   bench_import [--size-mb N] [--us-per-message N] [--tshark] [--sngrep] [--keep]
//                [--no-snapshots]
//
// Prints msgs/s, the ratio to the capture layer, the database size against the raw SIP bytes,
// the peak RSS, the time of a one-hour calls query, and the ratios to tshark and sngrep (their
// time and peak RSS too). A benchmark, not a test: exits 0.

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_util.hpp"
#include "capture/packet_source.hpp"
#include "pipeline/capture_pipeline.hpp"
#include "store/importer.hpp"
#include "store/store_reader.hpp"
#include "synthetic_capture.hpp"

using namespace sipscope;
using bench::Clock;

namespace {

double seconds(Clock::time_point a) {
    return bench::secondsSince(a);
}
using bench::peakRssMb;

double fileMb(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 ? static_cast<double>(st.st_size) / 1e6 : 0.0;
}

double captureOnly(const std::string& path, std::uint64_t& messages) {
    std::string error;
    auto src = analyzer::openCaptureFile(path, error);
    if (!src) return 0;
    analyzer::CapturePipeline pipe({}, [&](analyzer::ObservedMessage&&) { ++messages; });
    const auto t0 = Clock::now();
    analyzer::RawPacket p;
    while (src->next(p)) pipe.process(p);
    pipe.finish();
    return seconds(t0);
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t mb = 200;
    std::uint32_t usPerMessage = 37;
    bool withTshark = false, withSngrep = false, keep = false, snapshots = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size-mb" && i + 1 < argc)
            mb = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--us-per-message" && i + 1 < argc)
            usPerMessage = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        else if (a == "--tshark")
            withTshark = true;
        else if (a == "--sngrep")
            withSngrep = true;
        else if (a == "--keep")
            keep = true;
        else if (a == "--no-snapshots")  // calls in progress not written (ImportOptions)
            snapshots = false;
        else {
            std::printf(
                "usage: bench_import [--size-mb N] [--us-per-message N] [--tshark] [--sngrep] "
                "[--keep] [--no-snapshots]\n");
            return 0;
        }
    }
    const std::string base = "/tmp/sipscope-bench-import-" + std::to_string(getpid());
    const std::string pcap = base + ".pcap", db = base + ".sqlite";
    bench::SyntheticOptions o;
    o.targetBytes = mb << 20;
    o.usPerMessage = usPerMessage;
    bench::SyntheticResult gen;
    if (!bench::writeSyntheticCapture(pcap, o, gen)) {
        std::printf("cannot write %s\n", pcap.c_str());
        return 0;
    }
    std::printf("UDP capture: %.0f MB, %llu SIP messages (%.0f MB of SIP bytes)\n",
                static_cast<double>(gen.bytes) / 1e6, static_cast<unsigned long long>(gen.messages),
                static_cast<double>(gen.sipBytes) / 1e6);
    std::uint64_t captured = 0;
    const double cap = captureOnly(pcap, captured);
    std::printf("  capture layer only   %7.2f s  %10.0f msg/s\n", cap,
                static_cast<double>(captured) / cap);
    const auto t0 = Clock::now();
    analyzer::store::FileImport r;
    {
        analyzer::store::StoreWriter writer(db);
        analyzer::store::ImportOptions options;
        if (!snapshots) options.snapshotsPerBatch = 0;
        analyzer::store::Importer importer(writer, options);
        std::atomic<bool> cancel{false};
        r = importer.importFile(pcap, {}, cancel);
    }
    const double imp = seconds(t0);
    std::printf(
        "  import into SQLite   %7.2f s  %10.0f msg/s  %.2fx the capture layer "
        "(target: >= 350k msg/s, within 3x)  status %s\n",
        imp, static_cast<double>(r.messages) / imp, imp / cap, r.status.c_str());
    const double dbMb = fileMb(db) + fileMb(db + "-wal");
    std::printf("  database %.0f MB = %.2fx the raw SIP bytes (target <= 1.3x); %llu calls\n", dbMb,
                dbMb / (static_cast<double>(gen.sipBytes) / 1e6),
                static_cast<unsigned long long>(r.calls));
    {
        analyzer::store::StoreReader reader(db);
        std::int64_t first = 0;
        reader.calls(std::nullopt, std::nullopt, [&](const analyzer::store::StoredCall& c) {
            first = c.startNs;
            return false;
        });
        const auto q0 = Clock::now();
        std::uint64_t n = 0;
        reader.calls(first, first + 3600ll * 1000000000, [&](const analyzer::store::StoredCall&) {
            ++n;
            return true;
        });
        std::printf("  calls of the first hour: %llu in %.1f ms\n",
                    static_cast<unsigned long long>(n), seconds(q0) * 1000);
    }
    // The yardsticks, run on the same file: import >= 12x tshark and >= 13x sngrep.
    const auto compare = [&](const char* name, const std::string& command, double target) {
        const bench::ToolRun t = bench::runTool(command);
        std::printf(
            "  %-20s %7.2f s  %10.0f msg/s, peak RSS %ld MB (exit %d); import %.1fx as fast "
            "(target >= %.0fx)\n",
            name, t.seconds, static_cast<double>(gen.messages) / t.seconds, t.peakRssMb, t.exitCode,
            t.seconds / imp, target);
    };
    if (withTshark && bench::installed("tshark"))
        compare("tshark -z sip,stat", "tshark -n -r '" + pcap + "' -q -z sip,stat", 12);
    // -N: no interface, -q: no output, -l: no dialog limit (sngrep stops at 20000 by default).
    if (withSngrep && bench::installed("sngrep"))
        compare("sngrep -N -q -I", "sngrep -N -q -l 100000000 -I '" + pcap + "'", 13);
    std::printf("peak RSS: %ld MB (machine: %ld cores)\n", peakRssMb(),
                sysconf(_SC_NPROCESSORS_ONLN));
    if (!keep) {
        std::remove(pcap.c_str());
        std::remove(db.c_str());
        std::remove((db + "-wal").c_str());
        std::remove((db + "-shm").c_str());
    }
    return 0;
}
