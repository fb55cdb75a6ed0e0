// Ladder diagrams: lane order, forks, merged and hidden lanes, time labels (layout), and the
// text, SVG and Mermaid output of hand-built calls compared with the golden files in
// tests/data/ladder (SIPSCOPE_UPDATE_GOLDEN=1 rewrites them; review the diff). Also: text
// within 80 columns, SVG well-formed with one group per message, HTML self-contained, and
// hostile strings escaped in every format.

#include <QRegularExpression>
#include <QXmlStreamReader>
#include <QtTest>

#include <functional>

#include "ladder/ladder_layout.hpp"
#include "test_util.hpp"

using namespace sipscope::analyzer;

namespace {

const QString kDir = QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/ladder");
constexpr std::int64_t kT0 = 1795643705166923000;  // 2026-11-25 21:55:05.166923 UTC

struct Call {
    LadderInput in;
    std::uint64_t next = 1;

    LadderMessage& add(double ms, const std::string& src, const std::string& dst,
                       const std::string& label, int leg = 0) {
        LadderMessage m;
        m.id = next++;
        m.tsNs = kT0 + static_cast<std::int64_t>(ms * 1e6);
        m.src = src;
        m.dst = dst;
        m.label = label;
        m.leg = leg;
        m.callId = leg == 0 ? "a84b4c76e66710@pc33.example.com" : "leg" + std::to_string(leg);
        m.transport = "udp";
        m.rawText = (label[0] >= '1' && label[0] <= '6' ? "SIP/2.0 " + label
                                                        : label + " sip:bob@example.com SIP/2.0") +
                    "\r\nCall-ID: " + m.callId + "\r\nCSeq: 1 INVITE\r\n\r\n";
        in.messages.push_back(m);
        return in.messages.back();
    }
    void node(const std::string& ep, const std::string& role, const std::string& ua,
              const std::string& alias = {}) {
        in.nodes.push_back({ep, role, ua, alias});
    }
};

const std::string A = "192.0.2.10:5060", B = "192.0.2.20:5060", P = "198.51.100.1:5060";
const std::string B2 = "192.0.2.30:5060";
const std::string kSdp = "PCMU,PCMA 192.0.2.10:16000 sendrecv";

LadderInput basicCall() {
    Call c;
    c.node(A, "UA", "Linphone/5.2.0 (belle-sip/5.2.0)");
    c.node(B, "UA", "Asterisk PBX 20.5.0");
    c.add(0, A, B, "INVITE").detail = kSdp;
    c.add(1.2, B, A, "100 Trying");
    c.add(52.5, B, A, "180 Ringing");
    c.add(3210.25, B, A, "200 OK (INVITE)").detail = "PCMU 192.0.2.20:18000 sendrecv";
    c.add(3215, A, B, "ACK");
    c.add(14000, B, A, "BYE");
    c.add(14001.5, A, B, "200 OK (BYE)");
    return c.in;
}

LadderInput proxyLegs() {
    Call c;
    c.node(A, "UA", "Zoiper rv2.10");
    c.node(P, "B2BUA", "FreeSWITCH-mod_sofia/1.10.11", "pbx.example.net");
    c.node(B, "UA", "Yealink SIP-T54W");
    c.add(0, A, P, "INVITE").detail = kSdp;
    c.add(0.4, P, A, "100 Trying");
    c.add(3, P, B, "INVITE", 1);
    c.add(12, B, P, "180 Ringing", 1);
    c.add(13, P, A, "180 Ringing");
    c.add(2100, B, P, "200 OK (INVITE)", 1);
    c.add(2101, P, B, "ACK", 1);
    c.add(2102, P, A, "200 OK (INVITE)");
    c.add(2110, A, P, "ACK");
    return c.in;
}

// A parallel fork (RFC 3261 §16.6): the proxy tries both of Bob's phones; one answers.
LadderInput forkCall() {
    Call c;
    c.node(A, "UA", "Linphone/5.2.0");
    c.node(P, "proxy", "Kamailio 5.7.4");
    c.node(B, "UA", "Bob desk phone");
    c.node(B2, "UA", "Bob softphone");
    c.add(0, A, P, "INVITE").detail = kSdp;
    c.add(1, P, A, "100 Trying");
    c.add(2, P, B, "INVITE");
    c.add(2.5, P, B2, "INVITE");
    c.add(20, B, P, "180 Ringing");
    c.add(21, P, A, "180 Ringing");
    c.add(30, B2, P, "180 Ringing");
    c.add(31, P, A, "180 Ringing");
    c.add(4000, B2, P, "200 OK (INVITE)");
    c.add(4001, P, A, "200 OK (INVITE)");
    c.add(4002, P, B, "CANCEL");
    c.add(4010, B, P, "200 OK (CANCEL)");
    c.add(4011, B, P, "487 Request Terminated");
    c.add(4012, P, B, "ACK");
    c.add(4030, A, P, "ACK");
    c.add(4031, P, B2, "ACK");
    return c.in;
}

LadderInput retransmissions() {
    Call c;
    c.node(A, "UA", "sipp");
    c.node(B, "UA", "");
    c.add(0, A, B, "INVITE");
    auto& r1 = c.add(500, A, B, "INVITE");
    r1.retransmission = true;
    r1.original = 1;
    auto& r2 = c.add(1300, A, B, "INVITE");
    r2.retransmission = true;
    r2.original = 1;
    r2.anomalies = {"rtx_early"};
    c.add(1400, B, A, "180 Ringing");
    c.add(9000, B, A, "200 OK (INVITE)").anomalies = {"sdp_answer_missing", "contact_missing"};
    auto& r3 = c.add(9500, B, A, "200 OK (INVITE)");
    r3.retransmission = true;
    r3.original = 5;
    c.add(9510, A, B, "ACK");
    auto& d = c.add(9510.01, A, B, "ACK");
    d.duplicate = true;
    d.original = 7;
    c.add(9600, A, A, "OPTIONS");
    return c.in;
}

LadderInput ipv6Call() {
    const std::string a = "[2001:db8::10]:5060", b = "[2001:db8:85a3::8a2e:370:7334]:5061";
    Call c;
    c.node(a, "UA", "baresip v3.10.1 (x86_64/linux)");
    c.node(b, "registrar", "OpenSIPS (3.4.3 (x86_64/linux))");
    c.add(0, a, b, "REGISTER");
    c.add(3, b, a, "401 Unauthorized (REGISTER)");
    c.add(10, a, b, "REGISTER");
    c.add(14, b, a, "200 OK (REGISTER)");
    return c.in;
}

// A chain of `n` nodes: INVITE hop by hop, 200 OK back.
LadderInput chain(int n) {
    Call c;
    auto ep = [](int i) { return "10.0.0." + std::to_string(i + 1) + ":5060"; };
    for (int i = 0; i < n; ++i) c.node(ep(i), i == 0 || i == n - 1 ? "UA" : "proxy", "");
    for (int i = 0; i + 1 < n; ++i) c.add(i, ep(i), ep(i + 1), "INVITE");
    for (int i = n - 1; i > 0; --i) c.add(100 + n - i, ep(i), ep(i - 1), "200 OK (INVITE)");
    return c.in;
}

// An SBC seen on two addresses, which the caller merges into one lane.
const std::string kSbcOut = "203.0.113.1:5060", kSbcIn = "10.0.0.1:5060";
LadderInput sbcCall() {
    Call c;
    c.node(A, "UA", "Grandstream GXP2170");
    c.node(kSbcOut, "SBC", "AudioCodes Mediant");
    c.node(B, "UA", "");
    c.add(0, A, kSbcOut, "INVITE");
    c.add(1, kSbcOut, kSbcIn, "INVITE");
    c.add(2, kSbcIn, B, "INVITE");
    c.add(40, B, kSbcIn, "200 OK (INVITE)");
    c.add(41, kSbcOut, A, "200 OK (INVITE)");
    return c.in;
}

LadderOptions merged() {
    LadderOptions o;
    o.mergeLanes = {{kSbcOut, "SBC"}, {kSbcIn, "SBC"}};
    return o;
}

LadderInput hostile() {
    const std::string evil =
        "</svg><script>alert(\"x\")</script> '&amp; 100% ;#; \x01\xff ünï 日本";
    Call c;
    c.node(A, "UA\"><b>", evil, "alias " + evil);
    c.node(B, evil, "");
    auto& m = c.add(0, A, B, "INVITE " + evil);
    m.detail = evil;
    m.rawText = "INVITE sip:" + evil + " SIP/2.0\r\n";
    m.anomalies = {evil};
    c.add(5, B, A, "200 OK " + evil);
    return c.in;
}

struct Case {
    const char* name;
    std::function<LadderInput()> input;
    LadderOptions options;
};

LadderOptions with(LadderTimeMode mode, bool compact = true, bool unicode = false) {
    LadderOptions o;
    o.timeMode = mode;
    o.compact = compact;
    o.unicode = unicode;
    return o;
}

std::vector<Case> cases() {
    LadderOptions hidden;
    hidden.hiddenLanes = {B};
    return {
        {"basic", basicCall, {}},
        {"basic-absolute", basicCall, with(LadderTimeMode::Absolute)},
        {"basic-delta", basicCall, with(LadderTimeMode::Delta)},
        {"basic-unicode", basicCall, with(LadderTimeMode::Relative, true, true)},
        {"proxy-legs", proxyLegs, {}},
        {"proxy-hidden", proxyLegs, hidden},
        {"fork", forkCall, {}},
        {"retransmissions", retransmissions, {}},
        {"retransmissions-proportional", retransmissions, with(LadderTimeMode::Relative, false)},
        {"ipv6", ipv6Call, with(LadderTimeMode::Absolute)},
        {"six-lanes", [] { return chain(6); }, {}},
        {"ten-lanes", [] { return chain(10); }, with(LadderTimeMode::Absolute)},
        {"merged", sbcCall, merged()},
    };
}

const char* extension(LadderFormat f) {
    switch (f) {
        case LadderFormat::Text:
            return "txt";
        case LadderFormat::Svg:
            return "svg";
        case LadderFormat::Mermaid:
            return "mmd";
        case LadderFormat::Html:
            return "html";
    }
    return "";
}

int columns(const QString& line) {
    return static_cast<int>(line.toUcs4().size());
}

// Well-formed XML; the number of <g class="msg"> groups.
int svgMessageGroups(const std::string& svg, QString* error) {
    QXmlStreamReader xml(QByteArray::fromStdString(svg));
    int groups = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement() && xml.name() == QLatin1String("g") &&
            xml.attributes().value("class") == QLatin1String("msg"))
            ++groups;
    }
    if (xml.hasError())
        *error = xml.errorString() + " at line " + QString::number(xml.lineNumber());
    return groups;
}

