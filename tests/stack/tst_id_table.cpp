// IdTable (stack/core/id_table.hpp): the transaction and call tables of the passive analysis.
// It must behave exactly as a map from ids to values whatever the order of inserts and erases,
// and keep its window near the number of open ids whatever the span of the ids.

#include <QtTest>

#include <map>
#include <memory>
#include <random>

#include "core/id_table.hpp"

using namespace sipscope::stack;

class TstIdTable : public QObject {
    Q_OBJECT

    // Every entry of `t` is in `ref` with the same value, and the other way round.
    static void compare(IdTable<std::uint64_t>& t,
                        const std::map<std::uint64_t, std::uint64_t>& ref) {
        QCOMPARE(t.size(), ref.size());
        std::size_t seen = 0;
        std::uint64_t last = 0;
        t.forEach([&](std::uint64_t id, std::uint64_t& v) {
            auto it = ref.find(id);
            QVERIFY(it != ref.end());
            QCOMPARE(v, it->second);
            ++seen;
            if (seen <= t.size() - t.outsideCount()) {
                QVERIFY(seen == 1 || id > last);  // the window comes in id order
                last = id;
            }
        });
        QCOMPARE(seen, ref.size());
        for (const auto& [id, v] : ref) {
            const std::uint64_t* got = t.find(id);
            QVERIFY(got);
            QCOMPARE(*got, v);
        }
    }

  private slots:
    void basics() {
        IdTable<std::uint64_t> t;
        QVERIFY(t.empty());
        QVERIFY(!t.find(0));
        QVERIFY(!t.erase(7));
        t.insertOrAssign(5, 50);
        t[6] = 60;
        QCOMPARE(*t.find(5), 50u);
        QCOMPARE(*t.find(6), 60u);
        QVERIFY(!t.find(4));
        QVERIFY(!t.find(7));
        t.insertOrAssign(5, 51);
        QCOMPARE(*t.find(5), 51u);
        QCOMPARE(t.size(), 2u);
        t[3] = 30;  // below the window
        QCOMPARE(t.outsideCount(), 1u);
        QCOMPARE(*t.find(3), 30u);
        QVERIFY(t.erase(5));
        QVERIFY(!t.erase(5));
        QVERIFY(t.erase(3));
        QCOMPARE(t.size(), 1u);
        QCOMPARE(t.windowLength(), 1u);  // the front trimmed to id 6
        QVERIFY(t.erase(6));
        QVERIFY(t.empty());
        QCOMPARE(t.windowLength(), 0u);
    }

    void valuesOwningObjectsStayPut() {
        IdTable<std::unique_ptr<int>> t;
        t.insertOrAssign(1, std::make_unique<int>(11));
        int* first = t.find(1)->get();
        for (std::uint64_t id = 2; id < 5000; ++id) t.insertOrAssign(id, std::make_unique<int>(7));
        QCOMPARE(t.find(1)->get(), first);
        QCOMPARE(**t.find(1), 11);
    }

    // Transactions as a capture makes them: ids in order, most end soon, some stay open for
    // very long. After an insert the window spans at most twice the open ids plus kSlack; the
    // long-lived ones move below it.
    void longLivedIdsLeaveTheWindow() {
        IdTable<std::uint64_t> t;
        std::map<std::uint64_t, std::uint64_t> ref;
        std::mt19937_64 rng(42);
        std::multimap<std::uint64_t, std::uint64_t> endAt;  // step -> id
        std::size_t mostWindow = 0, mostOpen = 0;
        for (std::uint64_t step = 1; step <= 200000; ++step) {
            const bool longLived = rng() % 500 == 0;
            const std::uint64_t life = longLived ? 150000 : 50 + rng() % 200;
            t.insertOrAssign(step, step * 3);
            ref[step] = step * 3;
            QVERIFY2(
                t.windowLength() <= 2 * t.size() + IdTable<std::uint64_t>::kSlack,
                qPrintable(QString("window %1 for %2 open").arg(t.windowLength()).arg(t.size())));
            endAt.emplace(step + life, step);
            while (!endAt.empty() && endAt.begin()->first <= step) {
                const std::uint64_t id = endAt.begin()->second;
                endAt.erase(endAt.begin());
                QVERIFY(t.erase(id));
                ref.erase(id);
            }
            mostOpen = std::max(mostOpen, ref.size());
            mostWindow = std::max(mostWindow, t.windowLength());
        }
        QVERIFY(t.outsideCount() > 0);  // long-lived ids did leave the window
        compare(t, ref);
        qInfo("at most %zu open, window at most %zu", mostOpen, mostWindow);
    }

    // Any order of operations on any ids: the same answers as std::map.
    void randomOperationsMatchAMap() {
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            IdTable<std::uint64_t> t;
            std::map<std::uint64_t, std::uint64_t> ref;
            std::mt19937_64 rng(seed);
            std::uint64_t next = rng() % 1000;
            for (int op = 0; op < 20000; ++op) {
                const unsigned kind = rng() % 10;
                std::uint64_t id;
                if (kind < 4) {
                    id = next++;  // the usual case
                } else if (kind < 6) {
                    id = next - rng() % 3000;  // an older id, possibly erased or never seen
                } else if (kind == 6) {
                    id = next + rng() % 100000;      // a jump ahead
                    if (rng() % 8 == 0) id = rng();  // anywhere at all
                } else {
                    if (ref.empty()) continue;
                    auto it = ref.lower_bound(next - rng() % 4000);
                    if (it == ref.end()) it = ref.begin();
                    QVERIFY(t.erase(it->first));
                    ref.erase(it);
                    continue;
                }
                if (rng() % 3 == 0) {
                    QCOMPARE(t.erase(id), ref.erase(id) > 0);
                } else {
                    const std::uint64_t v = rng();
                    t.insertOrAssign(id, v);
                    ref[id] = v;
                }
                if (op % 997 == 0) compare(t, ref);
            }
            compare(t, ref);
        }
    }
};

QTEST_APPLESS_MAIN(TstIdTable)
#include "tst_id_table.moc"
