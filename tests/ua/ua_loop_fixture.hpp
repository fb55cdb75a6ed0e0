#pragma once
// In-process user agents for the ManualClock tests: a World (manual clock + event loop run in
// bounded 1 ms rounds, never waiting in poll()) and Sides (a UDP transport on 127.0.0.1 and a
// SipEndpoint whose every message is logged as ">INVITE" / "<200").

#include <sys/socket.h>
#include <unistd.h>

#include <QStringList>
#include <QtTest>

#include <random>
#include <string>

#include "core/clock.hpp"
#include "transport/event_loop.hpp"
#include "transport/transport.hpp"
#include "ua/sip_endpoint.hpp"

namespace sipscope::uatest {

// The address a socket is bound to.
inline stack::net::SockAddr boundAddress(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    return stack::net::SockAddr(reinterpret_cast<sockaddr*>(&ss), len);
}

// A UDP socket on 127.0.0.1 that receives and never answers; counts what it got.
struct Silent {
    Silent() {
        fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        const auto any = stack::net::SockAddr::fromLiteral("127.0.0.1", 0);
        ::bind(fd, any.sa(), any.len());
        addr = boundAddress(fd);
    }
    ~Silent() { ::close(fd); }
    Silent(const Silent&) = delete;
    Silent& operator=(const Silent&) = delete;
    int datagrams() const {
        char buf[4096];
        int n = 0;
        while (::recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) ++n;
        return n;
    }
    int fd = -1;
    stack::net::SockAddr addr;
};

struct Side {
    Side(stack::net::EventLoop& loop, std::uint64_t seed)
        : transport(loop),
          endpoint(loop, transport, stack::TimerConfig{},
                   [rng = std::mt19937_64(seed)]() mutable { return rng(); }) {
        std::string error;
        if (!transport.openUdp(stack::net::SockAddr::fromLiteral("127.0.0.1", 0), error))
            qFatal("%s", error.c_str());
        endpoint.tap = [this](const stack::ua::TappedMessage& t) {
            const std::string what = t.message.isRequest()
                                         ? std::string(t.message.method())
                                         : std::to_string(t.message.status().value_or(0));
            log << QString::fromStdString((t.sent ? ">" : "<") + what);
        };
    }
    stack::ua::Target target() const {
        return stack::ua::Target{stack::net::Protocol::Udp, transport.udpLocal(AF_INET), {}};
    }
    std::string uri(const std::string& user) const {
        return "sip:" + user + "@" + transport.udpLocal(AF_INET).hostPort();
    }
    stack::net::TransportLayer transport;
    stack::ua::SipEndpoint endpoint;
    QStringList log;
};

struct World {
    stack::ManualClock clock;
    stack::net::EventLoop loop{[this] { return clock.now(); }};
    // Rounds of "poll sockets + fire due timers, then 1 ms passes" until done() or `limit`;
    // one more round once done, so what done() saw is delivered.
    template <class Done>
    bool runUntil(Done done, stack::Duration limit) {
        using namespace std::chrono_literals;
        const stack::Instant end = clock.now() + limit;
        while (!done()) {
            if (clock.now() >= end) return false;
            loop.runOnce(0ms);
            if (!done()) clock.advanceBy(1ms);
        }
        loop.runOnce(0ms);
        return true;
    }
    qint64 ms() const { return clock.now().count() / 1000; }
};

}  // namespace sipscope::uatest
