// `sipscope-cli messages` and `capture`: the NDJSON contract on the bundled capture, summary,
// gzip and standard input, damaged input (exit 1 with partial output), BPF, live capture on lo.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>
#include <zlib.h>

#include "cli_test_util.hpp"

namespace {

const QString kExample =
    QStringLiteral(SIPSCOPE_SOURCE_DIR) + "/resources/examples/basic-calls.pcap";

using Run = sipscope::test::CliRun;

Run runCli(const QStringList& args, const QString& stdinFile = {}) {
    return sipscope::test::runCli(args, {}, stdinFile);
}

const QStringList kKeys = {"id",      "frames",    "ts",    "src",   "sport",  "dst",
                           "dport",   "transport", "ip",    "kind",  "method", "status",
                           "call_id", "cseq",      "bytes", "issues"};

bool udpPortOpen(int port) {
    QFile f("/proc/net/udp");
    if (!f.open(QIODevice::ReadOnly)) return false;
    const QByteArray needle =
        ":" + QByteArray::number(port, 16).toUpper().rightJustified(4, '0') + " ";
    return f.readAll().contains(needle);
}

}  // namespace

class TestCliMessages : public QObject {
    Q_OBJECT
  private slots:
    void contract();
    void summary();
    void gzipAndStdinGiveTheSameOutput();
    void damagedFileKeepsWhatWasRead();
    void bpfAndUsage();
    void liveCaptureOnLoopback();
};

void TestCliMessages::contract() {
    const Run r = runCli({"messages", kExample});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.objects.size(), 61);
    qint64 lastId = 0;
    double lastTs = 0;
    int tcp = 0, v6 = 0;
    for (const auto& o : r.objects) {
        for (const auto& k : kKeys) QVERIFY2(o.contains(k), qPrintable(k));
        QVERIFY(o["id"].toInteger() > lastId);
        lastId = o["id"].toInteger();
        QVERIFY(o["ts"].toDouble() >= lastTs - 1.0);
        lastTs = o["ts"].toDouble();
        QVERIFY(o["frames"].toArray().size() >= 1);
        QVERIFY(o["bytes"].toInt() > 100);
        const bool req = o["kind"].toString() == "request";
        QCOMPARE(o["method"].isNull(), !req);
        QCOMPARE(o["status"].isNull(), req);
        QVERIFY(o["call_id"].toString().endsWith("@sipscope.test"));
        tcp += o["transport"].toString() == "tcp";
        if (o["ip"].toInt() == 6) {
            ++v6;
            QCOMPARE(o["src"].toString(), QString("::1"));
        }
    }
    QCOMPARE(tcp, 7);
    QCOMPARE(v6, 2);
    QCOMPARE(r.objects[0]["cseq"].toObject()["method"].toString(), QString("REGISTER"));
    QCOMPARE(r.objects[0]["sport"].toInt(), 5060);
}

void TestCliMessages::summary() {
    const Run r = runCli({"messages", "--summary", kExample});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.objects.size(), 1);
    const QJsonObject s = r.objects[0];
    QCOMPARE(s["packets"].toInt(), 73);
    QCOMPARE(s["sip_messages"].toInt(), 61);
    QCOMPARE(s["requests"].toInt() + s["responses"].toInt(), 61);
    QCOMPARE(s["call_ids"].toInt(), 11);
    QCOMPARE(s["by_method"].toObject()["INVITE"].toInt(), 8);
    QCOMPARE(s["by_status"].toObject()["486"].toInt(), 1);
    QCOMPARE(s["non_sip_packets"].toInt(), 73 - 61);
    QVERIFY(s["errors"].toArray().isEmpty());
    QCOMPARE(s["dropped"].toInt(), 0);
}

void TestCliMessages::gzipAndStdinGiveTheSameOutput() {
    QTemporaryDir dir;
    QFile in(kExample);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray raw = in.readAll();
    const QString gz = dir.filePath("example.pcap.gz");
    gzFile g = gzopen(gz.toLocal8Bit().constData(), "wb");
    gzwrite(g, raw.constData(), static_cast<unsigned>(raw.size()));
    gzclose(g);
    const Run plain = runCli({"messages", kExample});
    const Run zipped = runCli({"messages", gz});
    const Run piped = runCli({"messages", "-"}, gz);
    QCOMPARE(zipped.exitCode, 0);
    QCOMPARE(piped.exitCode, 0);
    QCOMPARE(zipped.objects, plain.objects);
    QCOMPARE(piped.objects, plain.objects);
}

