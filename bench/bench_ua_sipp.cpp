// User agent versus SIPp (issue 8): the same SIPp UAS (`sipp -sn uas`) on loopback gets N short
// calls (INVITE/180/200/ACK, BYE/200) from SIPp as UAC (`sipp -sn uac -m N -r R`), then N from
// the stack's CallClient at the same rate. SIPp's own statistics have whole-millisecond
// resolution, so the timing is taken on the wire: libpcap on "lo" (immediate mode, kernel
// timestamps) for the UAS port. Per call: INVITE -> 200 and BYE -> 200 (the UAS's answer as
// each client's transport sees it go out and come back) and the client's own turnaround,
// 200 received -> ACK sent (RFC 3261 §13.2.2.4). Medians and p99 in microseconds for both, and
// our UA minus SIPp: the added latency. Then calls/s each client places with 10 calls in flight.
// Without root (no live capture) it prints a SKIP line for the latencies and still the calls/s.
// Loopback only; every child is killed at its bound.
//   cmake --build build --target bench_ua_sipp && ./build/bench/bench_ua_sipp [--calls N]
//       [--rate R] [--throughput-calls M]

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "message/key_headers.hpp"
#include "transport/event_loop.hpp"
#include "transport/transport.hpp"
#include "ua/call_client.hpp"
#include "wire_capture.hpp"

using namespace sipscope::stack;
using namespace sipscope::stack::ua;
using sipscope::bench::WireCapture;
using sipscope::bench::WirePacket;
namespace net = sipscope::stack::net;

