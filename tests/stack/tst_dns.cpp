// The DNS codec (RFC 1035 §4 with SRV and NAPTR) on hand-built bytes: compression pointers,
// pointer loops, truncation at every byte, oversized names; and the RFC 3263 server locator
// driven table-wise against an in-memory zone: NAPTR -> SRV -> A/AAAA, SRV only, A only, SIPS,
// numeric hosts, explicit ports, transport params, RFC 2782 weights with a fixed random source,
// additional-section records, CNAME chains, NXDOMAIN and unanswered queries.

#include <QtTest>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "dns/dns_message.hpp"
#include "dns/rfc3263.hpp"

using namespace sipscope::stack;
using namespace sipscope::stack::dns;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes header(std::uint16_t id, std::uint16_t flags, std::uint16_t qd, std::uint16_t an) {
    return {static_cast<std::uint8_t>(id >> 8),
            static_cast<std::uint8_t>(id & 0xFF),
            static_cast<std::uint8_t>(flags >> 8),
            static_cast<std::uint8_t>(flags & 0xFF),
            0,
            static_cast<std::uint8_t>(qd),
            0,
            static_cast<std::uint8_t>(an),
            0,
            0,
            0,
            0};
}

void append(Bytes& b, std::initializer_list<int> bytes) {
    for (int v : bytes) b.push_back(static_cast<std::uint8_t>(v));
}

void appendLabels(Bytes& b, std::initializer_list<const char*> labels) {
    for (const char* l : labels) {
        b.push_back(static_cast<std::uint8_t>(std::strlen(l)));
        for (const char* c = l; *c; ++c) b.push_back(static_cast<std::uint8_t>(*c));
    }
}

// A response to "_sip._udp.pbx.sipscope.test SRV" whose answer names the question by pointer
// (offset 12) and whose SRV target points into the question name ("pbx..." at offset 22).
Bytes srvResponse() {
    Bytes b = header(0xBEEF, 0x8180, 1, 1);
    appendLabels(b, {"_sip", "_udp", "pbx", "sipscope", "test"});
    append(b, {0, 0, 33, 0, 1});                            // root, QTYPE SRV, QCLASS IN
    append(b, {0xC0, 12, 0, 33, 0, 1, 0, 0, 0x0E, 0x10});   // name ptr, SRV, IN, TTL 3600
    append(b, {0, 8, 0, 10, 0, 60, 0x13, 0xC4, 0xC0, 22});  // RDLENGTH 8, 10 60 5060, ptr
    return b;
}

ResourceRecord rec(const std::string& name, RrType type, RData data) {
    return ResourceRecord{name, static_cast<std::uint16_t>(type), kClassIn, 300, std::move(data)};
}
ResourceRecord a(const std::string& name, std::uint8_t last) {
    return rec(name, RrType::A, Ipv4Data{{192, 0, 2, last}});
}
ResourceRecord aaaa(const std::string& name, std::uint8_t last) {
    Ipv6Data d{};
    d.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
    return rec(name, RrType::Aaaa, d);
}
ResourceRecord srv(const std::string& name, std::uint16_t prio, std::uint16_t weight,
                   std::uint16_t port, const std::string& target) {
    return rec(name, RrType::Srv, SrvData{prio, weight, port, target});
}
ResourceRecord naptr(const std::string& name, std::uint16_t order, std::uint16_t pref,
                     const std::string& flags, const std::string& services,
                     const std::string& replacement) {
    return rec(name, RrType::Naptr, NaptrData{order, pref, flags, services, "", replacement});
}
ResourceRecord cname(const std::string& name, const std::string& target) {
    return rec(name, RrType::Cname, NameData{target});
}

struct Zone {
    std::vector<ResourceRecord> records;
    bool glue = false;             // add SRV / A / AAAA of the names an answer points to
    bool oneResponseChain = true;  // follow CNAMEs inside one response
};

