// `sipscope-cli parse`: the NDJSON contract (keys, nulls, order), exit codes, --stdin.

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_test_util.hpp"
#include "test_util.hpp"

namespace {

using Run = sipscope::test::CliRun;
using sipscope::test::runCli;

const QStringList kKeys = {"file",   "ok",     "kind",         "method",         "request_uri",
                           "status", "reason", "call_id",      "cseq",           "from",
                           "to",     "vias",   "max_forwards", "content_length", "body_parts",
                           "sdp",    "issues", "error"};

QString writeTemp(QTemporaryDir& dir, const QString& name, const QByteArray& data) {
    const QString path = dir.filePath(name);
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(data);
    return path;
}

const QByteArray kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;received=2001:db8::9;rport=5062\r\n"
    "Max-Forwards: 70\r\nTo: Bob <sip:bob@example.com>\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\nCall-ID: cli-1@h\r\nCSeq: 7 INVITE\r\n"
    "Content-Type: application/sdp\r\nContent-Length: 73\r\n\r\n"
    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8 101\r\n";

}  // namespace

class TestCliParse : public QObject {
    Q_OBJECT
  private slots:
    void contractFields();
    void responseAndInvalidMessage();
    void corpusVerdictsAndOrder();
    void standardInput();
    void usageAndIoErrors();
};

void TestCliParse::contractFields() {
    QTemporaryDir dir;
    const QString f = writeTemp(dir, "invite.sip", kInvite);
    const Run r = runCli({"parse", f});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.objects.size(), 1);
    const QJsonObject o = r.objects[0];
    for (const auto& k : kKeys) QVERIFY2(o.contains(k), qPrintable(k));
    QCOMPARE(o["file"].toString(), f);
    QCOMPARE(o["ok"].toBool(), true);
    QCOMPARE(o["kind"].toString(), QString("request"));
    QCOMPARE(o["method"].toString(), QString("INVITE"));
    QCOMPARE(o["request_uri"].toString(), QString("sip:bob@example.com"));
    QVERIFY(o["status"].isNull() && o["reason"].isNull() && o["error"].isNull());
    QCOMPARE(o["call_id"].toString(), QString("cli-1@h"));
    QCOMPARE(o["cseq"].toObject()["seq"].toInt(), 7);
    QCOMPARE(o["cseq"].toObject()["method"].toString(), QString("INVITE"));
    QCOMPARE(o["from"].toObject()["display"].toString(), QString("Alice"));
    QCOMPARE(o["from"].toObject()["tag"].toString(), QString("a1"));
    QVERIFY(o["to"].toObject()["tag"].isNull());
    QCOMPARE(o["to"].toObject()["display"].toString(), QString("Bob"));
    const QJsonObject via = o["vias"].toArray()[0].toObject();
    QCOMPARE(via["host"].toString(), QString("2001:db8::1"));  // no brackets (CLI.md)
    QCOMPARE(via["port"].toInt(), 5060);
    QCOMPARE(via["received"].toString(), QString("2001:db8::9"));
    QCOMPARE(via["rport"].toInt(), 5062);
    QCOMPARE(via["transport"].toString(), QString("UDP"));
    QCOMPARE(o["max_forwards"].toInt(), 70);
    QCOMPARE(o["content_length"].toInt(), 73);
    QCOMPARE(o["body_parts"].toInt(), 1);
    const QJsonObject media = o["sdp"].toObject()["media"].toArray()[0].toObject();
    QCOMPARE(media["type"].toString(), QString("audio"));
    QCOMPARE(media["port"].toInt(), 4000);
    QCOMPARE(media["proto"].toString(), QString("RTP/AVP"));
    QCOMPARE(media["formats"].toArray().size(), 3);
    QCOMPARE(media["formats"].toArray()[2].toString(), QString("101"));
}