namespace {

std::uint16_t freeUdpPort() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    const auto any = net::SockAddr::fromLiteral("127.0.0.1", 0);
    ::bind(fd, any.sa(), any.len());
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

bool udpPortTaken(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    const auto at = net::SockAddr::fromLiteral("127.0.0.1", port);
    const bool taken = ::bind(fd, at.sa(), at.len()) != 0;
    ::close(fd);
    return taken;
}

// A child process, output discarded, working in /tmp.
pid_t spawn(const std::vector<std::string>& args) {
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (::chdir("/tmp") != 0) ::_exit(126);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
}

// Waits up to `seconds` for the child, then kills it: its exit status, -1 when killed.
int reap(pid_t pid, double seconds) {
    const auto t0 = sipscope::bench::Clock::now();
    int status = 0;
    while (sipscope::bench::secondsSince(t0) < seconds) {
        if (::waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        ::poll(nullptr, 0, 10);
    }
    ::kill(pid, SIGTERM);
    ::poll(nullptr, 0, 500);
    if (::waitpid(pid, &status, WNOHANG) != pid) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
    }
    return -1;
}

// Times on the wire of one call, microseconds (negative: not seen).
struct CallTimes {
    double invite = -1, ok = -1, ack = -1, bye = -1, byeOk = -1;
};

std::map<std::string, CallTimes> callsOf(const std::vector<WirePacket>& packets) {
    std::map<std::string, CallTimes> calls;
    const auto first = [](double& slot, double at) {
        if (slot < 0) slot = at;  // retransmissions keep the first time
    };
    for (const auto& p : packets) {
        auto m = SipMessage::parse(p.payload);
        if (!m.ok()) continue;
        const auto k = extractKeyHeaders(m.value());
        CallTimes& c = calls[std::string(k.callId)];
        const bool invite = k.cseqMethod == "INVITE", bye = k.cseqMethod == "BYE";
        if (m->isRequest() && p.toPort) {
            if (m->method() == "INVITE") first(c.invite, p.us);
            if (m->method() == "ACK") first(c.ack, p.us);
            if (m->method() == "BYE") first(c.bye, p.us);
        } else if (m->isResponse() && !p.toPort && m->status().value_or(0) / 100 == 2) {
            if (invite) first(c.ok, p.us);
            if (bye) first(c.byeOk, p.us);
        }
    }
    return calls;
}

struct Figures {
    std::vector<double> inviteToOk, okToAck, byeToOk;
};

Figures figuresOf(const std::vector<WirePacket>& packets) {
    Figures f;
    for (const auto& [id, c] : callsOf(packets)) {
        if (c.invite >= 0 && c.ok >= c.invite) f.inviteToOk.push_back(c.ok - c.invite);
        if (c.ok >= 0 && c.ack >= c.ok) f.okToAck.push_back(c.ack - c.ok);
        if (c.bye >= 0 && c.byeOk >= c.bye) f.byeToOk.push_back(c.byeOk - c.bye);
    }
    for (auto* v : {&f.inviteToOk, &f.okToAck, &f.byeToOk}) std::sort(v->begin(), v->end());
    return f;
}

double pct(const std::vector<double>& sorted, double p) {
    return sorted.empty() ? 0.0 : sorted[static_cast<std::size_t>(p * (sorted.size() - 1))];
}

// The stack's CallClient placing `calls` short calls to `uas`, a new one every `gapMs` (0: as
// soon as fewer than `inFlight` are up). Returns answered calls/s up to the last answered call's
// end; `answered` counts them, `firstFailure` says why the first other call ended. Calls still
// up 2 s after the last call ended are left (the UAS lost them; Timer B would take 32 s).
double runOurUa(const net::SockAddr& uas, int calls, double gapMs, int inFlight, int& answered,
                std::string& firstFailure) {
    net::EventLoop loop;
    net::TransportLayer transport(loop);
    std::string error;
    if (!transport.openUdp(net::SockAddr::fromLiteral("127.0.0.1", 0), error)) return 0;
    SipEndpoint endpoint(
        loop, transport, TimerConfig{},
        [rng = std::mt19937_64(std::random_device{}())]() mutable { return rng(); });
    std::vector<std::unique_ptr<CallClient>> active;
    endpoint.onStrayResponse = [&](const SipMessage& m) {
        for (auto& c : active) c->onStrayResponse(m);
    };
    int started = 0, ended = 0;
    answered = 0;
    const auto t0 = sipscope::bench::Clock::now();
    double lastAnswered = 0, lastEnded = 0;
    while (ended < calls && sipscope::bench::secondsSince(t0) < 120) {
        if (started == calls && sipscope::bench::secondsSince(t0) - lastEnded > 2) break;
        while (started < calls && static_cast<int>(active.size()) < inFlight &&
               sipscope::bench::secondsSince(t0) * 1000 >= started * gapMs) {
            CallOptions o;
            o.targetUri = "sip:service@" + uas.hostPort();
            o.fromUri = "sip:bench@127.0.0.1";
            o.target = Target{net::Protocol::Udp, uas, {}};
            o.duration = Duration{0};
            o.media = false;
            active.push_back(std::make_unique<CallClient>(endpoint, o));
            active.back()->start();
            ++started;
        }
        loop.runOnce(Duration{gapMs > 0 ? 1 : 100});
        std::erase_if(active, [&](const std::unique_ptr<CallClient>& c) {
            if (!c->done()) return false;
            ++ended;
            lastEnded = sipscope::bench::secondsSince(t0);
            if (c->report().result == "answered") {
                ++answered;
                lastAnswered = lastEnded;
            } else if (firstFailure.empty()) {
                firstFailure = c->report().result + ": " + c->report().error;
            }
            return true;
        });
    }
    if (ended < calls && firstFailure.empty())
        firstFailure = std::to_string(calls - ended) + " calls unanswered 2 s after the others";
    loop.run(Duration{100});  // last ACK retransmissions and BYE transactions
    return lastAnswered > 0 ? answered / lastAnswered : 0.0;
}

// SIPp as UAC: `calls` calls at `rate` calls/s (at most `inFlight` at once). Returns calls/s
// over the process's run time (its start-up included); `exitCode` 0 when all succeeded.
double runSippUac(std::uint16_t uasPort, int calls, int rate, int inFlight, int& exitCode) {
    const auto t0 = sipscope::bench::Clock::now();
    const pid_t pid = spawn({"sipp",     "-sn",
                             "uac",      "127.0.0.1:" + std::to_string(uasPort),
                             "-i",       "127.0.0.1",
                             "-p",       std::to_string(freeUdpPort()),
                             "-m",       std::to_string(calls),
                             "-r",       std::to_string(rate),
                             "-l",       std::to_string(inFlight),
                             "-d",       "0",
                             "-nostdin", "-timeout",
                             "100s",     "-timeout_error"});
    exitCode = reap(pid, 110);
    return calls / sipscope::bench::secondsSince(t0);
}

void printFigure(const char* what, const std::vector<double>& ua, const std::vector<double>& sipp) {
    std::printf(
        "  %-22s sipp p50 %8.1f p99 %8.1f | sipscope p50 %8.1f p99 %8.1f | added p50 "
        "%+8.1f p99 %+8.1f  (n %zu/%zu)\n",
        what, pct(sipp, 0.5), pct(sipp, 0.99), pct(ua, 0.5), pct(ua, 0.99),
        pct(ua, 0.5) - pct(sipp, 0.5), pct(ua, 0.99) - pct(sipp, 0.99), sipp.size(), ua.size());
}

// Both clients at `rate` under the capture: the per-transaction figures.
void latencies(std::uint16_t uasPort, int calls, int rate) {
    WireCapture sippCapture;
    std::string error;
    if (!sippCapture.start(uasPort, error)) {
        std::printf("bench_ua_sipp: SKIP latency on the wire: %s (live capture needs root)\n",
                    error.c_str());
        return;
    }
    int sippExit = 0;
    runSippUac(uasPort, calls, rate, calls, sippExit);
    const Figures sipp = figuresOf(sippCapture.stop());
    WireCapture uaCapture;
    if (!uaCapture.start(uasPort, error)) return;
    int answered = 0;
    std::string failure;
    runOurUa(net::SockAddr::fromLiteral("127.0.0.1", uasPort), calls, 1000.0 / rate, calls,
             answered, failure);
    const Figures ua = figuresOf(uaCapture.stop());
    std::printf(
        "bench_ua_sipp: %d calls at %d calls/s each; SIPp UAC exit %d, our UA %d "
        "answered; wire times in microseconds:\n",
        calls, rate, sippExit, answered);
    printFigure("INVITE -> 200", ua.inviteToOk, sipp.inviteToOk);
    printFigure("200 -> ACK (client)", ua.okToAck, sipp.okToAck);
    printFigure("BYE -> 200", ua.byeToOk, sipp.byeToOk);
}

}  // namespace

