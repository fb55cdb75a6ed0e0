// `sipscope-cli import`, `calls --db`, `ladder` and `export-pcap`: the CLI contracts of the
// store issue (JSON summary, same call objects as `calls FILE`, golden ladders of the SIPp and
// Kamailio captures, pcap round trip, exit codes).

#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_test_util.hpp"
#include "test_util.hpp"

using sipscope::test::CliRun;
using sipscope::test::runCli;

namespace {

const QString kExample = QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/basic-calls.pcap");
const QString kCalls = QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/calls");

}  // namespace

class TestCliStore : public QObject {
    Q_OBJECT
  private slots:
    void importSummary();
    void callsFromDbEqualCallsFromFile();
    void goldenLadders_data();
    void goldenLadders();
    void ladderFromDbAndFormats();
    void exportPcapRoundTrip();
    void exportPcapByFilter();
    void filters();
    void errors();
};

void TestCliStore::importSummary() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    CliRun r = runCli({"import", "--db", db, kExample, kCalls + "/proxy-auth-fork.pcap"});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.objects.size(), 1);
    QJsonObject s = r.objects[0];
    for (const char* key : {"captures", "messages", "calls", "seconds"}) QVERIFY(s.contains(key));
    QCOMPARE(s["captures"].toInt(), 2);
    QCOMPARE(s["messages"].toInt(), 61 + 39);
    QCOMPARE(s["calls"].toInt(), 11 + 2);
    QCOMPARE(s["files"].toArray().size(), 2);
    QVERIFY(r.err.isEmpty());  // no progress bar when stderr is not a terminal
    // The same file again: skipped.
    r = runCli({"import", "--db", db, kExample});
    QCOMPARE(r.exitCode, 0);
    s = r.objects[0];
    QCOMPARE(s["captures"].toInt(), 0);
    QCOMPARE(s["skipped"].toInt(), 1);
    QCOMPARE(s["files"].toArray()[0].toObject()["status"].toString(), QString("skipped"));
}

void TestCliStore::callsFromDbEqualCallsFromFile() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    QCOMPARE(runCli({"import", "--db", db, kExample}).exitCode, 0);
    const CliRun file = runCli({"calls", "--json", kExample});
    const CliRun stored = runCli({"calls", "--db", db, "--json"});
    QCOMPARE(stored.exitCode, 0);
    QCOMPARE(stored.out, file.out);
    const CliRun limited = runCli({"calls", "--db", db, "--json", "--limit", "3"});
    QCOMPARE(limited.objects.size(), 3);
    const CliRun table = runCli({"calls", "--db", db});
    QCOMPARE(table.out, runCli({"calls", kExample}).out);
}

void TestCliStore::goldenLadders_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("golden");
    QTest::newRow("fork, text") << QStringList{kCalls + "/proxy-auth-fork.pcap", "--call",
                                               "proxy-fork-1@sipscope.test"}
                                << kCalls + "/ladders/proxy-fork.txt";
    QTest::newRow("proxy auth, mermaid")
        << QStringList{kCalls + "/proxy-auth-fork.pcap", "--call", "proxy-auth-1@sipscope.test",
                       "--format", "mermaid"}
        << kCalls + "/ladders/proxy-auth.mmd";
    QTest::newRow("retransmissions, text")
        << QStringList{kCalls + "/loss.pcap", "--call", "loss-1@sipscope.test"}
        << kCalls + "/ladders/loss.txt";
}

// Ladders of the generated captures equal the checked-in drawings; text fits 80 columns.
void TestCliStore::goldenLadders() {
    QFETCH(QStringList, args);
    QFETCH(QString, golden);
    const CliRun r = runCli(QStringList{"ladder"} + args);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(QString::fromUtf8(r.out), QString::fromStdString(sipscope::test::readFile(golden)));
    if (golden.endsWith(".txt"))
        for (const QByteArray& line : r.out.split('\n')) QVERIFY(line.size() <= 80);
}

void TestCliStore::ladderFromDbAndFormats() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    QCOMPARE(runCli({"import", "--db", db, kCalls + "/proxy-auth-fork.pcap"}).exitCode, 0);
    const CliRun fromDb = runCli({"ladder", "--db", db, "--call", "proxy-fork-1@sipscope.test"});
    QCOMPARE(fromDb.exitCode, 0);
    QCOMPARE(QString::fromUtf8(fromDb.out),
             QString::fromStdString(sipscope::test::readFile(kCalls + "/ladders/proxy-fork.txt")));
    const QString svg = dir.filePath("call.svg");
    QCOMPARE(runCli({"ladder", "--db", db, "--call", "proxy-fork-1@sipscope.test", "--format",
                     "svg", "-o", svg})
                 .exitCode,
             0);
    const QByteArray svgText = QByteArray::fromStdString(sipscope::test::readFile(svg));
    QVERIFY(svgText.startsWith("<?xml") || svgText.startsWith("<svg"));
    QVERIFY(svgText.contains("</svg>"));
    QVERIFY(svgText.contains("INVITE"));
    const CliRun html = runCli({"ladder", "--db", db, "--call", "proxy-fork-1@sipscope.test",
                                "--format", "html", "--time", "absolute"});
    QCOMPARE(html.exitCode, 0);
    QVERIFY(html.out.contains("<html"));
    QVERIFY(html.out.contains("Max-Forwards"));  // the raw messages, shown on click
    QVERIFY(!html.out.contains("http://") || html.out.contains("http://www.w3.org"));
}

