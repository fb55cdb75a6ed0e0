// Link, IP and tunnel decoding: every encapsulation yields the same UDP/TCP/SCTP packet.

#include <QtTest>

#include <zlib.h>

#include "decode/hep.hpp"
#include "decode/packet_decoder.hpp"
#include "packet_builder.hpp"

using namespace sipscope::analyzer;
using namespace sipscope::test;

Q_DECLARE_METATYPE(Pkt)

namespace {

const std::string kSip = "OPTIONS sip:b@h SIP/2.0\r\nCall-ID: x\r\n\r\n";

struct Got {
    L4 proto;
    std::string src, dst;
    std::uint16_t sport, dport;
    std::string payload;
    std::string path;
    std::vector<std::uint64_t> fragFrames;
};

std::vector<Got> decodeAll(int linkType, const std::vector<Pkt>& frames) {
    std::vector<Got> out;
    PacketDecoder d([&](const TransportPacket& t) {
        out.push_back({t.proto, t.src.ip.toString(), t.dst.ip.toString(), t.src.port, t.dst.port,
                       std::string(t.payload.begin(), t.payload.end()), t.path->toString(),
                       t.fragmentFrames ? *t.fragmentFrames : std::vector<std::uint64_t>{}});
    });
    std::uint64_t n = 0;
    for (const auto& f : frames) {
        RawPacket p;
        p.number = ++n;
        p.tsNs = static_cast<std::int64_t>(n) * 1000;
        p.linkType = linkType;
        p.origLength = static_cast<std::uint32_t>(f.size());
        p.data = f;
        d.decode(p);
    }
    return out;
}

Pkt udp4() {
    return ipv4(kA4, kB4, 17, udp(5060, 5070, bytesOf(kSip)));
}

}  // namespace

class TestPacketDecoder : public QObject {
    Q_OBJECT
  private slots:
    void encapsulations_data();
    void encapsulations();
    void ipv6ExtensionHeaders();
    void fragmentsInAnyOrder();
    void tcpAndSctp();
    void truncatedAndGarbageNeverCrash();
    void hepV3AndCompressed();
    void hepV2();
};

void TestPacketDecoder::encapsulations_data() {
    QTest::addColumn<int>("linkType");
    QTest::addColumn<Pkt>("frame");
    QTest::addColumn<QString>("path");
    const Pkt ip = udp4();
    QTest::newRow("ethernet") << 1 << eth(0x0800, ip) << "eth/ipv4/udp";
    QTest::newRow("vlan") << 1 << eth(0x8100, vlanTag(0x8100, 10, 0x0800, ip))
                          << "eth/vlan:10/ipv4/udp";
    QTest::newRow("qinq") << 1 << eth(0x88A8, vlanTag(0, 100, 0x8100, vlanTag(0, 20, 0x0800, ip)))
                          << "eth/vlan:100/vlan:20/ipv4/udp";
    Pkt sll{0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0};
    put16(sll, 0x0800);
    QTest::newRow("sll") << 113 << cat(sll, ip) << "sll/ipv4/udp";
    Pkt sll2;
    put16(sll2, 0x0800);
    for (int i = 0; i < 18; ++i) sll2.push_back(0);
    QTest::newRow("sll2") << 276 << cat(sll2, ip) << "sll2/ipv4/udp";
    QTest::newRow("null le") << 0 << cat(Pkt{2, 0, 0, 0}, ip) << "null/ipv4/udp";
    QTest::newRow("loop be") << 108 << cat(Pkt{0, 0, 0, 2}, ip) << "null/ipv4/udp";
    QTest::newRow("raw") << 101 << ip << "raw/ipv4/udp";
    QTest::newRow("ipv4 linktype") << 228 << ip << "raw/ipv4/udp";
    Pkt pppoe{0x11, 0, 0, 1};
    put16(pppoe, static_cast<std::uint16_t>(ip.size() + 2));
    QTest::newRow("pppoe") << 1 << eth(0x8864, cat(cat(pppoe, Pkt{0, 0x21}), ip))
                           << "eth/pppoe/ppp/ipv4/udp";
    QTest::newRow("mpls") << 1 << eth(0x8847, cat(Pkt{0, 0x01, 0x00, 64, 0, 0x02, 0x01, 64}, ip))
                          << "eth/mpls/ipv4/udp";
    QTest::newRow("gre ip") << 1 << eth(0x0800, ipv4(kB4, kA4, 47, gre(0x0800, ip, true, true)))
                            << "eth/ipv4/gre/ipv4/udp";
    QTest::newRow("gre ppp") << 1
                             << eth(0x0800, ipv4(kB4, kA4, 47,
                                                 gre(0x880B, cat(Pkt{0xFF, 0x03, 0, 0x21}, ip))))
                             << "eth/ipv4/gre/ppp/ipv4/udp";
    QTest::newRow("gre teb") << 1 << eth(0x0800, ipv4(kB4, kA4, 47, gre(0x6558, eth(0x0800, ip))))
                             << "eth/ipv4/gre/eth/ipv4/udp";
    QTest::newRow("erspan ii") << 1
                               << eth(0x0800, ipv4(kB4, kA4, 47,
                                                   gre(0x88BE, cat(Pkt(8, 0), eth(0x0800, ip)),
                                                       false, true)))
                               << "eth/ipv4/gre/erspan/eth/ipv4/udp";
    QTest::newRow("erspan iii") << 1
                                << eth(0x0800, ipv4(kB4, kA4, 47,
                                                    gre(0x22EB, cat(Pkt(12, 0), eth(0x0800, ip)),
                                                        false, true)))
                                << "eth/ipv4/gre/erspan/eth/ipv4/udp";
    QTest::newRow("vxlan")
        << 1
        << eth(0x0800, ipv4(kB4, kA4, 17,
                            udp(40000, 4789, cat(Pkt{8, 0, 0, 0, 0, 0, 42, 0}, eth(0x0800, ip)))))
        << "eth/ipv4/udp/vxlan:42/eth/ipv4/udp";
    QTest::newRow("gtp-u")
        << 1
        << eth(0x0800,
               ipv4(kB4, kA4, 17,
                    udp(2152, 2152,
                        cat(Pkt{0x30, 0xFF, 0, static_cast<std::uint8_t>(ip.size()), 0, 0, 0, 1},
                            ip))))
        << "eth/ipv4/udp/gtp/ipv4/udp";
    QTest::newRow("ip-in-ip") << 1 << eth(0x0800, ipv4(kB4, kA4, 4, ip)) << "eth/ipv4/ipv4/udp";
    QTest::newRow("ipv4 in ipv6") << 1 << eth(0x86DD, ipv6(kA6, kB6, 4, ip)) << "eth/ipv6/ipv4/udp";
}

