// IP defragmentation (RFC 791, RFC 8200 §4.5): every arrival order of 3 and 4 fragments,
// duplicates, overlaps with the same and with different data (first copy kept), expiry at the
// exact deadline, and the in-flight, byte and size limits.

#include <QtTest>

#include <algorithm>
#include <numeric>
#include <vector>

#include "reassembly/ip_defrag.hpp"

using namespace sipscope::analyzer;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

IpAddress v4(std::uint8_t last) {
    const std::uint8_t b[4] = {192, 0, 2, last};
    return IpAddress::v4(b);
}

IpAddress v6(std::uint8_t last) {
    std::uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8};
    b[15] = last;
    return IpAddress::v6(b);
}

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed = 0) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + seed);
    return v;
}

struct Piece {
    std::uint32_t offset;
    std::uint32_t length;
    bool more;
};

IpFragment fragment(const std::vector<std::uint8_t>& data, const Piece& p, std::uint64_t frame,
                    std::int64_t ts, std::uint32_t id = 0x1234, bool ipv6 = false) {
    IpFragment f;
    f.src = ipv6 ? v6(1) : v4(1);
    f.dst = ipv6 ? v6(2) : v4(2);
    f.id = id;
    f.protocol = 17;
    f.offset = p.offset;
    f.more = p.more;
    f.payload = std::span<const std::uint8_t>(data).subspan(p.offset, p.length);
    f.frame = frame;
    f.tsNs = ts;
    return f;
}

// Feeds the pieces in the order `order` (indexes into pieces); frame = index + 1, time = the
// arrival position in ms. Only the last one may complete the datagram.
std::optional<ReassembledDatagram> feed(IpDefragmenter& d, const std::vector<std::uint8_t>& data,
                                        const std::vector<Piece>& pieces,
                                        const std::vector<int>& order, bool ipv6 = false) {
    std::optional<ReassembledDatagram> out;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const auto& p = pieces[static_cast<std::size_t>(order[i])];
        auto r = d.add(fragment(data, p, static_cast<std::uint64_t>(order[i] + 1),
                                static_cast<std::int64_t>(i) * 1'000'000, 0x1234, ipv6));
        if (r) {
            if (out || i + 1 != order.size()) return std::nullopt;  // completed too early
            out = std::move(r);
        }
    }
    return out;
}

std::vector<std::uint64_t> framesOf(const std::vector<int>& order) {
    std::vector<std::uint64_t> f;
    for (int i : order) f.push_back(static_cast<std::uint64_t>(i + 1));
    return f;
}

}  // namespace

class TestIpDefrag : public QObject {
    Q_OBJECT
  private slots:
    void permutationsOfThree() {
        permutations({{0, 1480, true}, {1480, 1480, true}, {2960, 500, false}}, false);
    }
    void permutationsOfFourV6() {
        permutations({{0, 8, true}, {8, 16, true}, {24, 1000, true}, {1024, 3, false}}, true);
    }

    void wholeDatagramPassesThrough() {
        IpDefragmenter d;
        const auto data = pattern(100);
        auto r = d.add(fragment(data, {0, 100, false}, 7, 5));
        QVERIFY(r);
        QCOMPARE(r->payload, data);
        QCOMPARE(r->frames, std::vector<std::uint64_t>{7});
        QCOMPARE(d.inFlight(), std::size_t{0});
    }

    void ipv6NextHeaderFromFirstFragment() {
        // RFC 8200 §4.5: fragments with different Next Header values still belong together;
        // the offset-zero fragment's value is the datagram's.
        IpDefragmenter d;
        const auto data = pattern(48);
        auto a = fragment(data, {24, 24, false}, 1, 0, 9, true);
        a.protocol = 60;
        auto b = fragment(data, {0, 24, true}, 2, 1, 9, true);
        b.protocol = 17;
        QVERIFY(!d.add(a));
        auto r = d.add(b);
        QVERIFY(r);
        QCOMPARE(r->protocol, std::uint8_t{17});
        QCOMPARE(r->payload, data);
    }

    void keyKeepsDatagramsApart() {
        // RFC 791: id, protocol and both addresses identify a datagram.
        IpDefragmenter d;
        const auto data = pattern(32);
        QVERIFY(!d.add(fragment(data, {0, 16, true}, 1, 0, 1)));
        auto otherProto = fragment(data, {16, 16, false}, 2, 0, 1);
        otherProto.protocol = 6;
        QVERIFY(!d.add(otherProto));
        QVERIFY(!d.add(fragment(data, {16, 16, false}, 3, 0, 2)));
        QCOMPARE(d.inFlight(), std::size_t{3});
        auto r = d.add(fragment(data, {16, 16, false}, 4, 0, 1));
        QVERIFY(r);
        QCOMPARE(r->frames, (std::vector<std::uint64_t>{1, 4}));
    }

