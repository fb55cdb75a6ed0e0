// The bundled example capture re-encapsulated every way a user meets (VLAN, QinQ, SLL2, GRE,
// VXLAN, ERSPAN, MPLS, raw IP, IP fragments in scrambled order, hostile TCP segmentation) must
// yield exactly the messages of the plain original.

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <functional>
#include <map>

#include "packet_builder.hpp"
#include "pipeline/capture_pipeline.hpp"

using namespace sipscope::analyzer;
using namespace sipscope::test;

namespace {

struct Seen {
    std::string bytes, src, dst;
    Transport transport;
    bool operator==(const Seen&) const = default;
};

std::vector<Seen> extract(const std::string& path) {
    std::vector<Seen> out;
    std::string err;
    auto src = openCaptureFile(path, err);
    if (!src) qFatal("%s", err.c_str());
    CapturePipeline p({}, [&](ObservedMessage&& m) {
        out.push_back({std::string(*m.bytes),
                       m.src.ip.toString() + ":" + std::to_string(m.src.port),
                       m.dst.ip.toString() + ":" + std::to_string(m.dst.port), m.transport});
    });
    RawPacket pkt;
    while (src->next(pkt)) p.process(pkt);
    p.finish();
    return out;
}

// The IP packets of an Ethernet capture (the example by default).
std::vector<TimedPkt> ipPackets(const std::string& file = std::string(SIPSCOPE_SOURCE_DIR) +
                                                          "/resources/examples/basic-calls.pcap") {
    std::vector<TimedPkt> out;
    std::string err;
    auto src = openCaptureFile(file, err);
    if (!src) qFatal("%s", err.c_str());
    RawPacket p;
    while (src->next(p)) out.push_back({p.tsNs, Pkt(p.data.begin() + 14, p.data.end())});
    return out;
}

std::uint16_t be16id(const Pkt& ip) {
    return static_cast<std::uint16_t>((ip[4] << 8) | ip[5]);
}

std::uint16_t etherTypeOf(const Pkt& ip) {
    return (ip[0] >> 4) == 6 ? 0x86DD : 0x0800;
}

// IPv4 UDP datagrams split into 3 fragments, sent last fragment first.
std::vector<Pkt> fragment(const Pkt& ip) {
    if ((ip[0] >> 4) != 4 || ip[9] != 17) return {ip};
    const std::size_t ihl = std::size_t(ip[0] & 0x0F) * 4;
    const Pkt payload(ip.begin() + static_cast<long>(ihl), ip.end());
    const std::size_t step = std::max<std::size_t>(8, (payload.size() / 3 + 7) & ~std::size_t{7});
    const V4 s{ip[12], ip[13], ip[14], ip[15]}, d{ip[16], ip[17], ip[18], ip[19]};
    std::vector<Pkt> frags;
    for (std::size_t off = 0; off < payload.size(); off += step) {
        const std::size_t n = std::min(step, payload.size() - off);
        const Pkt part(payload.begin() + static_cast<long>(off),
                       payload.begin() + static_cast<long>(off + n));
        frags.push_back(ipv4(s, d, 17, part, be16id(ip), static_cast<std::uint16_t>(off),
                             off + n < payload.size()));
    }
    std::reverse(frags.begin(), frags.end());
    return frags;
}

}  // namespace

class TestCaptureVariants : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void variants_data();
    void variants();
    void hostileTcp();
    void coalescedTcpBurst();

  private:
    QTemporaryDir m_dir;
    std::vector<Seen> m_plain;
};

void TestCaptureVariants::initTestCase() {
    m_plain = extract(std::string(SIPSCOPE_SOURCE_DIR) + "/resources/examples/basic-calls.pcap");
    QCOMPARE(m_plain.size(), std::size_t(61));
}

using Wrap = std::function<std::vector<Pkt>(const Pkt&)>;
Q_DECLARE_METATYPE(Wrap)