std::vector<std::string> laneNames(const LadderLayout& l) {
    std::vector<std::string> v;
    for (const auto& lane : l.lanes) v.push_back(lane.name);
    return v;
}

}  // namespace

class TestLadder : public QObject {
    Q_OBJECT

  private slots:
    void golden_data();
    void golden();
    void laneOrderAndLegs();
    void forkBranchesAdjacent();
    void mergedAndHiddenLanes();
    void timeModes();
    void labelsFromFields();
    void proportionalSpacing();
    void textWithin80Columns();
    void svgWellFormed();
    void htmlSelfContained();
    void hostileStringsEscaped();
};

void TestLadder::golden_data() {
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("format");
    const auto all = cases();
    for (int i = 0; i < static_cast<int>(all.size()); ++i) {
        const std::string name = all[static_cast<std::size_t>(i)].name;
        std::vector<LadderFormat> formats{LadderFormat::Text};
        if (name == "basic" || name == "proxy-legs" || name == "fork" ||
            name == "retransmissions" || name == "retransmissions-proportional")
            formats.push_back(LadderFormat::Svg);
        if (name == "basic" || name == "fork" || name == "retransmissions" || name == "merged")
            formats.push_back(LadderFormat::Mermaid);
        for (LadderFormat f : formats)
            QTest::newRow((name + "." + extension(f)).c_str()) << i << static_cast<int>(f);
    }
}

