// RTP/RTCP/telephone-event decoders (RFC 3550, RFC 3611, RFC 4733) including malformed input,
// per-stream statistics on synthesised streams whose loss, reordering, duplication, jitter and
// sequence wrap are known, and the G.107 E-model on a hand-computed case.

#include <QtTest>

#include <cmath>
#include <set>

#include "media/emodel.hpp"
#include "media/rtp.hpp"
#include "media/rtp_stream.hpp"
#include "packet_builder.hpp"

using namespace sipscope::analyzer;
using namespace sipscope::test;
using sipscope::stack::ErrorCode;

namespace {

Pkt rtpPacket(std::uint8_t pt, std::uint16_t seq, std::uint32_t ts, std::uint32_t ssrc,
              std::size_t payload = 160, bool marker = false) {
    Pkt p{0x80, static_cast<std::uint8_t>((marker ? 0x80 : 0) | pt)};
    put16(p, seq);
    put32(p, ts);
    put32(p, ssrc);
    p.insert(p.end(), payload, 0xD5);
    return p;
}

Pkt telephoneEvent(std::uint16_t seq, std::uint32_t ts, std::uint8_t event, bool end,
                   std::uint16_t duration) {
    Pkt p = rtpPacket(101, seq, ts, 0x1234, 0);
    p.push_back(event);
    p.push_back(static_cast<std::uint8_t>((end ? 0x80 : 0) | 10));
    put16(p, duration);
    return p;
}

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kT0 = 1'795'643'700'000'000'000;  // a Unix time in ns

// Feeds packet i (sequence start + i, timestamp 160·i) arriving at kT0 + arrival(i).
struct Feed {
    RtpStream stream{RtpStreamKey{}};
    void packet(std::uint16_t seq, std::uint32_t ts, std::int64_t atNs, std::uint8_t pt = 0) {
        const Pkt p = rtpPacket(pt, seq, ts, 0x1234);
        auto h = decodeRtp(p);
        QVERIFY(h.ok());
        stream.add(*h, atNs, p.size(), 8000, pt == 101);
    }
};

}  // namespace

class TestMedia : public QObject {
    Q_OBJECT

  private slots:
    void rtpHeaderFields() {
        Pkt p{0xB2, 0x80 | 8};  // V=2 P=1 X=1 CC=2, M=1 PT=8
        put16(p, 0xFFFE);
        put32(p, 0x01020304);
        put32(p, 0xCAFEBABE);
        put32(p, 0x11111111);
        put32(p, 0x22222222);
        put16(p, 0xBEDE);  // RFC 8285 one-byte header extension profile
        put16(p, 1);
        put32(p, 0x10AA0000);
        p.insert(p.end(), {1, 2, 3, 4, 5, 0, 0, 3});  // 5 payload bytes, 3 padding bytes
        auto h = decodeRtp(p);
        QVERIFY(h.ok());
        QCOMPARE(h->version, 2);
        QVERIFY(h->padding && h->extension && h->marker);
        QCOMPARE(h->csrcCount, 2);
        QCOMPARE(h->payloadType, 8);
        QCOMPARE(h->seq, 0xFFFE);
        QCOMPARE(h->timestamp, 0x01020304u);
        QCOMPARE(h->ssrc, 0xCAFEBABEu);
        QCOMPARE(h->csrc[0], 0x11111111u);
        QCOMPARE(h->csrc[1], 0x22222222u);
        QCOMPARE(h->extensionProfile, 0xBEDE);
        QCOMPARE(h->extensionWords, 1);
        QCOMPARE(h->headerSize, std::size_t{28});
        QCOMPARE(h->paddingBytes, 3);
        QCOMPARE(h->payload.size(), std::size_t{5});
        QCOMPARE(h->payload[0], 1);
    }

