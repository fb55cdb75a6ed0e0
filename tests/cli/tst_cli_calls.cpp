// `sipscope-cli calls | transactions | stats | events`: the NDJSON contracts of the
// transactions/calls issue (keys, types, nulls, start order), the tables, exit codes.

#include <QJsonArray>
#include <QtTest>

#include "cli_test_util.hpp"
#include "test_util.hpp"

using sipscope::test::CliRun;
using sipscope::test::runCli;

namespace {

const QString kExample = QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/basic-calls.pcap");
const QString kCalls = QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/calls");

const QStringList kCallKeys = {"call_id", "call_ids",   "kind",         "from_user",
                               "to_user", "start",      "answer",       "end",
                               "state",   "final_code", "messages",     "retransmissions",
                               "legs",    "dialogs",    "transactions", "auth_challenges",
                               "media",   "metrics",    "anomalies"};
const QStringList kTransactionKeys = {
    "id",         "kind",     "method",    "branch",          "call_id", "state",
    "final_code", "requests", "responses", "retransmissions", "timeout"};
const QStringList kStates = {"ringing",   "answered", "busy",   "rejected",
                             "cancelled", "timeout",  "failed", "in_progress"};

}  // namespace

class TestCliCalls : public QObject {
    Q_OBJECT
  private slots:
    void callsJsonContract();
    void callsMetricsAndMedia();
    void callsT1Option();
    void callsTable();
    void transactionsJson();
    void statsJson();
    void eventsLog();
    void usageErrors();
};

