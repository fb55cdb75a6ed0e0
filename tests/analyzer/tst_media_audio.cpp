// RTP packets kept in the store (schema v3) and what is made of them: G.711 decoding, the WAV
// writer, the packed chunks, a stream's audio on its timestamp axis (loss, duplicates,
// reordering, DTMF, sequence wrap), the calls' media verdicts, and the pcap export's packets.

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <map>

#include "codec/g711.hpp"
#include "media/rtp.hpp"
#include "media/wav_writer.hpp"
#include "query/call_subject.hpp"
#include "query/filter.hpp"
#include "store/importer.hpp"
#include "store/media_audio.hpp"
#include "store/media_chunk.hpp"
#include "store/media_packets.hpp"
#include "store/store_reader.hpp"
#include "store_test_util.hpp"

using namespace sipscope::analyzer;
using namespace sipscope::analyzer::store;
using sipscope::stack::alawToLinear;
using sipscope::stack::decodeG711;
using sipscope::stack::G711Law;
using sipscope::stack::ulawToLinear;

namespace {

FileImport importInto(const std::string& db, bool keepPackets = true) {
    ImportOptions options;
    options.keepMediaPackets = keepPackets;
    return sipscope::test::importCapture(db, SIPSCOPE_TEST_DATA_DIR "/media/rtp_calls.pcap",
                                         options);
}

using sipscope::test::scalar;

const StoredStream* bySsrc(const std::vector<StoredStream>& all, std::uint32_t ssrc) {
    for (const auto& s : all)
        if (s.row.ssrc == ssrc) return &s;
    return nullptr;
}

RtpHeader rtpOf(const MediaPacket& p) {
    auto h = decodeRtp(
        ByteSpan(reinterpret_cast<const std::uint8_t*>(p.payload.data()), p.payload.size()));
    return h ? *h : RtpHeader{};
}

std::string_view audioPayload(const MediaPacket& p) {
    const RtpHeader h = rtpOf(p);
    return p.payload.substr(h.headerSize, h.payload.size());
}

}  // namespace

class TestMediaAudio : public QObject {
    Q_OBJECT

  private slots:
    // G.711 tables 1a/2a: zero, the extremes and the smallest steps; monotonic per sign.
    void g711() {
        QCOMPARE(ulawToLinear(0xFF), std::int16_t{0});
        QCOMPARE(ulawToLinear(0x7F), std::int16_t{0});
        QCOMPARE(ulawToLinear(0x80), std::int16_t{32124});
        QCOMPARE(ulawToLinear(0x00), std::int16_t{-32124});
        QCOMPARE(ulawToLinear(0xFE), std::int16_t{8});
        QCOMPARE(alawToLinear(0xD5), std::int16_t{8});
        QCOMPARE(alawToLinear(0x55), std::int16_t{-8});
        QCOMPARE(alawToLinear(0xAA), std::int16_t{32256});
        QCOMPARE(alawToLinear(0x2A), std::int16_t{-32256});
        for (int i = 0x80; i < 0xFF; ++i)  // µ-law: larger code, smaller positive value
            QVERIFY(ulawToLinear(static_cast<std::uint8_t>(i)) >
                    ulawToLinear(static_cast<std::uint8_t>(i + 1)));
        std::vector<std::int16_t> out;
        decodeG711(G711Law::Alaw, std::string("\xD5\x2A", 2), out);
        QCOMPARE(out, (std::vector<std::int16_t>{8, -32256}));
    }

    void wavHeader() {
        const std::string w = wavBytes({1, -2, 3, -4}, 2, 8000);
        QCOMPARE(w.size(), std::size_t{44 + 8});
        QCOMPARE(w.substr(0, 4), std::string("RIFF"));
        QCOMPARE(w.substr(8, 8), std::string("WAVEfmt "));
        QCOMPARE(static_cast<unsigned char>(w[22]), 2);                  // channels
        QCOMPARE(static_cast<unsigned char>(w[24]) | w[25] << 8, 8000);  // rate
        QCOMPARE(static_cast<unsigned char>(w[32]), 4);                  // block align
        QCOMPARE(w.substr(36, 4), std::string("data"));
        QCOMPARE(static_cast<unsigned char>(w[40]), 8);     // data bytes
        QCOMPARE(static_cast<unsigned char>(w[46]), 0xFE);  // -2 little-endian
        QCOMPARE(static_cast<unsigned char>(w[47]), 0xFF);
    }