void TestPacketDecoder::encapsulations() {
    QFETCH(int, linkType);
    QFETCH(Pkt, frame);
    QFETCH(QString, path);
    const auto got = decodeAll(linkType, {frame});
    QCOMPARE(got.size(), std::size_t(1));
    QCOMPARE(got[0].proto, L4::Udp);
    QCOMPARE(got[0].src, std::string("192.0.2.1"));
    QCOMPARE(got[0].dst, std::string("198.51.100.2"));
    QCOMPARE(got[0].sport, 5060);
    QCOMPARE(got[0].dport, 5070);
    QCOMPARE(got[0].payload, kSip);
    QCOMPARE(QString::fromStdString(got[0].path), path);
}

void TestPacketDecoder::ipv6ExtensionHeaders() {
    Pkt hopByHop{60, 0, 1, 4, 0, 0, 0, 0};  // next: destination options
    Pkt destOpts{17, 0, 1, 4, 0, 0, 0, 0};  // next: UDP
    const Pkt frame = eth(
        0x86DD, ipv6(kA6, kB6, 0, cat(cat(hopByHop, destOpts), udp(5060, 5060, bytesOf(kSip)))));
    const auto got = decodeAll(1, {frame});
    QCOMPARE(got.size(), std::size_t(1));
    QCOMPARE(got[0].src, std::string("2001:db8::1"));
    QCOMPARE(got[0].payload, kSip);
}

void TestPacketDecoder::fragmentsInAnyOrder() {
    const Pkt dgram = udp(5060, 5060, bytesOf(kSip + std::string(3000, 'x')));
    std::vector<Pkt> v4, v6;
    for (std::size_t off = 0; off < dgram.size(); off += 1480) {
        const std::size_t n = std::min<std::size_t>(1480, dgram.size() - off);
        const Pkt part(dgram.begin() + static_cast<long>(off),
                       dgram.begin() + static_cast<long>(off + n));
        const bool more = off + n < dgram.size();
        v4.push_back(
            eth(0x0800, ipv4(kA4, kB4, 17, part, 77, static_cast<std::uint16_t>(off), more)));
        v6.push_back(eth(
            0x86DD,
            ipv6(kA6, kB6, 44,
                 cat(ipv6FragmentHeader(17, static_cast<std::uint16_t>(off), more, 99), part))));
    }
    QCOMPARE(v4.size(), std::size_t(3));
    std::vector<int> order{0, 1, 2};
    do {
        for (const auto* set : {&v4, &v6}) {
            std::vector<Pkt> frames;
            for (int i : order) frames.push_back((*set)[static_cast<std::size_t>(i)]);
            const auto got = decodeAll(1, frames);
            QCOMPARE(got.size(), std::size_t(1));
            QCOMPARE(got[0].payload.size(), dgram.size() - 8);
            QCOMPARE(got[0].payload.substr(0, kSip.size()), kSip);
            QCOMPARE(got[0].fragFrames.size(), std::size_t(3));
        }
    } while (std::next_permutation(order.begin(), order.end()));
}

