// `sipscope-cli streams` on tests/data/media/rtp_calls.pcap, whose streams carry known loss,
// duplication, reordering, sequence wrap, DTMF and RTCP (see make_rtp_pcap.py there).

#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_test_util.hpp"

using namespace sipscope::test;

namespace {

QString capture() {
    return QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/media/rtp_calls.pcap");
}

QJsonObject bySsrc(const CliRun& r, const char* ssrc) {
    for (const auto& o : r.objects)
        if (o.value("ssrc").toString() == ssrc) return o;
    return {};
}

QStringList strings(const QJsonValue& v) {
    QStringList out;
    for (const auto& e : v.toArray()) out << e.toString();
    return out;
}

}  // namespace

class TestCliStreams : public QObject {
    Q_OBJECT

  private slots:
    // The keys CLI.md and issue 9 fix, in that order, before any additional one.
    void jsonKeys() {
        const CliRun r = runCli({"streams", capture(), "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.objects.size(), 4);
        const QList<QByteArray> keys = {"call_id", "src",      "sport",         "dst",
                                        "dport",   "ssrc",     "payload_types", "packets",
                                        "lost",    "loss_pct", "jitter_ms",     "max_delta_ms",
                                        "mos",     "dtmf",     "problems"};
        for (const QByteArray& line : r.out.split('\n')) {
            if (line.isEmpty()) continue;
            QVERIFY(line.startsWith("{\"call_id\":"));
            qsizetype at = 0;
            for (const auto& k : keys) {
                const qsizetype next = line.indexOf("\"" + k + "\":", at);
                QVERIFY2(next >= at, k.constData());
                at = next;
            }
        }
    }

    // 250 sequence numbers from 65400 (wrapping), 5 never sent, one duplicate, one swapped
    // pair, DTMF '1' (120 ms) and '#' (80 ms).
    void knownImpairments() {
        const CliRun r = runCli({"streams", capture(), "--json"});
        const QJsonObject a = bySsrc(r, "0x11111111");
        QCOMPARE(a.value("call_id").toString(), QString("media-call-1@sipscope.test"));
        QCOMPARE(a.value("src").toString(), QString("192.0.2.10"));
        QCOMPARE(a.value("sport").toInt(), 40000);
        QCOMPARE(a.value("dst").toString(), QString("198.51.100.20"));
        QCOMPARE(a.value("dport").toInt(), 50000);
        QCOMPARE(a.value("packets").toInt(), 246);
        QCOMPARE(a.value("expected").toInt(), 250);
        QCOMPARE(a.value("lost").toInt(), 5);
        QCOMPARE(a.value("loss_pct").toDouble(), 2.0);
        QCOMPARE(a.value("duplicates").toInt(), 1);
        QCOMPARE(a.value("out_of_order").toInt(), 1);
        QCOMPARE(a.value("max_delta_ms").toDouble(), 60.0);  // indexes 20 and 21 missing
        QCOMPARE(a.value("payload_types").toArray(), QJsonArray({0, 101}));
        const QJsonArray dtmf = a.value("dtmf").toArray();
        QCOMPARE(dtmf.size(), 2);
        QCOMPARE(dtmf[0].toObject().value("digit").toString(), QString("1"));
        QCOMPARE(dtmf[0].toObject().value("duration_ms").toDouble(), 120.0);
        QCOMPARE(dtmf[1].toObject().value("digit").toString(), QString("#"));
        QCOMPARE(dtmf[1].toObject().value("duration_ms").toDouble(), 80.0);
        QCOMPARE(strings(a.value("problems")), QStringList({"loss", "seq_errors"}));
        // 2 % loss, jitter under 10 ms: the hand-computed E-model case of tst_media, 4.21.
        QCOMPARE(a.value("mos").toDouble(), 4.21);
        QCOMPARE(a.value("heuristic").toBool(), false);
    }

    void cleanStreamWithRtcp() {
        const CliRun r = runCli({"streams", capture(), "--json"});
        const QJsonObject b = bySsrc(r, "0x22222222");
        QCOMPARE(b.value("packets").toInt(), 250);
        QCOMPARE(b.value("lost").toInt(), 0);
        QCOMPARE(b.value("jitter_ms").toDouble(), 0.0);
        QCOMPARE(b.value("max_delta_ms").toDouble(), 20.0);
        QCOMPARE(b.value("mos").toDouble(), 4.39);
        QVERIFY(b.value("problems").toArray().isEmpty());
        QVERIFY(b.value("dtmf").toArray().isEmpty());
        const QJsonObject rtcp = b.value("rtcp").toObject();
        QCOMPARE(rtcp.value("sender_reports").toInt(), 1);
        QCOMPARE(rtcp.value("receiver_reports").toInt(), 1);
        QCOMPARE(rtcp.value("jitter_ms").toDouble(), 2.0);  // 16 timestamp units at 8 kHz
        QVERIFY(bySsrc(r, "0x11111111").value("rtcp").isNull());
    }

    void callProblemsAndHeuristic() {
        const CliRun r = runCli({"streams", capture(), "--json"});
        const QJsonObject oneWay = bySsrc(r, "0x44444444");
        QCOMPARE(oneWay.value("call_id").toString(), QString("media-call-2@sipscope.test"));
        QCOMPARE(strings(oneWay.value("problems")),
                 QStringList({"codec_mismatch", "one_way_audio"}));
        const QJsonObject h = bySsrc(r, "0x33333333");
        QVERIFY(h.value("call_id").isNull());
        QCOMPARE(h.value("heuristic").toBool(), true);
        QCOMPARE(h.value("packets").toInt(), 60);
        QCOMPARE(h.value("payload_types").toArray(), QJsonArray({8}));
    }

    // --calls: the call-level media verdicts, no_media included (it has no stream to show).
    void callVerdicts() {
        const CliRun r = runCli({"streams", capture(), "--calls", "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.objects.size(), 3);
        QCOMPARE(r.objects[0].value("call_id").toString(), QString("media-call-1@sipscope.test"));
        QCOMPARE(r.objects[0].value("streams").toInt(), 2);
        QVERIFY(r.objects[0].value("problems").toArray().isEmpty());
        QCOMPARE(strings(r.objects[1].value("problems")),
                 QStringList({"one_way_audio", "codec_mismatch"}));
        QCOMPARE(r.objects[2].value("call_id").toString(), QString("media-call-3@sipscope.test"));
        QVERIFY(r.objects[2].value("answered").toBool());
        QCOMPARE(r.objects[2].value("streams").toInt(), 0);
        QCOMPARE(strings(r.objects[2].value("problems")), QStringList({"no_media"}));
        QCOMPARE(runCli({"streams", "--db", "x.sqlite", "--calls"}).exitCode, 2);
    }

    void options() {
        CliRun r = runCli({"streams", capture(), "--json", "--call", "media-call-1@sipscope.test"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.objects.size(), 2);
        r = runCli({"streams", capture(), "--json", "--no-heuristic"});
        QCOMPARE(r.objects.size(), 3);
        r = runCli({"streams", capture(), "--json", "--bpf", "udp port 42000"});
        QCOMPARE(r.objects.size(), 1);
        r = runCli({"streams", capture()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("call_id"));
        QCOMPARE(r.out.count('\n'), 5);
        QVERIFY(r.out.contains("(heuristic)"));
        r = runCli({"streams", "--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("usage: sipscope-cli streams"));
    }

    void errors() {
        CliRun r = runCli({"streams"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.out.isEmpty());
        r = runCli({"streams", capture(), "--frobnicate"});
        QCOMPARE(r.exitCode, 2);
        r = runCli({"streams", "/nonexistent/x.pcap"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("sipscope-cli streams:"));
        r = runCli({"streams", capture(), "--bpf", "udp port"});
        QCOMPARE(r.exitCode, 2);
        // Cut in the middle of a packet: exit 1, the streams read so far still printed.
        QTemporaryDir dir;
        QFile in(capture());
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.readAll();
        QFile out(dir.filePath("cut.pcap"));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes.left(bytes.size() / 2 + 7));
        out.close();
        r = runCli({"streams", out.fileName(), "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(!r.objects.isEmpty());
        QVERIFY(r.err.contains("packet"));
    }

    // A real SIPp call recorded on loopback (record_sipp_rtp.sh): PCMU both ways (the UAS
    // echoes), then RFC 2833 '1' replayed from SIPp's dtmf_2833_1.pcap with its own SSRC.
    void sippCapture() {
        const CliRun r = runCli(
            {"streams", QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/media/sipp_rtp.pcap"), "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.objects.size(), 4);
        int audio = 0, events = 0;
        for (const auto& o : r.objects) {
            QVERIFY(o.value("call_id").toString().endsWith("@127.0.0.1"));
            QCOMPARE(o.value("lost").toInt(), 0);
            QCOMPARE(o.value("duplicates").toInt(), 0);
            const auto pts = o.value("payload_types").toArray();
            if (pts == QJsonArray({0})) {
                ++audio;
                QCOMPARE(o.value("packets").toInt(), 101);  // tshark: 101
                QCOMPARE(o.value("mos").toDouble(), 4.39);
                QVERIFY(o.value("dtmf").toArray().isEmpty());
            } else {
                ++events;
                QCOMPARE(pts, QJsonArray({101}));
                QCOMPARE(o.value("packets").toInt(), 10);  // tshark: 10
                const QJsonArray dtmf = o.value("dtmf").toArray();
                QCOMPARE(dtmf.size(), 1);
                QCOMPARE(dtmf[0].toObject().value("digit").toString(), QString("1"));
                QVERIFY(dtmf[0].toObject().value("ended").toBool());
                // SIPp's UAS answered PCMU only.
                QVERIFY(strings(o.value("problems")).contains("codec_mismatch"));
            }
            QVERIFY(strings(o.value("problems")).contains("ssrc_change"));
            QVERIFY(!strings(o.value("problems")).contains("one_way_audio"));
        }
        QCOMPARE(audio, 2);
        QCOMPARE(events, 2);
    }

    // `import` keeps the streams; `streams --db` prints the same objects as `streams FILE`.
    void fromDatabase() {
        QTemporaryDir dir;
        const QString db = dir.filePath("lib.sqlite");
        CliRun r = runCli({"import", "--db", db, capture()});
        QCOMPARE(r.exitCode, 0);
        const CliRun file = runCli({"streams", capture(), "--json"});
        r = runCli({"streams", "--db", db, "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.objects, file.objects);
        r = runCli({"streams", "--db", db, "--json", "--call", "media-call-1@sipscope.test"});
        QCOMPARE(r.objects.size(), 2);
        r = runCli({"streams", "--db", db, "--no-heuristic"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out.count('\n'), 4);
        QVERIFY(r.out.contains("1#"));
        r = runCli({"streams", "--db", db, capture()});
        QCOMPARE(r.exitCode, 2);
        r = runCli({"streams", "--db", capture()});  // not a database
        QCOMPARE(r.exitCode, 2);
    }

    // tshark as an independent oracle for the packet counts of the SDP-announced streams.
    void packetCountsMatchTshark() {
        QProcess tshark;
        tshark.start("tshark", {"-n", "-r", capture(), "-q", "-z", "rtp,streams"});
        if (!tshark.waitForStarted()) QSKIP("tshark not installed");
        QVERIFY(tshark.waitForFinished(60000));
        const QString text = QString::fromUtf8(tshark.readAllStandardOutput());
        const CliRun r = runCli({"streams", capture(), "--json"});
        int compared = 0;
        for (const QString& line : text.split('\n')) {
            const QStringList f = line.simplified().split(' ');
            if (f.size() < 10 || !f[6].startsWith("0x")) continue;
            const QJsonObject o = bySsrc(r, f[6].toLower().toUtf8().constData());
            QCOMPARE(o.value("src").toString(), f[2]);
            // Pkts is the first number after the payload names.
            int i = 7;
            while (i < f.size() && !QRegularExpression("^\\d+$").match(f[i]).hasMatch()) ++i;
            QVERIFY(i < f.size());
            QCOMPARE(o.value("packets").toInt(), f[i].toInt());
            ++compared;
        }
        QCOMPARE(compared, 3);
    }
};

QTEST_GUILESS_MAIN(TestCliStreams)
#include "tst_cli_streams.moc"