bool exists(const Zone& z, const std::string& name) {
    for (const auto& r : z.records) {
        const std::string& n = r.name;
        if (sameName(n, name) ||
            (n.size() > name.size() && n[n.size() - name.size() - 1] == '.' &&
             sameName(std::string_view(n).substr(n.size() - name.size()), name)))
            return true;  // the name itself or an empty non-terminal above a record
    }
    return false;
}

// Like a server that knows the whole zone: the SRV records a NAPTR points to, and the A/AAAA
// records of SRV targets, each name and type once.
void addGlue(const Zone& z, const ResourceRecord& r, Message& m) {
    std::string target;
    std::vector<RrType> types;
    if (const auto* n = std::get_if<NaptrData>(&r.data)) {
        target = n->replacement;
        types = {RrType::Srv};
    }
    if (const auto* s = std::get_if<SrvData>(&r.data)) {
        target = s->target;
        types = {RrType::A, RrType::Aaaa};
    }
    for (RrType t : types) {
        const auto type = static_cast<std::uint16_t>(t);
        const bool known =
            std::any_of(m.additional.begin(), m.additional.end(),
                        [&](const auto& g) { return g.type == type && sameName(g.name, target); });
        if (known) continue;
        for (const auto& g : z.records)
            if (g.type == type && sameName(g.name, target)) {
                m.additional.push_back(g);
                addGlue(z, g, m);
            }
    }
}

// What an authoritative server for `z` answers, sent through the codec both ways.
Message answer(const Zone& z, const Question& q) {
    Message m;
    m.header.response = true;
    m.questions = {q};
    std::string name = q.name;
    for (int hops = 0; hops < 10; ++hops) {
        for (const auto& r : z.records)
            if (r.type == q.type && sameName(r.name, name)) {
                m.answers.push_back(r);
                if (z.glue) addGlue(z, r, m);
            }
        if (!m.answers.empty() && m.answers.back().type == q.type) break;
        const auto c = std::find_if(z.records.begin(), z.records.end(), [&](const auto& r) {
            return r.type == static_cast<std::uint16_t>(RrType::Cname) && sameName(r.name, name);
        });
        if (c == z.records.end()) break;
        m.answers.push_back(*c);
        name = std::get<NameData>(c->data).name;
        if (!z.oneResponseChain) break;
    }
    if (m.answers.empty() && !exists(z, q.name))
        m.header.rcode = static_cast<std::uint8_t>(Rcode::NxDomain);
    const auto wire = encodeMessage(m);
    if (!wire) qFatal("encode: %s", wire.error().message.c_str());
    auto back = decodeMessage(*wire);
    if (!back) qFatal("decode: %s", back.error().message.c_str());
    return back.value();
}

struct Located {
    std::vector<std::string> targets;  // "udp 192.0.2.1:5060 naptr"
    std::vector<std::string> asked;    // "SRV _sip._udp.pbx.test"
    std::string error;
};

Located locate(const Zone& z, LocateInput in, std::vector<std::uint64_t> randoms = {},
               bool noAnswers = false) {
    std::size_t next = 0;
    ServerLocator loc(std::move(in), [randoms, next]() mutable {
        return next < randoms.size() ? randoms[next++] : 0;
    });
    Located out;
    for (int round = 0; round < 32 && !loc.done(); ++round) {
        const auto questions = loc.takeQueries();
        if (questions.empty()) break;
        for (const auto& q : questions) {
            out.asked.push_back(rrTypeName(q.type) + " " + q.name);
            if (noAnswers)
                loc.onNoAnswer(q, "DNS: no answer from 127.0.0.1:5353 within 2 s");
            else
                loc.onResponse(q, answer(z, q));
        }
    }
    if (!loc.done()) out.error = "NOT DONE";
    for (const auto& t : loc.targets()) {
        const bool v6 = t.address.find(':') != std::string::npos;
        out.targets.push_back(std::string(transportName(t.transport)) + " " + (v6 ? "[" : "") +
                              t.address + (v6 ? "]" : "") + ":" + std::to_string(t.port) + " " +
                              t.how);
    }
    if (out.error.empty()) out.error = loc.error();
    return out;
}

