#pragma once
// A single-threaded poll() loop with timers: what drives the sans-I/O transactions with real
// time. The clock is injected (a steady clock by default, a ManualClock in tests), and timers
// use the stack's TimerQueue, so a timer fires at its deadline whichever clock runs it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>

#include "core/clock.hpp"

namespace sipscope::stack::net {

using ClockFn = std::function<Instant()>;

// Monotonic time since construction, as the stack's Instant.
class SteadyClock {
  public:
    SteadyClock() : m_origin(std::chrono::steady_clock::now()) {}
    Instant now() const {
        return std::chrono::duration_cast<Instant>(std::chrono::steady_clock::now() - m_origin);
    }

  private:
    std::chrono::steady_clock::time_point m_origin;
};

class EventLoop {
  public:
    using TimerId = std::uint64_t;
    using Callback = std::function<void()>;

    EventLoop();                        // steady clock
    explicit EventLoop(ClockFn clock);  // injected clock (tests)

    Instant now() const { return m_clock(); }

    TimerId addTimer(Duration after, Callback cb);
    bool cancelTimer(TimerId id);
    std::size_t pendingTimers() const noexcept { return m_timers.size(); }

    // `onReadable` runs whenever fd has data (or an error/hang-up) to read.
    void watch(int fd, Callback onReadable);
    // `onWritable` runs whenever fd can take data (or has an error): a connect in progress, a
    // TLS handshake or a write that would block. unwatch() removes both.
    void watchWritable(int fd, Callback onWritable);
    void unwatchWritable(int fd);
    void unwatch(int fd);

    // Fires every timer due by now(), earliest first; returns how many fired.
    std::size_t fireDueTimers();
    // One round: waits in poll() at most `maxWait` (less when a timer is due sooner), runs the
    // ready callbacks, then the due timers. A ManualClock caller passes 0 and advances the clock.
    void runOnce(Duration maxWait);
    // Rounds until stop() or `limit` elapsed on the loop's clock.
    void run(Duration limit);
    void stop() noexcept { m_stopped = true; }
    bool stopped() const noexcept { return m_stopped; }
    void resume() noexcept { m_stopped = false; }

  private:
    ClockFn m_clock;
    TimerQueue<TimerId> m_timers;
    std::map<TimerId, Callback> m_callbacks;
    std::map<int, Callback> m_watched, m_writable;
    TimerId m_nextId = 1;
    bool m_stopped = false;
};

}  // namespace sipscope::stack::net