    void chunks() {
        MediaChunker chunker(30, 1000);
        const std::uint8_t a[] = {1, 2, 3}, b[] = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        chunker.add(7, 100, a);
        chunker.add(9, 150, b);
        QCOMPARE(chunker.take().size(), std::size_t{0});  // nothing full yet
        chunker.add(7, 200, b);                           // 13 + 23 bytes: stream 7 is cut
        auto ready = chunker.take();
        QCOMPARE(ready.size(), std::size_t{1});
        QCOMPARE(ready[0].streamIndex, 7u);
        QCOMPARE(ready[0].packets, 2u);
        QCOMPARE(ready[0].firstTsNs, std::int64_t{100});
        std::vector<MediaPacket> packets;
        std::string error;
        QVERIFY(decodeMediaChunk(ready[0].data, packets, error));
        QCOMPARE(packets.size(), std::size_t{2});
        QCOMPARE(packets[1].tsNs, std::int64_t{200});
        QCOMPARE(packets[1].payload, std::string_view(reinterpret_cast<const char*>(b), 13));
        chunker.cutAll();
        ready = chunker.take();
        QCOMPARE(ready.size(), std::size_t{1});
        QCOMPARE(ready[0].streamIndex, 9u);
        // Damage: a length running past the end keeps the packets before it.
        std::string bad = ready[0].data + std::string("\x01\0\0\0\0\0\0\0\xFF\x00", 10);
        packets.clear();
        QVERIFY(!decodeMediaChunk(bad, packets, error));
        QCOMPARE(packets.size(), std::size_t{1});
        QVERIFY2(error.find("at byte 23") != std::string::npos, error.c_str());
        packets.clear();
        QVERIFY(!decodeMediaChunk(std::string_view(ready[0].data).substr(0, 5), packets, error));
        QVERIFY2(error.find("at byte 0") != std::string::npos, error.c_str());
        // The memory bound cuts everything pending.
        MediaChunker small(1 << 20, 30);
        small.add(1, 1, b);
        small.add(2, 2, b);
        QCOMPARE(small.take().size(), std::size_t{2});
    }

