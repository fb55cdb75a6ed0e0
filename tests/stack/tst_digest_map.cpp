// DigestMap (stack/core/digest_map.hpp): the observer's maps keyed by digests. Open addressing
// with backward-shift deletion must answer exactly as std::map through any mix of inserts and
// erases, including runs that wrap around the end of the table.

#include <QtTest>

#include <map>
#include <memory>
#include <random>
#include <vector>

#include "core/digest_map.hpp"

using namespace sipscope::stack;

class TstDigestMap : public QObject {
    Q_OBJECT

    static void compare(DigestMap<std::uint64_t>& m,
                        const std::map<std::uint64_t, std::uint64_t>& ref) {
        QCOMPARE(m.size(), ref.size());
        std::size_t seen = 0;
        m.forEach([&](std::uint64_t k, std::uint64_t& v) {
            auto it = ref.find(k);
            QVERIFY(it != ref.end());
            QCOMPARE(v, it->second);
            ++seen;
        });
        QCOMPARE(seen, ref.size());
        for (const auto& [k, v] : ref) {
            const std::uint64_t* got = m.find(k);
            QVERIFY(got);
            QCOMPARE(*got, v);
        }
    }

  private slots:
    void basics() {
        DigestMap<std::uint64_t> m;
        QVERIFY(m.empty());
        QVERIFY(!m.find(1));
        QVERIFY(!m.erase(1));
        m[0] = 10;  // every key is a key, 0 included
        m[1] = 11;
        QCOMPARE(*m.find(0), 10u);
        QCOMPARE(*m.find(1), 11u);
        QCOMPARE(m[1], 11u);
        QCOMPARE(m.size(), 2u);
        QVERIFY(m.erase(0));
        QVERIFY(!m.find(0));
        QCOMPARE(*m.find(1), 11u);
        QVERIFY(m.erase(1));
        QVERIFY(m.empty());
    }

    void erasedValuesAreReleased() {
        DigestMap<std::shared_ptr<int>> m;
        auto p = std::make_shared<int>(5);
        m[7] = p;
        QCOMPARE(p.use_count(), 2);
        m.erase(7);
        QCOMPARE(p.use_count(), 1);
    }

    // Few distinct keys in a small key space: long probe runs, many wrap-arounds and shifts.
    void randomOperationsMatchAMap_data() {
        QTest::addColumn<std::uint64_t>("keySpace");
        QTest::newRow("dense small keys") << std::uint64_t{300};
        QTest::newRow("counters") << std::uint64_t{100000};
        QTest::newRow("any 64-bit key") << std::uint64_t{0};
    }
    void randomOperationsMatchAMap() {
        QFETCH(std::uint64_t, keySpace);
        for (std::uint64_t seed = 1; seed <= 10; ++seed) {
            DigestMap<std::uint64_t> m;
            std::map<std::uint64_t, std::uint64_t> ref;
            std::vector<std::uint64_t> keys;
            std::mt19937_64 rng(seed);
            for (int op = 0; op < 30000; ++op) {
                std::uint64_t k;
                if (!keys.empty() && rng() % 2) {
                    k = keys[rng() % keys.size()];
                } else {
                    k = keySpace ? rng() % keySpace : rng();
                    keys.push_back(k);
                }
                // Phases that fill up and drain, so the table both grows and empties.
                const bool draining = (op / 5000) % 2 == 1;
                if (rng() % 4 < (draining ? 3u : 1u)) {
                    QCOMPARE(m.erase(k), ref.erase(k) > 0);
                } else {
                    const std::uint64_t v = rng();
                    m[k] = v;
                    ref[k] = v;
                }
                if (op % 1999 == 0) compare(m, ref);
            }
            compare(m, ref);
        }
    }
};

QTEST_APPLESS_MAIN(TstDigestMap)
#include "tst_digest_map.moc"
