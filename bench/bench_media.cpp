// bench_media: passive media analysis of 1,000 concurrent G.711 calls (50 packets/s in each
// direction, Ethernet/IPv4/UDP/RTP, 160-byte payloads), through the capture pipeline (link, IP,
// UDP, the SIP check every datagram gets) and the media tracker (SDP-bound streams, sequence,
// loss, jitter, per-second series), on one core.
//
//   bench_media [--calls N] [--seconds S] [--file PATH]
//
// The frames are generated in memory and handed to CapturePipeline::process one by one (the
// file reader is measured by bench_capture); with --file the same capture is written as pcap
// and read back through openCaptureFile instead. Each call is set up first with an INVITE and
// a 200 carrying SDP, so every stream is tied to its call.
//
// Prints RTP packets/s with the media tracker, and for reference the same packets through the
// pipeline without it (non-SIP datagrams dropped, as before issue 9). With --file, the file is
// also imported into a SipScope database (PATH.sqlite), once keeping the RTP packets (schema 3
// media_chunks) and once with statistics only, with the database size. A benchmark, not a
// test: it always exits 0.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "capture/packet_source.hpp"
#include "media/media_tracker.hpp"
#include "pipeline/capture_pipeline.hpp"
#include "store/importer.hpp"

using namespace sipscope;
using bench::Clock;

