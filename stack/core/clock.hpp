#pragma once
// Time for the sans-I/O stack (ARCHITECTURE.md "Time"): timer values per stack instance, a
// manually advanced clock and a timer queue. Nothing here reads the system clock.

#include <chrono>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace sipscope::stack {

using Duration = std::chrono::milliseconds;
// An instant, as the time elapsed since an arbitrary origin (the start of a capture, of a test).
using Instant = std::chrono::microseconds;

// RFC 3261 §17.1.1.1 and Table 4: T1 (RTT estimate), T2 (maximum non-INVITE retransmit
// interval), T4 (maximum time a message stays in the network). Tunable per instance.
struct TimerConfig {
    Duration t1{500};
    Duration t2{4000};
    Duration t4{5000};

    Duration sixtyFourT1() const noexcept { return 64 * t1; }
    bool operator==(const TimerConfig&) const = default;
};

// RFC 3261 Table 4: Timer D is "> 32 s for UDP" whatever T1 is.
inline constexpr Duration kTimerDUnreliable{32000};

class ManualClock {
  public:
    explicit ManualClock(Instant start = Instant{0}) noexcept : m_now(start) {}

    Instant now() const noexcept { return m_now; }
    // Moves the clock forward. An earlier instant is clamped to now() and reported as false,
    // so the caller can flag out-of-order input.
    bool advanceTo(Instant t) noexcept {
        if (t < m_now) return false;
        m_now = t;
        return true;
    }
    bool advanceBy(Duration d) noexcept { return advanceTo(m_now + d); }

  private:
    Instant m_now;
};

// Timers keyed by an ordered Id. Scheduling an Id again replaces its deadline. popDue() returns
// the timers due at `now`, earliest first (ties in scheduling order), so a driver can advance its
// clock to each deadline before firing.
template <class Id>
class TimerQueue {
  public:
    struct Due {
        Id id;
        Instant deadline;
    };

    void schedule(const Id& id, Instant deadline) {
        cancel(id);
        auto it = m_byDeadline.emplace(Key{deadline, m_seq++}, id);
        m_byId.emplace(id, it);
    }
    bool cancel(const Id& id) {
        auto found = m_byId.find(id);
        if (found == m_byId.end()) return false;
        m_byDeadline.erase(found->second);
        m_byId.erase(found);
        return true;
    }
    bool contains(const Id& id) const { return m_byId.count(id) != 0; }
    std::optional<Instant> deadlineOf(const Id& id) const {
        auto found = m_byId.find(id);
        if (found == m_byId.end()) return std::nullopt;
        return found->second->first.first;
    }
    std::size_t size() const noexcept { return m_byId.size(); }
    bool empty() const noexcept { return m_byId.empty(); }
    // The earliest deadline; only meaningful when !empty().
    Instant nextDeadline() const { return m_byDeadline.begin()->first.first; }

    std::vector<Due> popDue(Instant now) {
        std::vector<Due> out;
        while (!m_byDeadline.empty() && m_byDeadline.begin()->first.first <= now) {
            auto first = m_byDeadline.begin();
            out.push_back(Due{first->second, first->first.first});
            m_byId.erase(first->second);
            m_byDeadline.erase(first);
        }
        return out;
    }
    // Only the single earliest due timer: firing it may schedule or cancel others.
    std::vector<Due> popNextDue(Instant now) {
        std::vector<Due> out;
        if (!m_byDeadline.empty() && m_byDeadline.begin()->first.first <= now) {
            auto first = m_byDeadline.begin();
            out.push_back(Due{first->second, first->first.first});
            m_byId.erase(first->second);
            m_byDeadline.erase(first);
        }
        return out;
    }

  private:
    using Key = std::pair<Instant, std::uint64_t>;
    std::multimap<Key, Id> m_byDeadline;
    std::map<Id, typename std::multimap<Key, Id>::iterator> m_byId;
    std::uint64_t m_seq = 0;
};

}  // namespace sipscope::stack
