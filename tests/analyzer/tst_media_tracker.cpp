// The media tracker: RTP/RTCP endpoints learnt from SDP offers and answers (IPv4 and IPv6,
// a=rtcp, rtcp-mux, re-INVITE port changes, hold), streams tied to their call, heuristic
// streams, the call flags one_way_audio / no_media / codec_mismatch and the stream problems;
// then the pipeline hook, and the shared corpus against tshark's RTP statistics.

#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <arpa/inet.h>

#include "capture/packet_source.hpp"
#include "media/media_tracker.hpp"
#include "media_test_util.hpp"
#include "packet_builder.hpp"
#include "pipeline/capture_pipeline.hpp"
#include "test_util.hpp"

using namespace sipscope::analyzer;
using namespace sipscope::test;
using namespace sipscope::test::media;

class TestMediaTracker : public QObject {
    Q_OBJECT

  private slots:
    // Offer IPv4 with a=rtcp, answer IPv6 with rtcp-mux; both directions flow; RTCP reports
    // reach the streams they are about.
    void sdpLearning() {
        MediaTracker t;
        const Endpoint a = ep("192.0.2.10", 40000), b = ep("2001:db8::2", 50000);
        t.onSip(sip("INVITE sip:b@x SIP/2.0", "1 INVITE", "c1",
                    sdp("192.0.2.10", 40000, "a=rtcp:40005\r\n"), kT0));
        t.onSip(sip("SIP/2.0 200 OK", "1 INVITE", "c1", sdp("2001:db8::2", 50000, "a=rtcp-mux\r\n"),
                    kT0 + 100 * kMs));
        stream(t, a, b, 0xA, 100, kT0 + 200 * kMs, 0, 50);
        stream(t, b, a, 0xB, 100, kT0 + 200 * kMs);
        feed(t, ep("2001:db8::2", 50000), ep("192.0.2.10", 40005), receiverReport(0xB, 0xA, 3, 40),
             kT0 + 2000 * kMs);
        feed(t, ep("192.0.2.10", 40005), b, receiverReport(0xA, 0xB, 0, 8), kT0 + 2000 * kMs);
        // RTCP on the RTP port although the offer did not say rtcp-mux: still RTCP.
        feed(t, b, a, receiverReport(0xB, 0xA, 3, 40), kT0 + 2100 * kMs);
        t.finish();
        QCOMPARE(t.streams().size(), std::size_t{2});
        const auto* up = find(t, 0xA);
        QVERIFY(up && !up->heuristic);
        QCOMPARE(up->callId, std::string("c1"));
        QCOMPARE(up->stream->packets(), 99u);
        QCOMPARE(up->stream->lost(), 1u);
        QCOMPARE(up->encoding, std::string("PCMU"));
        QVERIFY(up->mos.has_value());
        QVERIFY(has(up->problems, "loss"));  // 1 %
        QCOMPARE(up->stream->rtcp().reports, 2u);
        QCOMPARE(up->stream->rtcp().lastJitterMs, 5.0);
        const auto* down = find(t, 0xB);
        QVERIFY(down && down->problems.empty());
        QCOMPARE(down->stream->rtcp().reports, 1u);  // RTCP muxed on the RTP port
        QCOMPARE(t.stats().rtcpPackets, 3u);
        QCOMPARE(t.calls().size(), std::size_t{1});
        QVERIFY(t.calls()[0].problems.empty());
        QCOMPARE(t.calls()[0].streams.size(), std::size_t{2});
    }

