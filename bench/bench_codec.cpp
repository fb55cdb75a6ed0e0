// Throughput of the SIP codec on one core, on an in-memory mix of realistic dialog and
// registration traffic (600-1200 bytes a message):
//   (a)  frame+key: StreamFramer over 64 KiB segments, then parse + extractKeyHeaders per frame
//   (a') datagram:  parse + extractKeyHeaders per pre-built datagram
//   (b)  full:      parse + validate() (every typed header parser) + inspectBody() (SDP)
// Figures only: a figure below its target prints BELOW, and the exit status stays 0.

#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "message/body.hpp"
#include "message/key_headers.hpp"
#include "message/sip_message.hpp"
#include "message/validate.hpp"
#include "parser/stream_framer.hpp"

using namespace sipscope::stack;

namespace {

struct Options {
    std::size_t messages = 20000;
    double seconds = 1.0;  // minimum measuring time per path
    bool json = false;
    std::string only;  // measure one path (for a profiler): frame_key, datagram_key, full
};

// xorshift64*: deterministic, so every run measures the same bytes.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) : m_state(seed ? seed : 1) {}
    std::uint64_t next() {
        m_state ^= m_state >> 12;
        m_state ^= m_state << 25;
        m_state ^= m_state >> 27;
        return m_state * 0x2545F4914F6CDD1Dull;
    }
    std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
    std::string hex(std::size_t digits) {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string s;
        for (std::size_t i = 0; i < digits; ++i) s.push_back(kHex[next() & 15]);
        return s;
    }

  private:
    std::uint64_t m_state;
};

// One call or registration: the identifiers that stay fixed across its messages.
struct Dialog {
    std::string callId, fromTag, toTag, caller, callee, callerIp, calleeIp;
    std::uint32_t cseq = 0;
    int port = 5060;
};

class TrafficGenerator {
  public:
    explicit TrafficGenerator(std::uint64_t seed) : m_rng(seed) {}

    // A group of ten: one call of seven messages, a challenged REGISTER and an OPTIONS ping.
    void group(std::vector<std::string>& out) {
        Dialog d = newDialog();
        const std::string inviteBranch = branch();
        out.push_back(invite(d, inviteBranch));
        out.push_back(response(d, inviteBranch, "100 Trying", "INVITE", false, {}));
        out.push_back(response(d, inviteBranch, "180 Ringing", "INVITE", true, {}));
        out.push_back(response(d, inviteBranch, "200 OK", "INVITE", true, sdp(d.calleeIp, 2)));
        out.push_back(request(d, "ACK", "sip:" + d.callee + "@" + d.calleeIp, branch(), true, ""));
        const std::string byeBranch = branch();
        ++d.cseq;
        out.push_back(request(d, "BYE", "sip:" + d.callee + "@" + d.calleeIp, byeBranch, true,
                              "Reason: Q.850;cause=16;text=\"Normal call clearing\"\r\n"));
        out.push_back(response(d, byeBranch, "200 OK", "BYE", true, {}));
        Dialog r = newDialog();
        const std::string regBranch = branch();
        out.push_back(registerRequest(r, regBranch));
        out.push_back(challenge(r, regBranch));
        Dialog o = newDialog();
        out.push_back(request(o, "OPTIONS", "sip:" + o.callee + "@" + o.calleeIp, branch(), false,
                              "Accept: application/sdp\r\n"));
    }

  private:
    std::string ip() {
        return "10." + std::to_string(m_rng.below(256)) + "." + std::to_string(m_rng.below(256)) +
               "." + std::to_string(1 + m_rng.below(254));
    }
    std::string branch() { return "z9hG4bK" + m_rng.hex(16); }
    Dialog newDialog() {
        Dialog d;
        d.callId = m_rng.hex(24) + "@" + ip();
        d.fromTag = m_rng.hex(10);
        d.toTag = m_rng.hex(8);
        d.caller = "+4930" + std::to_string(1000000 + m_rng.below(8999999));
        d.callee = "+4989" + std::to_string(1000000 + m_rng.below(8999999));
        d.callerIp = ip();
        d.calleeIp = ip();
        d.cseq = static_cast<std::uint32_t>(1 + m_rng.below(30000));
        d.port = 5060 + static_cast<int>(m_rng.below(4)) * 2;
        return d;
    }