void TestCaptureVariants::variants_data() {
    QTest::addColumn<int>("linkType");
    QTest::addColumn<Wrap>("wrap");
    auto one = [](auto f) { return Wrap([f](const Pkt& ip) { return std::vector<Pkt>{f(ip)}; }); };
    QTest::newRow("raw ip") << 101 << one([](const Pkt& ip) { return ip; });
    QTest::newRow("vlan") << 1 << one([](const Pkt& ip) {
        return eth(0x8100, vlanTag(0, 42, etherTypeOf(ip), ip));
    });
    QTest::newRow("qinq") << 1 << one([](const Pkt& ip) {
        return eth(0x88A8, vlanTag(0, 300, 0x8100, vlanTag(0, 42, etherTypeOf(ip), ip)));
    });
    QTest::newRow("sll2") << 276 << one([](const Pkt& ip) {
        Pkt h;
        put16(h, etherTypeOf(ip));
        h.resize(20, 0);
        return cat(h, ip);
    });
    QTest::newRow("gre") << 1 << one([](const Pkt& ip) {
        return eth(0x0800, ipv4(kA4, kB4, 47, gre(etherTypeOf(ip), ip, true)));
    });
    QTest::newRow("erspan ii") << 1 << one([](const Pkt& ip) {
        return eth(
            0x0800,
            ipv4(kA4, kB4, 47, gre(0x88BE, cat(Pkt(8, 0), eth(etherTypeOf(ip), ip)), false, true)));
    });
    QTest::newRow("vxlan") << 1 << one([](const Pkt& ip) {
        return eth(
            0x0800,
            ipv4(kA4, kB4, 17,
                 udp(50000, 4789, cat(Pkt{8, 0, 0, 0, 0, 0x10, 0, 0}, eth(etherTypeOf(ip), ip)))));
    });
    QTest::newRow("mpls") << 1 << one([](const Pkt& ip) {
        return eth(0x8847, cat(Pkt{0, 0x10, 0x01, 64}, ip));
    });
    QTest::newRow("fragments") << 1 << Wrap([](const Pkt& ip) {
        std::vector<Pkt> out;
        for (auto& f : fragment(ip)) out.push_back(eth(0x0800, f));
        return out;
    });
}

void TestCaptureVariants::variants() {
    QFETCH(int, linkType);
    QFETCH(Wrap, wrap);
    std::vector<TimedPkt> frames;
    for (const auto& p : ipPackets())
        for (auto& w : wrap(p.data)) frames.push_back({p.tsNs, std::move(w)});
    const std::string path = m_dir.filePath(QTest::currentDataTag()).toStdString() + ".pcap";
    QVERIFY(writePcap(path, linkType, frames));
    const auto got = extract(path);
    QCOMPARE(got.size(), m_plain.size());
    QVERIFY(got == m_plain);
}

void TestCaptureVariants::hostileTcp() {
    // Every TCP segment with data is cut into three pieces, sent last first, and the first
    // piece is sent again overlapping the second (same bytes) - retransmission and overlap.
    std::vector<TimedPkt> frames;
    for (const auto& p : ipPackets()) {
        const Pkt& ip = p.data;
        const std::size_t ihl = std::size_t(ip[0] & 0x0F) * 4;
        const bool v4tcp = (ip[0] >> 4) == 4 && ip[9] == 6;
        const std::size_t thl = v4tcp ? std::size_t(ip[ihl + 12] >> 4) * 4 : 0;
        if (!v4tcp || ip.size() <= ihl + thl + 3) {
            frames.push_back({p.tsNs, eth(0x0800, ip)});
            continue;
        }
        const Pkt hdr(ip.begin() + static_cast<long>(ihl),
                      ip.begin() + static_cast<long>(ihl + thl));
        const Pkt data(ip.begin() + static_cast<long>(ihl + thl), ip.end());
        const std::uint32_t seq = (std::uint32_t{hdr[4]} << 24) | (std::uint32_t{hdr[5]} << 16) |
                                  (std::uint32_t{hdr[6]} << 8) | hdr[7];
        const V4 s{ip[12], ip[13], ip[14], ip[15]}, d{ip[16], ip[17], ip[18], ip[19]};
        auto piece = [&](std::size_t from, std::size_t to) {
            Pkt h = hdr;
            const std::uint32_t sq = seq + static_cast<std::uint32_t>(from);
            h[4] = static_cast<std::uint8_t>(sq >> 24);
            h[5] = static_cast<std::uint8_t>(sq >> 16);
            h[6] = static_cast<std::uint8_t>(sq >> 8);
            h[7] = static_cast<std::uint8_t>(sq);
            h[13] &= static_cast<std::uint8_t>(~0x01);  // FIN only on the last piece
            if (to == data.size()) h[13] = hdr[13];
            return eth(0x0800, ipv4(s, d, 6,
                                    cat(h, Pkt(data.begin() + static_cast<long>(from),
                                               data.begin() + static_cast<long>(to)))));
        };
        const std::size_t a = data.size() / 3, b = 2 * data.size() / 3;
        frames.push_back({p.tsNs, piece(b, data.size())});
        frames.push_back({p.tsNs, piece(a, b)});
        frames.push_back({p.tsNs, piece(0, a)});
        frames.push_back({p.tsNs, piece(0, (a + b) / 2)});
    }
    const std::string path = m_dir.filePath("hostile-tcp.pcap").toStdString();
    QVERIFY(writePcap(path, 1, frames));
    QVERIFY(extract(path) == m_plain);
}