    // A re-INVITE moves the caller's media to a new port, then puts the call on hold
    // (a=sendonly): the new port belongs to the call, one-way media on hold is no problem.
    void reInviteAndHold() {
        MediaTracker t;
        const Endpoint a1 = ep("192.0.2.10", 40000), a2 = ep("192.0.2.10", 41000),
                       b = ep("198.51.100.2", 50000);
        t.onSip(sip("INVITE sip:b@x SIP/2.0", "1 INVITE", "c2", sdp("192.0.2.10", 40000, ""), kT0));
        t.onSip(sip("SIP/2.0 200 OK", "1 INVITE", "c2", sdp("198.51.100.2", 50000, ""), kT0 + kMs));
        stream(t, a1, b, 1, 50, kT0 + 10 * kMs);
        stream(t, b, a1, 2, 50, kT0 + 10 * kMs);
        t.onSip(sip("INVITE sip:b@x SIP/2.0", "2 INVITE", "c2",
                    sdp("192.0.2.10", 41000, "a=sendonly\r\n"), kT0 + 2000 * kMs));
        t.onSip(sip("SIP/2.0 200 OK", "2 INVITE", "c2",
                    sdp("198.51.100.2", 50000, "a=recvonly\r\n"), kT0 + 2001 * kMs));
        stream(t, a2, b, 3, 50, kT0 + 2100 * kMs);
        t.finish();
        QCOMPARE(t.streams().size(), std::size_t{3});
        for (const auto& s : t.streams()) {
            QCOMPARE(s.callId, std::string("c2"));
            QVERIFY(!s.heuristic);
            QVERIFY(!has(s.problems, "one_way_audio"));
        }
        QVERIFY(t.calls()[0].problems.empty());
    }

    // An answered call whose callee never sends: one_way_audio; an answered call with no RTP
    // at all: no_media; a PT outside the answer: codec_mismatch.
    void callFlags() {
        MediaTracker t;
        t.onSip(
            sip("INVITE sip:b@x SIP/2.0", "1 INVITE", "oneway", sdp("192.0.2.10", 40000, ""), kT0));
        t.onSip(sip("SIP/2.0 200 OK", "1 INVITE", "oneway", sdp("192.0.2.20", 50000, ""), kT0));
        stream(t, ep("192.0.2.10", 40000), ep("192.0.2.20", 50000), 7, 50, kT0 + kMs);
        t.onSip(
            sip("INVITE sip:b@x SIP/2.0", "1 INVITE", "silent", sdp("192.0.2.30", 40000, ""), kT0));
        t.onSip(sip("SIP/2.0 200 OK", "1 INVITE", "silent", sdp("192.0.2.40", 50000, ""), kT0));
        t.onSip(
            sip("INVITE sip:b@x SIP/2.0", "1 INVITE", "codec", sdp("192.0.2.50", 40000, ""), kT0));
        t.onSip(
            sip("SIP/2.0 200 OK", "1 INVITE", "codec", sdp("192.0.2.60", 50000, "", "0 101"), kT0));
        stream(t, ep("192.0.2.50", 40000), ep("192.0.2.60", 50000), 8, 20, kT0 + kMs, 8);
        stream(t, ep("192.0.2.60", 50000), ep("192.0.2.50", 40000), 9, 20, kT0 + kMs, 0);
        // Not answered (only ringing) and no media: no flag.
        t.onSip(sip("INVITE sip:b@x SIP/2.0", "1 INVITE", "ringing", sdp("192.0.2.70", 40000, ""),
                    kT0));
        t.finish();
        QCOMPARE(t.calls().size(), std::size_t{4});
        QCOMPARE(t.calls()[0].problems, (std::vector<std::string>{"one_way_audio"}));
        QVERIFY(has(find(t, 7)->problems, "one_way_audio"));
        QCOMPARE(t.calls()[1].problems, (std::vector<std::string>{"no_media"}));
        QCOMPARE(t.calls()[2].problems, (std::vector<std::string>{"codec_mismatch"}));
        QVERIFY(has(find(t, 8)->problems, "codec_mismatch"));
        QVERIFY(find(t, 8)->encoding == "PCMA");
        QVERIFY(!has(find(t, 9)->problems, "codec_mismatch"));
        QVERIFY(t.calls()[3].problems.empty());
    }

    // The same flow switches SSRC (the source restarted): two streams, both flagged; and
    // packets in wild order give seq_errors.
    void ssrcChangeAndSeqErrors() {
        MediaTracker t;
        t.onSip(sip("INVITE sip:b@x SIP/2.0", "1 INVITE", "s", sdp("192.0.2.10", 40000, ""), kT0));
        const Endpoint a = ep("192.0.2.10", 40000), b = ep("192.0.2.20", 50000);
        stream(t, b, a, 0x111, 30, kT0);
        stream(t, b, a, 0x222, 30, kT0 + 1000 * kMs);
        for (int i : {0, 1, 3, 2, 4, 4, 5})
            feed(t, a, b, rtp(0, std::uint16_t(i), 160u * i, 0x333), kT0 + i * 20 * kMs);
        t.finish();
        QCOMPARE(t.streams().size(), std::size_t{3});
        QVERIFY(has(find(t, 0x111)->problems, "ssrc_change"));
        QVERIFY(has(find(t, 0x222)->problems, "ssrc_change"));
        const auto* w = find(t, 0x333);
        QVERIFY(has(w->problems, "seq_errors"));
        QVERIFY(!has(w->problems, "ssrc_change"));
        QCOMPARE(w->stream->duplicates(), 1u);
        QCOMPARE(w->stream->outOfOrder(), 1u);
    }