    std::string via(const Dialog& d, const std::string& br) {
        return "Via: SIP/2.0/UDP " + d.callerIp + ":" + std::to_string(d.port) + ";branch=" + br +
               ";rport\r\n";
    }
    std::string dialogHeaders(const Dialog& d, bool withToTag, std::string_view method,
                              std::uint32_t cseq) {
        std::string h = "From: \"" + d.caller + "\" <sip:" + d.caller +
                        "@pbx.example.com>;tag=" + d.fromTag + "\r\n";
        h += "To: <sip:" + d.callee + "@carrier.example.net>";
        if (withToTag) h += ";tag=" + d.toTag;
        h += "\r\nCall-ID: " + d.callId + "\r\nCSeq: " + std::to_string(cseq) + " ";
        h.append(method).append("\r\n");
        return h;
    }
    // Proxies add Record-Route and charging headers; the rest pads to a size drawn in
    // 600-1200 bytes, so the mix averages about 900 bytes like carrier traces do.
    std::string finish(std::string head, const std::string& body, std::string_view type) {
        head += "P-Charging-Vector: icid-value=" + m_rng.hex(20) + ";orig-ioi=pbx.example.com\r\n";
        if (!body.empty()) head.append("Content-Type: ").append(type).append("\r\n");
        head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
        const std::size_t target = 600 + m_rng.below(601);
        const std::size_t size = head.size() + body.size();
        if (size + 20 < target) {
            const std::string pad = "X-Trace-Id: " + m_rng.hex(target - size - 14) + "\r\n";
            head.insert(head.find("Content-Length:"), pad);
        }
        return head + body;
    }
    std::string sdp(const std::string& addr, int version) {
        const std::string session = std::to_string(100000 + m_rng.below(900000));
        return "v=0\r\no=- " + session + " " + std::to_string(version) + " IN IP4 " + addr +
               "\r\ns=-\r\nc=IN IP4 " + addr + "\r\nt=0 0\r\nm=audio " +
               std::to_string(16384 + 2 * m_rng.below(8000)) +
               " RTP/AVP 8 0 18 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
               "a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\na=rtpmap:101 "
               "telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";
    }
    std::string invite(const Dialog& d, const std::string& br) {
        std::string h = "INVITE sip:" + d.callee + "@" + d.calleeIp + ":5060 SIP/2.0\r\n";
        h += via(d, br) + "Max-Forwards: 70\r\n" + dialogHeaders(d, false, "INVITE", d.cseq);
        h += "Contact: <sip:" + d.caller + "@" + d.callerIp + ":" + std::to_string(d.port) +
             ";transport=udp>\r\n";
        h += "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, REFER, NOTIFY\r\n"
             "Supported: 100rel, timer, replaces\r\nSession-Expires: 1800;refresher=uac\r\n"
             "User-Agent: SipScope-Bench/1.0\r\n";
        h += "P-Asserted-Identity: <sip:" + d.caller + "@pbx.example.com;user=phone>\r\n";
        return finish(std::move(h), sdp(d.callerIp, 1), "application/sdp");
    }
    std::string response(const Dialog& d, const std::string& br, std::string_view status,
                         std::string_view method, bool toTag, const std::string& body) {
        std::string h = "SIP/2.0 ";
        h.append(status).append("\r\n");
        h += via(d, br) + dialogHeaders(d, toTag, method, d.cseq);
        h += "Record-Route: <sip:" + d.calleeIp + ";lr;ftag=" + d.fromTag + ">\r\n";
        if (toTag) h += "Contact: <sip:" + d.callee + "@" + d.calleeIp + ":5060>\r\n";
        h += "Server: CarrierSBC/4.2\r\n";
        return finish(std::move(h), body, "application/sdp");
    }
    std::string request(const Dialog& d, std::string_view method, const std::string& uri,
                        const std::string& br, bool toTag, std::string_view extra) {
        std::string h(method);
        h += " " + uri + " SIP/2.0\r\n" + via(d, br) + "Max-Forwards: 70\r\n";
        h += dialogHeaders(d, toTag, method, d.cseq);
        h += "Route: <sip:" + d.calleeIp + ";lr;ftag=" + d.fromTag + ">\r\n";
        h.append(extra);
        h += "User-Agent: SipScope-Bench/1.0\r\n";
        return finish(std::move(h), {}, {});
    }
    std::string registerRequest(const Dialog& d, const std::string& br) {
        std::string h = "REGISTER sip:registrar.example.com SIP/2.0\r\n" + via(d, br);
        h += "Max-Forwards: 70\r\n" + dialogHeaders(d, false, "REGISTER", d.cseq);
        h += "Contact: <sip:" + d.caller + "@" + d.callerIp + ":" + std::to_string(d.port) +
             ">;expires=3600\r\nExpires: 3600\r\n";
        h += "Authorization: Digest username=\"" + d.caller +
             "\", realm=\"registrar.example.com\", nonce=\"" + m_rng.hex(32) +
             "\", uri=\"sip:registrar.example.com\", response=\"" + m_rng.hex(32) +
             "\", algorithm=MD5, cnonce=\"" + m_rng.hex(8) + "\", qop=auth, nc=00000001\r\n";
        return finish(std::move(h), {}, {});
    }
    std::string challenge(const Dialog& d, const std::string& br) {
        std::string h = "SIP/2.0 401 Unauthorized\r\n" + via(d, br);
        h += dialogHeaders(d, true, "REGISTER", d.cseq);
        h += "WWW-Authenticate: Digest realm=\"registrar.example.com\", nonce=\"" + m_rng.hex(32) +
             "\", opaque=\"" + m_rng.hex(16) +
             "\", algorithm=MD5, qop=\"auth\", stale=FALSE\r\nServer: CarrierSBC/4.2\r\n";
        return finish(std::move(h), {}, {});
    }