int main(int argc, char** argv) {
    int calls = 500, rate = 50, throughputCalls = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--calls")) calls = std::max(1, std::atoi(argv[i + 1]));
        if (!std::strcmp(argv[i], "--rate")) rate = std::max(1, std::atoi(argv[i + 1]));
        if (!std::strcmp(argv[i], "--throughput-calls"))
            throughputCalls = std::max(1, std::atoi(argv[i + 1]));
    }
    double load[3] = {};
    ::getloadavg(load, 3);
    std::printf("bench_ua_sipp: load average %.2f %.2f %.2f, %ld CPUs\n", load[0], load[1], load[2],
                ::sysconf(_SC_NPROCESSORS_ONLN));
    const std::uint16_t uasPort = freeUdpPort();
    const pid_t uas = spawn({"sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", std::to_string(uasPort),
                             "-nostdin", "-timeout", "300s"});
    bool up = false;
    for (int i = 0; i < 250 && !up; ++i) {  // 5 s at most
        up = udpPortTaken(uasPort);
        if (!up) ::poll(nullptr, 0, 20);
    }
    if (!up) {
        std::printf("bench_ua_sipp: SKIP: SIPp (sipp, Debian package sip-tester) did not start\n");
        reap(uas, 0);
        return 0;
    }
    latencies(uasPort, calls, rate);
    int answered = 0, sippExit = 0;
    std::string failure;
    const double uaRate = runOurUa(net::SockAddr::fromLiteral("127.0.0.1", uasPort),
                                   throughputCalls, 0, 10, answered, failure);
    const double sippRate = runSippUac(uasPort, throughputCalls, 100000, 10, sippExit);
    std::printf(
        "bench_ua_sipp: calls/s against the SIPp UAS, 10 in flight, %d calls: sipscope "
        "%.0f (%d answered%s%s), sipp %.0f (exit %d, its start-up included)\n",
        throughputCalls, uaRate, answered, failure.empty() ? "" : "; ", failure.c_str(), sippRate,
        sippExit);
    reap(uas, 0);
    return 0;
}
