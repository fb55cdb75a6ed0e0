// bench_passive: passive analysis (capture layer + transaction/dialog shadows + call tracker)
// of the synthetic capture of bench_capture, next to the capture layer alone on the same file.
//
//   bench_passive [--size-mb N] [--us-per-message N] [--file F] [--keep]
//
// --file F reads F when it exists (a capture kept by --keep, or any capture), else writes the
// synthetic capture there.
//
// --us-per-message sets the time between messages (default 37 us, the capture benchmark's
// file: ~3,800 calls/s, so RFC timers keep ~64 s of calls open).
//
// Prints msgs/s of both runs, their ratio (target: passive within 1.5x of the capture layer),
// calls and transactions found, the largest number of open transactions/calls seen, and the
// peak RSS (target: bounded by open transactions, not by file size: compare two sizes).
// A benchmark, not a test: it always exits 0.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_util.hpp"
#include "calls/call_tracker.hpp"
#include "capture/packet_source.hpp"
#include "message/key_headers.hpp"
#include "pipeline/capture_pipeline.hpp"
#include "synthetic_capture.hpp"

using namespace sipscope;
using bench::Clock;

namespace {

double seconds(Clock::time_point a) {
    return bench::secondsSince(a);
}
using bench::peakRssMb;

struct Run {
    double secs = 0;
    std::uint64_t messages = 0, calls = 0, transactions = 0;
    std::size_t maxOpenTx = 0, maxOpenCalls = 0;
};

Run captureOnly(const std::string& path) {
    Run r;
    std::string error;
    auto src = analyzer::openCaptureFile(path, error);
    if (!src) return r;
    std::uint64_t check = 0;
    analyzer::CapturePipeline pipe({}, [&](analyzer::ObservedMessage&& m) {
        ++r.messages;
        if (m.message) check += stack::extractKeyHeaders(*m.message).callId.size();
    });
    const auto t0 = Clock::now();
    analyzer::RawPacket p;
    while (src->next(p)) pipe.process(p);
    pipe.finish();
    r.secs = seconds(t0);
    if (check == 42) std::printf(" ");
    return r;
}

Run passive(const std::string& path) {
    Run r;
    std::string error;
    auto src = analyzer::openCaptureFile(path, error);
    if (!src) return r;
    analyzer::CallTrackerSinks sinks;
    sinks.call = [&](analyzer::CallRecord&&) { ++r.calls; };
    sinks.transaction = [&](const stack::TransactionRecord&) { ++r.transactions; };
    // As the import and `calls --json` run it: each call given out as soon as it is over.
    analyzer::CallTrackerOptions options;
    options.startOrder = false;
    analyzer::CallTracker tracker(options, std::move(sinks));
    analyzer::CapturePipeline pipe({}, [&](analyzer::ObservedMessage&& m) {
        ++r.messages;
        tracker.observe(m);
        if ((r.messages & 1023) == 0) {
            r.maxOpenTx = std::max(r.maxOpenTx, tracker.openTransactions());
            r.maxOpenCalls = std::max(r.maxOpenCalls, tracker.openCalls());
        }
    });
    const auto t0 = Clock::now();
    analyzer::RawPacket p;
    while (src->next(p)) pipe.process(p);
    pipe.finish();
    tracker.finish();
    r.secs = seconds(t0);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t mb = 200;
    std::string file;
    bool keep = false;
    std::uint32_t usPerMessage = 37;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size-mb" && i + 1 < argc)
            mb = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--file" && i + 1 < argc)
            file = argv[++i];
        else if (a == "--us-per-message" && i + 1 < argc)
            usPerMessage = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        else if (a == "--keep")
            keep = true;
        else {
            std::printf(
                "usage: bench_passive [--size-mb N] [--us-per-message N] [--file F] [--keep]\n");
            return 0;
        }
    }
    const std::string path =
        file.empty() ? "/tmp/sipscope-bench-passive-" + std::to_string(getpid()) + ".pcap" : file;
    bench::SyntheticOptions o;
    o.targetBytes = mb << 20;
    o.usPerMessage = usPerMessage;
    bench::SyntheticResult gen;
    if (!file.empty() && access(file.c_str(), R_OK) == 0) {
        keep = true;  // a capture from an earlier run (or any capture): read, never removed
        std::printf("capture: %s (existing file)\n", path.c_str());
    } else if (!bench::writeSyntheticCapture(path, o, gen)) {
        std::printf("cannot write %s\n", path.c_str());
        return 0;
    } else {
        std::printf("UDP capture: %s, %.0f MB, %llu packets, %llu SIP messages\n", path.c_str(),
                    static_cast<double>(gen.bytes) / 1e6,
                    static_cast<unsigned long long>(gen.packets),
                    static_cast<unsigned long long>(gen.messages));
    }
    const Run cap = captureOnly(path);
    std::printf("  capture layer only        %7.2f s  %10.0f msg/s   (peak RSS so far %ld MB)\n",
                cap.secs, static_cast<double>(cap.messages) / cap.secs, peakRssMb());
    const Run pas = passive(path);
    std::printf(
        "  passive analysis to calls %7.2f s  %10.0f msg/s   %.2fx the capture layer "
        "(target <= 1.5x)\n",
        pas.secs, static_cast<double>(pas.messages) / pas.secs, pas.secs / cap.secs);
    std::printf(
        "  %llu calls, %llu transactions; at most %zu open transactions and %zu open "
        "calls\n",
        static_cast<unsigned long long>(pas.calls),
        static_cast<unsigned long long>(pas.transactions), pas.maxOpenTx, pas.maxOpenCalls);
    std::printf("peak RSS: %ld MB (machine: %ld cores)\n", peakRssMb(),
                sysconf(_SC_NPROCESSORS_ONLN));
    if (!keep) std::remove(path.c_str());
    return 0;
}