    Rng m_rng;
};

constexpr std::size_t kSegment = 64 * 1024;

struct Traffic {
    std::vector<Bytes> datagrams;
    std::string stream;  // all messages back to back, as on one TCP connection
    // The stream as a transport receives it: 64 KiB segments, each in its own buffer.
    std::vector<Bytes> segments;
};

Traffic generate(std::size_t count) {
    TrafficGenerator gen(0x5195C09E);
    std::vector<std::string> texts;
    texts.reserve(count + 10);
    while (texts.size() < count) gen.group(texts);
    texts.resize(count);
    Traffic t;
    for (const auto& s : texts) {
        t.stream += s;
        t.datagrams.push_back(makeBytes(s));
    }
    for (std::size_t pos = 0; pos < t.stream.size(); pos += kSegment)
        t.segments.push_back(makeBytes(std::string_view(t.stream).substr(pos, kSegment)));
    return t;
}

std::uint64_t keyChecksum(const KeyHeaders& k) {
    return k.callId.size() + k.topViaBranch.size() + k.fromTag.size() + k.toTag.size() +
           k.cseq.value_or(0) + k.cseqMethod.size();
}

std::uint64_t keyFrames(StreamFramer& framer) {
    std::uint64_t sum = 0;
    while (auto frame = framer.next()) {
        if (frame->kind != Frame::Kind::Message) continue;
        auto m = frame->parse();  // the framer's parse when it made one
        if (m.ok()) sum += keyChecksum(extractKeyHeaders(*m));
    }
    return sum;
}

// (a) TCP-like: 64 KiB received segments handed to the framer (adopted, not copied), every
// message parsed and keyed.
std::uint64_t passFrameKey(const Traffic& t) {
    std::uint64_t sum = 0;
    StreamFramer framer;
    for (const Bytes& segment : t.segments) {
        framer.push(segment);
        sum += keyFrames(framer);
    }
    return sum;
}

