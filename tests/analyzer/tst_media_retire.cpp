// Retiring media as calls end (what keeps an import's memory to the calls in progress): a
// retired call's stream reports equal those finish() gives, its ports stop being its, streams
// of no call end once idle, and over thousands of calls the tracker holds only the live ones.

#include <QtTest>

#include "media_test_util.hpp"

using namespace sipscope::analyzer;
using namespace sipscope::test;
using namespace sipscope::test::media;

namespace {

// Call `id`: offer from 192.0.2.x:40000, answer from 198.51.100.x:50000, `packets` of RTP each
// way (the callee's only when `twoWay`), starting at `t0`.
void call(MediaTracker& t, const std::string& id, int n, std::int64_t t0, int packets,
          bool twoWay) {
    const std::string a = "192.0.2." + std::to_string(n), b = "198.51.100." + std::to_string(n);
    t.onSip(sip("INVITE sip:b@x SIP/2.0", "1 INVITE", id, sdp(a, 40000, ""), t0));
    t.onSip(sip("SIP/2.0 200 OK", "1 INVITE", id, sdp(b, 50000, ""), t0 + kMs));
    const auto ssrc = static_cast<std::uint32_t>(n) * 2;
    stream(t, ep(a.c_str(), 40000), ep(b.c_str(), 50000), ssrc, packets, t0 + 10 * kMs, 0, 3);
    if (twoWay) stream(t, ep(b.c_str(), 50000), ep(a.c_str(), 40000), ssrc + 1, packets, t0);
}

struct Seen {
    std::uint32_t index, ssrc;
    std::string callId;
    std::uint64_t packets, lost;
    std::vector<std::string> problems;
    std::optional<double> mos;
    bool operator==(const Seen&) const = default;
};

Seen seen(const MediaStreamReport& r) {
    return {r.index,          r.stream->key().ssrc, r.callId, r.stream->packets(),
            r.stream->lost(), r.problems,           r.mos};
}

}  // namespace

class TestMediaRetire : public QObject {
    Q_OBJECT

  private slots:
    // Two calls, one of them one-way: retiring each as it ends reports exactly what one
    // finish() at the end reports (index, SSRC, counts, problems with one_way_audio, MOS).
    void retiredReportsEqualFinish() {
        MediaTracker whole, retiring;
        std::vector<Seen> expected, got;
        for (MediaTracker* t : {&whole, &retiring}) {
            call(*t, "c1", 1, kT0, 50, true);
            call(*t, "c2", 2, kT0 + 2000 * kMs, 40, false);
        }
        whole.finish();
        for (const auto& r : whole.streams()) expected.push_back(seen(r));
        auto sink = [&got](const MediaStreamReport& r) { got.push_back(seen(r)); };
        // Retiring gives the call's problems as they stood.
        const auto c1 = retiring.callProblemsSoFar("c1"), c2 = retiring.callProblemsSoFar("c2");
        QVERIFY(c1.empty());
        QCOMPARE(c2, (std::vector<std::string>{"one_way_audio"}));
        QCOMPARE(retiring.retireCall("c1", sink), c1);
        QCOMPARE(retiring.liveStreams(), std::size_t{1});
        QCOMPARE(retiring.retireCall("c2", sink), c2);
        QVERIFY(retiring.retireCall("unknown", sink).empty());
        QVERIFY(retiring.callProblemsSoFar("c2").empty());
        QCOMPARE(got.size(), std::size_t{3});
        QVERIFY(got == expected);
        QVERIFY(has(got[2].problems, "one_way_audio"));
        QVERIFY(has(got[0].problems, "loss"));
        QCOMPARE(retiring.liveCalls(), std::size_t{0});
        QCOMPARE(retiring.liveStreams(), std::size_t{0});
        retiring.finish();
        QVERIFY(retiring.streams().empty());
        QVERIFY(retiring.calls().empty());
    }

    // After a call is retired its ports are no longer its: later RTP there is a heuristic
    // stream with a new index, while another call's ports still work.
    void portsFreedOnRetire() {
        MediaTracker t;
        call(t, "old", 1, kT0, 10, true);
        call(t, "live", 2, kT0, 10, true);
        std::vector<std::uint32_t> retired;
        t.retireCall("old", [&](const MediaStreamReport& r) { retired.push_back(r.index); });
        QCOMPARE(retired, (std::vector<std::uint32_t>{0, 1}));
        stream(t, ep("192.0.2.1", 40000), ep("198.51.100.1", 50000), 99, 20, kT0 + 5000 * kMs);
        stream(t, ep("192.0.2.2", 40000), ep("198.51.100.2", 50000), 4, 5, kT0 + 5000 * kMs);
        t.finish();
        QCOMPARE(t.streams().size(), std::size_t{3});
        const auto* late = find(t, 99);
        QVERIFY(late && late->heuristic && late->callId.empty());
        QVERIFY(late->index >= 4);
        QCOMPARE(find(t, 4)->callId, std::string("live"));
        QCOMPARE(find(t, 4)->stream->packets(), 14u);  // 9 before, 5 after the other retired
        QCOMPARE(t.calls().size(), std::size_t{1});
    }

    // Streams of no call end once idle: reported when they qualified, dropped silently when
    // not; a stream still running, or a call's, stays.
    void idleHeuristicStreams() {
        MediaTracker t;
        call(t, "c", 1, kT0, 10, true);
        stream(t, ep("203.0.113.1", 30000), ep("203.0.113.2", 30002), 0x55, 20, kT0);
        stream(t, ep("203.0.113.1", 30010), ep("203.0.113.2", 30012), 0x66, 3, kT0);
        stream(t, ep("203.0.113.3", 30000), ep("203.0.113.4", 30002), 0x77, 20, kT0 + 60'000 * kMs);
        std::vector<std::uint32_t> ended;
        auto sink = [&](const MediaStreamReport& r) { ended.push_back(r.stream->key().ssrc); };
        t.retireIdle(kT0 + 30'000 * kMs, 30'000 * kMs, sink);
        QVERIFY(ended.empty());  // idle for less than 30 s
        t.retireIdle(kT0 + 61'000 * kMs, 30'000 * kMs, sink);
        QCOMPARE(ended, (std::vector<std::uint32_t>{0x55}));
        QCOMPARE(t.liveStreams(), std::size_t{3});  // the call's two and 0x77
        t.finish();
        QVERIFY(find(t, 0x77) && find(t, 2) && find(t, 3));
        QVERIFY(!find(t, 0x55) && !find(t, 0x66));
    }

    // Thousands of calls, each retired when it ends: the tracker holds the calls in progress
    // only, however many came before.
    void memoryFollowsLiveCalls() {
        MediaTracker t;
        std::size_t reports = 0, most = 0;
        auto sink = [&reports](const MediaStreamReport&) { ++reports; };
        for (int n = 0; n < 3000; ++n) {
            const std::string id = "call-" + std::to_string(n);
            call(t, id, 1 + n % 200, kT0 + n * 100 * kMs, 5, true);
            if (n >= 3) t.retireCall("call-" + std::to_string(n - 3), sink);
            most = std::max({most, t.liveCalls(), t.liveStreams() / 2});
        }
        QCOMPARE(most, std::size_t{3});
        QCOMPARE(reports, std::size_t{2 * 2997});
        t.finish();
        QCOMPARE(t.streams().size(), std::size_t{6});
        QCOMPARE(t.calls().size(), std::size_t{3});
    }
};

QTEST_GUILESS_MAIN(TestMediaRetire)
#include "tst_media_retire.moc"
