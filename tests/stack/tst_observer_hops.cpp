// The passive transaction observer with one request seen on two hops (a proxy that keeps the
// branch, or a capture on both sides of a NAT): one transaction per hop under one matching key.
// The index keeps the key as a view of one transaction's key text; when that transaction goes
// first, the other must still be found.

#include <QtTest>

#include "observer_test_util.hpp"

using namespace sipscope::stack;
using namespace sipscope::test;
using namespace std::chrono_literals;

namespace {
constexpr std::string_view kProxy = "10.0.0.9:5060";
}  // namespace

class TestObserverHops : public QObject {
    Q_OBJECT

  private slots:
    void secondHopFoundAfterFirstHopEnds();
};

void TestObserverHops::secondHopFoundAfterFirstHopEnds() {
    const auto tcp = TransportKind::Reliable;
    const SipMessage options = sipRequest({.method = "OPTIONS", .branch = "z9hG4bK-opt"});
    const SipMessage ok = sipResponse(options, 200);
    ObserverHarness h;
    h.observe(0ms, options, kUac, kProxy, tcp);   // tx1: UAC -> proxy
    h.observe(10ms, options, kProxy, kUas, tcp);  // tx2: proxy -> UAS, same key
    h.observe(100ms, ok, kProxy, kUac, tcp);      // ends tx1 (reliable: at its final)
    h.observe(3000ms, ok, kUas, kProxy, tcp);     // ends tx2
    h.observer.advanceTo(5200ms);                 // tx1 is evicted (T4 after its end)
    h.observe(6000ms, ok, kUas, kProxy, tcp);     // tx2 must still be found
    h.observe(6100ms, options, kProxy, kUas, tcp);
    h.observer.finish();
    const QStringList expected{
        "msg 1 OPTIONS request tx1",
        "msg 2 OPTIONS request tx2",
        "msg 3 200 response tx1",
        "msg 4 200 response tx2",
        "tx1 OPTIONS/1 200 Completed rtx=0 req=[1] rsp=[3] ack=[] t=0ms/-/100ms/100ms",
        "msg 5 200 retransmission tx2 orig4",
        "anomaly late_message tx2 [4,5] @6000ms",
        "msg 6 OPTIONS retransmission tx2 orig2",
        "anomaly late_message tx2 [2,6] @6100ms",
        "tx2 OPTIONS/1 200 Completed rtx=2 req=[2,6] rsp=[4,5] ack=[] t=10ms/-/3000ms/3000ms"};
    QCOMPARE(h.listener.log, expected);
}

QTEST_APPLESS_MAIN(TestObserverHops)
#include "tst_observer_hops.moc"
