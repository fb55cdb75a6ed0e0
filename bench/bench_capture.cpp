// bench_capture: the capture layer on a synthetic capture (written by this program), next to a
// bare libpcap read loop over the same file and, when installed, tshark -z sip,stat.
//
//   bench_capture [--size-mb N] [--tcp-size-mb N] [--file F] [--tshark] [--keep]
//
// Prints packets/s, SIP messages/s and MB/s for: libpcap pcap_next_ex loop; SipScope's reader
// alone; reader + decoding + reassembly + SIP extraction to ObservedMessage with key headers
// (UDP and TCP files); and the peak RSS. A benchmark, not a test: it always exits 0.

#include <pcap/pcap.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench_util.hpp"
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

struct Figures {
    double secs = 0;
    std::uint64_t packets = 0, messages = 0, bytes = 0;
};

void print(const char* what, const Figures& f, double baselineSecs) {
    std::printf("  %-34s %7.2f s  %10.0f pkt/s  %10.0f msg/s  %7.0f MB/s", what, f.secs,
                static_cast<double>(f.packets) / f.secs, static_cast<double>(f.messages) / f.secs,
                static_cast<double>(f.bytes) / f.secs / 1e6);
    if (baselineSecs > 0) std::printf("  %.2fx libpcap", f.secs / baselineSecs);
    std::printf("\n");
}

Figures bareLibpcap(const std::string& path) {
    Figures f;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(path.c_str(), err);
    if (!p) return f;
    const auto t0 = Clock::now();
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    std::uint64_t sum = 0;
    while (pcap_next_ex(p, &h, &data) == 1) {
        ++f.packets;
        f.bytes += h->caplen;
        sum += data[h->caplen - 1];
    }
    f.secs = seconds(t0);
    pcap_close(p);
    if (sum == 42) std::printf(" ");
    return f;
}

Figures readerOnly(const std::string& path) {
    Figures f;
    std::string err;
    auto src = analyzer::openCaptureFile(path, err);
    if (!src) return f;
    const auto t0 = Clock::now();
    analyzer::RawPacket p;
    std::uint64_t sum = 0;
    while (src->next(p)) {
        ++f.packets;
        f.bytes += p.data.size();
        sum += p.data.back();
    }
    f.secs = seconds(t0);
    if (sum == 42) std::printf(" ");
    return f;
}

Figures pipeline(const std::string& path) {
    Figures f;
    std::string err;
    auto src = analyzer::openCaptureFile(path, err);
    if (!src) return f;
    std::uint64_t check = 0;
    analyzer::CapturePipeline pipe({}, [&](analyzer::ObservedMessage&& m) {
        ++f.messages;
        if (m.message) {
            const auto k = stack::extractKeyHeaders(*m.message);
            check +=
                k.callId.size() + k.topViaBranch.size() + k.fromTag.size() + k.cseq.value_or(0);
        }
    });
    const auto t0 = Clock::now();
    analyzer::RawPacket p;
    while (src->next(p)) {
        ++f.packets;
        f.bytes += p.data.size();
        pipe.process(p);
    }
    pipe.finish();
    f.secs = seconds(t0);
    if (check == 42) std::printf(" ");
    return f;
}

void tshark(const std::string& path, std::uint64_t messages) {
    if (!bench::installed("tshark")) {
        std::printf("  tshark: not installed\n");
        return;
    }
    const bench::ToolRun t = bench::runTool("tshark -n -r '" + path + "' -q -z sip,stat");
    std::printf("  %-34s %7.2f s  %10s        %10.0f msg/s (exit %d, peak RSS %ld MB)\n",
                "tshark -q -z sip,stat", t.seconds, "", static_cast<double>(messages) / t.seconds,
                t.exitCode, t.peakRssMb);
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t udpMb = 200, tcpMb = 100;
    std::string file, input;
    bool withTshark = false, keep = false, pipelineOnly = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size-mb" && i + 1 < argc)
            udpMb = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--tcp-size-mb" && i + 1 < argc)
            tcpMb = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--file" && i + 1 < argc)
            file = argv[++i];
        else if (a == "--input" && i + 1 < argc)
            input = argv[++i];
        else if (a == "--pipeline-only")
            pipelineOnly = true;
        else if (a == "--tshark")
            withTshark = true;
        else if (a == "--keep")
            keep = true;
        else {
            std::printf(
                "usage: bench_capture [--size-mb N] [--tcp-size-mb N] [--file F] [--tshark] "
                "[--keep]\n"
                "       bench_capture --input CAPTURE [--pipeline-only] [--tshark]\n"
                "           (measure an existing capture; --pipeline-only skips the reference "
                "loops, for profiles)\n");
            return 0;
        }
    }
    if (!input.empty()) {
        if (pipelineOnly) {
            print("pipeline to ObservedMessage", pipeline(input), 0);
            return 0;
        }
        const Figures bare = bareLibpcap(input);
        print("bare libpcap pcap_next_ex loop", bare, 0);
        print("SipScope reader only", readerOnly(input), bare.secs);
        const Figures full = pipeline(input);
        print("pipeline to ObservedMessage", full, bare.secs);
        if (withTshark) tshark(input, full.messages);
        return 0;
    }
    const std::string base =
        file.empty() ? "/tmp/sipscope-bench-" + std::to_string(getpid()) : file;
    for (const bool tcp : {false, true}) {
        const std::uint64_t mb = tcp ? tcpMb : udpMb;
        if (mb == 0) continue;
        const std::string path = base + (tcp ? "-tcp.pcap" : "-udp.pcap");
        bench::SyntheticOptions o;
        o.targetBytes = mb << 20;
        o.tcp = tcp;
        bench::SyntheticResult gen;
        const auto g0 = Clock::now();
        if (!bench::writeSyntheticCapture(path, o, gen)) {
            std::printf("cannot write %s\n", path.c_str());
            return 0;
        }
        std::printf(
            "%s capture: %s, %.0f MB, %llu packets, %llu SIP messages (written in %.1f s)\n",
            tcp ? "TCP" : "UDP", path.c_str(), static_cast<double>(gen.bytes) / 1e6,
            static_cast<unsigned long long>(gen.packets),
            static_cast<unsigned long long>(gen.messages), seconds(g0));
        const Figures bare = bareLibpcap(path);
        print("bare libpcap pcap_next_ex loop", bare, 0);
        print("SipScope reader only", readerOnly(path), bare.secs);
        Figures full = pipeline(path);
        print(tcp ? "pipeline to ObservedMessage (TCP)" : "pipeline to ObservedMessage (UDP)", full,
              bare.secs);
        const double target = tcp ? 500000 : 1500000;
        std::printf("  target %.0f msg/s: %s\n", target,
                    static_cast<double>(full.messages) / full.secs >= target ? "PASS" : "BELOW");
        if (withTshark) tshark(path, gen.messages);
        if (!keep) std::remove(path.c_str());
    }
    std::printf("peak RSS: %ld MB (machine: %ld cores)\n", peakRssMb(),
                sysconf(_SC_NPROCESSORS_ONLN));
    return 0;
}