    // The clean direction: the audio is exactly its payloads decoded, in order; as a WAV file
    // the data are those samples.
    void cleanStreamAudio() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("lib.sqlite").toStdString();
        QCOMPARE(QString::fromStdString(importInto(path).status), QString("complete"));
        sql::Database db(path, sql::Database::Mode::ReadOnly);
        const auto streams = readMediaStreams(db, "media-call-1@sipscope.test");
        const StoredStream* b = bySsrc(streams, 0x22222222);
        QVERIFY(b && b->row.streamIndex);
        QCOMPARE(b->row.encoding, std::string("PCMU"));
        const StreamPackets packets = readStreamPackets(db, *b);
        QVERIFY(packets.error.empty());
        QCOMPARE(packets.packets.size(), std::size_t{250});
        std::vector<std::int16_t> expected;
        for (const auto& p : packets.packets) decodeG711(G711Law::Ulaw, audioPayload(p), expected);
        const StreamAudio audio = readStreamAudio(db, b->id);
        QVERIFY2(audio.ok, audio.error.c_str());
        QCOMPARE(audio.packets, 250u);
        QCOMPARE(audio.gapSamples, 0u);
        QCOMPARE(audio.startNs, packets.packets.front().tsNs);
        QVERIFY(audio.samples == expected);
        const std::string wav = wavBytes(audio.samples, 1, 8000);
        QCOMPARE(wav.size(), 44 + 2 * expected.size());
        for (std::size_t i = 0; i < expected.size(); i += 997) {
            const auto lo = static_cast<unsigned char>(wav[44 + 2 * i]);
            const auto hi = static_cast<unsigned char>(wav[45 + 2 * i]);
            QCOMPARE(static_cast<std::int16_t>(lo | hi << 8), expected[i]);
        }
    }

    // The damaged direction: sequence wrap, 5 lost, a duplicate, a swapped pair, DTMF in
    // PT 101. Each of the 250 sequence slots holds its own payload, or silence.
    void lossyStreamAudio() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("lib.sqlite").toStdString();
        importInto(path);
        sql::Database db(path, sql::Database::Mode::ReadOnly);
        const auto streams = readMediaStreams(db, "");
        const StoredStream* a = bySsrc(streams, 0x11111111);
        QVERIFY(a);
        const StreamPackets packets = readStreamPackets(db, *a);
        QCOMPARE(packets.packets.size(), std::size_t{246});
        std::map<int, std::string_view> bySeq;  // index from the first sequence number 65400
        for (const auto& p : packets.packets) {
            const RtpHeader h = rtpOf(p);
            if (h.payloadType == 0) bySeq[(h.seq + 65536 - 65400) % 65536] = audioPayload(p);
        }
        QCOMPARE(bySeq.size(), std::size_t{231});  // 250 - 5 lost - 14 DTMF
        std::vector<std::int16_t> expected;
        for (int i = 0; i < 250; ++i) {
            if (auto it = bySeq.find(i); it != bySeq.end())
                decodeG711(G711Law::Ulaw, it->second, expected);
            else
                expected.resize(expected.size() + 160, 0);
        }
        const StreamAudio audio = readStreamAudio(db, a->id);
        QVERIFY2(audio.ok, audio.error.c_str());
        QCOMPARE(audio.packets, 231u);
        QCOMPARE(audio.gapSamples, std::uint64_t{19 * 160});
        QCOMPARE(audio.samples.size(), expected.size());
        QVERIFY(audio.samples == expected);
        // Both directions on one axis: B starts 10 ms after A (80 samples).
        const StoredStream* b = bySsrc(streams, 0x22222222);
        const StreamAudio other = readStreamAudio(db, b->id);
        const auto stereo = interleaveAligned({&audio, &other});
        QCOMPARE(stereo.size(), 2 * (80 + other.samples.size()));
        QCOMPARE(stereo[2 * 80 + 1], other.samples[0]);
        QCOMPARE(stereo[2 * 5 + 0], audio.samples[5]);
        QCOMPARE(stereo[2 * 5 + 1], std::int16_t{0});
    }

    void audioErrors() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("lib.sqlite").toStdString();
        importInto(path, false);
        sql::Database db(path, sql::Database::Mode::ReadOnly);
        QCOMPARE(scalar(db, "SELECT count(*) FROM media_chunks"), 0);
        const auto streams = readMediaStreams(db, "");
        const StoredStream* a = bySsrc(streams, 0x22222222);
        QVERIFY(a);
        const StreamAudio audio = readStreamAudio(db, a->id);
        QVERIFY(!audio.ok);
        QVERIFY2(audio.error.find("no packets stored") != std::string::npos, audio.error.c_str());
        QVERIFY(!readStreamAudio(db, 999).ok);
    }

    // Only reported streams keep packets; the export gets exactly the call's packets.
    void storedPacketsAndExport() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("lib.sqlite").toStdString();
        importInto(path);
        StoreReader reader(path);
        sql::Database& db = reader.database();
        QCOMPARE(scalar(db, "SELECT sum(packets) FROM media_chunks"),
                 scalar(db, "SELECT sum(packets) FROM media_streams"));
        const auto calls = reader.callsById("media-call-1@sipscope.test");
        QCOMPARE(calls.size(), std::size_t{1});
        std::string error;
        const auto media = callMediaMessages(db, calls.front(), error);
        QVERIFY(error.empty());
        QCOMPARE(media.size(), std::size_t{246 + 250});
        for (std::size_t i = 1; i < media.size(); ++i) QVERIFY(media[i - 1].tsNs <= media[i].tsNs);
        QCOMPARE(media.front().transport, std::string("udp"));
        QCOMPARE(media.front().src, std::string("192.0.2.10"));
        QCOMPARE(media.front().dport, std::uint16_t{50000});
    }

    // Each call carries its RTP verdicts, stored and filterable.
    void mediaProblems() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("lib.sqlite").toStdString();
        importInto(path);
        StoreReader reader(path);
        auto problems = [&](const std::string& id) {
            const auto calls = reader.callsById(id);
            return calls.empty() ? std::vector<std::string>{"?"} : calls[0].record.mediaProblems;
        };
        QVERIFY(problems("media-call-1@sipscope.test").empty());
        QCOMPARE(problems("media-call-2@sipscope.test"),
                 (std::vector<std::string>{"one_way_audio", "codec_mismatch"}));
        QCOMPARE(problems("media-call-3@sipscope.test"), std::vector<std::string>{"no_media"});
        const auto call2 = reader.callsById("media-call-2@sipscope.test").front();
        QVERIFY(call2.json.find("\"media_problems\":[\"one_way_audio\",\"codec_mismatch\"]") !=
                std::string::npos);
        auto f = parseFilter("media_problem == one_way_audio");
        QVERIFY(f.ok());
        const Filter filter = std::move(f).value();
        QVERIFY(filter.matches(CallRecordSubject(call2.record)));
        const auto call1 = reader.callsById("media-call-1@sipscope.test").front();
        QVERIFY(!filter.matches(CallRecordSubject(call1.record)));
    }
};

QTEST_GUILESS_MAIN(TestMediaAudio)
#include "tst_media_audio.moc"
