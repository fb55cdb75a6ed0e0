#include "transport/event_loop.hpp"

#include <poll.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace sipscope::stack::net {

EventLoop::EventLoop()
    : EventLoop([clock = std::make_shared<SteadyClock>()] { return clock->now(); }) {}

EventLoop::EventLoop(ClockFn clock) : m_clock(std::move(clock)) {}

EventLoop::TimerId EventLoop::addTimer(Duration after, Callback cb) {
    const TimerId id = m_nextId++;
    m_timers.schedule(id, now() + after);
    m_callbacks.emplace(id, std::move(cb));
    return id;
}

bool EventLoop::cancelTimer(TimerId id) {
    m_callbacks.erase(id);
    return m_timers.cancel(id);
}

void EventLoop::watch(int fd, Callback onReadable) {
    m_watched[fd] = std::move(onReadable);
}

void EventLoop::watchWritable(int fd, Callback onWritable) {
    m_writable[fd] = std::move(onWritable);
}

void EventLoop::unwatchWritable(int fd) {
    m_writable.erase(fd);
}

void EventLoop::unwatch(int fd) {
    m_watched.erase(fd);
    m_writable.erase(fd);
}

std::size_t EventLoop::fireDueTimers() {
    std::size_t fired = 0;
    // One at a time: a callback may schedule or cancel others.
    for (;;) {
        const auto due = m_timers.popNextDue(now());
        if (due.empty()) break;
        auto it = m_callbacks.find(due[0].id);
        if (it == m_callbacks.end()) continue;
        Callback cb = std::move(it->second);
        m_callbacks.erase(it);
        ++fired;
        cb();
    }
    return fired;
}

void EventLoop::runOnce(Duration maxWait) {
    Duration wait = maxWait;
    if (!m_timers.empty()) {
        const auto untilNext =
            std::chrono::duration_cast<Duration>(m_timers.nextDeadline() - now() + Instant{999});
        wait = std::clamp(untilNext, Duration{0}, maxWait);
    }
    std::map<int, short> interest;
    for (const auto& [fd, cb] : m_watched) interest[fd] |= POLLIN;
    for (const auto& [fd, cb] : m_writable) interest[fd] |= POLLOUT;
    std::vector<pollfd> fds;
    fds.reserve(interest.size());
    for (const auto& [fd, events] : interest) fds.push_back(pollfd{fd, events, 0});
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
    // An earlier callback may have unwatched a descriptor: look each one up again.
    const auto dispatch = [](std::map<int, Callback>& watchers, int fd) {
        auto it = watchers.find(fd);
        if (it == watchers.end()) return;
        Callback cb = it->second;
        cb();
    };
    if (n > 0) {
        for (const auto& p : fds) {
            if (p.revents & (POLLOUT | POLLERR | POLLHUP)) dispatch(m_writable, p.fd);
            if (p.revents & (POLLIN | POLLERR | POLLHUP)) dispatch(m_watched, p.fd);
        }
    }
    fireDueTimers();
}

void EventLoop::run(Duration limit) {
    const Instant end = now() + limit;
    while (!m_stopped && now() < end) {
        const auto left = std::chrono::duration_cast<Duration>(end - now());
        runOnce(std::min(left, Duration{1000}));
    }
}

}  // namespace sipscope::stack::net