void TestLadder::golden() {
    QFETCH(int, index);
    QFETCH(int, format);
    const Case c = cases()[static_cast<std::size_t>(index)];
    const auto f = static_cast<LadderFormat>(format);
    const std::string actual = renderLadder(c.input(), f, c.options);
    const QString path = kDir + "/" + c.name + "." + extension(f);
    if (qEnvironmentVariableIsSet("SIPSCOPE_UPDATE_GOLDEN")) {
        QDir().mkpath(kDir);
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(actual.data(), static_cast<qint64>(actual.size()));
    }
    const QStringList expected = QString::fromStdString(sipscope::test::readFile(path)).split('\n');
    const QStringList got = QString::fromStdString(actual).split('\n');
    for (int i = 0; i < std::min(expected.size(), got.size()); ++i)
        if (expected[i] != got[i])
            QFAIL(qPrintable(QString("%1 line %2\n  expected: %3\n  actual:   %4")
                                 .arg(path)
                                 .arg(i + 1)
                                 .arg(expected[i], got[i])));
    QCOMPARE(got.size(), expected.size());
}

void TestLadder::laneOrderAndLegs() {
    LadderLayout l = layoutLadder(basicCall(), {});
    QCOMPARE(laneNames(l), (std::vector<std::string>{A, B}));
    QCOMPARE(l.title, std::string("Call a84b4c76e66710@pc33.example.com"));
    // Drawn by time, not input order: the first message's sender is leftmost.
    LadderInput in = basicCall();
    std::swap(in.messages[0].tsNs, in.messages[1].tsNs);
    QCOMPARE(layoutLadder(in, {}).lanes.front().name, B);
    // The B2BUA's alias names its lane; its two legs are listed.
    l = layoutLadder(proxyLegs(), {});
    QCOMPARE(laneNames(l), (std::vector<std::string>{A, "pbx.example.net", B}));
    QCOMPARE(l.lanes[1].legs, (std::vector<int>{0, 1}));
    QCOMPARE(l.legs.size(), std::size_t(2));
    QCOMPARE(l.legs[1].callId, std::string("leg1"));
    // A leg-0 node first seen after leg 1 began stays with leg 0's lanes.
    Call c;
    c.add(0, A, P, "INVITE");
    c.add(1, P, B, "INVITE", 1);
    c.add(2, P, "192.0.2.99:5060", "OPTIONS", 0);
    QCOMPARE(laneNames(layoutLadder(c.in, {})),
             (std::vector<std::string>{A, P, "192.0.2.99:5060", B}));
}