    void rtpMalformed_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");
        QTest::addColumn<int>("offset");
        auto bytes = [](const Pkt& p) {
            return QByteArray(reinterpret_cast<const char*>(p.data()), int(p.size()));
        };
        const Pkt ok = rtpPacket(0, 1, 160, 7, 4);
        QTest::newRow("empty") << QByteArray() << int(ErrorCode::Empty) << 0;
        QTest::newRow("short fixed header")
            << bytes(Pkt(ok.begin(), ok.begin() + 11)) << int(ErrorCode::Incomplete) << 0;
        Pkt v1 = ok;
        v1[0] = 0x40;
        QTest::newRow("version 1") << bytes(v1) << int(ErrorCode::BadVersion) << 0;
        Pkt csrc = ok;
        csrc[0] = 0x83;  // three CSRCs need 12 bytes, 4 present
        QTest::newRow("csrc list cut") << bytes(csrc) << int(ErrorCode::Incomplete) << 12;
        Pkt ext = rtpPacket(0, 1, 160, 7, 0);
        ext[0] = 0x90;
        put16(ext, 0xBEDE);
        put16(ext, 5);  // 20 bytes announced, none present
        QTest::newRow("extension too long") << bytes(ext) << int(ErrorCode::Incomplete) << 14;
        Pkt ext2 = rtpPacket(0, 1, 160, 7, 2);
        ext2[0] = 0x90;  // extension bit, only 2 bytes where 4 are needed
        QTest::newRow("extension header cut") << bytes(ext2) << int(ErrorCode::Incomplete) << 12;
        Pkt pad0 = ok;
        pad0[0] = 0xA0;
        pad0.back() = 0;
        QTest::newRow("padding count 0") << bytes(pad0) << int(ErrorCode::BadBody) << 15;
        Pkt padBig = ok;
        padBig[0] = 0xA0;
        padBig.back() = 9;
        QTest::newRow("padding beyond payload") << bytes(padBig) << int(ErrorCode::BadBody) << 15;
    }

    void rtpMalformed() {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        QFETCH(int, offset);
        // A heap copy of exactly the bytes, so that ASan sees any read past them.
        std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
        auto h = decodeRtp(ByteSpan(copy.data(), copy.size()));
        QVERIFY(!h.ok());
        QCOMPARE(int(h.error().code), code);
        QCOMPARE(int(h.error().offset), offset);
        QVERIFY(!h.error().message.empty());
    }

    void everyTruncationIsSafe() {
        Pkt p{0x93, 0};  // CC=3, X=1
        for (int i = 0; i < 5; ++i) put16(p, static_cast<std::uint16_t>(i));
        for (int i = 0; i < 3; ++i) put32(p, 0x1000u + i);
        put16(p, 0x1000);
        put16(p, 2);
        put32(p, 1);
        put32(p, 2);
        p.insert(p.end(), 20, 0x55);
        for (std::size_t n = 0; n <= p.size(); ++n) {
            std::vector<std::uint8_t> copy(p.begin(), p.begin() + static_cast<long>(n));
            auto h = decodeRtp(ByteSpan(copy.data(), copy.size()));
            QCOMPARE(h.ok(), n >= 36);  // 12 + 3 CSRCs + 4 + 8 extension bytes
            if (!h.ok()) QVERIFY(h.error().offset <= n);
            (void)looksLikeRtp(ByteSpan(copy.data(), copy.size()));
            (void)decodeRtcp(ByteSpan(copy.data(), copy.size()));
        }
    }

    void rtcpCompound() {
        Pkt sr{0x81, 200};  // SR, RC=1, length 12 words
        put16(sr, 12);
        put32(sr, 0xAAAA0001);
        put32(sr, 0xE1234567);  // NTP
        put32(sr, 0x89ABCDEF);
        put32(sr, 48000);                             // RTP ts
        put32(sr, 300);                               // packets
        put32(sr, 48000);                             // octets
        put32(sr, 0xBBBB0002);                        // report block about this SSRC
        sr.insert(sr.end(), {64, 0xFF, 0xFF, 0xFE});  // 25 % lost, cumulative -2
        put32(sr, 0x0001FFFF);                        // cycles 1, highest 65535
        put32(sr, 80);                                // jitter 80 units
        put32(sr, 0x45670000);
        put32(sr, 65536);
        Pkt sdes{0x81, 202};
        put16(sdes, 3);
        put32(sdes, 0xAAAA0001);
        sdes.insert(sdes.end(), {1, 2, 'a', 'b', 0, 0, 0, 0});
        Pkt bye{0x82, 203};
        put16(bye, 2);
        put32(bye, 0xAAAA0001);
        put32(bye, 0xAAAA0003);
        Pkt xr{0x80, 207};
        put16(xr, 5);
        put32(xr, 0xAAAA0001);
        xr.insert(xr.end(), {4, 0, 0, 2});  // RRT block, 2 words
        put32(xr, 1);
        put32(xr, 2);
        xr.insert(xr.end(), {7, 0, 0, 0});  // empty block header
        const Pkt all = cat(cat(cat(sr, sdes), bye), xr);
        QVERIFY(looksLikeRtcp(all));
        QVERIFY(!looksLikeRtp(all));
        auto c = decodeRtcp(all);
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().message.c_str());
        QCOMPARE(c->packets.size(), std::size_t{4});
        const RtcpPacket& s = c->packets[0];
        QCOMPARE(s.packetType, 200);
        QCOMPARE(s.ssrc, 0xAAAA0001u);
        QVERIFY(s.sender.has_value());
        QCOMPARE(s.sender->packetCount, 300u);
        QCOMPARE(s.sender->ntpTimestamp, 0xE123456789ABCDEFull);
        QCOMPARE(s.reports.size(), std::size_t{1});
        QCOMPARE(s.reports[0].ssrc, 0xBBBB0002u);
        QCOMPARE(s.reports[0].fractionLost, 64);
        QCOMPARE(s.reports[0].cumulativeLost, -2);
        QCOMPARE(s.reports[0].highestSeq, 0x0001FFFFu);
        QCOMPARE(s.reports[0].jitter, 80u);
        QCOMPARE(c->packets[1].packetType, 202);
        QCOMPARE(c->packets[2].byeSsrcs, (std::vector<std::uint32_t>{0xAAAA0001, 0xAAAA0003}));
        QCOMPARE(c->packets[3].xrBlocks.size(), std::size_t{2});
        QCOMPARE(c->packets[3].xrBlocks[0].blockType, 4);
        QCOMPARE(c->packets[3].xrBlocks[0].lengthWords, 2);
        QCOMPARE(c->packets[3].offset, sr.size() + sdes.size() + bye.size());
    }

    void rtcpMalformed() {
        Pkt rr{0x82, 201};  // RC=2 but one block
        put16(rr, 7);
        put32(rr, 1);
        for (int i = 0; i < 6; ++i) put32(rr, 0);
        auto c = decodeRtcp(rr);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::Incomplete);
        QCOMPARE(c.error().offset, std::size_t{32});
        Pkt longer{0x80, 201};
        put16(longer, 9);  // 40 bytes announced
        put32(longer, 1);
        c = decodeRtcp(longer);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().offset, std::size_t{2});
        Pkt second = cat(Pkt{0x80, 201, 0, 1, 0, 0, 0, 1}, Pkt{0x40, 201, 0, 1, 0, 0, 0, 1});
        c = decodeRtcp(second);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::BadVersion);
        QCOMPARE(c.error().offset, std::size_t{8});
        Pkt xr{0x80, 207, 0, 2, 0, 0, 0, 1, 4, 0, 0, 9};  // block of 9 words in a 1-word rest
        c = decodeRtcp(xr);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::BadBody);
        QCOMPARE(c.error().offset, std::size_t{10});
        QVERIFY(!decodeRtcp({}).ok());
    }

    void telephoneEventPayload() {
        const Pkt p = telephoneEvent(1, 800, 11, true, 1280);
        auto h = decodeRtp(p);
        QVERIFY(h.ok());
        auto e = decodeTelephoneEvent(h->payload);
        QVERIFY(e.ok());
        QCOMPARE(e->event, 11);
        QVERIFY(e->end);
        QCOMPARE(e->volume, 10);
        QCOMPARE(e->duration, 1280);
        QCOMPARE(dtmfSymbol(11), '#');
        QCOMPARE(dtmfSymbol(10), '*');
        QCOMPARE(dtmfSymbol(15), 'D');
        QCOMPARE(dtmfSymbol(99), '?');
        const std::uint8_t shortPayload[3] = {1, 2, 3};
        QVERIFY(!decodeTelephoneEvent(ByteSpan(shortPayload, 3)).ok());
    }

    void rtpHeuristic() {
        QVERIFY(looksLikeRtp(rtpPacket(0, 1, 2, 3)));
        QVERIFY(looksLikeRtp(rtpPacket(101, 1, 2, 3, 4)));
        QVERIFY(!looksLikeRtp(rtpPacket(72, 1, 2, 3)));  // RTCP SR with the marker bit
        QVERIFY(!looksLikeRtp(rtpPacket(76, 1, 2, 3)));
        QVERIFY(!looksLikeRtp(rtpPacket(0, 1, 2, 3, 0)));  // nothing after the header
        Pkt stun{0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
        stun.insert(stun.end(), 12, 0);
        QVERIFY(!looksLikeRtp(stun));
        QVERIFY(!looksLikeRtcp(stun));
        QVERIFY(isRtcpPacketTypeOctet(200) && !isRtcpPacketTypeOctet(0x80 | 0));
    }

    // 1,000 packets of 20 ms, 10 never sent: 10 lost, 1 %.
    void streamKnownLoss() {
        Feed f;
        const std::set<int> drop{5, 6, 7, 100, 333, 500, 501, 777, 900, 998};
        for (int i = 0; i < 1000; ++i)
            if (!drop.count(i)) f.packet(std::uint16_t(1000 + i), 160u * i, kT0 + i * 20 * kMs);
        f.stream.finish();
        QCOMPARE(f.stream.expected(), 1000u);
        QCOMPARE(f.stream.received(), 990u);
        QCOMPARE(f.stream.lost(), 10u);
        QCOMPARE(f.stream.lossPct(), 1.0);
        QCOMPARE(f.stream.duplicates(), 0u);
        QCOMPARE(f.stream.outOfOrder(), 0u);
        QCOMPARE(f.stream.sequenceErrors(), 7u);  // gaps: 5-7, 100, 333, 500-501, 777, 900, 998
        QCOMPARE(f.stream.maxDeltaMs(), 80.0);    // 4 → 8 skips three packets
        QCOMPARE(f.stream.jitterMs(), 0.0);
        QCOMPARE(f.stream.durationS(), 19.98);
        // 20 seconds of 50 packets; the losses fall in the seconds they belong to.
        const auto& series = f.stream.series();
        QCOMPARE(series.size(), std::size_t{20});
        QCOMPARE(series[0].expected, 50u);
        QCOMPARE(series[0].lost, 3u);
        QCOMPARE(series[2].lost, 1u);  // 100
        std::uint32_t lost = 0, expected = 0;
        for (const auto& s : series) lost += s.lost, expected += s.expected;
        QCOMPARE(lost, 10u);
        QCOMPARE(expected, 1000u);
    }

    // Three adjacent pairs swapped: nothing lost, three late packets, and each swap is a jump
    // plus a late packet.
    void streamReordered() {
        Feed f;
        std::vector<int> order;
        for (int i = 0; i < 200; ++i) order.push_back(i);
        for (int at : {10, 50, 150}) std::swap(order[at], order[at + 1]);
        for (std::size_t k = 0; k < order.size(); ++k) {
            const int i = order[k];
            f.packet(std::uint16_t(i), 160u * i, kT0 + std::int64_t(k) * 20 * kMs);
        }
        QCOMPARE(f.stream.lost(), 0u);
        QCOMPARE(f.stream.outOfOrder(), 3u);
        QCOMPARE(f.stream.sequenceErrors(), 6u);
        QCOMPARE(f.stream.duplicates(), 0u);
        QCOMPARE(f.stream.expected(), 200u);
    }

    // Five packets sent twice (one of them 50 packets later): duplicates, no loss.
    void streamDuplicated() {
        Feed f;
        std::int64_t at = kT0;
        for (int i = 0; i < 300; ++i) {
            f.packet(std::uint16_t(i), 160u * i, at += 20 * kMs);
            if (i == 10 || i == 20 || i == 30 || i == 40) f.packet(std::uint16_t(i), 160u * i, at);
            if (i == 100) f.packet(50, 160u * 50, at);
        }
        QCOMPARE(f.stream.packets(), 305u);
        QCOMPARE(f.stream.received(), 300u);
        QCOMPARE(f.stream.duplicates(), 5u);
        QCOMPARE(f.stream.lost(), 0u);
        QCOMPARE(f.stream.expected(), 300u);
    }

    // RFC 3550 §A.1: the extended sequence number carries over 65535 → 0.
    void streamSequenceWrap() {
        Feed f;
        for (int i = 0; i < 300; ++i) {
            const auto seq = std::uint16_t(65400 + i);
            if (seq == 65535 || seq == 0 || seq == 1) continue;  // three lost around the wrap
            f.packet(seq, 160u * i, kT0 + i * 20 * kMs);
        }
        QCOMPARE(f.stream.expected(), 300u);
        QCOMPARE(f.stream.lost(), 3u);
        QCOMPARE(f.stream.sequenceErrors(), 1u);
        // A big forward jump is believed after two packets in sequence (§A.1 resync).
        f.packet(30000, 160u * 300, kT0 + 300 * 20 * kMs);
        f.packet(30001, 160u * 301, kT0 + 301 * 20 * kMs);
        f.packet(30002, 160u * 302, kT0 + 302 * 20 * kMs);
        QCOMPARE(f.stream.lost(), 3u);
        QCOMPARE(f.stream.received(), 300u);
        QCOMPARE(f.stream.expected(), 303u);
    }

    // Arrival alternates 0 / +10 ms around the 20 ms grid: every |D| is 10 ms (80 units), so
    // after n packets J = 80·(1 − (15/16)^(n−1)) units (RFC 3550 §A.8 recursion J += (|D|−J)/16).
    void streamJitter() {
        Feed f;
        const int n = 100;
        for (int i = 0; i < n; ++i)
            f.packet(std::uint16_t(i), 160u * i, kT0 + i * 20 * kMs + (i % 2 ? 10 * kMs : 0));
        const double expectedMs = 10.0 * (1.0 - std::pow(15.0 / 16.0, n - 1));
        QVERIFY(std::fabs(f.stream.jitterMs() - expectedMs) < 1e-6);
        QVERIFY(std::fabs(f.stream.maxJitterMs() - expectedMs) < 1e-6);
        QCOMPARE(f.stream.maxDeltaMs(), 30.0);
        // A constant network delay is no jitter at all.
        Feed g;
        for (int i = 0; i < n; ++i)
            g.packet(std::uint16_t(i), 160u * i, kT0 + 57 * kMs + i * 20 * kMs);
        QCOMPARE(g.stream.jitterMs(), 0.0);
        // RTP timestamps wrap at 2^32 without a jitter spike.
        Feed w;
        for (int i = 0; i < n; ++i)
            w.packet(std::uint16_t(i), 0xFFFFF000u + 160u * i, kT0 + i * 20 * kMs);
        QCOMPARE(w.stream.jitterMs(), 0.0);
    }

    // RFC 4733: one '5' (three updates, end packet sent three times) and one '#'.
    void streamDtmf() {
        Feed f;
        for (int i = 0; i < 10; ++i) f.packet(std::uint16_t(i), 160u * i, kT0 + i * 20 * kMs);
        RtpStream& s = f.stream;
        std::uint16_t seq = 10;
        auto ev = [&](std::uint32_t ts, std::uint8_t e, bool end, std::uint16_t dur) {
            const Pkt p = telephoneEvent(seq, ts, e, end, dur);
            auto h = decodeRtp(p);
            QVERIFY(h.ok());
            s.add(*h, kT0 + seq * 20 * kMs, p.size(), 8000, true);
            ++seq;
        };
        for (std::uint16_t d : {160, 320, 480}) ev(1600, 5, false, d);
        for (int r = 0; r < 3; ++r) ev(1600, 5, true, 640);
        --seq;  // the third end packet once more with its sequence number (SIPp does this)
        ev(1600, 5, true, 640);
        for (std::uint16_t d : {160, 320}) ev(4000, 11, false, d);
        for (int r = 0; r < 3; ++r) ev(4000, 11, true, 400);
        QCOMPARE(s.dtmf().size(), std::size_t{2});
        QCOMPARE(s.dtmf()[0].symbol, '5');
        QCOMPARE(s.dtmf()[0].duration, 640);
        QCOMPARE(s.dtmf()[0].durationMs, 80.0);
        QVERIFY(s.dtmf()[0].ended);
        QCOMPARE(s.dtmf()[0].startNs, kT0 + 10 * 20 * kMs);
        QCOMPARE(s.dtmf()[1].symbol, '#');
        QCOMPARE(s.dtmf()[1].durationMs, 50.0);
        QCOMPARE(s.lost(), 0u);
        QCOMPARE(s.duplicates(), 0u);
        QCOMPARE(s.eventRepeats(), 1u);
        QCOMPARE(s.payloadTypes(), (std::vector<int>{0, 101}));
        QCOMPARE(s.jitterMs(), 0.0);  // event packets do not count towards jitter
    }

    void rtcpReportOnStream() {
        Feed f;
        for (int i = 0; i < 10; ++i) f.packet(std::uint16_t(i), 160u * i, kT0 + i * 20 * kMs);
        RtcpReportBlock b;
        b.fractionLost = 26;
        b.cumulativeLost = 3;
        b.jitter = 160;  // 20 ms at 8 kHz
        f.stream.addReport(b);
        QCOMPARE(f.stream.rtcp().reports, 1u);
        QCOMPARE(f.stream.rtcp().lastCumulativeLost, 3);
        QCOMPARE(f.stream.rtcp().lastJitterMs, 20.0);
    }

    // Hand computation, G.711 with PLC (Bpl 25.1), random loss (BurstR 1), Ppl = 2 %, jitter
    // 5 ms, no known network delay:
    //   Ta = 0 + 20 (packetisation) + max(20, 2·5) (jitter buffer) = 40 ms
    //   Id = 0.024 · 40 = 0.96                       (Ta below 177.3 ms)
    //   Ie,eff = 0 + 95 · 2 / (2/1 + 25.1) = 190 / 27.1 = 7.011070...
    //   R = 93.2 − 0.96 − 7.011070 = 85.228930
    //   MOS = 1 + 0.035·85.228930 + 85.228930·25.228930·14.771070·7e-6
    //       = 1 + 2.983013 + 0.222329 = 4.205341
    void emodelHandCase() {
        EModelInput in;
        in.lossPct = 2;
        in.jitterMs = 5;
        const EModelResult r = emodel(in);
        QCOMPARE(r.delayMs, 40.0);
        QVERIFY(std::fabs(r.id - 0.96) < 1e-9);
        QVERIFY(std::fabs(r.ieEff - 190.0 / 27.1) < 1e-9);
        QVERIFY(std::fabs(r.r - 85.228930) < 1e-5);
        QVERIFY(std::fabs(r.mos - 4.205341) < 1e-5);
        // No loss: R = 93.2 − 0.96 = 92.24, MOS = 1 + 3.2284 + 0.161538 = 4.389938.
        const EModelResult clean = emodel({});
        QVERIFY(std::fabs(clean.r - 92.24) < 1e-9);
        QVERIFY(std::fabs(clean.mos - 4.389938) < 1e-5);
        EModelInput awful;
        awful.lossPct = 60;
        awful.networkDelayMs = 400;
        QVERIFY(emodel(awful).mos < 1.5);
        QCOMPARE(mosFromR(-5), 1.0);
        QCOMPARE(mosFromR(120), 4.5);
    }
};

QTEST_GUILESS_MAIN(TestMedia)
#include "tst_media.moc"
