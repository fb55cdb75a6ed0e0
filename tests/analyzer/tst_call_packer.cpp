// Sleeping calls (analyzer/calls/call_packer.hpp): a packed call unpacks to exactly the call
// that was packed, whatever its fields hold.

#include <QtTest>

#include <limits>
#include <random>

#include "call_test_util.hpp"
#include "calls/call_packer.hpp"
#include "calls/call_tracker.hpp"

using namespace sipscope::analyzer;
using sipscope::stack::Anomaly;
using sipscope::stack::DialogState;
using sipscope::stack::Instant;

namespace {

CallData everything() {
    CallData c;
    c.no = std::numeric_limits<std::uint64_t>::max();
    c.callIds = {"a84b4c76e66710@pc33.atlanta.example.com", "", std::string(200, 'x')};
    c.method = "INVITE";
    c.inviteDialog = true;
    c.firstRequestMethod = "INVITE";
    c.fromUser = "+4930123";
    c.toUser = "bob";
    c.requestUser = "bob";
    c.caller = "udp 192.0.2.1:5060";
    c.callee = "udp [2001:db8::2]:5060";
    c.userAgent = "Zoiper \xc3\xa4";
    c.transport = "udp";
    c.sessionIds = {"ab30317f1a784dc48ff824d0d3715d86"};
    c.startNs = 1'764'300'000'123'456'789;
    c.lastNs = c.startNs + 37'000'000'000;
    c.messageIds = {10, 11, 12, 9, 1'000'000'000'000};  // not always ascending (other legs)
    c.messages = 5;
    c.retransmissions = 1;
    c.duplicates = 2;
    c.transactions = 2;
    c.authChallenges = 1;
    c.legHops = {{"udp 192.0.2.1:5060", "udp 192.0.2.9:5060"}, {"a", "b"}};
    c.firstRequestId = 10;
    Attempt first;
    first.tx = 1;
    first.branch = "z9hG4bK776asdhds";
    first.cseq = 1;
    first.ns = c.startNs;
    first.finalCode = 407;
    first.reason = "Proxy Authentication Required";
    first.finalNs = c.startNs + 1'000'000;
    first.firstResponseNs = c.startNs - 5;  // clamped clocks: before the start
    Attempt second;
    second.tx = 3;
    second.ns = c.startNs + 2'000'000;
    second.ringNs = c.startNs + 3'000'000;
    second.cancelled = true;
    second.timeout = true;
    c.attempts = {first, second};
    c.openTx = {3, 4};
    c.byeNs = c.startNs + 30'000'000'000;
    c.byeTx = 4;
    c.lastByeNs = c.startNs + 38'000'000'000;
    c.byeDialogs = {0x0123456789abcdefull, ~0ull};
    c.dialogs = {{"a>b t1 t2", DialogState::Terminated}, {"a>c t1 t3", DialogState::Early}};
    MediaSummary offer;
    offer.origin = "offer";
    offer.messageId = 10;
    offer.type = "audio";
    offer.address = "0.0.0.0";
    offer.port = 65535;
    offer.direction = "sendonly";
    offer.codecs = {"PCMU/8000", "telephone-event/8000"};
    offer.hold = true;
    c.media = {offer, MediaSummary{}};
    Anomaly a;
    a.code = "ack_missing";
    a.messageIds = {12};
    a.rfc = "RFC 3261 §17.2.1";
    a.text = "Timer H fired";
    a.at = Instant{-1};
    a.transaction = 3;
    c.anomalies = {a};
    c.closeScheduled = true;
    c.revision = 9;
    c.snapshotRevision = 7;
    c.holdUntilNs = -1;
    return c;
}

CallData everything();

CallData roundTrip(const CallData& c) {
    std::string scratch = "left over from an earlier call";
    const auto packed = packCall(c, scratch);
    CallData back = everything();  // unpacking sets every field: a used call will do
    unpackCall(packed.get(), back);
    back.firstRequest = c.firstRequest;  // kept aside by the tracker, not packed
    return back;
}

CallData randomCall(std::mt19937_64& rng) {
    const auto pick = [&rng](std::uint64_t n) { return rng() % n; };
    const auto text = [&] { return std::string(pick(30), static_cast<char>(' ' + pick(90))); };
    const auto big = [&] { return static_cast<std::int64_t>(rng() >> pick(64)); };
    CallData c;
    c.no = rng() >> pick(64);
    for (std::uint64_t i = pick(3); i > 0; --i) c.callIds.push_back(text());
    c.method = text();
    c.caller = text();
    c.userAgent = text();
    c.startNs = big();
    c.lastNs = big();
    for (std::uint64_t i = pick(12); i > 0; --i) c.messageIds.push_back(rng() >> pick(64));
    c.messages = static_cast<std::uint32_t>(rng());
    for (std::uint64_t i = pick(3); i > 0; --i) {
        Attempt a;
        a.tx = rng() >> pick(64);
        a.branch = text();
        a.ns = big();
        if (pick(2)) a.finalCode = static_cast<int>(pick(700));
        if (pick(2)) a.ringNs = big();
        a.timeout = pick(2);
        c.attempts.push_back(a);
    }
    if (pick(2)) c.byeDoneNs = big();
    for (std::uint64_t i = pick(3); i > 0; --i)
        c.dialogs[text()] = static_cast<DialogState>(pick(3));
    for (std::uint64_t i = pick(3); i > 0; --i) {
        MediaSummary m;
        m.address = text();
        m.port = static_cast<std::uint16_t>(rng());
        for (std::uint64_t k = pick(4); k > 0; --k) m.codecs.push_back(text());
        c.media.push_back(m);
    }
    c.holdUntilNs = big();
    return c;
}

}  // namespace