void TestLadder::forkBranchesAdjacent() {
    LadderLayout l = layoutLadder(forkCall(), {});
    QCOMPARE(laneNames(l), (std::vector<std::string>{A, P, B, B2}));
    QCOMPARE(l.forks.size(), std::size_t(1));
    QCOMPARE(l.forks[0].proxy, std::size_t(1));
    QCOMPARE(l.forks[0].first, std::size_t(2));
    QCOMPARE(l.forks[0].last, std::size_t(3));
    QCOMPARE(l.lanes[0].fork, -1);
    QCOMPARE(l.lanes[3].fork, 0);
    // The first branch sends the call on to voicemail before the proxy tries the second:
    // the branches are still drawn side by side, voicemail after them.
    Call c;
    const std::string vm = "192.0.2.50:5060";
    c.add(0, A, P, "INVITE");
    c.add(1, P, B, "INVITE");
    c.add(2, B, vm, "INVITE");
    c.add(3, P, B2, "INVITE");
    c.add(4, B2, P, "486 Busy Here");
    l = layoutLadder(c.in, {});
    QCOMPARE(laneNames(l), (std::vector<std::string>{A, P, B, B2, vm}));
    QCOMPARE(l.forks.size(), std::size_t(1));
    // A retransmitted or re-sent INVITE to the same node, or back upstream, is no fork.
    QVERIFY(layoutLadder(retransmissions(), {}).forks.empty());
    QVERIFY(layoutLadder(proxyLegs(), {}).forks.empty());
}

void TestLadder::mergedAndHiddenLanes() {
    LadderLayout l = layoutLadder(sbcCall(), merged());
    QCOMPARE(laneNames(l), (std::vector<std::string>{A, "SBC", B}));
    QCOMPARE(l.lanes[1].endpoints, (std::vector<std::string>{kSbcOut, kSbcIn}));
    QCOMPARE(l.lanes[1].role, std::string("SBC"));
    QVERIFY(l.rows[1].self);  // outside -> inside address of the same SBC
    QCOMPARE(l.rows[1].from, std::size_t(1));
    QVERIFY(!l.rows[0].self);
    // Hidden by endpoint or by merged name: their messages are dropped.
    LadderOptions o;
    o.hiddenLanes = {B};
    l = layoutLadder(proxyLegs(), o);
    QCOMPARE(laneNames(l), (std::vector<std::string>{A, "pbx.example.net"}));
    QCOMPARE(l.rows.size(), std::size_t(5));
    o = merged();
    o.hiddenLanes = {"SBC"};
    QCOMPARE(layoutLadder(sbcCall(), o).rows.size(), std::size_t(0));
    QCOMPARE(renderLadder(sbcCall(), LadderFormat::Text, o),
             std::string("Call a84b4c76e66710@pc33.example.com\nno messages\n\n"));
}

