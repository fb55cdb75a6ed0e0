// The passive observer's timer queue (stack/observe/shadow_timers.hpp): lanes per duration
// plus a heap must fire exactly as one heap would, earliest deadline first, then scheduling
// order, skipping cancelled and restarted timers.

#include <QtTest>

#include <map>
#include <random>
#include <tuple>

#include "observe/shadow_timers.hpp"

using namespace sipscope::stack;

namespace {

// The reference: every running timer in one ordered map, (deadline, scheduling order) -> timer.
struct Reference {
    std::map<std::pair<Instant, std::uint64_t>, std::tuple<std::uint64_t, ShadowSide, TimerName>>
        running;
    std::map<std::tuple<std::uint64_t, ShadowSide, TimerName>, std::pair<Instant, std::uint64_t>>
        where;
    std::uint64_t seq = 0;

    void schedule(std::uint64_t tx, ShadowSide side, TimerName t, Instant at) {
        cancel(tx, side, t);
        const auto key = std::make_pair(at, ++seq);
        running[key] = {tx, side, t};
        where[{tx, side, t}] = key;
    }
    void cancel(std::uint64_t tx, ShadowSide side, TimerName t) {
        auto it = where.find({tx, side, t});
        if (it == where.end()) return;
        running.erase(it->second);
        where.erase(it);
    }
    std::optional<ShadowTimers::Due> popDue(Instant at) {
        if (running.empty() || running.begin()->first.first > at) return std::nullopt;
        const auto [key, timer] = *running.begin();
        const auto [tx, side, name] = timer;
        running.erase(running.begin());
        where.erase(timer);
        return ShadowTimers::Due{tx, side, name, key.first};
    }
};

constexpr TimerName kClientTimers[] = {TimerName::A, TimerName::B, TimerName::D, TimerName::M};
constexpr TimerName kServerTimers[] = {TimerName::G, TimerName::H, TimerName::I, TimerName::L};

}  // namespace

class TestShadowTimers : public QObject {
    Q_OBJECT

  private slots:
    void firesInDeadlineThenSchedulingOrder();
    void randomScheduleMatchesOneHeap_data();
    void randomScheduleMatchesOneHeap();
};

void TestShadowTimers::firesInDeadlineThenSchedulingOrder() {
    ShadowTimers timers;
    std::vector<ShadowTimers::Slots> tables(4);
    auto lookup = [&](std::uint64_t tx) { return tx < tables.size() ? &tables[tx] : nullptr; };
    const Instant t0{1000000};
    // Two durations (two lanes), a deadline out of its lane's order (the heap), equal deadlines.
    timers.schedule(1, tables[1], ShadowSide::Client, TimerName::B, t0, t0 + Instant{32000000});
    timers.schedule(2, tables[2], ShadowSide::Client, TimerName::A, t0, t0 + Instant{500000});
    timers.schedule(3, tables[3], ShadowSide::Server, TimerName::H, t0, t0 + Instant{500000});
    timers.schedule(2, tables[2], ShadowSide::Idle, TimerName::A, t0 + Instant{100},
                    t0 + Instant{400000});
    timers.schedule(1, tables[1], ShadowSide::Client, TimerName::A, t0, t0 + Instant{500000});
    ShadowTimers::cancel(tables[3], ShadowSide::Server, TimerName::H);
    std::vector<std::pair<std::uint64_t, TimerName>> fired;
    while (auto due = timers.popDue(t0 + Instant{40000000}, lookup))
        fired.emplace_back(due->tx, due->timer);
    const std::vector<std::pair<std::uint64_t, TimerName>> expected = {
        {2, TimerName::A}, {2, TimerName::A}, {1, TimerName::A}, {1, TimerName::B}};
    QCOMPARE(fired, expected);
    QCOMPARE(timers.popDue(t0 + Instant{99000000}, lookup), std::nullopt);
}

void TestShadowTimers::randomScheduleMatchesOneHeap_data() {
    QTest::addColumn<unsigned>("seed");
    QTest::addColumn<int>("durations");
    QTest::newRow("few durations: lanes only") << 1u << 6;
    QTest::newRow("more durations than lanes") << 2u << 40;
    QTest::newRow("another seed") << 3u << 12;
}

void TestShadowTimers::randomScheduleMatchesOneHeap() {
    QFETCH(unsigned, seed);
    QFETCH(int, durations);
    std::mt19937 rng(seed);
    ShadowTimers timers;
    Reference ref;
    std::vector<ShadowTimers::Slots> tables(64);
    std::vector<bool> gone(tables.size(), false);
    auto lookup = [&](std::uint64_t tx) { return gone[tx] ? nullptr : &tables[tx]; };
    Instant now{0};
    std::size_t firedCount = 0;
    for (int step = 0; step < 20000; ++step) {
        const auto tx = static_cast<std::uint64_t>(rng() % tables.size());
        const bool client = rng() % 2 == 0;
        const ShadowSide side = client ? ShadowSide::Client : ShadowSide::Server;
        const TimerName t = (client ? kClientTimers : kServerTimers)[rng() % 4];
        switch (rng() % 8) {
            case 0:  // the clock moves on: what is due fires, in order, in both
                now += Instant{static_cast<std::int64_t>(rng() % 3000)};
                while (true) {
                    auto a = timers.popDue(now, lookup);
                    auto b = ref.popDue(now);
                    QCOMPARE(a.has_value(), b.has_value());
                    if (!a) break;
                    QCOMPARE(a->tx, b->tx);
                    QCOMPARE(a->side, b->side);
                    QCOMPARE(a->timer, b->timer);
                    QCOMPARE(a->at, b->at);
                    ++firedCount;
                }
                break;
            case 1:
                ShadowTimers::cancel(tables[tx], side, t);
                ref.cancel(tx, side, t);
                break;
            case 2: {  // a deadline not derived from now (the idle timer's reschedule)
                const Instant at = now + Instant{static_cast<std::int64_t>(rng() % 5000)} -
                                   Instant{static_cast<std::int64_t>(rng() % 2000)};
                timers.schedule(tx, tables[tx], side, t, now, at);
                ref.schedule(tx, side, t, at);
                break;
            }
            default: {
                const Instant after{100 * static_cast<std::int64_t>(1 + rng() % durations)};
                timers.schedule(tx, tables[tx], side, t, now, now + after);
                ref.schedule(tx, side, t, now + after);
                break;
            }
        }
    }
    QVERIFY2(firedCount > 1000, "the random walk fired too few timers to mean anything");
}

QTEST_APPLESS_MAIN(TestShadowTimers)
#include "tst_shadow_timers.moc"