// tests/data/capture/sipp-tcp-burst.pcap (generate-tcp-burst.sh): 200 SIPp calls on one TCP
// connection, one message per segment. Re-cut each direction's byte stream into segments of
// 1..4000 bytes (seeded), so segments hold several messages and messages span segments.
void TestCaptureVariants::coalescedTcpBurst() {
    const std::string file =
        std::string(SIPSCOPE_SOURCE_DIR) + "/tests/data/capture/sipp-tcp-burst.pcap";
    const auto plain = extract(file);
    QCOMPARE(plain.size(), std::size_t(1400));
    struct Dir {
        V4 src, dst;
        Pkt hdr;
        std::uint32_t seq = 0;
        std::string data;
        std::int64_t ts = 0;
    };
    std::map<std::pair<std::uint16_t, std::uint16_t>, Dir> dirs;
    std::vector<TimedPkt> frames;
    for (const auto& p : ipPackets(file)) {
        const Pkt& ip = p.data;
        const std::size_t ihl = std::size_t(ip[0] & 0x0F) * 4,
                          thl = std::size_t(ip[ihl + 12] >> 4) * 4;
        if (ip.size() == ihl + thl) {  // handshake, pure ACKs, FIN: kept as they are
            frames.push_back({p.tsNs, eth(0x0800, ip)});
            continue;
        }
        const std::uint16_t sp = static_cast<std::uint16_t>((ip[ihl] << 8) | ip[ihl + 1]);
        const std::uint16_t dp = static_cast<std::uint16_t>((ip[ihl + 2] << 8) | ip[ihl + 3]);
        Dir& d = dirs[{sp, dp}];
        if (d.hdr.empty()) {
            d.src = {ip[12], ip[13], ip[14], ip[15]};
            d.dst = {ip[16], ip[17], ip[18], ip[19]};
            d.hdr =
                Pkt(ip.begin() + static_cast<long>(ihl), ip.begin() + static_cast<long>(ihl + thl));
            d.seq = (std::uint32_t{d.hdr[4]} << 24) | (std::uint32_t{d.hdr[5]} << 16) |
                    (std::uint32_t{d.hdr[6]} << 8) | d.hdr[7];
        }
        d.data.append(ip.begin() + static_cast<long>(ihl + thl), ip.end());
        d.ts = p.tsNs;
    }
    std::uint32_t rng = 12345;
    for (auto& [ports, d] : dirs) {
        for (std::size_t off = 0; off < d.data.size();) {
            rng = rng * 1103515245u + 12345u;
            const std::size_t n = std::min<std::size_t>(1 + (rng >> 8) % 4000, d.data.size() - off);
            Pkt h = d.hdr;
            const std::uint32_t sq = d.seq + static_cast<std::uint32_t>(off);
            for (int i = 0; i < 4; ++i) h[4 + i] = static_cast<std::uint8_t>(sq >> (24 - 8 * i));
            h[13] = 0x18;
            frames.push_back(
                {d.ts, eth(0x0800, ipv4(d.src, d.dst, 6, cat(h, bytesOf(d.data.substr(off, n)))))});
            off += n;
        }
    }
    const std::string path = m_dir.filePath("burst.pcap").toStdString();
    QVERIFY(writePcap(path, 1, frames));
    auto got = extract(path);
    QCOMPARE(got.size(), plain.size());
    // Directions were re-cut one after the other, so compare per direction in order.
    auto byDir = [](const std::vector<Seen>& v) {
        std::map<std::string, std::vector<std::string>> m;
        for (const auto& s : v) m[s.src + ">" + s.dst].push_back(s.bytes);
        return m;
    };
    QVERIFY(byDir(got) == byDir(plain));
}

QTEST_APPLESS_MAIN(TestCaptureVariants)
#include "tst_capture_variants.moc"