namespace {

constexpr std::int64_t kT0 = 1'795'643'700'000'000'000;
constexpr std::size_t kEth = 14, kIp = 20, kUdp = 8, kRtpHeader = 12, kPayload = 160;

struct Options {
    int calls = 1000;
    int seconds = 20;
    std::string file;
};

std::vector<std::uint8_t> frame(std::uint32_t src, std::uint16_t sport, std::uint32_t dst,
                                std::uint16_t dport, const std::uint8_t* payload, std::size_t n) {
    std::vector<std::uint8_t> f(kEth + kIp + kUdp + n, 0);
    f[12] = 0x08;  // IPv4
    std::uint8_t* ip = f.data() + kEth;
    ip[0] = 0x45;
    const auto total = static_cast<std::uint16_t>(kIp + kUdp + n);
    ip[2] = static_cast<std::uint8_t>(total >> 8);
    ip[3] = static_cast<std::uint8_t>(total);
    ip[8] = 64;
    ip[9] = 17;
    for (int i = 0; i < 4; ++i) {
        ip[12 + i] = static_cast<std::uint8_t>(src >> (24 - 8 * i));
        ip[16 + i] = static_cast<std::uint8_t>(dst >> (24 - 8 * i));
    }
    std::uint8_t* udp = ip + kIp;
    udp[0] = static_cast<std::uint8_t>(sport >> 8);
    udp[1] = static_cast<std::uint8_t>(sport);
    udp[2] = static_cast<std::uint8_t>(dport >> 8);
    udp[3] = static_cast<std::uint8_t>(dport);
    udp[4] = static_cast<std::uint8_t>((kUdp + n) >> 8);
    udp[5] = static_cast<std::uint8_t>(kUdp + n);
    std::memcpy(udp + kUdp, payload, n);
    return f;
}

std::string ipText(std::uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
           std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

std::string sipText(bool request, int call, std::uint32_t ip, std::uint16_t port) {
    const std::string body = "v=0\r\no=- 1 1 IN IP4 " + ipText(ip) + "\r\ns=-\r\nc=IN IP4 " +
                             ipText(ip) + "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
                             " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
                             "a=rtpmap:101 telephone-event/8000\r\n";
    return std::string(request ? "INVITE sip:b@example.com SIP/2.0" : "SIP/2.0 200 OK") +
           "\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK" + std::to_string(call) +
           "\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>" +
           (request ? "" : ";tag=2") + "\r\nCall-ID: bench-" + std::to_string(call) +
           "\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n" +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The capture, packet by packet: SIP set-up of every call, then RTP in time order.
class Capture {
  public:
    explicit Capture(const Options& o) : m_o(o) {
        for (int c = 0; c < o.calls; ++c) {
            const std::uint32_t a = 0x0A000000u + 2 * c + 1, b = 0x0A800000u + 2 * c + 1;
            for (int dir = 0; dir < 2; ++dir) {
                const std::string sip = sipText(dir == 0, c, dir ? b : a, 20000);
                m_sip.push_back(frame(dir ? b : a, 5060, dir ? a : b, 5060,
                                      reinterpret_cast<const std::uint8_t*>(sip.data()),
                                      sip.size()));
                std::uint8_t rtp[kRtpHeader + kPayload];
                std::memset(rtp, 0xFF, sizeof rtp);
                rtp[0] = 0x80;
                rtp[1] = 0;
                const std::uint32_t ssrc = 0x10000000u + 2 * c + dir;
                for (int i = 0; i < 4; ++i)
                    rtp[8 + i] = static_cast<std::uint8_t>(ssrc >> (24 - 8 * i));
                m_rtp.push_back(frame(dir ? b : a, 20000, dir ? a : b, 20000, rtp, sizeof rtp));
            }
        }
    }
    std::uint64_t rtpPackets() const {
        return std::uint64_t(m_o.calls) * 2 * 50 * std::uint64_t(m_o.seconds);
    }
    template <class Fn>
    void forEach(Fn&& fn) {
        analyzer::RawPacket p;
        p.linkType = 1;
        for (std::size_t i = 0; i < m_sip.size(); ++i) emit(p, m_sip[i], kT0 + std::int64_t(i), fn);
        const std::int64_t spacing = 20'000'000 / std::int64_t(m_rtp.size());
        for (int tick = 0; tick < 50 * m_o.seconds; ++tick) {
            for (std::size_t s = 0; s < m_rtp.size(); ++s) {
                std::uint8_t* rtp = m_rtp[s].data() + kEth + kIp + kUdp;
                const auto seq = static_cast<std::uint16_t>(tick);
                const auto ts = static_cast<std::uint32_t>(160 * tick);
                rtp[2] = static_cast<std::uint8_t>(seq >> 8);
                rtp[3] = static_cast<std::uint8_t>(seq);
                for (int i = 0; i < 4; ++i)
                    rtp[4 + i] = static_cast<std::uint8_t>(ts >> (24 - 8 * i));
                emit(p, m_rtp[s],
                     kT0 + 1'000'000'000 + tick * 20'000'000LL + std::int64_t(s) * spacing, fn);
            }
        }
    }

  private:
    template <class Fn>
    void emit(analyzer::RawPacket& p, const std::vector<std::uint8_t>& f, std::int64_t ts, Fn& fn) {
        p.number++;
        p.tsNs = ts;
        p.data = f;
        p.origLength = static_cast<std::uint32_t>(f.size());
        fn(p);
    }

    Options m_o;
    std::vector<std::vector<std::uint8_t>> m_sip, m_rtp;
};

void writePcap(Capture& cap, const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    const std::uint32_t header[] = {0xa1b23c4d, 0x00040002, 0, 0, 262144, 1};
    out.write(reinterpret_cast<const char*>(header), sizeof header);
    cap.forEach([&](const analyzer::RawPacket& p) {
        const std::uint32_t rec[] = {static_cast<std::uint32_t>(p.tsNs / 1'000'000'000),
                                     static_cast<std::uint32_t>(p.tsNs % 1'000'000'000),
                                     static_cast<std::uint32_t>(p.data.size()),
                                     static_cast<std::uint32_t>(p.data.size())};
        out.write(reinterpret_cast<const char*>(rec), sizeof rec);
        out.write(reinterpret_cast<const char*>(p.data.data()), std::streamsize(p.data.size()));
    });
}

struct Result {
    double secs = 0;
    std::uint64_t rtp = 0, streams = 0, lost = 0;
};

Result run(Capture& cap, const Options& o, bool media) {
    Result r;
    analyzer::MediaTracker tracker;
    analyzer::CapturePipeline pipe({}, [&](analyzer::ObservedMessage&& m) {
        if (media) tracker.onSip(m);
    });
    if (media)
        pipe.setDatagramObserver(
            [&](const analyzer::TransportPacket& t) { tracker.onDatagram(t); });
    const auto t0 = Clock::now();
    if (o.file.empty()) {
        cap.forEach([&](const analyzer::RawPacket& p) { pipe.process(p); });
    } else {
        std::string error;
        auto src = analyzer::openCaptureFile(o.file, error);
        if (!src) {
            std::fprintf(stderr, "bench_media: %s\n", error.c_str());
            return r;
        }
        analyzer::RawPacket p;
        while (src->next(p)) pipe.process(p);
    }
    pipe.finish();
    tracker.finish();
    r.secs = bench::secondsSince(t0);
    r.rtp = tracker.stats().rtpPackets;
    r.streams = tracker.streams().size();
    for (const auto& s : tracker.streams()) r.lost += s.stream->lost();
    return r;
}

// Imports the file into a fresh database; prints the time, RTP packets/s and the size.
void importFile(const Options& o, double packets, bool keepPackets) {
    const std::string db = o.file + ".sqlite";
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
    const auto t0 = Clock::now();
    analyzer::store::FileImport f;
    {
        analyzer::store::StoreWriter writer(db);
        analyzer::store::ImportOptions options;
        options.keepMediaPackets = keepPackets;
        analyzer::store::Importer importer(writer, options);
        std::atomic<bool> cancel{false};
        f = importer.importFile(o.file, {}, cancel);
    }
    const double secs = bench::secondsSince(t0);
    std::ifstream in(db, std::ios::binary | std::ios::ate);
    const double mb = static_cast<double>(in.tellg()) / 1048576.0;
    std::printf("  import into SQLite (%s): %8.3f s  %10.0f RTP packets/s  database %.0f MB (%s)\n",
                keepPackets ? "packets kept" : "statistics only", secs, packets / secs, mb,
                f.status.c_str());
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--calls") o.calls = std::max(1, std::min(30000, std::atoi(argv[i + 1])));
        if (a == "--seconds") o.seconds = std::max(1, std::atoi(argv[i + 1]));
        if (a == "--file") o.file = argv[i + 1];
    }
    Capture cap(o);
    if (!o.file.empty()) writePcap(cap, o.file);
    const double packets = static_cast<double>(cap.rtpPackets());
    std::printf(
        "bench_media: %d concurrent G.711 calls, 50 pps per direction, %d s: %.0f RTP "
        "packets (%s)\n",
        o.calls, o.seconds, packets, o.file.empty() ? "in memory" : o.file.c_str());
    const Result base = run(cap, o, false);
    std::printf("  pipeline alone (RTP dropped):   %8.3f s  %10.0f RTP packets/s\n", base.secs,
                packets / base.secs);
    const Result media = run(cap, o, true);
    std::printf(
        "  pipeline + media tracker:       %8.3f s  %10.0f RTP packets/s  (%llu RTP, "
        "%llu streams, %llu lost)\n",
        media.secs, packets / media.secs, static_cast<unsigned long long>(media.rtp),
        static_cast<unsigned long long>(media.streams),
        static_cast<unsigned long long>(media.lost));
    if (!o.file.empty()) {
        importFile(o, packets, true);
        importFile(o, packets, false);
    }
    std::printf("  peak RSS %ld MB\n", bench::peakRssMb());
    return 0;
}