// (a*) The same with each segment copied into the framer (push(string_view)).
std::uint64_t passFrameKeyCopied(const Traffic& t) {
    std::uint64_t sum = 0;
    StreamFramer framer;
    const std::string_view stream(t.stream);
    for (std::size_t pos = 0; pos < stream.size(); pos += kSegment) {
        framer.push(stream.substr(pos, kSegment));
        sum += keyFrames(framer);
    }
    return sum;
}

// (a') UDP-like: one pre-built datagram per message.
std::uint64_t passDatagramKey(const Traffic& t) {
    std::uint64_t sum = 0;
    for (const auto& bytes : t.datagrams) {
        auto m = SipMessage::parse(bytes);
        if (m.ok()) sum += keyChecksum(extractKeyHeaders(*m));
    }
    return sum;
}

// (b) Everything a detail view shows: all typed headers and the SDP.
std::uint64_t passFull(const Traffic& t) {
    std::uint64_t sum = 0;
    for (const auto& bytes : t.datagrams) {
        auto m = SipMessage::parse(bytes);
        if (!m.ok()) continue;
        const Validation v = validate(*m);
        const BodyInfo body = inspectBody(*m);
        sum +=
            v.errors.size() * 1000 + v.issues.size() + static_cast<std::uint64_t>(body.partCount);
        if (body.sdp && !body.sdp->media.empty())
            sum += body.sdp->media.size() + body.sdp->media.front().rtpmaps.size();
    }
    return sum;
}

volatile std::uint64_t g_sink = 0;

struct Figure {
    const char* key;
    const char* label;
    double target = 0;      // msgs/s, 0: none
    double seconds = 0;     // best pass, steady_clock
    double cpuSeconds = 0;  // best pass, this thread's CPU time
    int passes = 0;
};

// CPU time of the calling thread: on a shared machine the wall clock also counts the time the
// scheduler gave to other processes, so both are reported.
double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Repeats whole passes for at least `minSeconds` (and three passes) and keeps the best.
void measure(Figure& f, const std::function<std::uint64_t()>& pass, double minSeconds) {
    using Clock = std::chrono::steady_clock;
    g_sink = g_sink + pass();  // warm-up: page in the buffers, fill the allocator caches
    const auto start = Clock::now();
    double best = 1e30, bestCpu = 1e30;
    int n = 0;
    while (n < 3 || std::chrono::duration<double>(Clock::now() - start).count() < minSeconds) {
        const double c0 = threadCpuSeconds();
        const auto t0 = Clock::now();
        g_sink = g_sink + pass();
        best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
        bestCpu = std::min(bestCpu, threadCpuSeconds() - c0);
        ++n;
    }
    f.seconds = best;
    f.cpuSeconds = bestCpu;
    f.passes = n;
}

// The messages must be what they claim: a bench of rejected messages measures error paths.
std::size_t countInvalid(const Traffic& t) {
    std::size_t bad = 0;
    for (const auto& bytes : t.datagrams) {
        auto m = SipMessage::parse(bytes);
        if (!m.ok() || !validate(*m).ok()) ++bad;
    }
    return bad;
}

void pinToCurrentCpu() {
    const int cpu = sched_getcpu();
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);  // best effort: figures stay valid without it
}

bool parseOptions(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--json") {
            o.json = true;
        } else if (a == "--messages" && i + 1 < argc) {
            o.messages = std::strtoull(argv[++i], nullptr, 10);
        } else if (a == "--seconds" && i + 1 < argc) {
            o.seconds = std::strtod(argv[++i], nullptr);
        } else if (a == "--only" && i + 1 < argc) {
            o.only = argv[++i];
        } else {
            std::fprintf(
                stderr,
                "usage: bench_codec [--messages N] [--seconds S] [--json] [--only PATH]\n"
                "  --messages N  distinct messages generated (default 20000)\n"
                "  --seconds S   minimum time per measurement (default 1)\n"
                "  --json        print one JSON object of figures\n"
                "  --only PATH   frame_key, frame_key_copied, datagram_key or full_lazy_parse\n");
            return false;
        }
    }
    if (o.messages == 0) o.messages = 1;
    return true;
}

