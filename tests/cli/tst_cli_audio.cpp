// `sipscope-cli audio` (a call's G.711 audio as WAV), `export-pcap` with the call's RTP, and
// the calls' `media_problems`, on tests/data/media/rtp_calls.pcap (see make_rtp_pcap.py).

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_test_util.hpp"

using namespace sipscope::test;

namespace {

QString capture() {
    return QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/media/rtp_calls.pcap");
}

quint32 le(const QByteArray& b, int at, int bytes) {
    quint32 v = 0;
    for (int i = 0; i < bytes; ++i) v |= quint32(quint8(b[at + i])) << (8 * i);
    return v;
}

qint16 sample(const QByteArray& wav, qsizetype index) {
    return static_cast<qint16>(le(wav, static_cast<int>(44 + 2 * index), 2));
}

QJsonObject byCallId(const CliRun& r, const QString& id) {
    for (const auto& o : r.objects)
        if (o.value("call_id").toString() == id) return o;
    return {};
}

QStringList strings(const QJsonValue& v) {
    QStringList out;
    for (const auto& e : v.toArray()) out << e.toString();
    return out;
}

}  // namespace

class TestCliAudio : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;

  private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath("lib.sqlite");
        QCOMPARE(runCli({"import", "--db", m_db, capture(),
                         QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/media/sipp_rtp.pcap")})
                     .exitCode,
                 0);
    }

    // Both directions: a stereo WAV, the callee's channel starting 10 ms (80 samples) later.
    void stereoByDefault() {
        const QString wav = m_dir.filePath("call1.wav");
        const CliRun r =
            runCli({"audio", "--db", m_db, "--call", "media-call-1@sipscope.test", "-w", wav});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.objects.size(), 1);
        const QJsonObject o = r.objects[0];
        QCOMPARE(o.value("channels").toInt(), 2);
        QCOMPARE(o.value("sample_rate").toInt(), 8000);
        const QJsonArray streams = o.value("streams").toArray();
        QCOMPARE(streams.size(), 2);
        QCOMPARE(streams[0].toObject().value("ssrc").toString(), QString("0x11111111"));
        QCOMPARE(streams[0].toObject().value("packets").toInt(), 231);
        QCOMPARE(streams[0].toObject().value("silence_inserted_s").toDouble(), 0.38);
        QCOMPARE(streams[1].toObject().value("encoding").toString(), QString("PCMU"));
        QFile f(wav);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QCOMPARE(bytes.left(4), QByteArray("RIFF"));
        QCOMPARE(le(bytes, 22, 2), 2u);     // channels
        QCOMPARE(le(bytes, 24, 4), 8000u);  // sample rate
        QCOMPARE(le(bytes, 34, 2), 16u);    // bits
        const quint32 frames = (80 + 40000);
        QCOMPARE(le(bytes, 40, 4), frames * 4);
        QCOMPARE(bytes.size(), qsizetype(44 + frames * 4));
        // The generator sends G.711 silence (0xFF decodes to 0); tst_media_audio checks the
        // decoded values themselves.
        for (int i = 0; i < 200; ++i) QCOMPARE(sample(bytes, i), qint16(0));
        QCOMPARE(o.value("duration_s").toDouble(), 5.01);
    }

    void oneStream() {
        const QString wav = m_dir.filePath("b.wav");
        const CliRun r = runCli({"audio", "--db", m_db, "--call", "media-call-1@sipscope.test",
                                 "--stream", "0x22222222", "-w", wav});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.objects[0].value("channels").toInt(), 1);
        QCOMPARE(QFileInfo(wav).size(), qint64(44 + 2 * 40000));
        // Decimal SSRCs work too.
        QCOMPARE(runCli({"audio", "--db", m_db, "--call", "media-call-1@sipscope.test", "--stream",
                         QString::number(0x22222222), "-w", wav})
                     .exitCode,
                 0);
    }

    // A real SIPp call (PCMU from its rtp_stream): audible, full-range audio, 101 packets.
    void sippAudio() {
        const QString wav = m_dir.filePath("sipp.wav");
        const CliRun r = runCli({"audio", "--db", m_db, "--call", "1-14478@127.0.0.1", "--stream",
                                 "0xca110000", "-w", wav});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.objects[0].value("streams").toArray()[0].toObject().value("packets").toInt(),
                 101);
        QFile f(wav);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        qint16 peak = 0;
        for (qsizetype i = 0; i < (bytes.size() - 44) / 2; ++i)
            peak = std::max<qint16>(peak, static_cast<qint16>(std::abs(sample(bytes, i))));
        QVERIFY2(peak > 10000, QByteArray::number(peak).constData());
    }

    void errors() {
        const QString wav = m_dir.filePath("x.wav");
        CliRun r = runCli({"audio", "--db", m_db, "--call", "nope", "-w", wav});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("no call"));
        r = runCli({"audio", "--db", m_db, "--call", "media-call-1@sipscope.test", "--stream",
                    "0x5", "-w", wav});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("0x22222222"), r.err.constData());  // the streams it has
        r = runCli({"audio", "--db", m_db, "--call", "media-call-3@sipscope.test", "-w", wav});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("0 G.711 streams"));
        r = runCli({"audio", "--db", m_db, "--call", "media-call-1@sipscope.test", "--stream", "zz",
                    "-w", wav});
        QCOMPARE(r.exitCode, 2);
        QCOMPARE(runCli({"audio", "--db", m_db, "--call", "x"}).exitCode, 2);
        QCOMPARE(runCli({"audio", "--help"}).exitCode, 0);
        QCOMPARE(runCli({"audio", "--db", m_db, "--call", "media-call-1@sipscope.test", "-w",
                         "/nonexistent/dir/a.wav"})
                     .exitCode,
                 2);
        // Imported without packets: a clear reason.
        const QString lean = m_dir.filePath("lean.sqlite");
        QCOMPARE(runCli({"import", "--db", lean, "--no-media-packets", capture()}).exitCode, 0);
        r = runCli({"audio", "--db", lean, "--call", "media-call-1@sipscope.test", "-w", wav});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no packets stored"), r.err.constData());
    }

    // The exported call carries its RTP: analysing the export gives the same streams.
    void exportIncludesRtp() {
        const QString pcap = m_dir.filePath("call1.pcap");
        CliRun r = runCli(
            {"export-pcap", "--db", m_db, "--call", "media-call-1@sipscope.test", "-w", pcap});
        QCOMPARE(r.exitCode, 0);
        const CliRun original =
            runCli({"streams", capture(), "--json", "--call", "media-call-1@sipscope.test"});
        const CliRun exported = runCli({"streams", pcap, "--json"});
        QCOMPARE(exported.objects.size(), 2);
        for (int i = 0; i < 2; ++i)
            for (const char* key : {"ssrc", "src", "dst", "packets", "lost", "jitter_ms", "mos"})
                QCOMPARE(exported.objects[i].value(key), original.objects[i].value(key));
        const CliRun calls = runCli({"calls", pcap, "--json"});
        QCOMPARE(calls.objects.size(), 1);
        r = runCli({"export-pcap", "--db", m_db, "--call", "media-call-1@sipscope.test", "-w", pcap,
                    "--no-media"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(runCli({"streams", pcap, "--json"}).objects.size(), 0);
    }

    // Calls carry their RTP verdicts, the same from the file and from the database, and the
    // filter language reaches them.
    void mediaProblems() {
        const CliRun file = runCli({"calls", capture(), "--json"});
        const CliRun db = runCli({"calls", "--db", m_db, "--json"});
        QCOMPARE(db.objects.size(), file.objects.size() + 1);  // + the SIPp call
        for (const auto& o : file.objects) QCOMPARE(byCallId(db, o.value("call_id").toString()), o);
        QCOMPARE(strings(byCallId(file, "media-call-2@sipscope.test").value("media_problems")),
                 QStringList({"one_way_audio", "codec_mismatch"}));
        QCOMPARE(strings(byCallId(file, "media-call-3@sipscope.test").value("media_problems")),
                 QStringList({"no_media"}));
        QVERIFY(byCallId(file, "media-call-1@sipscope.test").value("media_problems").isArray());
        // A SIP-only capture says nothing about media: no verdicts at all.
        const CliRun sipOnly = runCli(
            {"calls", QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/basic-calls.pcap"),
             "--json"});
        QCOMPARE(sipOnly.objects.size(), 11);
        for (const auto& o : sipOnly.objects)
            QCOMPARE(o.value("media_problems").toArray().size(), 0);
        const CliRun filtered =
            runCli({"calls", "--db", m_db, "--json", "--filter", "media_problem == no_media"});
        QCOMPARE(filtered.objects.size(), 1);
        QCOMPARE(filtered.objects[0].value("call_id").toString(),
                 QString("media-call-3@sipscope.test"));
    }
};

QTEST_GUILESS_MAIN(TestCliAudio)
#include "tst_cli_audio.moc"