void TestCliStore::exportPcapRoundTrip() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    QCOMPARE(runCli({"import", "--db", db, kCalls + "/proxy-auth-fork.pcap"}).exitCode, 0);
    const QString out = dir.filePath("fork.pcap");
    QCOMPARE(runCli({"export-pcap", "--db", db, "--call", "proxy-fork-1@sipscope.test", "-w", out})
                 .exitCode,
             0);
    const CliRun again = runCli({"calls", "--json", out});
    QCOMPARE(again.objects.size(), 1);
    const CliRun original = runCli({"calls", "--json", kCalls + "/proxy-auth-fork.pcap"});
    QJsonObject a = again.objects[0], b = original.objects[1];
    for (const char* key :
         {"call_id", "state", "final_code", "messages", "legs", "transactions", "dialogs", "start"})
        QCOMPARE(a[key], b[key]);
    // And the exported file imports like any capture.
    QCOMPARE(runCli({"import", "--db", db, out}).objects[0]["calls"].toInt(), 1);
}

// `export-pcap --filter` writes every call the expression accepts, and only those: the file
// gives back the calls `calls --db --filter` lists.
void TestCliStore::exportPcapByFilter() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    QCOMPARE(runCli({"import", "--db", db, kExample, kCalls + "/failures.pcap"}).exitCode, 0);
    const QString filter = "final_code >= 400 and kind == call";
    const CliRun listed = runCli({"calls", "--db", db, "--json", "--filter", filter});
    QCOMPARE(listed.objects.size(), 6);  // busy, 404, 503, cancelled (example and failures)
    const QString out = dir.filePath("failed.pcap");
    QCOMPARE(runCli({"export-pcap", "--db", db, "--filter", filter, "-w", out}).exitCode, 0);
    const CliRun again = runCli({"calls", "--json", out});
    QMap<QString, QString> a, b;  // Call-ID -> state
    for (const auto& o : listed.objects) a[o["call_id"].toString()] = o["state"].toString();
    for (const auto& o : again.objects) b[o["call_id"].toString()] = o["state"].toString();
    QCOMPARE(b, a);
    // --call and --filter together: the calls of that Call-ID the filter accepts (both
    // captures have a busy-1; the example's other calls fail the filter).
    const QString busy = dir.filePath("busy.pcap");
    QCOMPARE(runCli({"export-pcap", "--db", db, "--filter", filter, "--call",
                     "busy-1@sipscope.test", "-w", busy})
                 .exitCode,
             0);
    QCOMPARE(runCli({"calls", "--json", busy}).objects.size(), 2);  // one in each capture
    QCOMPARE(
        runCli({"export-pcap", "--db", db, "--filter", "final_code == 999", "-w", out}).exitCode,
        1);
    QCOMPARE(runCli({"export-pcap", "--db", db, "--filter", "final_code >=", "-w", out}).exitCode,
             2);
}

// The same expression selects the same calls from a capture and from the store.
void TestCliStore::filters() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    QCOMPARE(runCli({"import", "--db", db, kExample, kCalls + "/failures.pcap"}).exitCode, 0);
    const std::pair<const char*, int> cases[] = {
        {"state == \"busy\"", 2},
        {"final_code >= 487", 3},
        {"not kind == call", 3},
        {"kind == options and header(\"User-Agent\") ~ \"SIPp\"", 2},
        {"state in [failed, rejected] or final_code between 500 and 599", 2},
        {"to_user ~ \"^car\"", 1},
        {"start between \"2026-11-25 22:23:52\" and \"2026-11-25 22:23:53\"", 2},
    };
    for (const auto& [expr, count] : cases) {
        const CliRun stored = runCli({"calls", "--db", db, "--json", "--filter", expr});
        QVERIFY2(stored.exitCode == 0, expr);
        QVERIFY2(stored.objects.size() == count,
                 qPrintable(QString("%1: %2").arg(expr).arg(stored.objects.size())));
        int fromFiles = 0;
        for (const QString& f : {kExample, kCalls + "/failures.pcap"})
            fromFiles += runCli({"calls", "--json", "--filter", expr, f}).objects.size();
        QCOMPARE(fromFiles, count);
    }
    const CliRun bad = runCli({"calls", "--db", db, "--filter", "form_user == 1"});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY(bad.err.contains("did you mean 'from_user'"));
    QVERIFY(bad.err.contains("^"));
    QCOMPARE(runCli({"calls", kExample, "--filter", "final_code >= "}).exitCode, 2);
}

void TestCliStore::errors() {
    QTemporaryDir dir;
    const QString db = dir.filePath("lib.sqlite");
    QCOMPARE(runCli({"import", kExample}).exitCode, 2);    // no --db
    QCOMPARE(runCli({"import", "--db", db}).exitCode, 2);  // no file
    QCOMPARE(runCli({"import", "--db", db, "/nonexistent.pcap"}).exitCode, 2);
    QCOMPARE(runCli({"import", "--db", "/nonexistent/dir/x.sqlite", kExample}).exitCode, 2);
    QCOMPARE(runCli({"import", "--db", db, kExample}).exitCode, 0);
    QCOMPARE(runCli({"ladder", "--db", db, "--call", "nope"}).exitCode, 1);
    QCOMPARE(runCli({"ladder", "--db", db}).exitCode, 2);
    QCOMPARE(runCli({"ladder", "--db", db, "--call", "x", "--format", "png"}).exitCode, 2);
    QCOMPARE(runCli({"export-pcap", "--db", db, "--call", "nope", "-w", dir.filePath("x.pcap")})
                 .exitCode,
             1);
    QCOMPARE(runCli({"calls", "--db", dir.filePath("missing.sqlite")}).exitCode, 2);
    QCOMPARE(runCli({"calls", "--db", kExample}).exitCode, 2);  // not a database
    QVERIFY(runCli({"import", "--help"}).out.contains("example:"));
    QVERIFY(runCli({"ladder", "--help"}).out.contains("example:"));
}

QTEST_GUILESS_MAIN(TestCliStore)
#include "tst_cli_store.moc"