    // RTP on ports no SDP announced: reported (marked) once it ran in sequence long enough.
    void heuristicStreams() {
        MediaTracker t;
        stream(t, ep("203.0.113.1", 30000), ep("203.0.113.2", 30002), 0x55, 20, kT0);
        stream(t, ep("203.0.113.1", 30010), ep("203.0.113.2", 30012), 0x66, 3, kT0);
        Pkt dns{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 0};
        for (int i = 0; i < 10; ++i)
            feed(t, ep("203.0.113.1", 5353), ep("203.0.113.9", 53), dns, kT0 + i * kMs);
        // Random bytes that start like RTP but never form a sequence.
        for (int i = 0; i < 50; ++i) {
            Pkt junk = rtp(0, std::uint16_t(i * 7919), 0, 0x777);
            feed(t, ep("203.0.113.5", 4000), ep("203.0.113.6", 4000), junk, kT0 + i * kMs);
        }
        t.finish();
        QCOMPARE(t.streams().size(), std::size_t{1});
        QVERIFY(t.streams()[0].heuristic);
        QVERIFY(t.streams()[0].callId.empty());
        QCOMPARE(t.streams()[0].stream->packets(), 20u);
        QCOMPARE(t.stats().unrelated, 10u);
    }

    // The pipeline hands non-SIP UDP to the observer and SIP to its sink, as before.
    void pipelineHook() {
        std::vector<TimedPkt> frames;
        auto udpFrame = [](V4 s, std::uint16_t sp, V4 d, std::uint16_t dp, const Pkt& payload) {
            return eth(0x0800, ipv4(s, d, 17, udp(sp, dp, payload)));
        };
        const V4 a{192, 0, 2, 1}, b{198, 51, 100, 2};
        const ObservedMessage inv =
            sip("INVITE sip:b@x SIP/2.0", "1 INVITE", "p1", sdp("192.0.2.1", 40000, ""), kT0);
        const ObservedMessage ok =
            sip("SIP/2.0 200 OK", "1 INVITE", "p1", sdp("198.51.100.2", 50000, ""), kT0);
        frames.push_back({kT0, udpFrame(a, 5060, b, 5060, bytesOf(inv.message->bytes()))});
        frames.push_back({kT0 + kMs, udpFrame(b, 5060, a, 5060, bytesOf(ok.message->bytes()))});
        for (int i = 0; i < 50; ++i) {
            frames.push_back({kT0 + (10 + i * 20) * kMs,
                              udpFrame(a, 40000, b, 50000, rtp(0, std::uint16_t(i), 160u * i, 1))});
            frames.push_back({kT0 + (11 + i * 20) * kMs,
                              udpFrame(b, 50000, a, 40000, rtp(0, std::uint16_t(i), 160u * i, 2))});
        }
        frames.push_back({kT0 + 2 * 1000 * kMs, udpFrame(a, 5060, b, 5060, bytesOf("\r\n\r\n"))});
        const QString path = QDir::temp().filePath("tst_media_tracker_hook.pcap");
        QVERIFY(writePcap(path.toStdString(), 1, frames));
        std::string error;
        auto source = openCaptureFile(path.toStdString(), error);
        QVERIFY2(source, error.c_str());
        MediaTracker tracker;
        std::uint64_t sipMessages = 0;
        CapturePipeline pipeline({}, [&](ObservedMessage&& m) {
            ++sipMessages;
            tracker.onSip(m);
        });
        pipeline.setDatagramObserver([&](const TransportPacket& t) { tracker.onDatagram(t); });
        RawPacket raw;
        while (source->next(raw)) pipeline.process(raw);
        pipeline.finish();
        tracker.finish();
        QFile::remove(path);
        QCOMPARE(sipMessages, 2u);
        QCOMPARE(pipeline.stats().sipMessages, 2u);
        QCOMPARE(tracker.stats().rtpPackets, 100u);
        QCOMPARE(tracker.stats().datagrams, 101u);  // RTP and the keep-alive
        QCOMPARE(tracker.streams().size(), std::size_t{2});
        QCOMPARE(tracker.streams()[0].callId, std::string("p1"));
        QCOMPARE(tracker.streams()[0].stream->key().src.ip.toString(), std::string("192.0.2.1"));
    }

