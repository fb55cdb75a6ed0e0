// The passive call layer end to end: golden event logs of the generated captures in
// tests/data/calls (input next to its expected log), the hand-checked truth table of those
// captures, Zeek's sip.log oracle, B2BUA correlation and streaming (calls reported while the
// capture is still being read).

#include <QtTest>

#include <algorithm>
#include <map>
#include <set>

#include "call_test_util.hpp"
#include "calls/call_json.hpp"
#include "core/json_writer.hpp"
#include "test_util.hpp"

using namespace sipscope;
using namespace sipscope::analyzer;
using sipscope::test::analyzeFile;
using sipscope::test::observed;

namespace {

const QString kCallsDir = QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/calls");

QString joined(const std::vector<std::string>& v) {
    QStringList out;
    for (const auto& s : v) out << QString::fromStdString(s);
    return out.join(',');
}

// A minimal RFC 3261 request; `extra` lines end with CRLF.
std::string invite(const std::string& callId, const std::string& branch, const std::string& via,
                   const std::string& toUser, const std::string& extra = {}) {
    return "INVITE sip:" + toUser + "@example.net SIP/2.0\r\nVia: SIP/2.0/UDP " + via +
           ";branch=" + branch + "\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=f-" +
           callId + "\r\nTo: <sip:" + toUser + "@example.net>\r\nCall-ID: " + callId +
           "\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@" + via + ">\r\n" + extra +
           "Content-Length: 0\r\n\r\n";
}

std::string reply(const std::string& request, int code, const std::string& reason,
                  const std::string& toTag) {
    auto req = stack::SipMessage::parse(request);
    std::string out = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n";
    for (const auto& h : req.value().headers()) {
        const std::string name(h.name), value(h.value);
        if (name == "Via" || name == "From" || name == "Call-ID" || name == "CSeq")
            out += name + ": " + value + "\r\n";
        if (name == "To") out += "To: " + value + (toTag.empty() ? "" : ";tag=" + toTag) + "\r\n";
    }
    return out + "Content-Length: 0\r\n\r\n";
}

// The call as a B2BUA at 10.0.0.2 relays it: A (10.0.0.1) -> B2BUA -> C (10.0.0.3), second leg
// with another Call-ID, `outExtra` headers and the called number `outUser`.
std::vector<CallRecord> b2buaCall(const std::string& outUser, const std::string& outExtra,
                                  const char* outSrc = "10.0.0.2:5060",
                                  CallTrackerOptions options = {}) {
    std::vector<CallRecord> calls;
    CallTrackerSinks sinks;
    sinks.call = [&](CallRecord&& c) { calls.push_back(std::move(c)); };
    CallTracker t(options, std::move(sinks));
    const std::string in = invite("in-leg", "z9hG4bK-a1", "10.0.0.1:5060", "4930123456",
                                  "Session-ID: ab30317f1a784dc48ff824d0d3715d86\r\n");
    const std::string out = invite("out-leg", "z9hG4bK-b1", "10.0.0.2:5060", outUser, outExtra);
    std::uint64_t id = 1;
    t.observe(observed(id++, 0.000, "10.0.0.1:5060", "10.0.0.2:5060", in));
    t.observe(observed(id++, 0.010, outSrc, "10.0.0.3:5060", out));
    t.observe(observed(id++, 0.020, "10.0.0.3:5060", outSrc, reply(out, 200, "OK", "c1")));
    t.observe(observed(id++, 0.030, "10.0.0.2:5060", "10.0.0.1:5060", reply(in, 200, "OK", "b1")));
    t.finish();
    return calls;
}

}  // namespace

class TestCalls : public QObject {
    Q_OBJECT

  private slots:
    void goldenEventLogs_data();
    void goldenEventLogs();
    void truthTable();
    void exampleCapture();
    void zeekTransactions();
    void b2buaByHeaders();
    void b2buaByNumber();
    void b2buaNotTiedWithoutEvidence();
    void callsReportedWhileReading();
    void snapshotsOfCallsInProgress();
    void clockSteppingBackKeepsStartOrder();
    void withoutStartOrderCallsGoOutWhenOver();
    void strayMessagesDoNotHoldBackLaterCalls();
    void registrationRefreshJoinsItsCall();
    void callBegunMidDialogTakesItsEndsFromItsFirstRequest();
    void callAnsweredOnTwoForksEndsWithItsLastDialog();
    void callRingingWhenTheCaptureEndsKeepsItsEarlyDialog();
};