void TestLadder::timeModes() {
    auto times = [](LadderTimeMode mode, int digits = 3) {
        LadderOptions o = with(mode);
        o.timeDigits = digits;
        std::vector<std::string> v;
        for (const auto& r : layoutLadder(basicCall(), o).rows) v.push_back(r.time);
        return v;
    };
    QCOMPARE(times(LadderTimeMode::Relative),
             (std::vector<std::string>{"+0.000", "+0.001", "+0.052", "+3.210", "+3.215", "+14.000",
                                       "+14.001"}));
    QCOMPARE(times(LadderTimeMode::Delta),
             (std::vector<std::string>{"+0.000", "+0.001", "+0.051", "+3.157", "+0.004", "+10.785",
                                       "+0.001"}));
    QCOMPARE(times(LadderTimeMode::Absolute).front(), std::string("21:55:05.166"));
    QCOMPARE(times(LadderTimeMode::Absolute, 6)[3], std::string("21:55:08.377173"));
    QCOMPARE(times(LadderTimeMode::Relative, 0)[5], std::string("+14"));
    QCOMPARE(layoutLadder(basicCall(), {}).timeCaption,
             std::string("time: seconds since 2026-11-25 21:55:05.166 UTC"));
}

void TestLadder::labelsFromFields() {
    LadderInput in;
    LadderMessage req;
    req.src = A;
    req.dst = B;
    req.method = "INVITE";
    LadderMessage resp = req;
    resp.method.clear();
    resp.status = 183;
    resp.reason = "Session Progress";
    resp.cseqMethod = "INVITE";
    LadderMessage bare = resp;
    bare.reason.clear();
    bare.cseqMethod.clear();
    in.messages = {req, resp, bare};
    const LadderLayout l = layoutLadder(in, {});
    QCOMPARE(l.rows[0].label, std::string("INVITE"));
    QVERIFY(l.rows[0].request);
    QCOMPARE(l.rows[1].label, std::string("183 Session Progress (INVITE)"));
    QVERIFY(!l.rows[1].request);
    QCOMPARE(l.rows[2].label, std::string("183"));
    QCOMPARE(l.title, std::string("Ladder"));
}

void TestLadder::proportionalSpacing() {
    const LadderLayout l = layoutLadder(retransmissions(), {});
    LadderSpacing s;
    const auto even = ladderRowPositions(l, s);
    QCOMPARE(even.y[1] - even.y[0], s.rowHeight);
    s.proportional = true;
    const auto timed = ladderRowPositions(l, s);
    QCOMPARE(timed.y[1] - timed.y[0], 0.5 * s.pxPerSecond);  // 500 ms
    QCOMPARE(timed.y[2] - timed.y[1], 0.8 * s.pxPerSecond);
    QCOMPARE(timed.y[3] - timed.y[2], s.rowHeight);  // 100 ms: at least one row
    QCOMPARE(timed.y[4] - timed.y[3], s.maxGap);     // 7.6 s: capped
    QVERIFY(timed.gapCapped[4] && !timed.gapCapped[1]);
}

void TestLadder::textWithin80Columns() {
    std::vector<Case> all = cases();
    all.push_back({"hostile", hostile, {}});
    for (int lanes : {3, 5, 7, 8, 9, 12, 30})
        all.push_back({"chain", [=] { return chain(lanes); }, {}});
    for (const Case& c : all)
        for (LadderTimeMode mode :
             {LadderTimeMode::Absolute, LadderTimeMode::Relative, LadderTimeMode::Delta})
            for (bool unicode : {false, true}) {
                LadderOptions o = c.options;
                o.timeMode = mode;
                o.unicode = unicode;
                o.timeDigits = 6;
                const std::string text = renderLadder(c.input(), LadderFormat::Text, o);
                for (const QString& line : QString::fromStdString(text).split('\n'))
                    QVERIFY2(columns(line) <= 80, qPrintable(QString(c.name) + ": " + line));
                if (!unicode)
                    for (unsigned char ch : text) QVERIFY(ch == '\n' || (ch >= 0x20 && ch < 0x7F));
            }
    // Ten lanes do not fit as a grid: the list names the lanes and each message's ends.
    const std::string list = renderLadder(chain(10), LadderFormat::Text, {});
    QVERIFY(list.find("lanes:") != std::string::npos);
    QVERIFY(list.find("L9 -> L10  INVITE") != std::string::npos);
    // Six lanes do: lane ids in the headers, names in the legend above.
    const std::string grid = renderLadder(chain(6), LadderFormat::Text, {});
    QVERIFY(grid.find("  L1 = 10.0.0.1:5060 (UA)") != std::string::npos);
    QVERIFY(grid.find("-->|") != std::string::npos);
}

