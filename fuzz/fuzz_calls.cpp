// libFuzzer target for the passive call layer: CallTracker over TransactionObserver,
// DialogObserver and Dialog. Input: 1 option byte (bit 0: T1 100 ms instead of 500 ms, bit 1:
// B2BUA heuristic off, bit 2: calls as they end, CallTrackerOptions::startOrder off), then records
// [flags][2-byte big-endian length][SIP message bytes]. Flags: bits 0-1 source and bits 2-3
// destination among 4 endpoints, bit 4 TCP instead of UDP, bits 5-7 the time step before the record
// (kSteps). A record whose bytes do not parse as SIP is still fed (the tracker must skip it) and
// still takes a message id. Invariants, each an abort(): call numbers are 1, 2, 3 ...; calls come
// out in start order (in number order, by the end, without startOrder); messages >= retransmissions
// + duplicates; every parsed message is in exactly one call; transaction ids are reported once;
// anomalies name parsed messages already fed; nothing is open after finish().

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <vector>

#include "calls/call_tracker.hpp"

using namespace sipscope;
using namespace sipscope::analyzer;

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

void check(bool condition, const char* what) {
    if (!condition) fail(what);
}

// +0 (a capture duplicate), +1 ms, +20 ms (the duplicate window's edge), +500 ms (T1), +5 s
// (T4), +40 s (past Timer D and the linger), -1 s (a clock step back), +100 ms (the short T1).
constexpr std::int64_t kSteps[8] = {0,          1000000,     20000000,    500000000,
                                    5000000000, 40000000000, -1000000000, 100000000};

// Two hosts, a B2BUA/proxy host and an IPv6 host, so that legs and hops differ by address.
Endpoint endpoint(unsigned index) {
    Endpoint e;
    if (index == 3) {
        const std::uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4};
        e.ip = IpAddress::v6(v6);
    } else {
        const std::uint8_t v4[4] = {192, 0, 2, static_cast<std::uint8_t>(index + 1)};
        e.ip = IpAddress::v4(v4);
    }
    e.port = 5060;
    return e;
}

struct Checker {
    bool startOrder = true;
    std::uint64_t nextNumber = 1;
    std::int64_t lastStart = INT64_MIN;
    std::vector<std::pair<std::uint64_t, std::int64_t>> numbered;  // without startOrder
    std::vector<std::uint8_t> fed;  // per message id: 0 not yet, 1 fed unparsed, 2 fed parsed
    std::vector<std::uint8_t> inCall;
    std::set<std::uint64_t> transactions;

    bool parsedFed(std::uint64_t id) const { return id < fed.size() && fed[id] == 2; }

    void onCall(const CallRecord& c) {
        if (startOrder) {
            check(c.number == nextNumber++, "call numbers not 1, 2, 3 ...");
            check(c.startNs >= lastStart, "calls not in start order");
            lastStart = c.startNs;
        } else {
            numbered.emplace_back(c.number, c.startNs);
        }
        check(std::uint64_t{c.messages} >= std::uint64_t{c.retransmissions} + c.duplicates,
              "messages < retransmissions + duplicates");
        check(c.messageIds.size() == c.messages, "messageIds.size() != messages");
        for (auto id : c.messageIds) {
            check(parsedFed(id), "call lists a message id that was not fed");
            check(!inCall[id], "message id in two calls");
            inCall[id] = 1;
        }
        for (const auto& a : c.anomalies)
            for (auto id : a.messageIds) check(parsedFed(id), "call anomaly names an unfed id");
    }

    void onAnomaly(const stack::Anomaly& a) {
        for (auto id : a.messageIds) check(parsedFed(id), "anomaly names an unfed message id");
    }

    // Without startOrder: the numbers are 1, 2, 3 ... in some order, and in start order.
    void numbersInStartOrder() {
        std::sort(numbered.begin(), numbered.end());
        for (const auto& [number, start] : numbered) {
            check(number == nextNumber++, "call numbers not 1, 2, 3 ...");
            check(start >= lastStart, "call numbers not in start order");
            lastStart = start;
        }
    }

    void onTransaction(const stack::TransactionRecord& t) {
        check(t.id != 0, "transaction id 0");
        check(transactions.insert(t.id).second, "transaction reported twice");
        for (const auto* ids : {&t.requests, &t.responses, &t.acks})
            for (auto id : *ids) check(parsedFed(id), "transaction names an unfed message id");
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    CallTrackerOptions options;
    options.observer.timers.t1 = std::chrono::milliseconds((data[0] & 1) ? 100 : 500);
    options.b2buaWindow = std::chrono::milliseconds((data[0] & 2) ? 0 : 2000);

    options.startOrder = (data[0] & 4) == 0;
    Checker checker;
    checker.startOrder = options.startOrder;
    checker.fed.push_back(0);  // ids are 1-based
    checker.inCall.push_back(0);
    CallTrackerSinks sinks;
    sinks.call = [&](CallRecord&& c) { checker.onCall(c); };
    sinks.transaction = [&](const stack::TransactionRecord& t) { checker.onTransaction(t); };
    sinks.anomaly = [&](const stack::Anomaly& a) { checker.onAnomaly(a); };
    CallTracker tracker(options, std::move(sinks));

    std::int64_t now = 1700000000000000000ll;
    std::size_t off = 1;
    while (off + 3 <= size) {
        const std::uint8_t flags = data[off];
        const std::size_t len =
            std::min<std::size_t>((data[off + 1] << 8) | data[off + 2], size - off - 3);
        off += 3;
        ObservedMessage m;
        m.id = checker.fed.size();
        now += kSteps[flags >> 5];
        m.tsNs = now;
        m.src = endpoint(flags & 3);
        m.dst = endpoint((flags >> 2) & 3);
        m.transport = (flags & 0x10) ? Transport::Tcp : Transport::Udp;
        m.ipVersion = m.src.ip.version;
        m.frames.push_back(m.id);
        m.bytes =
            stack::makeBytes(std::string_view(reinterpret_cast<const char*>(data + off), len));
        off += len;
        auto parsed = stack::SipMessage::parse(m.bytes);
        if (parsed.ok()) m.message = std::move(parsed).value();
        checker.fed.push_back(m.message ? 2 : 1);
        checker.inCall.push_back(0);
        tracker.observe(m);
    }
    tracker.finish();
    checker.numbersInStartOrder();

    check(tracker.openCalls() == 0, "open calls after finish()");
    check(tracker.openTransactions() == 0, "open transactions after finish()");
    for (std::size_t id = 1; id < checker.fed.size(); ++id)
        if (checker.fed[id] == 2) check(checker.inCall[id], "a parsed message is in no call");
    return 0;
}