void TestCalls::goldenEventLogs_data() {
    QTest::addColumn<QString>("pcap");
    QTest::addColumn<QString>("golden");
    const QStringList pcaps = QDir(kCallsDir).entryList({"*.pcap"}, QDir::Files, QDir::Name);
    QVERIFY(pcaps.size() >= 8);
    for (const QString& p : pcaps)
        QTest::newRow(qPrintable(p))
            << kCallsDir + "/" + p
            << kCallsDir + "/events/" + QString(p).replace(".pcap", ".events");
    QTest::newRow("basic-calls (example)")
        << QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/basic-calls.pcap")
        << kCallsDir + "/events/example-basic-calls.events";
}

// Every event (message role, transaction, dialog change, anomaly, call) equals the checked-in
// log. SIPSCOPE_UPDATE_GOLDEN=1 rewrites the logs (review the diff before committing).
void TestCalls::goldenEventLogs() {
    QFETCH(QString, pcap);
    QFETCH(QString, golden);
    const test::Analysis a = analyzeFile(pcap);
    QVERIFY2(a.error.empty(), a.error.c_str());
    const QString actual = a.events.join('\n') + '\n';
    if (qEnvironmentVariableIsSet("SIPSCOPE_UPDATE_GOLDEN")) {
        QFile f(golden);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(actual.toUtf8());
    }
    const QStringList expected =
        QString::fromStdString(test::readFile(golden)).split('\n', Qt::SkipEmptyParts);
    const QStringList got = actual.split('\n', Qt::SkipEmptyParts);
    for (int i = 0; i < std::min(expected.size(), got.size()); ++i) {
        if (expected[i] != got[i])
            QFAIL(qPrintable(QString("line %1\n  expected: %2\n  actual:   %3")
                                 .arg(i + 1)
                                 .arg(expected[i], got[i])));
    }
    QCOMPARE(got.size(), expected.size());
}

// tests/data/calls/truth.tsv was written by hand from the SIPp scenarios and checked against
// tshark (tests/data/calls/README.md): every call, with its counts, is found.
void TestCalls::truthTable() {
    const auto rows = test::readTsv(kCallsDir + "/truth.tsv");
    QCOMPARE(rows.size(), std::size_t(18));
    std::map<QString, test::Analysis> byPcap;
    for (const QStringList& row : rows) {
        QVERIFY(row.size() >= 13);
        const QString pcap = row[0];
        if (!byPcap.count(pcap)) byPcap[pcap] = analyzeFile(kCallsDir + "/" + pcap);
        const auto& calls = byPcap[pcap].calls;
        const CallRecord* c = nullptr;
        for (const auto& call : calls)
            if (joined(call.callIds) == row[1]) c = &call;
        QVERIFY2(c, qPrintable(pcap + ": no call " + row[1]));
        const QString where = pcap + " " + row[1];
        QCOMPARE(QString(callKindName(c->kind)), row[2]);
        QCOMPARE(QString::fromStdString(c->fromUser), row[3]);
        QCOMPARE(QString::fromStdString(c->toUser), row[4]);
        QVERIFY2(QString(callStateName(c->state)) == row[5], qPrintable(where));
        QCOMPARE(c->finalCode ? QString::number(*c->finalCode) : QString(), row[6]);
        QCOMPARE(c->messages, row[7].toUInt());
        QCOMPARE(c->retransmissions, row[8].toUInt());
        QCOMPARE(c->legs, row[9].toUInt());
        // Every dialog of these captures has ended: confirmed ones by BYE, early ones with
        // their INVITE (lost forks, CANCEL).
        QCOMPARE(c->dialogs.terminated, row[10].toUInt() + row[11].toUInt());
        QCOMPARE(c->dialogs.early + c->dialogs.confirmed, 0u);
        QCOMPARE(c->transactions, row[12].toUInt());
    }
    std::size_t total = 0;
    for (const auto& [pcap, a] : byPcap) total += a.calls.size();
    QCOMPARE(total, rows.size());
}

