#pragma once
// The timers of every transaction shadow, with lazy cancellation: cancelling clears the
// shadow's slot, and stale entries are skipped when they come up. No allocation per timer, no
// search on cancel (the observer starts and stops several timers per message).
//
// Timers run for a few fixed durations (T1, 2*T1 ... 64*T1, T4, Timer D, the idle limit), and
// the clock only moves forward, so the deadlines of one duration come in order: each duration
// has a lane, a FIFO queue, and the next timer is the earliest lane head. A deadline that would
// break its lane's order (or the lanes are all taken) goes to a min-heap. Pushing and popping
// touch the ends of a few queues instead of sifting through a heap of millions of entries. The
// firing order is that of one heap: earliest deadline first, then scheduling order.

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "core/clock.hpp"
#include "transaction/transaction_types.hpp"

namespace sipscope::stack {

enum class ShadowSide : std::uint8_t { Client, Server, Idle, Evict };

class ShadowTimers {
  public:
    // A side runs one machine, which has at most four timers (INVITE client A, B, D, M;
    // non-INVITE client E, F, K; INVITE server G, H, I, L; non-INVITE server J).
    static constexpr std::size_t kTimers = 4;
    struct Slot {
        std::uint64_t seq = 0;  // 0: not running
        Instant at{0};
    };
    // Per side and timer, owned by the shadow: the RFC timers of the client and the server
    // side, and one timer each for Idle and Evict (kept in the TimerName::A position).
    using Slots = std::array<Slot, 2 * kTimers + 2>;
    struct Due {
        std::uint64_t tx;
        ShadowSide side;
        TimerName timer;
        Instant at;
    };

    // Starts (or restarts) a timer due at `at`, scheduled at `now` (the observer's clock).
    void schedule(std::uint64_t tx, Slots& table, ShadowSide side, TimerName t, Instant now,
                  Instant at) {
        const std::size_t i = slotIndex(side, t);
        Slot& s = table[i];
        s.seq = ++m_seq;
        s.at = at;
        const Entry e{at, s.seq, tx, static_cast<std::uint8_t>(i), t};
        if (std::deque<Entry>* lane = laneFor(at - now, at)) {
            lane->push_back(e);
        } else {
            m_heap.push_back(e);
            std::push_heap(m_heap.begin(), m_heap.end(), later);
        }
        ++m_size;
    }
    static void cancel(Slots& table, ShadowSide side, TimerName t) {
        const std::size_t i = slotIndex(side, t);
        table[i].seq = 0;
    }
    static void cancelAll(Slots& table) {
        for (Slot& s : table) s.seq = 0;
    }
    static std::optional<Instant> deadlineOf(const Slots& table, ShadowSide side, TimerName t) {
        const std::size_t i = slotIndex(side, t);
        const Slot& s = table[i];
        return s.seq ? std::optional<Instant>(s.at) : std::nullopt;
    }

    // The earliest running timer due at or before `at`, taken off; `slotsOf(tx)` gives the
    // shadow's table or nullptr when the shadow is gone.
    template <class Lookup>
    std::optional<Due> popDue(Instant at, Lookup&& slotsOf) {
        while (const Entry* next = earliest()) {
            if (next->at > at) break;
            const Entry e = *next;
            popEarliest(next);
            Slots* table = slotsOf(e.tx);
            if (!table || (*table)[e.slot].seq != e.seq) continue;  // cancelled or rescheduled
            (*table)[e.slot].seq = 0;
            return Due{e.tx, sideOf(e.slot), e.timer, e.at};
        }
        return std::nullopt;
    }

    // Cancelled entries stay queued until their deadline, at most the longest timer duration;
    // when they outnumber the running timers in the heap, it is rebuilt from the running ones.
    template <class Lookup>
    void compactIfStale(Lookup&& slotsOf) {
        if (m_heap.size() < 4096 || m_heap.size() < 2 * m_lastCompactSize) return;
        std::vector<Entry> live;
        live.reserve(m_heap.size() / 2);
        for (const Entry& e : m_heap) {
            const Slots* table = slotsOf(e.tx);
            if (table && (*table)[e.slot].seq == e.seq) live.push_back(e);
        }
        m_size -= m_heap.size() - live.size();
        m_heap = std::move(live);
        std::make_heap(m_heap.begin(), m_heap.end(), later);
        m_lastCompactSize = std::max<std::size_t>(m_heap.size(), 2048);
    }
    std::size_t size() const noexcept { return m_size; }

  private:
    struct Entry {
        Instant at;
        std::uint64_t seq, tx;
        std::uint8_t slot;
        TimerName timer;
    };
    // The timer's place among its machine's timers (order of TimerName: A B D E F G H I J K L M).
    static std::size_t placeOf(TimerName t) {
        constexpr std::uint8_t kPlace[] = {0, 1, 2, 0, 1, 0, 1, 2, 0, 2, 3, 3};
        return kPlace[static_cast<std::size_t>(t)];
    }
    static std::size_t slotIndex(ShadowSide side, TimerName t) {
        const auto n = static_cast<std::size_t>(side);
        return n < 2 ? n * kTimers + placeOf(t) : 2 * kTimers + (n - 2);
    }
    static ShadowSide sideOf(std::size_t slot) {
        return static_cast<ShadowSide>(slot < 2 * kTimers ? slot / kTimers
                                                          : 2 + (slot - 2 * kTimers));
    }
    // Heap order: earliest deadline first, then scheduling order.
    static bool later(const Entry& a, const Entry& b) {
        return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
    struct Lane {
        Instant after{0};           // the timers' duration (deadline - scheduling time)
        std::deque<Entry> entries;  // deadlines in order
    };
    static constexpr std::size_t kMaxLanes = 16;

    // The lane of timers that run for `after`, when `at` keeps it in order.
    std::deque<Entry>* laneFor(Instant after, Instant at) {
        for (Lane& l : m_lanes) {
            if (l.after != after) continue;
            return l.entries.empty() || l.entries.back().at <= at ? &l.entries : nullptr;
        }
        if (m_lanes.size() == kMaxLanes) return nullptr;
        m_lanes.push_back(Lane{after, {}});
        return &m_lanes.back().entries;
    }
    const Entry* earliest() const {
        const Entry* best = m_heap.empty() ? nullptr : &m_heap.front();
        for (const Lane& l : m_lanes)
            if (!l.entries.empty() && (!best || later(*best, l.entries.front())))
                best = &l.entries.front();
        return best;
    }
    void popEarliest(const Entry* e) {
        --m_size;
        if (!m_heap.empty() && e == &m_heap.front()) {
            std::pop_heap(m_heap.begin(), m_heap.end(), later);
            m_heap.pop_back();
            return;
        }
        for (Lane& l : m_lanes)
            if (!l.entries.empty() && e == &l.entries.front()) {
                l.entries.pop_front();
                return;
            }
    }

    std::vector<Lane> m_lanes;
    std::vector<Entry> m_heap;
    std::size_t m_size = 0;
    std::uint64_t m_seq = 0;
    std::size_t m_lastCompactSize = 2048;
};

}  // namespace sipscope::stack