    void duplicates() {
        IpDefragmenter d;
        const auto data = pattern(24);
        QVERIFY(!d.add(fragment(data, {0, 8, true}, 1, 0)));
        QVERIFY(!d.add(fragment(data, {0, 8, true}, 2, 1)));
        QVERIFY(!d.add(fragment(data, {8, 8, true}, 3, 2)));
        QVERIFY(!d.add(fragment(data, {8, 8, true}, 4, 3)));
        auto r = d.add(fragment(data, {16, 8, false}, 5, 4));
        QVERIFY(r);
        QCOMPARE(r->payload, data);
        QCOMPARE(r->frames, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
        QVERIFY(!r->overlapConflict);
        QCOMPARE(d.stats().duplicates, std::uint64_t{2});
        QCOMPARE(d.stats().overlaps, std::uint64_t{2});
        QCOMPARE(d.stats().conflicts, std::uint64_t{0});
    }

    void overlapSameData() {
        IpDefragmenter d;
        const auto data = pattern(40);
        QVERIFY(!d.add(fragment(data, {0, 16, true}, 1, 0)));
        QVERIFY(!d.add(fragment(data, {8, 24, true}, 2, 1)));  // overlaps 8..16, adds 16..32
        auto r = d.add(fragment(data, {32, 8, false}, 3, 2));
        QVERIFY(r);
        QCOMPARE(r->payload, data);
        QVERIFY(!r->overlapConflict);
        QCOMPARE(d.stats().overlaps, std::uint64_t{1});
        QCOMPARE(d.stats().duplicates, std::uint64_t{0});
    }

    void overlapDifferentDataKeepsFirst_data() {
        QTest::addColumn<bool>("modifiedFirst");
        QTest::newRow("original first") << false;
        QTest::newRow("modified first") << true;
    }
    void overlapDifferentDataKeepsFirst() {
        QFETCH(bool, modifiedFirst);
        const auto data = pattern(32);
        auto modified = data;
        for (std::size_t i = 8; i < 24; ++i) modified[i] ^= 0xFF;
        IpDefragmenter d;
        QVERIFY(!d.add(fragment(data, {0, 8, true}, 1, 0)));
        const auto& first = modifiedFirst ? modified : data;
        const auto& second = modifiedFirst ? data : modified;
        QVERIFY(!d.add(fragment(first, {8, 16, true}, 2, 1)));
        QVERIFY(!d.add(fragment(second, {8, 16, true}, 3, 2)));
        auto r = d.add(fragment(data, {24, 8, false}, 4, 3));
        QVERIFY(r);
        QVERIFY(r->overlapConflict);
        std::vector<std::uint8_t> expected = data;
        std::copy(first.begin() + 8, first.begin() + 24, expected.begin() + 8);
        QCOMPARE(r->payload, expected);
        QCOMPARE(d.stats().conflicts, std::uint64_t{1});
    }

    void inconsistentEnd() {
        IpDefragmenter d;
        const auto data = pattern(48);
        QVERIFY(!d.add(fragment(data, {16, 16, false}, 1, 0)));  // end = 32
        QVERIFY(!d.add(fragment(data, {32, 16, true}, 2, 1)));   // beyond the end: clipped
        QVERIFY(!d.add(fragment(data, {16, 32, false}, 3, 2)));  // a second, other end
        auto r = d.add(fragment(data, {0, 16, true}, 4, 3));
        QVERIFY(r);
        QCOMPARE(r->payload, std::vector<std::uint8_t>(data.begin(), data.begin() + 32));
        QVERIFY(r->overlapConflict);
        QCOMPARE(d.stats().inconsistent, std::uint64_t{2});
    }

    void missingFragmentExpiresAtTheDeadline() {
        DefragLimits limits;
        limits.timeoutNs = 30 * kSecond;
        IpDefragmenter d(limits);
        const auto data = pattern(24);
        QVERIFY(!d.add(fragment(data, {0, 8, true}, 1, 10 * kSecond)));
        QVERIFY(!d.add(fragment(data, {16, 8, false}, 2, 12 * kSecond)));
        QCOMPARE(d.expire(40 * kSecond), std::size_t{0});  // exactly the timeout: not older
        QCOMPARE(d.inFlight(), std::size_t{1});
        QCOMPARE(d.expire(40 * kSecond + 1), std::size_t{1});
        QCOMPARE(d.inFlight(), std::size_t{0});
        QCOMPARE(d.bufferedBytes(), std::size_t{0});
        QCOMPARE(d.stats().expired, std::uint64_t{1});
        // The missing piece arrives too late: it starts a new datagram, which does not complete.
        QVERIFY(!d.add(fragment(data, {8, 8, true}, 3, 41 * kSecond)));
        QCOMPARE(d.inFlight(), std::size_t{1});
    }

    void staleDatagramReplacedWithoutExpireCall() {
        IpDefragmenter d;
        const auto data = pattern(16);
        QVERIFY(!d.add(fragment(data, {0, 8, true}, 1, 0)));
        QVERIFY(!d.add(fragment(data, {8, 8, false}, 2, 31 * kSecond)));  // id reused later
        QCOMPARE(d.stats().expired, std::uint64_t{1});
        auto r = d.add(fragment(data, {0, 8, true}, 3, 32 * kSecond));
        QVERIFY(r);
        QCOMPARE(r->frames, (std::vector<std::uint64_t>{2, 3}));
    }

    void inFlightLimitDropsOldest() {
        DefragLimits limits;
        limits.maxDatagrams = 2;
        IpDefragmenter d(limits);
        const auto data = pattern(16);
        QVERIFY(!d.add(fragment(data, {0, 8, true}, 1, 0, 1)));
        QVERIFY(!d.add(fragment(data, {0, 8, true}, 2, 1, 2)));
        QVERIFY(!d.add(fragment(data, {0, 8, true}, 3, 2, 3)));  // drops id 1
        QCOMPARE(d.inFlight(), std::size_t{2});
        QCOMPARE(d.stats().droppedForLimits, std::uint64_t{1});
        QVERIFY(d.add(fragment(data, {8, 8, false}, 4, 3, 2)));
        QVERIFY(d.add(fragment(data, {8, 8, false}, 5, 4, 3)));
        QVERIFY(!d.add(fragment(data, {8, 8, false}, 6, 5, 1)));  // its first half is gone
    }

    void byteLimitDropsOldest() {
        DefragLimits limits;
        limits.maxBufferedBytes = 3000;
        IpDefragmenter d(limits);
        const auto data = pattern(4000);
        QVERIFY(!d.add(fragment(data, {0, 1000, true}, 1, 0, 1)));
        QVERIFY(!d.add(fragment(data, {0, 1000, true}, 2, 1, 2)));
        QVERIFY(!d.add(fragment(data, {0, 1500, true}, 3, 2, 3)));  // 3500 > 3000: id 1 goes
        QCOMPARE(d.stats().droppedForLimits, std::uint64_t{1});
        QVERIFY(d.bufferedBytes() <= limits.maxBufferedBytes);
        QVERIFY(!d.add(fragment(data, {1000, 1000, false}, 4, 3, 1)));  // swallowed
        QCOMPARE(d.stats().fragmentsDropped, std::uint64_t{1});
        QVERIFY(d.add(fragment(data, {1000, 100, false}, 5, 4, 2)));
        // A datagram larger than the whole budget is dropped by itself.
        QVERIFY(!d.add(fragment(data, {0, 3500, true}, 6, 5, 4)));
        QVERIFY(d.bufferedBytes() <= limits.maxBufferedBytes);
        QCOMPARE(d.stats().droppedForLimits, std::uint64_t{2});
    }

    void oversizedDatagramDropped() {
        IpDefragmenter d;
        const auto data = pattern(2000);
        QVERIFY(!d.add(fragment(data, {0, 1000, true}, 1, 0)));
        IpFragment tooFar = fragment(data, {1000, 1000, false}, 2, 1);
        tooFar.offset = 65000;  // 65000 + 1000 > 65535
        QVERIFY(!d.add(tooFar));
        QCOMPARE(d.stats().droppedForLimits, std::uint64_t{1});
        QCOMPARE(d.bufferedBytes(), std::size_t{0});
        QVERIFY(!d.add(fragment(data, {1000, 1000, false}, 3, 2)));  // swallowed until timeout
        QCOMPARE(d.stats().fragmentsDropped, std::uint64_t{2});
        QCOMPARE(d.expire(31 * kSecond), std::size_t{0});  // tombstones are not "expired"
        QCOMPARE(d.inFlight(), std::size_t{0});
    }

  private:
    void permutations(const std::vector<Piece>& pieces, bool ipv6) {
        const std::uint32_t total = pieces.back().offset + pieces.back().length;
        const auto data = pattern(total);
        std::vector<int> order(pieces.size());
        std::iota(order.begin(), order.end(), 0);
        int count = 0;
        do {
            IpDefragmenter d;
            auto r = feed(d, data, pieces, order, ipv6);
            QVERIFY2(r.has_value(), "datagram not completed by its last fragment");
            QCOMPARE(r->payload, data);
            QCOMPARE(r->frames, framesOf(order));
            QVERIFY(!r->overlapConflict);
            QCOMPARE(r->firstTsNs, 0);
            QCOMPARE(r->lastTsNs, static_cast<std::int64_t>(pieces.size() - 1) * 1'000'000);
            QCOMPARE(r->protocol, std::uint8_t{17});
            QCOMPARE(d.inFlight(), std::size_t{0});
            QCOMPARE(d.bufferedBytes(), std::size_t{0});
            QCOMPARE(d.stats().reassembled, std::uint64_t{1});
            QCOMPARE(d.stats().overlaps, std::uint64_t{0});
            ++count;
        } while (std::next_permutation(order.begin(), order.end()));
        QCOMPARE(count, pieces.size() == 3 ? 6 : 24);
    }
};

QTEST_APPLESS_MAIN(TestIpDefrag)
#include "tst_ip_defrag.moc"