void TestCalls::exampleCapture() {
    const auto a =
        analyzeFile(QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/basic-calls.pcap"));
    QCOMPARE(a.calls.size(), std::size_t(11));
    std::map<std::string, std::string> states;
    for (const auto& c : a.calls) states[c.callId] = callStateName(c.state);
    QCOMPARE(states["register-1@sipscope.test"], std::string("answered"));
    QCOMPARE(states["busy-1@sipscope.test"], std::string("busy"));
    QCOMPARE(states["cancel-1@sipscope.test"], std::string("cancelled"));
    QCOMPARE(states["tcp-call-1@sipscope.test"], std::string("answered"));
    // In start order, numbered from 1.
    for (std::size_t i = 0; i < a.calls.size(); ++i) {
        QCOMPARE(a.calls[i].number, i + 1);
        if (i) QVERIFY(a.calls[i - 1].startNs <= a.calls[i].startNs);
    }
    const CallRecord& call1 = a.calls[2];
    QCOMPARE(call1.callId, std::string("call-1@sipscope.test"));
    QVERIFY(call1.metrics.pddMs && *call1.metrics.pddMs > 0 && *call1.metrics.pddMs < 50);
    QVERIFY(call1.metrics.sdtMs && *call1.metrics.sdtMs > 450 && *call1.metrics.sdtMs < 700);
    QCOMPARE(call1.media.size(), std::size_t(2));
    QCOMPARE(call1.media[0].port, std::uint16_t(16000));
    QCOMPARE(call1.media[1].port, std::uint16_t(17000));
    QCOMPARE(call1.media[0].codecs.front(), std::string("PCMU"));
    QCOMPARE(a.calls[0].authChallenges, 1u);
    QCOMPARE(a.calls[0].authOk, std::optional<bool>(true));
    QVERIFY(a.calls[0].metrics.rrdMs.has_value());
}

// Zeek's sip.log (one row per request it saw answered or not): every (Call-ID, CSeq) it lists
// is a transaction of ours, and every Call-ID one of our calls.
void TestCalls::zeekTransactions() {
    const QString corpus = test::corpusDir();
    if (corpus.isEmpty()) QSKIP("shared corpus not found (SIPSCOPE_CORPUS_DIR)");
    for (const char* name : {"wireshark", "sip-junk-before-request", "invalid-content-length"}) {
        const QString base = corpus + "/pcaps/zeek/" + name;
        const auto a = analyzeFile(base + ".pcap");
        QVERIFY2(a.error.empty(), a.error.c_str());
        std::set<std::pair<std::string, std::string>> ours;
        std::set<std::string> callIds;
        for (const auto& t : a.transactions)
            ours.emplace(t.callId, std::to_string(t.cseq) + " " + t.method);
        for (const auto& c : a.calls) callIds.insert(c.callIds.begin(), c.callIds.end());
        const QStringList lines = QString::fromStdString(test::readFile(base + ".zeek-sip.log"))
                                      .split('\n', Qt::SkipEmptyParts);
        int checked = 0;
        for (const QString& line : lines) {
            if (line.startsWith('#')) continue;
            const QStringList f = line.split('\t');
            if (f.size() < 17 || f[15] == "-" || f[7] == "ACK") continue;
            const std::string callId = f[15].toStdString(), seq = f[16].toStdString();
            QVERIFY2(callIds.count(callId), qPrintable(QString(name) + ": " + f[15]));
            QVERIFY2(ours.count({callId, seq}),
                     qPrintable(QString(name) + ": " + f[15] + " " + f[16]));
            ++checked;
        }
        QVERIFY(checked > 0 || QString(name) != "wireshark");
    }
}

void TestCalls::b2buaByHeaders() {
    // X-CID names the first leg's Call-ID.
    auto calls = b2buaCall("4930123456", "X-CID: in-leg\r\n", "10.0.0.9:5060");
    QCOMPARE(calls.size(), std::size_t(1));
    QCOMPARE(joined(calls[0].callIds), QString("in-leg,out-leg"));
    QCOMPARE(calls[0].legs, 2u);
    QCOMPARE(calls[0].callId, std::string("in-leg"));
    // RFC 7989 Session-ID: the B2BUA keeps the UUID and adds its own as remote.
    calls = b2buaCall(
        "999",
        "Session-ID: ab30317f1a784dc48ff824d0d3715d86;remote=00000000000000000000000000000000\r\n",
        "10.0.0.9:5060");
    QCOMPARE(calls.size(), std::size_t(1));
    QCOMPARE(calls[0].messages, 4u);
}

void TestCalls::b2buaByNumber() {
    // No correlation header: the B2BUA node (10.0.0.2) sends an INVITE for the same number
    // (with a + prefix) 10 ms after receiving one.
    auto calls = b2buaCall("+4930123456", "");
    QCOMPARE(calls.size(), std::size_t(1));
    QCOMPARE(calls[0].legs, 2u);
    QCOMPARE(calls[0].state, CallState::Answered);
    QCOMPARE(calls[0].toUser, std::string("4930123456"));
    // The window is configurable; 0 turns the heuristic off.
    CallTrackerOptions off;
    off.b2buaWindow = std::chrono::milliseconds(0);
    QCOMPARE(b2buaCall("+4930123456", "", "10.0.0.2:5060", off).size(), std::size_t(2));
    CallTrackerOptions narrow;
    narrow.b2buaWindow = std::chrono::milliseconds(5);
    QCOMPARE(b2buaCall("+4930123456", "", "10.0.0.2:5060", narrow).size(), std::size_t(2));
}

void TestCalls::b2buaNotTiedWithoutEvidence() {
    // Another number from the same node, or the same number from another node: two calls.
    QCOMPARE(b2buaCall("4930999999", "").size(), std::size_t(2));
    QCOMPARE(b2buaCall("4930123456", "", "10.0.0.7:5060").size(), std::size_t(2));
}

// Calls are reported once they are over (transactions ended, dialogs terminated, a quiet
// period passed), in start order, before the end of input: memory holds open calls only.
void TestCalls::callsReportedWhileReading() {
    std::vector<CallRecord> calls;
    CallTrackerSinks sinks;
    sinks.call = [&](CallRecord&& c) { calls.push_back(std::move(c)); };
    CallTracker t({}, std::move(sinks));
    std::uint64_t id = 1;
    for (int i = 0; i < 5; ++i) {
        const double at = i * 300.0;  // five minutes apart
        const std::string cid = "stream-" + std::to_string(i);
        const std::string inv =
            invite(cid, "z9hG4bK-s" + std::to_string(i), "10.0.0.1:5060", "bob");
        t.observe(observed(id++, at, "10.0.0.1:5060", "10.0.0.3:5060", inv));
        t.observe(observed(id++, at + 0.1, "10.0.0.3:5060", "10.0.0.1:5060",
                           reply(inv, 486, "Busy Here", "t")));
        QCOMPARE(calls.size(), std::size_t(i));  // the previous calls are out, this one is open
        QCOMPARE(t.openCalls(), std::size_t(1));
    }
    t.finish();
    QCOMPARE(calls.size(), std::size_t(5));
    for (std::size_t i = 0; i < calls.size(); ++i) {
        QCOMPARE(calls[i].number, i + 1);
        QCOMPARE(calls[i].state, CallState::Busy);
        // No ACK was sent: Timer H on the server shadow.
        QCOMPARE(calls[i].anomalies.size(), std::size_t(1));
        QCOMPARE(calls[i].anomalies[0].code, std::string("ack_missing"));
    }
    QCOMPARE(t.openTransactions(), std::size_t(0));
}

// Calls not reported yet come out of snapshotOpen with number 0 whenever they changed: open
// calls as they stand, calls over but held back by an earlier open call once; the reported
// calls later carry the same keys.
void TestCalls::snapshotsOfCallsInProgress() {
    std::vector<CallRecord> calls;
    CallTrackerSinks sinks;
    sinks.call = [&](CallRecord&& c) { calls.push_back(std::move(c)); };
    CallTracker t({}, std::move(sinks));
    auto snapshot = [&t] {
        std::vector<CallRecord> out;
        t.snapshotOpen([&](CallRecord&& c) { out.push_back(std::move(c)); }, 16);
        return out;
    };
    const std::string a = invite("long-a", "z9hG4bK-la", "10.0.0.1:5060", "bob");
    t.observe(observed(1, 0.0, "10.0.0.1:5060", "10.0.0.3:5060", a));
    auto s = snapshot();
    QCOMPARE(s.size(), std::size_t(1));
    QCOMPARE(s[0].number, std::uint64_t(0));
    QCOMPARE(s[0].state, CallState::InProgress);
    QCOMPARE(s[0].messages, 1u);
    QVERIFY(snapshot().empty());  // nothing changed
    t.observe(observed(2, 0.5, "10.0.0.3:5060", "10.0.0.1:5060", reply(a, 180, "Ringing", "t")));
    s = snapshot();
    QCOMPARE(s.size(), std::size_t(1));
    QCOMPARE(s[0].state, CallState::Ringing);
    QCOMPARE(s[0].messages, 2u);
    const std::uint64_t keyA = s[0].key;

    const std::string b = invite("short-b", "z9hG4bK-sb", "10.0.0.1:5060", "carol");
    t.observe(observed(3, 1.0, "10.0.0.1:5060", "10.0.0.4:5060", b));
    t.observe(observed(4, 1.1, "10.0.0.4:5060", "10.0.0.1:5060", reply(b, 486, "Busy", "u")));
    s = snapshot();
    QCOMPARE(s.size(), std::size_t(1));  // A did not change
    QCOMPARE(s[0].state, CallState::Busy);
    const std::uint64_t keyB = s[0].key;
    QVERIFY(keyB != keyA);
    QVERIFY(snapshot().empty());

    // B is over (Timer H, then the linger) but A, started earlier, is still ringing: B is not
    // reported yet, and its final form comes once as a snapshot.
    const std::string c = invite("later-c", "z9hG4bK-lc", "10.0.0.1:5060", "dave");
    t.observe(observed(5, 120.0, "10.0.0.1:5060", "10.0.0.5:5060", c));
    QVERIFY(calls.empty());
    s = snapshot();
    QCOMPARE(s.size(), std::size_t(2));
    QCOMPARE(s[0].key, keyB);
    QCOMPARE(s[0].anomalies.size(), std::size_t(1));  // ack_missing, known now
    QCOMPARE(s[1].state, CallState::InProgress);      // C
    QVERIFY(snapshot().empty());

    t.finish();
    QCOMPARE(calls.size(), std::size_t(3));
    QCOMPARE(calls[0].key, keyA);
    QCOMPARE(calls[0].number, std::uint64_t(1));
    QCOMPARE(calls[1].key, keyB);
    QCOMPARE(calls[1].number, std::uint64_t(2));
    QVERIFY(snapshot().empty());
}

// CallTrackerOptions::startOrder off (the store's import): a call over goes out at once, even
// while an earlier call stays open, numbered by its place in start order; every capture gives
// the same records as in start order.
void TestCalls::withoutStartOrderCallsGoOutWhenOver() {
    std::vector<CallRecord> calls;
    CallTrackerSinks sinks;
    sinks.call = [&](CallRecord&& c) { calls.push_back(std::move(c)); };
    CallTrackerOptions unordered;
    unordered.startOrder = false;
    CallTracker t(unordered, std::move(sinks));
    // A is answered and its BYE never comes: it stays open for maxIdle.
    const std::string a = invite("open-a", "z9hG4bK-oa", "10.0.0.1:5060", "bob");
    t.observe(observed(1, 0.0, "10.0.0.1:5060", "10.0.0.3:5060", a));
    t.observe(observed(2, 0.5, "10.0.0.3:5060", "10.0.0.1:5060", reply(a, 200, "OK", "t")));
    const std::string b = invite("short-b", "z9hG4bK-sb", "10.0.0.1:5060", "carol");
    t.observe(observed(3, 1.0, "10.0.0.1:5060", "10.0.0.4:5060", b));
    t.observe(observed(4, 1.1, "10.0.0.4:5060", "10.0.0.1:5060", reply(b, 486, "Busy", "u")));
    const std::string c = invite("later-c", "z9hG4bK-lc", "10.0.0.1:5060", "dave");
    t.observe(observed(5, 120.0, "10.0.0.1:5060", "10.0.0.5:5060", c));
    QCOMPARE(calls.size(), std::size_t(1));
    QCOMPARE(calls[0].callId, std::string("short-b"));
    QCOMPARE(calls[0].number, std::uint64_t(2));
    std::vector<CallRecord> snapshots;
    t.snapshotOpen([&](CallRecord&& r) { snapshots.push_back(std::move(r)); }, 16);
    QCOMPARE(snapshots.size(), std::size_t(2));  // A and C, still open; B is out already
    t.finish();
    QCOMPARE(calls.size(), std::size_t(3));
    QCOMPARE(calls[1].callId, std::string("open-a"));
    QCOMPARE(calls[1].number, std::uint64_t(1));
    QCOMPARE(calls[2].number, std::uint64_t(3));

    for (const QString& name : QDir(kCallsDir).entryList({"*.pcap"}, QDir::Files, QDir::Name)) {
        auto json = [](std::vector<CallRecord> records) {
            std::sort(records.begin(), records.end(),
                      [](const auto& x, const auto& y) { return x.number < y.number; });
            std::vector<std::string> out;
            for (std::size_t i = 0; i < records.size(); ++i) {
                if (records[i].number != i + 1) return std::vector<std::string>{"gap"};
                JsonWriter w;
                writeCall(w, records[i]);
                out.push_back(w.str());
            }
            return out;
        };
        const auto ordered = analyzeFile(kCallsDir + "/" + name);
        const auto loose = analyzeFile(kCallsDir + "/" + name, unordered);
        QVERIFY2(!ordered.calls.empty(), qPrintable(name));
        QVERIFY2(json(ordered.calls) == json(loose.calls), qPrintable(name));
        QCOMPARE(ordered.calls.back().number, std::uint64_t(ordered.calls.size()));
    }
}

namespace {

std::string options(const std::string& callId, const std::string& branch) {
    return "OPTIONS sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=" +
           branch +
           "\r\nFrom: <sip:alice@example.com>;tag=f\r\nTo: <sip:bob@example.net>\r\nCall-ID: " +
           callId + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
}

}  // namespace

// ARCHITECTURE.md "Time": an earlier timestamp is clamped and reported; calls still come out in
// start order (found by fuzz_calls: fuzz/regressions/fuzz_calls/start-order-*).
void TestCalls::clockSteppingBackKeepsStartOrder() {
    std::vector<CallRecord> calls;
    CallTrackerSinks sinks;
    sinks.call = [&](CallRecord&& c) { calls.push_back(std::move(c)); };
    CallTracker t({}, std::move(sinks));
    t.observe(observed(1, 0.0, "10.0.0.1:5060", "10.0.0.2:5060", options("c1", "z9hG4bK1")));
    t.observe(observed(2, 40.0, "10.0.0.1:5060", "10.0.0.2:5060", options("c2", "z9hG4bK2")));
    t.observe(observed(3, -1.0, "10.0.0.1:5060", "10.0.0.2:5060", options("c3", "z9hG4bK3")));
    t.finish();
    QCOMPARE(calls.size(), std::size_t(3));
    for (std::size_t i = 1; i < calls.size(); ++i)
        QVERIFY(calls[i - 1].startNs <= calls[i].startNs);
    QCOMPARE(calls[2].callId, std::string("c3"));
    QCOMPARE(calls[2].startNs, calls[1].startNs);  // clamped to the latest time seen
    bool reported = false;
    for (const auto& a : calls[2].anomalies) reported |= a.code == "timestamp_out_of_order";
    QVERIFY(reported);
}

// A call made of a stray response only (the capture began mid-call) is reported like any
// other, so it does not keep every later call waiting for the end of input, with the ends and
// users of the request it answers.
void TestCalls::strayMessagesDoNotHoldBackLaterCalls() {
    std::vector<CallRecord> calls;
    CallTrackerSinks sinks;
    sinks.call = [&](CallRecord&& c) { calls.push_back(std::move(c)); };
    CallTracker t({}, std::move(sinks));
    const std::string inv = invite("mid", "z9hG4bK-mid", "10.0.0.1:5060", "bob");
    t.observe(observed(1, 0.0, "10.0.0.3:5060", "10.0.0.1:5060", reply(inv, 200, "OK", "x")));
    std::uint64_t id = 2;
    for (int i = 1; i <= 4; ++i) {
        const std::string o = options("o" + std::to_string(i), "z9hG4bKo" + std::to_string(i));
        t.observe(observed(id++, i * 100.0, "10.0.0.1:5060", "10.0.0.2:5060", o));
        t.observe(observed(id++, i * 100.0 + 0.01, "10.0.0.2:5060", "10.0.0.1:5060",
                           reply(o, 200, "OK", "t")));
    }
    QVERIFY(calls.size() >= 3);  // the stray call and the first OPTIONS are out already
    QCOMPARE(calls[0].callId, std::string("mid"));
    // Its request's ends and users, read from the response.
    QCOMPARE(calls[0].fromUser, std::string("alice"));
    QCOMPARE(calls[0].toUser, std::string("bob"));
    QCOMPARE(calls[0].caller, std::string("10.0.0.1:5060"));
    QCOMPARE(calls[0].callee, std::string("10.0.0.3:5060"));
    QCOMPARE(calls[0].legs, 1u);
    t.finish();
    QCOMPARE(calls.size(), std::size_t(5));
}

// RFC 3261 §10.2.1: a refresh inside the registration's expiry belongs to it; after it, it is
// a new registration.
void TestCalls::registrationRefreshJoinsItsCall() {
    auto run = [](int expires, double refreshAt) {
        std::vector<CallRecord> calls;
        CallTrackerSinks sinks;
        sinks.call = [&](CallRecord&& c) { calls.push_back(std::move(c)); };
        CallTracker t({}, std::move(sinks));
        std::uint64_t id = 1;
        for (int n = 1; n <= 2; ++n) {
            const std::string reg =
                "REGISTER sip:example.net SIP/2.0\r\nVia: SIP/2.0/UDP "
                "10.0.0.1:5060;branch=z9hG4bKr" +
                std::to_string(n) +
                "\r\nFrom: <sip:alice@example.net>;tag=r\r\nTo: <sip:alice@example.net>\r\n"
                "Call-ID: reg-1\r\nCSeq: " +
                std::to_string(n) +
                " REGISTER\r\nContact: <sip:alice@10.0.0.1>\r\nContent-Length: 0\r\n\r\n";
            std::string ok = reply(reg, 200, "OK", "s");
            ok.insert(ok.find("Content-Length"),
                      "Contact: <sip:alice@10.0.0.1>;expires=" + std::to_string(expires) + "\r\n");
            const double at = n == 1 ? 0.0 : refreshAt;
            t.observe(observed(id++, at, "10.0.0.1:5060", "10.0.0.2:5060", reg));
            t.observe(observed(id++, at + 0.01, "10.0.0.2:5060", "10.0.0.1:5060", ok));
        }
        t.finish();
        return calls;
    };
    auto joined = run(600, 300.0);
    QCOMPARE(joined.size(), std::size_t(1));
    QCOMPARE(joined[0].transactions, 2u);
    QCOMPARE(run(60, 300.0).size(), std::size_t(2));
}

// A capture that begins after the INVITE: the call's ends, users and leg are those of its first
// in-dialog request, whichever side sent it, and the media of a re-INVITE is still summarised.
void TestCalls::callBegunMidDialogTakesItsEndsFromItsFirstRequest() {
    std::vector<CallRecord> calls;
    CallTrackerSinks sinks;
    sinks.call = [&](CallRecord&& c) { calls.push_back(std::move(c)); };
    CallTracker t({}, std::move(sinks));
    const std::string sdp =
        "v=0\r\no=- 1 2 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
        "m=audio 5000 RTP/AVP 0\r\na=sendonly\r\n";
    const auto request = [&](const std::string& method, int cseq, const std::string& from,
                             const std::string& to, const std::string& body) {
        return method + " sip:" + to + "@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;" +
               "branch=z9hG4bK-mid" + std::to_string(cseq) + "\r\nFrom: <sip:" + from +
               "@example.net>;tag=b\r\nTo: <sip:" + to + "@example.net>;tag=a\r\n" +
               "Call-ID: mid-dialog\r\nCSeq: " + std::to_string(cseq) + " " + method +
               "\r\nUser-Agent: callee-ua\r\n" +
               (body.empty() ? "" : "Content-Type: application/sdp\r\n") +
               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    };
    const std::string reinvite = request("INVITE", 7, "bob", "alice", sdp);
    const std::string bye = request("BYE", 8, "bob", "alice", "");
    const char* b = "10.0.0.2:5060";
    const char* a = "10.0.0.1:5060";
    t.observe(observed(1, 0.00, b, a, reinvite));
    t.observe(observed(2, 0.01, a, b, reply(reinvite, 200, "OK", "")));
    t.observe(observed(3, 5.00, b, a, bye));
    t.observe(observed(4, 5.01, a, b, reply(bye, 200, "OK", "")));
    t.finish();
    QCOMPARE(calls.size(), std::size_t(1));
    const CallRecord& c = calls[0];
    QCOMPARE(c.kind, CallKind::Call);
    QCOMPARE(c.state, CallState::Answered);
    QCOMPARE(c.fromUser, std::string("bob"));
    QCOMPARE(c.toUser, std::string("alice"));
    QCOMPARE(c.caller, std::string(b));
    QCOMPARE(c.callee, std::string(a));
    QCOMPARE(c.userAgent, std::string("callee-ua"));
    QCOMPARE(c.legs, 1u);
    QCOMPARE(c.media.size(), std::size_t(1));
    QCOMPARE(c.media[0].port, std::uint16_t(5000));
}

// RFC 3261 §13.2.2.4: an INVITE answered by two forks makes two dialogs; the caller keeps one
// and ends the other at once. The call lasts until the BYE of the dialog it kept.
void TestCalls::callAnsweredOnTwoForksEndsWithItsLastDialog() {
    std::vector<CallRecord> calls;
    CallTrackerSinks sinks;
    sinks.call = [&](CallRecord&& c) { calls.push_back(std::move(c)); };
    CallTracker t({}, std::move(sinks));
    const char* a = "10.0.0.1:5060";
    const char* p = "10.0.0.9:5060";
    const std::string inv = invite("forks", "z9hG4bK-f1", a, "bob");
    const auto inDialog = [&](const std::string& method, int cseq, const std::string& toTag) {
        return method +
               " sip:bob@10.0.0.9 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=" + "z9hG4bK-" +
               method + toTag + "\r\nFrom: <sip:alice@example.com>;tag=f-forks\r\n" +
               "To: <sip:bob@example.net>;tag=" + toTag +
               "\r\nCall-ID: forks\r\nCSeq: " + std::to_string(cseq) + " " + method +
               "\r\nContent-Length: 0\r\n\r\n";
    };
    std::uint64_t id = 1;
    t.observe(observed(id++, 0.0, a, p, inv));
    t.observe(observed(id++, 1.0, p, a, reply(inv, 200, "OK", "b1")));
    t.observe(observed(id++, 1.05, p, a, reply(inv, 200, "OK", "b2")));
    t.observe(observed(id++, 1.1, a, p, inDialog("ACK", 1, "b1")));
    t.observe(observed(id++, 1.15, a, p, inDialog("ACK", 1, "b2")));
    const std::string bye2 = inDialog("BYE", 2, "b2"), bye1 = inDialog("BYE", 2, "b1");
    t.observe(observed(id++, 1.2, a, p, bye2));
    t.observe(observed(id++, 1.21, p, a, reply(bye2, 200, "OK", "")));
    t.observe(observed(id++, 9.0, a, p, bye1));
    t.observe(observed(id++, 9.01, p, a, reply(bye1, 200, "OK", "")));
    t.finish();
    QCOMPARE(calls.size(), std::size_t(1));
    const CallRecord& c = calls[0];
    QCOMPARE(c.state, CallState::Answered);
    QVERIFY(c.answerNs && c.endNs);
    QCOMPARE(*c.endNs - *c.answerNs, std::int64_t(8'000'000'000));
    QVERIFY(c.metrics.sdtMs && qFuzzyCompare(*c.metrics.sdtMs, 8000.0));
    QVERIFY(c.metrics.sddMs && qFuzzyCompare(*c.metrics.sddMs, 10.0));  // the first BYE's
}

// A call still ringing when the capture ends: its early dialog is early at the end of the
// capture (the INVITE transaction is closed by the end of input, not by a final response).
// One whose early dialog was ended by a final response counts it as terminated.
void TestCalls::callRingingWhenTheCaptureEndsKeepsItsEarlyDialog() {
    std::vector<CallRecord> calls;
    CallTrackerSinks sinks;
    sinks.call = [&](CallRecord&& c) { calls.push_back(std::move(c)); };
    CallTracker t({}, std::move(sinks));
    const char* a = "10.0.0.1:5060";
    const char* b = "10.0.0.2:5060";
    const std::string ringing = invite("ringing", "z9hG4bK-r1", a, "bob");
    const std::string busy = invite("busy", "z9hG4bK-b1", a, "carol");
    t.observe(observed(1, 0.0, a, b, ringing));
    t.observe(observed(2, 0.1, b, a, reply(ringing, 180, "Ringing", "r")));
    t.observe(observed(3, 0.2, a, b, busy));
    t.observe(observed(4, 0.3, b, a, reply(busy, 180, "Ringing", "c")));
    t.observe(observed(5, 2.0, b, a, reply(busy, 486, "Busy Here", "c")));
    t.finish();
    QCOMPARE(calls.size(), std::size_t(2));
    QCOMPARE(calls[0].state, CallState::Ringing);
    QCOMPARE(calls[0].dialogs.early, 1u);
    QCOMPARE(calls[0].dialogs.terminated, 0u);
    QCOMPARE(calls[1].state, CallState::Busy);
    QCOMPARE(calls[1].dialogs.early, 0u);
    QCOMPARE(calls[1].dialogs.terminated, 1u);
}

QTEST_APPLESS_MAIN(TestCalls)
#include "tst_calls.moc"
