// User agent benchmark (issue 8): calls per second the stack's UA places against its own
// answerer over loopback UDP (short calls: INVITE/100/180/200/ACK, BYE/200, no media), with C
// calls in flight, and the OPTIONS round-trip latency through the whole stack (transactions,
// transport, event loop). Caller and answerer share one process and one event loop, so the
// figures are the stack's cost for both ends.
//   cmake --build build --target bench_ua && ./build/bench/bench_ua [--calls N] [--concurrency C]

#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "transport/event_loop.hpp"
#include "transport/transport.hpp"
#include "ua/answerer.hpp"
#include "ua/call_client.hpp"
#include "ua/request_client.hpp"

using namespace sipscope::stack;
using namespace sipscope::stack::ua;
namespace net = sipscope::stack::net;
using BenchClock = std::chrono::steady_clock;

namespace {

struct Side {
    Side(net::EventLoop& loop, std::uint64_t seed)
        : transport(loop),
          endpoint(loop, transport, TimerConfig{},
                   [rng = std::mt19937_64(seed)]() mutable { return rng(); }) {
        std::string error;
        if (!transport.openUdp(net::SockAddr::fromLiteral("127.0.0.1", 0), error)) {
            std::fprintf(stderr, "bench_ua: %s\n", error.c_str());
            std::exit(2);
        }
    }
    net::TransportLayer transport;
    SipEndpoint endpoint;
};

}  // namespace

int main(int argc, char** argv) {
    int calls = 2000, concurrency = 10, pings = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--calls")) calls = std::atoi(argv[i + 1]);
        if (!std::strcmp(argv[i], "--concurrency"))
            concurrency = std::max(1, std::atoi(argv[i + 1]));
        if (!std::strcmp(argv[i], "--pings")) pings = std::atoi(argv[i + 1]);
    }
    net::EventLoop loop;
    Side caller(loop, 1), callee(loop, 2);
    AnswerOptions answer;
    answer.media = false;
    Answerer answerer(callee.endpoint, answer);
    callee.endpoint.onRequest = [&](const ServerRequest& r) { answerer.onRequest(r); };
    const net::SockAddr to = callee.transport.udpLocal(AF_INET);
    const std::string uri = "sip:bench@" + to.hostPort();

    std::vector<std::unique_ptr<CallClient>> active;
    int started = 0, answered = 0, failed = 0;
    const auto startCall = [&] {
        CallOptions o;
        o.targetUri = uri;
        o.fromUri = "sip:bench@127.0.0.1";
        o.target = Target{net::Protocol::Udp, to, {}};
        o.duration = Duration{0};
        o.media = false;
        active.push_back(std::make_unique<CallClient>(caller.endpoint, o));
        active.back()->start();
        ++started;
    };
    const auto t0 = BenchClock::now();
    while (answered + failed < calls) {
        while (started < calls && static_cast<int>(active.size()) < concurrency) startCall();
        loop.runOnce(Duration{100});
        std::erase_if(active, [&](const std::unique_ptr<CallClient>& c) {
            if (!c->done()) return false;
            (c->report().result == "answered" ? answered : failed)++;
            return true;
        });
        if (sipscope::bench::secondsSince(t0) > 120) break;
    }
    const double callSeconds = sipscope::bench::secondsSince(t0);
    // Let the last server transactions finish their work before measuring pings.
    loop.run(Duration{50});

    std::vector<double> latencies;
    for (int i = 0; i < pings; ++i) {
        RequestOptions o;
        o.method = "OPTIONS";
        o.requestUri = o.toUri = uri;
        o.fromUri = "sip:bench@127.0.0.1";
        o.target = Target{net::Protocol::Udp, to, {}};
        RequestClient ping(caller.endpoint, o);
        ping.start();
        const auto end = loop.now() + Duration{2000};
        while (!ping.done() && loop.now() < end) loop.runOnce(Duration{100});
        if (ping.report().latencyMs) latencies.push_back(*ping.report().latencyMs);
    }
    std::sort(latencies.begin(), latencies.end());
    const auto pct = [&](double p) {
        return latencies.empty() ? 0.0
                                 : latencies[static_cast<std::size_t>(p * (latencies.size() - 1))];
    };
    std::printf(
        "bench_ua: %d calls (%d in flight): %d answered, %d failed in %.3f s = %.0f calls/s\n",
        calls, concurrency, answered, failed, callSeconds, answered / callSeconds);
    std::printf(
        "bench_ua: OPTIONS round trip through the stack (%zu pings): p50 %.3f ms, p99 %.3f ms\n",
        latencies.size(), pct(0.5), pct(0.99));
    std::printf("bench_ua: peak RSS %ld MB\n", sipscope::bench::peakRssMb());
    return failed == 0 ? 0 : 1;
}