void TestPacketDecoder::tcpAndSctp() {
    const auto t =
        decodeAll(1, {eth(0x0800, ipv4(kA4, kB4, 6, tcp(40000, 5060, 1000, 0x18, bytesOf(kSip))))});
    QCOMPARE(t.size(), std::size_t(1));
    QCOMPARE(t[0].proto, L4::Tcp);
    QCOMPARE(t[0].payload, kSip);
    Pkt sctp;
    put16(sctp, 5060);
    put16(sctp, 5060);
    put32(sctp, 1);
    put32(sctp, 0);
    Pkt chunk{0, 0x03};
    put16(chunk, static_cast<std::uint16_t>(16 + kSip.size()));
    put32(chunk, 1);
    put32(chunk, 0);
    put32(chunk, 0);
    chunk = cat(chunk, bytesOf(kSip));
    while (chunk.size() % 4) chunk.push_back(0);
    const auto s = decodeAll(1, {eth(0x0800, ipv4(kA4, kB4, 132, cat(sctp, chunk)))});
    QCOMPARE(s.size(), std::size_t(1));
    QCOMPARE(s[0].proto, L4::Sctp);
    QCOMPARE(s[0].payload, kSip);
}

void TestPacketDecoder::truncatedAndGarbageNeverCrash() {
    const Pkt full =
        eth(0x8100, vlanTag(0, 5, 0x0800, ipv4(kB4, kA4, 47, gre(0x0800, udp4(), true))));
    for (std::size_t n = 0; n < full.size(); ++n) {
        const Pkt cut(full.begin(), full.begin() + static_cast<long>(n));
        for (int lt : {0, 1, 9, 101, 108, 113, 276}) (void)decodeAll(lt, {cut});
    }
    QVERIFY(decodeAll(1, {full}).size() == 1);
    // Tunnels inside tunnels are bounded: a crafted IP-in-IP chain stops without recursion.
    Pkt nested = udp4();
    for (int i = 0; i < 50; ++i) nested = ipv4(kA4, kB4, 4, nested);
    QVERIFY(decodeAll(101, {nested}).empty());
}

void TestPacketDecoder::hepV3AndCompressed() {
    auto chunk = [](std::uint16_t type, const Pkt& v) {
        Pkt c;
        put16(c, 0);
        put16(c, type);
        put16(c, static_cast<std::uint16_t>(6 + v.size()));
        return cat(c, v);
    };
    Pkt body;
    body = cat(body, chunk(1, {2}));
    body = cat(body, chunk(2, {17}));
    body = cat(body, chunk(3, {10, 0, 0, 1}));
    body = cat(body, chunk(4, {10, 0, 0, 2}));
    body = cat(body, chunk(7, {0x13, 0xC4}));
    body = cat(body, chunk(8, {0x13, 0xCE}));
    body = cat(body, chunk(9, {0x65, 0x00, 0x00, 0x00}));
    body = cat(body, chunk(10, {0, 0, 0, 5}));
    body = cat(body, chunk(11, {1}));
    Pkt plain = cat(body, chunk(15, bytesOf(kSip)));
    auto wrap = [](const Pkt& b) {
        Pkt h = bytesOf("HEP3");
        put16(h, static_cast<std::uint16_t>(6 + b.size()));
        return cat(h, b);
    };
    auto h = decodeHep(wrap(plain));
    QVERIFY(h.has_value());
    QCOMPARE(h->payload, kSip);
    QCOMPARE(h->src.ip.toString(), std::string("10.0.0.1"));
    QCOMPARE(h->dst.port, 5070);
    QCOMPARE(h->tsNs.value_or(0), std::int64_t{0x65000000} * 1000000000 + 5000);
    uLongf n = compressBound(kSip.size());
    Pkt z(n);
    QCOMPARE(compress(z.data(), &n, reinterpret_cast<const Bytef*>(kSip.data()), kSip.size()),
             Z_OK);
    z.resize(n);
    auto hz = decodeHep(wrap(cat(body, chunk(16, z))));
    QVERIFY(hz.has_value());
    QCOMPARE(hz->payload, kSip);
    Pkt cut = wrap(plain);
    cut.resize(cut.size() - 3);
    QVERIFY(!decodeHep(cut).has_value());
}

void TestPacketDecoder::hepV2() {
    Pkt h{2, 16, 2, 17};
    put16(h, 5060);
    put16(h, 5080);
    h = cat(h, Pkt{192, 0, 2, 9, 192, 0, 2, 10});
    h = cat(h, Pkt{0x10, 0, 0, 0, 0x20, 0, 0, 0, 7, 0, 0, 0});
    const auto d = decodeHep(cat(h, bytesOf(kSip)));
    QVERIFY(d.has_value());
    QCOMPARE(d->src.ip.toString(), std::string("192.0.2.9"));
    QCOMPARE(d->dst.port, 5080);
    QCOMPARE(d->payload, kSip);
    QCOMPARE(d->tsNs.value_or(0), std::int64_t{16} * 1000000000 + 32 * 1000);
}

QTEST_APPLESS_MAIN(TestPacketDecoder)
#include "tst_packet_decoder.moc"