class TestCallPacker : public QObject {
    Q_OBJECT
  private slots:
    void everyFieldRoundTrips() {
        const CallData c = everything();
        QVERIFY(roundTrip(c) == c);
        QVERIFY(roundTrip(CallData{}) == CallData{});
    }

    void randomCallsRoundTrip() {
        std::mt19937_64 rng(1764);
        for (int i = 0; i < 2000; ++i) {
            const CallData c = randomCall(rng);
            if (!(roundTrip(c) == c)) QFAIL(qPrintable(QString("call %1 differs").arg(i)));
        }
    }

    // Thousands of calls whose transactions all end in one jump of the clock (here the end of
    // input, which runs 32 s of timers at once): calls and shadows woken by the ends go back to
    // sleep in batches, so the memory of the jump stays that of a batch, not of every call.
    void aJumpOfTheClockWakesABatchAtATime() {
        constexpr int kCalls = 3000;
        std::size_t calls = 0, mostCalls = 0, mostShadows = 0;
        CallTracker* tracker = nullptr;
        CallTrackerSinks sinks;
        sinks.call = [&](CallRecord&&) { ++calls; };
        sinks.transaction = [&](const sipscope::stack::TransactionRecord&) {
            mostCalls = std::max(mostCalls, tracker->awakeCalls());
            mostShadows = std::max(mostShadows, tracker->awakeTransactions());
        };
        CallTracker t({}, std::move(sinks));
        tracker = &t;
        for (int i = 0; i < kCalls; ++i) {
            const std::string n = std::to_string(i);
            const std::string via = "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-j" + n + "\r\n";
            const std::string common = "From: <sip:a@example.com>;tag=f" + n +
                                       "\r\nCall-ID: jump-" + n + "\r\nCSeq: 1 INVITE\r\n";
            const double at = i * 0.0001;  // all within a third of a second
            t.observe(sipscope::test::observed(
                2 * i + 1, at, "10.0.0.1:5060", "10.0.0.2:5060",
                "INVITE sip:b@example.net SIP/2.0\r\n" + via + common +
                    "To: <sip:b@example.net>\r\nContent-Length: 0\r\n\r\n"));
            t.observe(sipscope::test::observed(
                2 * i + 2, at + 0.00005, "10.0.0.2:5060", "10.0.0.1:5060",
                "SIP/2.0 486 Busy Here\r\n" + via + common +
                    "To: <sip:b@example.net>;tag=t\r\nContent-Length: 0\r\n\r\n"));
        }
        QCOMPARE(t.openCalls(), std::size_t(kCalls));
        QVERIFY(t.awakeCalls() <= 1);         // each call waits asleep for its transaction's end
        QVERIFY(t.awakeTransactions() <= 1);  // each shadow waits asleep for Timer H
        t.finish();
        QCOMPARE(calls, std::size_t(kCalls));
        QVERIFY2(mostCalls <= 1100, qPrintable(QString::number(mostCalls)));
        QVERIFY2(mostShadows <= 1100, qPrintable(QString::number(mostShadows)));
        QVERIFY(mostCalls > 0);
    }
};

QTEST_GUILESS_MAIN(TestCallPacker)
#include "tst_call_packer.moc"