    // Shared corpus: per SSRC and direction the packet count equals tshark's RTP statistics.
    void corpusAgainstTshark_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("exact");
        QTest::newRow("ndpi/sip") << QString("pcaps/ndpi/sip.pcap") << true;
        QTest::newRow("suricata sip-method")
            << QString("pcaps/suricata-verify/sip-method/sip.pcap") << true;
        QTest::newRow("arkime gtp-iphone (IPv6 in GTP-U)")
            << QString("pcaps/arkime/gtp-iphone.pcap") << true;
        // Late in this capture the gateway's own control protocol (not SIP) switches port 16756
        // to T.38 UDPTL, which tshark follows and the SIP-only tracker cannot: its 27 UDPTL
        // datagrams count as RTP here. Every RTP packet tshark counts must still be ours.
        QTest::newRow("ndpi FAX t38")
            << QString("pcaps/ndpi/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap") << false;
    }

    void corpusAgainstTshark() {
        QFETCH(QString, file);
        QFETCH(bool, exact);
        const QString dir = corpusDir();
        if (dir.isEmpty()) QSKIP("shared corpus not present");
        const QString path = dir + "/" + file;
        if (!QFile::exists(path)) QSKIP("capture not in the corpus");
        QProcess tshark;
        tshark.start("tshark", {"-n", "-r", path, "-q", "-z", "rtp,streams"});
        if (!tshark.waitForStarted()) QSKIP("tshark not installed");
        QVERIFY(tshark.waitForFinished(60000));
        // "start end src sport dst dport 0xSSRC payload... pkts lost (x%) ..."
        const QRegularExpression row(
            R"(^\s*[\d.]+\s+[\d.]+\s+(\S+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(0x[0-9A-Fa-f]+)\s+.*?\s(\d+)\s+-?\d+\s+\()");
        std::map<std::string, std::uint64_t> expected;
        for (const QString& line : QString::fromUtf8(tshark.readAllStandardOutput()).split('\n')) {
            const auto m = row.match(line);
            if (!m.hasMatch()) continue;
            const std::string key = (m.captured(1) + ":" + m.captured(2) + ">" + m.captured(3) +
                                     ":" + m.captured(4) + "/" + m.captured(5).toLower().mid(2))
                                        .toStdString();
            expected[key] = m.captured(6).toULongLong();
        }
        QVERIFY(!expected.empty());
        MediaTracker tracker;
        std::string error;
        auto source = openCaptureFile(path.toStdString(), error);
        QVERIFY2(source, error.c_str());
        CapturePipeline pipeline({}, [&](ObservedMessage&& m) { tracker.onSip(m); });
        pipeline.setDatagramObserver([&](const TransportPacket& t) { tracker.onDatagram(t); });
        RawPacket raw;
        while (source->next(raw)) pipeline.process(raw);
        pipeline.finish();
        tracker.finish();
        for (const auto& [key, packets] : expected) {
            std::uint64_t ours = 0;
            for (const auto& s : tracker.streams()) {
                const auto& k = s.stream->key();
                char ssrc[16];
                std::snprintf(ssrc, sizeof ssrc, "%08x", k.ssrc);
                const std::string mine = k.src.ip.toString() + ":" + std::to_string(k.src.port) +
                                         ">" + k.dst.ip.toString() + ":" +
                                         std::to_string(k.dst.port) + "/" + ssrc;
                if (mine == key) ours += s.stream->packets();
            }
            QVERIFY2(
                exact ? ours == packets : ours >= packets,
                (key + ": ours " + std::to_string(ours) + ", tshark " + std::to_string(packets))
                    .c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestMediaTracker)
#include "tst_media_tracker.moc"