LocateInput input(const std::string& host, std::optional<std::uint16_t> port = std::nullopt,
                  std::optional<SipTransport> transport = std::nullopt, bool sips = false) {
    LocateInput in;
    in.host = host;
    in.port = port;
    in.transport = transport;
    in.sips = sips;
    return in;
}

QString joined(const std::vector<std::string>& v) {
    QStringList l;
    for (const auto& s : v) l << QString::fromStdString(s);
    return l.join(" | ");
}

// The zone of most cases: NAPTR for TCP (order 10) and UDP (order 20), plus records that must be
// skipped (SCTP, a non-"s" flag), SRV for both, hosts with A and AAAA.
Zone fullZone() {
    return Zone{{naptr("pbx.test", 20, 10, "s", "SIP+D2U", "_sip._udp.pbx.test"),
                 naptr("pbx.test", 10, 10, "S", "SIP+D2T", "_sip._tcp.pbx.test"),
                 naptr("pbx.test", 5, 10, "s", "SIP+D2S", "_sip._sctp.pbx.test"),
                 naptr("pbx.test", 5, 10, "u", "SIP+D2U", "_sip._udp.other.test"),
                 naptr("pbx.test", 30, 10, "s", "SIPS+D2T", "_sips._tcp.pbx.test"),
                 srv("_sip._tcp.pbx.test", 0, 0, 5070, "a.pbx.test"),
                 srv("_sip._udp.pbx.test", 0, 0, 5080, "b.pbx.test"),
                 srv("_sips._tcp.pbx.test", 0, 0, 5071, "a.pbx.test"), a("a.pbx.test", 1),
                 aaaa("a.pbx.test", 1), a("b.pbx.test", 2)},
                false,
                true};
}

}  // namespace

class TestDns : public QObject {
    Q_OBJECT

  private slots:
    void encodesAQuery() {
        const auto q = encodeQuery(0x1234, "pbx.sipscope.test", RrType::Naptr);
        QVERIFY(q.ok());
        Bytes want = header(0x1234, 0x0100, 1, 0);
        appendLabels(want, {"pbx", "sipscope", "test"});
        append(want, {0, 0, 35, 0, 1});
        QCOMPARE(*q, want);
        QVERIFY(!encodeQuery(1, "a..b", RrType::A).ok());
        QVERIFY(!encodeQuery(1, std::string(64, 'x') + ".test", RrType::A).ok());
    }