void TestCliParse::responseAndInvalidMessage() {
    QTemporaryDir dir;
    const QString ok = writeTemp(dir, "100.sip",
                                 "SIP/2.0 100 \r\nVia: SIP/2.0/TCP h;branch=z9hG4bK2\r\n"
                                 "To: <sip:b@h>\r\nFrom: <sip:a@h>;tag=1\r\nCall-ID: x\r\n"
                                 "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
    const QString bad =
        writeTemp(dir, "bad.sip", QByteArray(kInvite).replace("CSeq: 7 INVITE", "CSeq: 7 BYE"));
    const Run r = runCli({"parse", ok, bad});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.objects.size(), 2);
    const QJsonObject resp = r.objects[0];
    QCOMPARE(resp["kind"].toString(), QString("response"));
    QCOMPARE(resp["status"].toInt(), 100);
    QVERIFY(resp["reason"].isNull());  // empty Reason-Phrase
    QVERIFY(resp["method"].isNull() && resp["request_uri"].isNull());
    QVERIFY(resp["sdp"].isNull());
    QCOMPARE(resp["body_parts"].toInt(), 0);
    const QJsonObject e = r.objects[1]["error"].toObject();
    QCOMPARE(r.objects[1]["ok"].toBool(), false);
    QCOMPARE(e["code"].toString(), QString("cseq_mismatch"));
    QCOMPARE(e["header"].toString(), QString("CSeq"));
    QCOMPARE(e["offset"].toInt(), static_cast<int>(kInvite.indexOf("CSeq:")));
    QVERIFY(!e["message"].toString().isEmpty());
}

void TestCliParse::corpusVerdictsAndOrder() {
    const QString corpus = sipscope::test::corpusDir();
    if (corpus.isEmpty()) QSKIP("shared corpus not found (set SIPSCOPE_CORPUS_DIR)");
    QStringList files;
    QList<bool> expected;
    for (const char* sub : {"rfc4475", "rfc5118"})
        for (const auto& row : sipscope::test::readTsv(corpus + "/" + sub + "/EXPECTED.tsv")) {
            files << corpus + "/" + sub + "/" + row[0];
            expected << (row[2] != "invalid");
        }
    const Run r = runCli(QStringList{"parse"} + files);
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.objects.size(), files.size());
    for (int i = 0; i < files.size(); ++i) {
        QCOMPARE(r.objects[i]["file"].toString(), files[i]);
        QVERIFY2(r.objects[i]["ok"].toBool() == expected[i], qPrintable(files[i]));
        for (const auto& k : kKeys) QVERIFY(r.objects[i].contains(k));
        QCOMPARE(r.objects[i]["error"].isNull(), expected[i]);
    }
}

void TestCliParse::standardInput() {
    const Run r = runCli({"parse", "--stdin"}, kInvite);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.objects.size(), 1);
    QCOMPARE(r.objects[0]["file"].toString(), QString("-"));
    QCOMPARE(r.objects[0]["call_id"].toString(), QString("cli-1@h"));
    const Run junk = runCli({"parse", "--stdin"}, "GET / HTTP/1.1\r\n\r\n");
    QCOMPARE(junk.exitCode, 1);
    QCOMPARE(junk.objects[0]["ok"].toBool(), false);
    QVERIFY(junk.objects[0]["kind"].isNull());
    QCOMPARE(junk.objects[0]["error"].toObject()["code"].toString(), QString("bad_start_line"));
}

void TestCliParse::usageAndIoErrors() {
    QCOMPARE(runCli({"parse"}).exitCode, 2);
    QCOMPARE(runCli({"parse", "--bogus"}).exitCode, 2);
    QCOMPARE(runCli({"no-such-command"}).exitCode, 2);
    const Run missing = runCli({"parse", "/nonexistent/file.sip"});
    QCOMPARE(missing.exitCode, 2);
    QVERIFY(missing.err.contains("cannot read"));
    const Run help = runCli({"parse", "--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY((help.out + help.err).contains("example:"));
    const Run version = runCli({"--version"});
    QCOMPARE(version.exitCode, 0);
    QVERIFY((version.out + version.err).contains("OpenSSL"));
}

QTEST_GUILESS_MAIN(TestCliParse)
#include "tst_cli_parse.moc"