void TestCliMessages::damagedFileKeepsWhatWasRead() {
    QTemporaryDir dir;
    QFile in(kExample);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray raw = in.readAll();
    const QString cut = dir.filePath("cut.pcap");
    QFile out(cut);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(raw.left(raw.size() / 2));
    out.close();
    const Run r = runCli({"messages", cut});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.objects.size() > 10 && r.objects.size() < 61);
    QVERIFY2(r.err.contains("packet"), r.err.constData());
    const Run s = runCli({"messages", "--summary", cut});
    QCOMPARE(s.exitCode, 1);
    QCOMPARE(s.objects[0]["errors"].toArray().size(), 1);
    QVERIFY(s.objects[0]["errors"].toArray()[0].toObject()["packet"].toInt() > 1);
}

void TestCliMessages::bpfAndUsage() {
    const Run tcp = runCli({"messages", "--bpf", "tcp", kExample});
    QCOMPARE(tcp.exitCode, 0);
    QCOMPARE(tcp.objects.size(), 7);
    for (const auto& o : tcp.objects) QCOMPARE(o["transport"].toString(), QString("tcp"));
    QCOMPARE(runCli({"messages", "--bpf", "no such filter (", kExample}).exitCode, 2);
    QCOMPARE(runCli({"messages"}).exitCode, 2);
    QCOMPARE(runCli({"messages", "/nonexistent.pcap"}).exitCode, 2);
    QCOMPARE(runCli({"messages", QStringLiteral(SIPSCOPE_SOURCE_DIR) + "/README.md"}).exitCode, 2);
}

void TestCliMessages::liveCaptureOnLoopback() {
    if (getuid() != 0) QSKIP("live capture needs root or sipscope-capture with capabilities");
    if (QStandardPaths::findExecutable("sipp").isEmpty())
        QSKIP("sipp (Debian sip-tester) not installed");
    QProcess cap;
    cap.start(QStringLiteral(SIPSCOPE_CLI),
              {"capture", "-i", "lo", "-f", "udp port 25160 or udp port 25170", "--duration", "6"});
    QVERIFY(cap.waitForStarted());
    // `capture` says on stderr when the helper is capturing: only then may SIPp send.
    cap.setReadChannel(QProcess::StandardError);
    QByteArray err;
    for (int i = 0; i < 50 && !err.contains("capturing"); ++i)
        if (cap.waitForReadyRead(200)) err += cap.readAll();
    QVERIFY2(err.contains("capturing"), err.constData());
    const QString scen = QStringLiteral(SIPSCOPE_SOURCE_DIR) + "/resources/examples/scenarios/";
    QProcess uas, uac;
    uas.start("sipp", {"-sf", scen + "uas-options.xml", "-i", "127.0.0.1", "-p", "25170", "-m", "1",
                       "-nostdin", "-timeout", "10s", "-key", "case", "live", "-s", "bob"});
    QVERIFY(uas.waitForStarted());
    // SIPp binds its port right after starting: wait (bounded) until the UAS socket exists so
    // the OPTIONS is not lost and retransmitted.
    for (int i = 0; i < 100 && !udpPortOpen(25170); ++i) QTest::qWait(20);
    QVERIFY(udpPortOpen(25170));
    uac.start("sipp", {"-sf", scen + "uac-options.xml", "127.0.0.1:25170", "-i", "127.0.0.1", "-p",
                       "25160", "-m", "1", "-nostdin", "-timeout", "10s", "-key", "case", "live",
                       "-s", "bob", "-cid_str", "live-%u@t"});
    QVERIFY(uac.waitForFinished(15000));
    QVERIFY(uas.waitForFinished(15000));
    QVERIFY(cap.waitForFinished(20000));
    QCOMPARE(cap.exitCode(), 0);
    QList<QJsonObject> msgs;
    for (const QByteArray& line : cap.readAllStandardOutput().split('\n'))
        if (!line.isEmpty()) msgs.push_back(QJsonDocument::fromJson(line).object());
    QCOMPARE(msgs.size(), 2);
    QCOMPARE(msgs[0]["method"].toString(), QString("OPTIONS"));
    QCOMPARE(msgs[1]["status"].toInt(), 200);
    QVERIFY((err + cap.readAllStandardError()).contains("0 dropped"));
}

QTEST_GUILESS_MAIN(TestCliMessages)
#include "tst_cli_messages.moc"