double loadAverage() {
    double load[1] = {0};
    return getloadavg(load, 1) == 1 ? load[0] : 0;
}

void printText(const Traffic& t, std::size_t invalid, const std::vector<Figure>& figures) {
    const double mb = static_cast<double>(t.stream.size()) / 1e6;
    const double n = static_cast<double>(t.datagrams.size());
    std::printf("SipScope codec benchmark: %zu messages, %.1f MB (avg %.0f bytes), %zu invalid\n",
                t.datagrams.size(), mb, static_cast<double>(t.stream.size()) / n, invalid);
    for (const auto& f : figures) {
        const double rate = n / f.seconds;
        std::printf("  %-34s %10.0f msgs/s %7.1f MB/s  (best of %d; CPU time: %.0f msgs/s)",
                    f.label, rate, mb / f.seconds, f.passes, n / f.cpuSeconds);
        if (f.target > 0)
            std::printf("  target %.0f: %s", f.target, rate >= f.target ? "PASS" : "BELOW");
        std::printf("\n");
    }
    const double load = loadAverage();
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus > 0 && load > static_cast<double>(cpus))
        std::printf("  note: load average %.1f on %ld CPUs, wall-clock figures are pessimistic\n",
                    load, cpus);
}

void printJson(const Traffic& t, std::size_t invalid, const std::vector<Figure>& figures) {
    const double mb = static_cast<double>(t.stream.size()) / 1e6;
    const double n = static_cast<double>(t.datagrams.size());
    std::printf("{\"messages\":%zu,\"bytes\":%zu,\"invalid\":%zu,\"load_average\":%.2f",
                t.datagrams.size(), t.stream.size(), invalid, loadAverage());
    for (const auto& f : figures) {
        const double rate = n / f.seconds;
        std::printf(
            ",\"%s\":{\"msgs_per_s\":%.0f,\"mb_per_s\":%.2f,\"best_seconds\":%.6f,"
            "\"cpu_msgs_per_s\":%.0f,\"passes\":%d",
            f.key, rate, mb / f.seconds, f.seconds, n / f.cpuSeconds, f.passes);
        if (f.target > 0)
            std::printf(",\"target_msgs_per_s\":%.0f,\"pass\":%s", f.target,
                        rate >= f.target ? "true" : "false");
        std::printf("}");
    }
    std::printf("}\n");
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parseOptions(argc, argv, o)) return 2;
    pinToCurrentCpu();
    const Traffic traffic = generate(o.messages);
    const std::size_t invalid = countInvalid(traffic);

    std::vector<Figure> figures = {
        {"frame_key", "(a)  frame+key  (stream, 64 KiB)", 2'000'000},
        {"frame_key_copied", "(a*) frame+key  (64 KiB copied)", 0},
        {"datagram_key", "(a') parse+key  (datagrams)", 2'000'000},
        {"full_lazy_parse", "(b)  full lazy parse + body", 400'000},
    };
    const std::function<std::uint64_t()> passes[] = {
        [&] { return passFrameKey(traffic); },
        [&] { return passFrameKeyCopied(traffic); },
        [&] { return passDatagramKey(traffic); },
        [&] { return passFull(traffic); },
    };
    for (std::size_t i = 0; i < figures.size(); ++i)
        if (o.only.empty() || o.only == figures[i].key) measure(figures[i], passes[i], o.seconds);
    std::erase_if(figures, [](const Figure& f) { return f.passes == 0; });

    if (o.json) {
        printJson(traffic, invalid, figures);
    } else {
        printText(traffic, invalid, figures);
    }
    return 0;  // a benchmark reports; it does not fail the build
}