void TestLadder::svgWellFormed() {
    std::vector<Case> all = cases();
    all.push_back({"hostile", hostile, {}});
    for (const Case& c : all) {
        const LadderInput in = c.input();
        const std::string svg = renderLadder(in, LadderFormat::Svg, c.options);
        QString error;
        const int groups = svgMessageGroups(svg, &error);
        QVERIFY2(error.isEmpty(), qPrintable(QString(c.name) + ": " + error));
        QCOMPARE(static_cast<std::size_t>(groups), layoutLadder(in, c.options).rows.size());
        QVERIFY(svg.find("xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
        QVERIFY(svg.find("viewBox=\"0 0 ") != std::string::npos);
        QVERIFY(svg.find("<style>") != std::string::npos);
    }
}

void TestLadder::htmlSelfContained() {
    const std::string html = renderLadder(forkCall(), LadderFormat::Html, {});
    QVERIFY(html.rfind("<!DOCTYPE html>", 0) == 0);
    QVERIFY(html.find("SIP/2.0 200 OK (INVITE)\r\nCall-ID: a84b4c76e66710@pc33.example.com") !=
            std::string::npos);
    for (const char* external : {"http:", "https:", "//", " src=", "<link", "url(", "@import"})
        QVERIFY2(html.find(external) == std::string::npos, external);
    QCOMPARE(QString::fromStdString(html).count("<pre data-summary="), 16);
    QCOMPARE(QString::fromStdString(html).count("<g class=\"msg\""), 16);
    QVERIFY(html.find("ArrowDown") != std::string::npos);
    // The embedded SVG is well-formed too (XHTML-style, so it can be cut out and parsed).
    const auto from = html.find("<svg"), to = html.find("</svg>") + 6;
    QString error;
    QCOMPARE(svgMessageGroups(html.substr(from, to - from), &error), 16);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void TestLadder::hostileStringsEscaped() {
    const LadderInput in = hostile();
    LadderOptions o;
    o.title = "title </title><script>x</script>";
    const std::string svg = renderLadder(in, LadderFormat::Svg, o);
    const std::string html = renderLadder(in, LadderFormat::Html, o);
    const std::string mmd = renderLadder(in, LadderFormat::Mermaid, o);
    const std::string text = renderLadder(in, LadderFormat::Text, o);
    QVERIFY(svg.find("<script") == std::string::npos);
    QVERIFY(svg.find("&lt;/svg&gt;&lt;script&gt;alert(&quot;x&quot;)") != std::string::npos);
    QVERIFY(svg.find("\xff") == std::string::npos && svg.find('\x01') == std::string::npos);
    QVERIFY(svg.find("日本") != std::string::npos);
    QCOMPARE(QString::fromStdString(html).count("<script"), 1);  // ours
    QCOMPARE(QString::fromStdString(html).count("</svg>"), 1);
    QVERIFY(html.find("INVITE sip:&lt;/svg&gt;") != std::string::npos);
    // Mermaid: nothing but entity codes, our <br/> and the arrows uses its syntax characters.
    QString rest = QString::fromStdString(mmd);
    rest.remove(QRegularExpression("#\\w+;")).remove("<br/>").remove("-->>").remove("->>");
    rest.remove(QRegularExpression("^    %%.*$", QRegularExpression::MultilineOption));
    for (QChar ch : {QChar(';'), QChar('#'), QChar('"'), QChar('<'), QChar('>'), QChar('%')})
        QVERIFY2(!rest.contains(ch), qPrintable(QString(ch) + " in\n" + rest));
    QCOMPARE(QString::fromStdString(mmd).count('\n'), 8);  // one statement per line
    for (unsigned char ch : text) QVERIFY(ch == '\n' || (ch >= 0x20 && ch < 0x7F));
    QVERIFY(text.find("</svg><script>alert(\"x\")") != std::string::npos);  // text is inert
}

QTEST_APPLESS_MAIN(TestLadder)
#include "tst_ladder.moc"