void TestCliCalls::callsJsonContract() {
    const CliRun r = runCli({"calls", kExample, "--json"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.objects.size(), 11);
    double lastStart = 0;
    for (const QJsonObject& c : r.objects) {
        for (const QString& k : kCallKeys) QVERIFY2(c.contains(k), qPrintable(k));
        QVERIFY(kStates.contains(c["state"].toString()));
        QVERIFY(c["start"].toDouble() >= lastStart);  // start order
        lastStart = c["start"].toDouble();
        QCOMPARE(c["call_ids"].toArray().first().toString(), c["call_id"].toString());
        const QJsonObject d = c["dialogs"].toObject();
        QVERIFY(d.contains("early") && d.contains("confirmed") && d.contains("terminated"));
        QVERIFY(c["metrics"].toObject().contains("pdd_ms"));
    }
    const QJsonObject reg = r.objects[0];
    QCOMPARE(reg["kind"].toString(), QString("register"));
    QCOMPARE(reg["auth_challenges"].toInt(), 1);
    QCOMPARE(reg["final_code"].toInt(), 200);
    QCOMPARE(reg["transactions"].toInt(), 2);
    const QJsonObject busy = r.objects[7];
    QCOMPARE(busy["call_id"].toString(), QString("busy-1@sipscope.test"));
    QCOMPARE(busy["state"].toString(), QString("busy"));
    QVERIFY(busy["answer"].isNull());
    QCOMPARE(busy["messages"].toInt(), 4);
    const QJsonObject cancel = r.objects[8];
    QCOMPARE(cancel["state"].toString(), QString("cancelled"));
    QCOMPARE(cancel["final_code"].toInt(), 487);
    QCOMPARE(cancel["dialogs"].toObject()["terminated"].toInt(), 1);
    QCOMPARE(r.objects[10]["kind"].toString(), QString("options"));
}

void TestCliCalls::callsMetricsAndMedia() {
    const CliRun r = runCli({"calls", "--json", kCalls + "/reinvite-hold.pcap"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.objects.size(), 1);
    const QJsonObject c = r.objects[0];
    QCOMPARE(c["state"].toString(), QString("answered"));
    const QJsonObject m = c["metrics"].toObject();
    QVERIFY(m["pdd_ms"].toDouble() > 0);
    QVERIFY(m["sdt_ms"].toDouble() > 0);
    QVERIFY(m["sdd_ms"].toDouble() >= 0);
    QVERIFY(m["rrd_ms"].isNull());
    // Offer/answer of the call, the hold (sendonly/recvonly) and the resume.
    const QJsonArray media = c["media"].toArray();
    QCOMPARE(media.size(), 6);
    QCOMPARE(media[2].toObject()["direction"].toString(), QString("sendonly"));
    QVERIFY(media[2].toObject()["hold"].toBool());
    QCOMPARE(media[3].toObject()["direction"].toString(), QString("recvonly"));
    QCOMPARE(media[4].toObject()["direction"].toString(), QString("sendrecv"));
    QCOMPARE(media[0].toObject()["type"].toString(), QString("audio"));
    QVERIFY(media[0].toObject()["port"].toInt() > 0);
    QVERIFY(!media[0].toObject()["codecs"].toArray().isEmpty());
}

void TestCliCalls::callsT1Option() {
    // The loss capture's retransmissions follow T1 = 500 ms: on schedule by default, off it
    // when the user says the endpoints use T1 = 1 s.
    CliRun r = runCli({"calls", "--json", kCalls + "/loss.pcap"});
    QCOMPARE(r.objects.size(), 2);
    QCOMPARE(r.objects[0]["retransmissions"].toInt(), 3);
    QVERIFY(r.objects[0]["anomalies"].toArray().isEmpty());
    r = runCli({"calls", "--json", "--t1-ms", "1000", kCalls + "/loss.pcap"});
    QCOMPARE(r.objects.size(), 2);
    bool offSchedule = false;
    for (const auto& a : r.objects[0]["anomalies"].toArray()) {
        const QJsonObject o = a.toObject();
        if (o["code"].toString() == "retransmission_off_schedule") offSchedule = true;
        QVERIFY(o["rfc"].toString().startsWith("RFC 3261"));
        QVERIFY(!o["message_ids"].toArray().isEmpty());
    }
    QVERIFY(offSchedule);
}

void TestCliCalls::callsTable() {
    const CliRun r = runCli({"calls", kCalls + "/failures.pcap"});
    QCOMPARE(r.exitCode, 0);
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 5);  // header + 4 calls
    QVERIFY(lines[0].startsWith("#  start"));
    QVERIFY(lines[1].contains("busy") && lines[1].contains("486"));
    QVERIFY(lines[3].contains("failed") && lines[3].contains("503"));
    QVERIFY(lines[4].contains("cancelled") && lines[4].contains("cancel-1@sipscope.test"));
    // Columns are aligned: the call-id column starts at the same offset on every line.
    const int col = lines[0].indexOf("call_id");
    for (int i = 1; i < lines.size(); ++i) QVERIFY(lines[i].indexOf("@sipscope.test") > col - 1);
}

void TestCliCalls::transactionsJson() {
    const CliRun r = runCli({"transactions", "--json", kCalls + "/timeout.pcap"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.objects.size(), 2);
    for (const QJsonObject& t : r.objects)
        for (const QString& k : kTransactionKeys) QVERIFY2(t.contains(k), qPrintable(k));
    QCOMPARE(r.objects[0]["id"].toInt(), 1);
    QCOMPARE(r.objects[0]["kind"].toString(), QString("nict"));
    QCOMPARE(r.objects[0]["method"].toString(), QString("OPTIONS"));
    QCOMPARE(r.objects[0]["requests"].toInt(), 10);
    QCOMPARE(r.objects[0]["retransmissions"].toInt(), 9);
    QVERIFY(r.objects[0]["timeout"].toBool());
    QVERIFY(r.objects[0]["final_code"].isNull());
    QCOMPARE(r.objects[1]["kind"].toString(), QString("ict"));
    QCOMPARE(r.objects[1]["retransmissions"].toInt(), 6);
    const CliRun ok = runCli({"transactions", "--json", kExample});
    QCOMPARE(ok.objects.size(), 19);
    for (int i = 0; i < ok.objects.size(); ++i) QCOMPARE(ok.objects[i]["id"].toInt(), i + 1);
    QCOMPARE(ok.objects[0]["state"].toString(), QString("completed"));
    QCOMPARE(ok.objects[3]["state"].toString(), QString("accepted"));
    QCOMPARE(ok.objects[13]["state"].toString(), QString("confirmed"));  // 486 + ACK
}

void TestCliCalls::statsJson() {
    const CliRun r = runCli({"stats", "--json", kCalls + "/failures.pcap"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.objects.size(), 1);
    const QJsonObject total = r.objects[0]["total"].toObject();
    QCOMPARE(total["sessions"].toInt(), 4);
    QCOMPARE(total["answered"].toInt(), 0);
    QCOMPARE(total["ser"].toDouble(), 0.0);
    QCOMPARE(total["seer"].toDouble(), 25.0);  // 486 counts as effective (RFC 6076 §4.7)
    QCOMPARE(total["isa"].toDouble(), 25.0);   // 503 is ineffective (§4.8)
    QVERIFY(total["ira"].isNull());
    QCOMPARE(total["final_codes"].toObject()["404"].toInt(), 1);
    QCOMPARE(r.objects[0]["peers"].toArray().size(), 4);
    const CliRun table = runCli({"stats", kExample});
    QVERIFY(table.out.contains("total"));
    QVERIFY(table.out.contains("ser%"));
}

void TestCliCalls::eventsLog() {
    const CliRun r = runCli({"events", kCalls + "/prack.pcap"});
    QCOMPARE(r.exitCode, 0);
    const QString expected =
        QString::fromStdString(sipscope::test::readFile(kCalls + "/events/prack.events"));
    QCOMPARE(QString::fromUtf8(r.out), expected);
}

void TestCliCalls::usageErrors() {
    QCOMPARE(runCli({"calls"}).exitCode, 2);
    QCOMPARE(runCli({"calls", "/nonexistent.pcap"}).exitCode, 2);
    QCOMPARE(runCli({"calls", kExample, "--t1-ms", "0"}).exitCode, 2);
    QCOMPARE(runCli({"calls", kExample, "--bogus"}).exitCode, 2);
    QCOMPARE(runCli({"stats", kExample, kExample}).exitCode, 2);
    const CliRun help = runCli({"transactions", "--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("example:"));
    // A truncated capture: calls of what was read, then exit 1.
    QTemporaryDir dir;
    const QByteArray whole = QByteArray::fromStdString(sipscope::test::readFile(kExample));
    QFile cut(dir.filePath("cut.pcap"));
    QVERIFY(cut.open(QIODevice::WriteOnly));
    cut.write(whole.left(whole.size() / 2 + 7));
    cut.close();
    const CliRun partial = runCli({"calls", "--json", cut.fileName()});
    QCOMPARE(partial.exitCode, 1);
    QVERIFY(!partial.objects.isEmpty());
    QVERIFY(partial.err.contains("packet"));
}

QTEST_APPLESS_MAIN(TestCliCalls)
#include "tst_cli_calls.moc"
