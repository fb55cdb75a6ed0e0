// Sleeping transaction shadows (stack/observe/shadow_packer.hpp, transaction_shadow.hpp): the
// packed form unpacks to exactly what was packed, and sleeping shadows share equal machines
// without ever seeing each other's later transitions.

#include <QtTest>

#include <limits>
#include <random>

#include "message/sip_message.hpp"
#include "observe/shadow_packer.hpp"

using namespace sipscope::stack;

namespace {

using Live = TransactionShadow::Live;

SipMessage parsed(const std::string& text) {
    auto m = SipMessage::parse(text);
    if (!m.ok()) qFatal("test message does not parse");
    return std::move(m).value();
}

SipMessage request(const std::string& method) {
    return parsed(method + " sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=" +
                  "z9hG4bK1\r\nCall-ID: c1\r\nCSeq: 1 " + method +
                  "\r\nFrom: <sip:a@x>;tag=f\r\nTo: <sip:b@x>\r\nContent-Length: 0\r\n\r\n");
}

SipMessage response(int status) {
    return parsed("SIP/2.0 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n\r\n");
}

Live everything() {
    Live l;
    TransactionRecord& r = l.record;
    r.id = std::numeric_limits<std::uint64_t>::max();
    r.invite = true;
    r.method = "INVITE";
    r.branch = std::string(300, 'b');  // longer than one varint byte of length
    r.callId = "a84b4c76e66710@pc33.atlanta.example.com";
    r.fromTag = "";
    r.cseq = std::numeric_limits<std::uint32_t>::max();
    r.client = "udp 192.0.2.1:5060";
    r.server = "tcp [2001:db8::1]:5061";
    r.transport = TransportKind::Reliable;
    r.start = Instant{1'764'300'000'000'000};
    r.end = r.start + Instant{32'500'000};
    r.finalCode = 486;
    r.firstProvisional = r.start + Instant{1};
    r.firstFinal = r.start - Instant{7};  // times may precede the start (clamped clocks)
    r.requests = {1, 5, 1'000'000'000'000};
    r.responses = {2, 3};
    r.acks = {4};
    r.retransmissions = 2;
    r.timeout = true;
    r.ackMissing = true;
    r.abandoned = true;
    r.outcome = TransactionState::Confirmed;
    r.cancels = 77;
    l.clientDone = true;
    l.serverDone = true;
    l.ended = true;
    l.confirmed = true;
    l.expectedSends = {r.start + Instant{500'000}, r.start + Instant{1'500'000}};
    l.consumedSends = 1;
    l.matchedAhead = r.start + Instant{3'500'000};
    l.finalId = 3;
    l.lastSend = r.start + Instant{1'500'000};
    l.lastActivity = Instant{0};  // far before the start: a large negative offset
    l.responsesSeen = {{TransactionShadow::signatureOf(180, "t1", ""), 2},
                       {TransactionShadow::signatureOf(486, "t1", "7"), 3}};
    l.pending2xx = {0, std::numeric_limits<std::uint64_t>::max(), 0x8000000000000000ull};
    return l;
}

Live everything();

Live roundTrip(ShadowPacker& packer, const Live& l) {
    const auto packed = packer.pack(l);
    Live back = everything();  // unpacking sets every field: a used Live will do
    ShadowPacker::unpack(packed.get(), back);
    return back;
}

Live randomLive(std::mt19937_64& rng) {
    const auto pick = [&rng](std::uint64_t n) { return rng() % n; };
    const auto text = [&] { return std::string(pick(40), static_cast<char>('a' + pick(26))); };
    const auto at = [&] { return Instant{static_cast<std::int64_t>(rng() >> pick(64))}; };
    Live l;
    TransactionRecord& r = l.record;
    r.id = rng() >> pick(64);
    r.invite = pick(2);
    r.method = text();
    r.branch = text();
    r.callId = text();
    r.fromTag = text();
    r.client = text();
    r.server = text();
    r.cseq = static_cast<std::uint32_t>(rng());
    r.start = at();
    r.end = at();
    if (pick(2)) r.finalCode = static_cast<int>(pick(700)) - 1;
    if (pick(2)) r.firstProvisional = at();
    if (pick(2)) r.firstFinal = at();
    for (auto* ids : {&r.requests, &r.responses, &r.acks, &l.pending2xx})
        for (std::uint64_t i = pick(5); i > 0; --i) ids->push_back(rng() >> pick(64));
    r.outcome = static_cast<TransactionState>(pick(8));
    r.timeout = pick(2);
    l.ended = pick(2);
    l.consumedSends = pick(9);
    for (std::uint64_t i = pick(4); i > 0; --i) l.expectedSends.push_back(at());
    if (pick(2)) l.matchedAhead = at();
    l.lastSend = at();
    l.lastActivity = at();
    for (std::uint64_t i = pick(4); i > 0; --i)
        l.responsesSeen.push_back({{static_cast<int>(pick(700)), rng()}, rng() >> pick(64)});
    return l;
}

// Both machines of an INVITE transaction past a final response `status`, asleep.
std::unique_ptr<TransactionShadow> finished(std::uint64_t id, const SipMessage& invite, int status,
                                            ShadowPacker& packer) {
    Observation o;
    o.id = id;
    o.message = &invite;
    auto shadow = std::make_unique<TransactionShadow>(id, o, TimerConfig{});
    shadow->startClient();
    shadow->startServer();
    const SipMessage final = TransactionShadow::standIn(response(status));
    shadow->toClient(MessageFromNetwork{final});
    shadow->toServer(MessageFromTu{final});
    shadow->live().record.finalCode = status;
    shadow->sleep(packer);
    return shadow;
}

}  // namespace

class TestShadowPacker : public QObject {
    Q_OBJECT
  private slots:
    void everyFieldRoundTrips() {
        ShadowPacker packer;
        const Live l = everything();
        QVERIFY(roundTrip(packer, l) == l);
        QVERIFY(roundTrip(packer, Live{}) == Live{});
    }

    void randomLivesRoundTrip() {
        ShadowPacker packer;
        std::mt19937_64 rng(2026);
        for (int i = 0; i < 2000; ++i) {
            const Live l = randomLive(rng);
            if (!(roundTrip(packer, l) == l)) QFAIL(qPrintable(QString("live %1 differs").arg(i)));
        }
    }

    void sleepAndWakeKeepTheShadow() {
        ShadowPacker packer;
        const SipMessage invite = request("INVITE");
        auto shadow = finished(1, invite, 200, packer);
        QVERIFY(!shadow->awake());
        shadow->wake(packer);
        QVERIFY(shadow->awake());
        QCOMPARE(shadow->live().record.id, std::uint64_t{1});
        QCOMPARE(*shadow->live().record.finalCode, 200);
        // RFC 6026 §8.4 / §8.7: both machines wait in Accepted.
        QCOMPARE(shadow->clientState(), TransactionState::Accepted);
        QCOMPARE(shadow->serverState(), TransactionState::Accepted);
    }

    void equalMachinesAreSharedAndCopiedOnWrite() {
        ShadowPacker packer;
        const SipMessage invite = request("INVITE");
        auto a = finished(1, invite, 200, packer);
        auto b = finished(2, invite, 200, packer);
        QCOMPARE(packer.pooled(), std::size_t{1});  // one pair for both
        auto c = finished(3, invite, 486, packer);  // Completed, with another response
        QCOMPARE(packer.pooled(), std::size_t{2});
        QCOMPARE(c->clientState(), TransactionState::Completed);

        // Timer M ends a's client (RFC 6026 §8.4); b, which shared the pair, still waits.
        a->wake(packer);
        const Actions done = a->toClient(TimerFired{TimerName::M});
        QVERIFY(!done.empty());
        QCOMPARE(a->clientState(), TransactionState::Terminated);
        QCOMPARE(b->clientState(), TransactionState::Accepted);
    }

    void machinesCompareByStateAndStandIns() {
        const SipMessage invite = TransactionShadow::standIn(request("INVITE"));
        InviteClientTransaction x(invite, TransportKind::Unreliable);
        InviteClientTransaction y(invite, TransportKind::Unreliable);
        QVERIFY(x == y);
        x.start();
        QVERIFY(!(x == y));
        y.start();
        QVERIFY(x == y);
        // Timer A doubles its interval (RFC 3261 §17.1.1.2): a retransmission is a difference.
        x.onTimer(TimerName::A);
        QVERIFY(!(x == y));
        InviteClientTransaction reliable(invite, TransportKind::Reliable);
        QVERIFY(!(reliable == InviteClientTransaction(invite, TransportKind::Unreliable)));
        TimerConfig slow;
        slow.t1 = Duration{1000};
        QVERIFY(!(InviteClientTransaction(invite, TransportKind::Unreliable, slow) ==
                  InviteClientTransaction(invite, TransportKind::Unreliable)));
        const SipMessage bye = TransactionShadow::standIn(request("BYE"));
        QVERIFY(NonInviteServerTransaction(bye, TransportKind::Unreliable) ==
                NonInviteServerTransaction(bye, TransportKind::Unreliable));
    }

    void unusedPairsLeaveThePool() {
        ShadowPacker packer;
        std::vector<SipMessage> requests;
        for (int i = 0; i < 600; ++i) requests.push_back(request("X" + std::to_string(i)));
        std::vector<std::unique_ptr<TransactionShadow>> kept;
        for (int i = 0; i < 600; ++i) {
            Observation o;
            o.message = &requests[static_cast<std::size_t>(i)];
            auto s = std::make_unique<TransactionShadow>(i + 1, o, TimerConfig{});
            s->sleep(packer);
            if (i % 100 == 0) kept.push_back(std::move(s));  // the others end at once
        }
        // Pruned as it grew: what is left is the kept shadows' pairs and those since the last
        // pruning, never more than twice the pairs in use or the floor of 256.
        QVERIFY(packer.pooled() <= 256);
        for (const auto& s : kept) {
            QCOMPARE(s->clientState(), TransactionState::Idle);
            s->wake(packer);
            QCOMPARE(s->live().record.id, s->id);
        }
    }
};

QTEST_GUILESS_MAIN(TestShadowPacker)
#include "tst_shadow_packer.moc"