    void decodesCompressionPointers() {
        const Bytes b = srvResponse();
        const auto m = decodeMessage(b);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message.c_str());
        QCOMPARE(m->header.id, std::uint16_t{0xBEEF});
        QVERIFY(m->header.response && m->header.recursionAvailable && !m->header.truncated);
        QCOMPARE(m->questions.at(0).name, std::string("_sip._udp.pbx.sipscope.test"));
        QCOMPARE(m->answers.size(), std::size_t{1});
        QCOMPARE(m->answers[0].name, std::string("_sip._udp.pbx.sipscope.test"));
        QCOMPARE(m->answers[0].ttl, std::uint32_t{3600});
        const auto* s = std::get_if<SrvData>(&m->answers[0].data);
        QVERIFY(s);
        QCOMPARE(s->priority, std::uint16_t{10});
        QCOMPARE(s->weight, std::uint16_t{60});
        QCOMPARE(s->port, std::uint16_t{5060});
        QCOMPARE(s->target, std::string("pbx.sipscope.test"));
    }

    void truncationAtEveryByteIsAnError() {
        const Bytes b = srvResponse();
        for (std::size_t cut = 0; cut < b.size(); ++cut) {
            const auto m = decodeMessage(std::span(b.data(), cut));
            QVERIFY2(!m.ok(),
                     qPrintable(QString("decoded with %1 of %2 bytes").arg(cut).arg(b.size())));
            QVERIFY(m.error().offset <= cut);
            QVERIFY(m.error().message.find("at byte " + std::to_string(m.error().offset)) !=
                    std::string::npos);
        }
        const auto hdr = decodeMessage(std::span(b.data(), 5));
        QCOMPARE(hdr.error().code, ErrorCode::Incomplete);
        QCOMPARE(hdr.error().offset, std::size_t{0});
    }

    void pointerLoopsAndBadLabelsAreErrors() {
        Bytes self = header(1, 0x8000, 1, 0);
        append(self, {0xC0, 12, 0, 1, 0, 1});  // the question name points at itself
        auto m = decodeMessage(self);
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::BadBody);
        QCOMPARE(m.error().offset, std::size_t{12});
        QVERIFY(m.error().message.find("loop") != std::string::npos);

        Bytes forward = header(1, 0x8000, 1, 0);
        append(forward, {0xC0, 14, 0, 0xC0, 12, 0});  // a pointer forward, then back at it
        m = decodeMessage(forward);
        QVERIFY(!m.ok());
        QCOMPARE(m.error().offset, std::size_t{12});

        Bytes reserved = header(1, 0x8000, 1, 0);
        append(reserved, {0x41, 'a', 0, 0, 1, 0, 1});
        m = decodeMessage(reserved);
        QCOMPARE(m.error().code, ErrorCode::ValueOutOfRange);
        QCOMPARE(m.error().offset, std::size_t{12});

        Bytes longName = header(1, 0x8000, 1, 0);
        for (int i = 0; i < 4; ++i) appendLabels(longName, {std::string(63, 'a').c_str()});
        append(longName, {0, 0, 1, 0, 1});
        m = decodeMessage(longName);
        QCOMPARE(m.error().code, ErrorCode::TooLarge);
        QCOMPARE(m.error().offset, std::size_t{12 + 3 * 64});

        Bytes badA = header(1, 0x8000, 0, 1);
        append(badA, {0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 192, 0, 2, 1, 9});  // A with RDLENGTH 5
        m = decodeMessage(badA);
        QCOMPARE(m.error().code, ErrorCode::BadBody);
        QCOMPARE(m.error().offset, std::size_t{23});
        QCOMPARE(m.error().header, std::string("answer 1"));
    }

    void roundTripsNaptrAndEscapes() {
        Message m;
        m.header.id = 7;
        m.header.response = true;
        m.header.rcode = 3;
        m.questions.push_back(Question{"a\\046b.test", 35, kClassIn});
        m.answers.push_back(naptr("pbx.test", 10, 20, "s", "SIPS+D2T", "_sips._tcp.pbx.test"));
        m.additional.push_back(aaaa("a.pbx.test", 1));
        const auto wire = encodeMessage(m);
        QVERIFY(wire.ok());
        QCOMPARE((*wire)[12], std::uint8_t{3});  // "a.b" is one label of three bytes
        const auto back = decodeMessage(*wire);
        QVERIFY(back.ok());
        QCOMPARE(back->header.rcode, std::uint8_t{3});
        QCOMPARE(rcodeName(back->header.rcode), std::string("NXDOMAIN"));
        QCOMPARE(back->questions[0].name, std::string("a\\046b.test"));
        const auto* n = std::get_if<NaptrData>(&back->answers.at(0).data);
        QVERIFY(n);
        QCOMPARE(n->order, std::uint16_t{10});
        QCOMPARE(n->preference, std::uint16_t{20});
        QCOMPARE(n->services, std::string("SIPS+D2T"));
        QCOMPARE(n->replacement, std::string("_sips._tcp.pbx.test"));
        QCOMPARE(addressText(std::get<Ipv6Data>(back->additional.at(0).data)),
                 std::string("2001:db8::1"));
    }

    void formatsAddresses() {
        QCOMPARE(addressText(Ipv4Data{{127, 0, 0, 1}}), std::string("127.0.0.1"));
        Ipv6Data v6{};
        QCOMPARE(addressText(v6), std::string("::"));
        v6.bytes[15] = 1;
        QCOMPARE(addressText(v6), std::string("::1"));
        v6.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
        QCOMPARE(addressText(v6), std::string("2001:db8:0:1:1:1:1:1"));  // RFC 5952 §4.2.2
        v6.bytes = {0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
        QCOMPARE(addressText(v6), std::string("2001:0:0:1::1"));  // §4.2.3: the longest run
    }

    void locatesServers_data() {
        QTest::addColumn<int>("row");
        const char* names[] = {"naptr->srv->a",
                               "srv only",
                               "a only",
                               "sips via naptr",
                               "sips without naptr",
                               "numeric ipv4",
                               "numeric ipv6 with port",
                               "explicit port",
                               "transport param",
                               "weights",
                               "weights other",
                               "additional section",
                               "cname in one response",
                               "cname asked separately",
                               "cname loop",
                               "nxdomain",
                               "no records",
                               "no answer",
                               "srv target dot"};
        for (int i = 0; i < static_cast<int>(std::size(names)); ++i) QTest::newRow(names[i]) << i;
    }

    void locatesServers() {
        QFETCH(int, row);
        struct Case {
            Zone zone;
            LocateInput in;
            std::vector<std::uint64_t> randoms;
            std::vector<std::string> targets;
            std::vector<std::string> asked = {};  // empty: not checked
            std::string error = {};               // a substring of error()
            bool noAnswers = false;
        };
        const Zone srvOnly{
            {srv("_sip._udp.pbx.test", 0, 0, 5062, "b.pbx.test"), a("b.pbx.test", 2)}};
        const Zone aOnly{{a("pbx.test", 9), aaaa("pbx.test", 9)}};
        const Zone weights{{srv("_sip._udp.w.test", 0, 10, 1, "x.test"),
                            srv("_sip._udp.w.test", 0, 20, 2, "y.test"),
                            srv("_sip._udp.w.test", 0, 0, 3, "z.test"),
                            srv("_sip._udp.w.test", 1, 50, 4, "v.test"), a("x.test", 1),
                            a("y.test", 2), a("z.test", 3), a("v.test", 4)}};
        Zone glue = fullZone();
        glue.glue = true;
        glue.records.erase(glue.records.begin() + 9);  // a.pbx.test keeps only its A record
        Zone chain{{cname("pbx.test", "real.test"), a("real.test", 7)}};
        Zone chainSplit = chain;
        chainSplit.oneResponseChain = false;
        const Zone loop{{cname("l1.test", "l2.test"), cname("l2.test", "l1.test")}};
        const Zone empty{{rec("pbx.test", RrType::Txt, OpaqueData{{1, 'x'}})}};
        const Zone dot{{srv("_sip._udp.pbx.test", 0, 0, 0, ""), a("pbx.test", 1)}};
        const auto udp = SipTransport::Udp;
        const auto tcp = SipTransport::Tcp;
        const std::vector<Case> cases = {
            {fullZone(),
             input("pbx.test"),
             {},
             {"tcp 192.0.2.1:5070 naptr", "tcp [2001:db8::1]:5070 naptr",
              "udp 192.0.2.2:5080 naptr", "tls 192.0.2.1:5071 naptr",
              "tls [2001:db8::1]:5071 naptr"},
             {"NAPTR pbx.test", "SRV _sip._tcp.pbx.test", "SRV _sip._udp.pbx.test",
              "SRV _sips._tcp.pbx.test", "A a.pbx.test", "AAAA a.pbx.test", "A b.pbx.test",
              "AAAA b.pbx.test"}},
            {srvOnly,
             input("pbx.test"),
             {},
             {"udp 192.0.2.2:5062 srv"},
             {"NAPTR pbx.test", "SRV _sips._tcp.pbx.test", "SRV _sip._tcp.pbx.test",
              "SRV _sip._udp.pbx.test", "A b.pbx.test", "AAAA b.pbx.test"}},
            {aOnly, input("pbx.test"), {}, {"udp 192.0.2.9:5060 a", "udp [2001:db8::9]:5060 a"}},
            {fullZone(),
             input("pbx.test", {}, {}, true),
             {},
             {"tls 192.0.2.1:5071 naptr", "tls [2001:db8::1]:5071 naptr"}},
            {aOnly,
             input("pbx.test", {}, {}, true),
             {},
             {"tls 192.0.2.9:5061 a", "tls [2001:db8::9]:5061 a"},
             {"NAPTR pbx.test", "SRV _sips._tcp.pbx.test", "A pbx.test", "AAAA pbx.test"}},
            {fullZone(), input("192.0.2.4"), {}, {"udp 192.0.2.4:5060 literal"}, {}, "", false},
            {fullZone(), input("[2001:db8::2]", 5070, tcp), {}, {"tcp [2001:db8::2]:5070 literal"}},
            {aOnly,
             input("pbx.test", 5090),
             {},
             {"udp 192.0.2.9:5090 a", "udp [2001:db8::9]:5090 a"},
             {"A pbx.test", "AAAA pbx.test"}},
            {fullZone(),
             input("pbx.test", {}, tcp),
             {},
             {"tcp 192.0.2.1:5070 srv", "tcp [2001:db8::1]:5070 srv"},
             {"SRV _sip._tcp.pbx.test", "A a.pbx.test", "AAAA a.pbx.test"}},
            // RFC 2782: weight-0 first; 15 % 31 = 15 picks y (running sums 0, 10, 30), then 0
            // picks z, then x; priority 1 last.
            {weights,
             input("w.test", {}, udp),
             {15, 0, 0, 0},
             {"udp 192.0.2.2:2 srv", "udp 192.0.2.3:3 srv", "udp 192.0.2.1:1 srv",
              "udp 192.0.2.4:4 srv"}},
            // 36 % 31 = 5 picks x; then 11 % 21 = 11 picks y (running sums 0, 20); then z.
            {weights,
             input("w.test", {}, udp),
             {36, 11, 0, 0},
             {"udp 192.0.2.1:1 srv", "udp 192.0.2.2:2 srv", "udp 192.0.2.3:3 srv",
              "udp 192.0.2.4:4 srv"}},
            {glue,
             input("pbx.test"),
             {},
             {"tcp 192.0.2.1:5070 naptr", "udp 192.0.2.2:5080 naptr", "tls 192.0.2.1:5071 naptr"},
             {"NAPTR pbx.test", "AAAA a.pbx.test", "AAAA b.pbx.test"}},
            // A CNAME without the records asked for is followed by a query for its target.
            {chain,
             input("pbx.test", 5060),
             {},
             {"udp 192.0.2.7:5060 a"},
             {"A pbx.test", "AAAA pbx.test", "AAAA real.test"}},
            {chainSplit,
             input("pbx.test", 5060),
             {},
             {"udp 192.0.2.7:5060 a"},
             {"A pbx.test", "AAAA pbx.test", "A real.test", "AAAA real.test"}},
            {loop, input("l1.test", 5060), {}, {}, {}, "CNAME chain of l1.test is too long"},
            {fullZone(),
             input("nope.test"),
             {},
             {},
             {"NAPTR nope.test"},
             "DNS: nope.test does not exist (NXDOMAIN)"},
            {empty, input("pbx.test"), {}, {}, {}, "DNS: pbx.test has no SRV/A/AAAA records"},
            {fullZone(),
             input("pbx.test"),
             {},
             {},
             {},
             "DNS: no answer from 127.0.0.1:5353 within 2 s",
             true},
            {dot,
             input("pbx.test", {}, udp),
             {},
             {},
             {"SRV _sip._udp.pbx.test"},
             "say SIP is not available"},
        };
        const Case& c = cases.at(static_cast<std::size_t>(row));
        const Located got = locate(c.zone, c.in, c.randoms, c.noAnswers);
        QVERIFY2(got.targets == c.targets,
                 qPrintable("targets: " + joined(got.targets) +
                            "\nerror: " + QString::fromStdString(got.error)));
        if (!c.asked.empty())
            QVERIFY2(got.asked == c.asked, qPrintable("asked: " + joined(got.asked)));
        if (c.targets.empty())
            QVERIFY2(got.error.find(c.error) != std::string::npos, got.error.c_str());
        else
            QVERIFY2(got.error.empty(), got.error.c_str());
    }
};

QTEST_APPLESS_MAIN(TestDns)
#include "tst_dns.moc"
