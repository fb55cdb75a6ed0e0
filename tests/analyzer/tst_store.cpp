// The SQLite store: import of captures (calls identical to `calls FILE`), re-import detected by
// fingerprint, schema version handling, the query plans of the GUI's queries, a reader while
// the writer imports, crash safety (a child importer killed with SIGKILL at several points),
// and export-pcap -> re-import giving the same calls.

#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "call_test_util.hpp"
#include "calls/call_json.hpp"
#include "packet_builder.hpp"
#include "store/importer.hpp"
#include "store/media_recorder.hpp"
#include "store/pcap_export.hpp"
#include "store/schema.hpp"
#include "store/store_reader.hpp"
#include "store_test_util.hpp"
#include "test_util.hpp"

using namespace sipscope;
using namespace sipscope::analyzer;
using namespace sipscope::analyzer::store;

namespace {

const QString kExample = QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/basic-calls.pcap");
const QString kCalls = QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/calls");

FileImport importInto(const std::string& db, const QString& file) {
    return test::importCapture(db, file.toStdString());
}

// What `calls FILE --json` prints: the calls with their media verdicts (from a media pass;
// the example has no RTP, so the verdicts at the end equal those when each call was reported).
std::vector<std::string> jsonOfFile(const QString& file) {
    MediaRecorder media(false);
    std::string err;
    auto src = openCaptureFile(file.toStdString(), err);
    CapturePipeline pipe({}, [&](ObservedMessage&& m) { media.onSip(m); });
    pipe.setDatagramObserver([&](const TransportPacket& t) { media.onDatagram(t); });
    RawPacket p;
    while (src && src->next(p)) pipe.process(p);
    pipe.finish();
    std::vector<std::string> out;
    JsonWriter w;
    for (auto c : test::analyzeFile(file).calls) {
        c.mediaProblems = media.problemsOf(c);
        w.clear();
        writeCall(w, c);
        out.push_back(w.str());
    }
    return out;
}

std::vector<std::string> jsonOfDb(const std::string& db) {
    StoreReader reader(db);
    std::vector<std::string> out;
    reader.calls(std::nullopt, std::nullopt, [&](const StoredCall& c) {
        out.push_back(c.json);
        return true;
    });
    return out;
}

std::string queryPlan(sql::Database& db, const std::string& query) {
    sql::Statement s(db, "EXPLAIN QUERY PLAN " + query);
    std::string plan;
    while (s.step()) plan += s.text(3) + "\n";
    return plan;
}

// A capture of `calls` INVITE/486 exchanges, 10 ms apart, with distinct Call-IDs.
void writeManyCalls(const std::string& path, int calls) {
    std::vector<test::TimedPkt> packets;
    for (int i = 0; i < calls; ++i) {
        const std::string id = "bulk-" + std::to_string(i);
        const std::string inv =
            "INVITE sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK" +
            id + "\r\nFrom: <sip:alice@example.com>;tag=a" + id +
            "\r\nTo: <sip:bob@example.net>\r\nCall-ID: " + id +
            "\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        const std::string busy =
            "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK" + id +
            "\r\nFrom: <sip:alice@example.com>;tag=a" + id +
            "\r\nTo: <sip:bob@example.net>;tag=b\r\nCall-ID: " + id +
            "\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        const std::int64_t t = 1'700'000'000'000'000'000 + std::int64_t(i) * 10'000'000;
        packets.push_back(
            {t, test::eth(0x0800, test::ipv4(test::kA4, test::kB4, 17,
                                             test::udp(5060, 5060, test::bytesOf(inv))))});
        packets.push_back(
            {t + 1'000'000,
             test::eth(0x0800, test::ipv4(test::kB4, test::kA4, 17,
                                          test::udp(5060, 5060, test::bytesOf(busy))))});
    }
    QVERIFY(test::writePcap(path, 1, packets));
}

}  // namespace

class TestStore : public QObject {
    Q_OBJECT
  private slots:
    void importGivesTheSameCalls();
    void reimportIsDetected();
    void schemaVersion();
    void queryPlansUseIndexes();
    void messagesKeepTheirBytes();
    void readerDuringImport();
    void snapshotsReplacedInPlace();
    void importWithSnapshotsGivesTheSameCalls();
    void killedImportLeavesAConsistentStore();
    void exportPcapRoundTrip();
};

void TestStore::importGivesTheSameCalls() {
    QTemporaryDir dir;
    const std::string db = dir.filePath("lib.sqlite").toStdString();
    const FileImport r = importInto(db, kExample);
    QCOMPARE(r.status, std::string("complete"));
    QCOMPARE(r.messages, std::uint64_t(61));
    QCOMPARE(r.calls, std::uint64_t(11));
    QCOMPARE(jsonOfDb(db), jsonOfFile(kExample));
    StoreReader reader(db);
    const auto captures = reader.captures();
    QCOMPARE(captures.size(), std::size_t(1));
    QCOMPARE(captures[0].status, std::string("complete"));
    QCOMPARE(captures[0].calls, std::uint64_t(11));
    // The stored columns agree with the JSON.
    std::vector<StoredCall> calls;
    reader.calls(std::nullopt, std::nullopt, [&](const StoredCall& c) {
        calls.push_back(c);
        return true;
    });
    QCOMPARE(calls[7].record.state, CallState::Busy);
    QCOMPARE(calls[7].record.finalCode, std::optional<int>(486));
    QCOMPARE(calls[0].record.kind, CallKind::Register);
    QCOMPARE(calls[0].record.authChallenges, 1u);
}

void TestStore::reimportIsDetected() {
    QTemporaryDir dir;
    const std::string db = dir.filePath("lib.sqlite").toStdString();
    const FileImport first = importInto(db, kExample);
    const FileImport second = importInto(db, kExample);
    QVERIFY(second.skipped);
    QCOMPARE(second.captureId, first.captureId);
    QCOMPARE(jsonOfDb(db).size(), std::size_t(11));
    // A copy elsewhere has the same fingerprint; another capture has another.
    QFile::copy(kExample, dir.filePath("copy.pcap"));
    QCOMPARE(captureFingerprint(dir.filePath("copy.pcap").toStdString()),
             captureFingerprint(kExample.toStdString()));
    QVERIFY(captureFingerprint((kCalls + "/basic.pcap").toStdString()) !=
            captureFingerprint(kExample.toStdString()));
    QVERIFY(captureFingerprint("/nonexistent").empty());
}

void TestStore::schemaVersion() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("v.sqlite").toStdString();
    {
        sql::Database db(path, sql::Database::Mode::ReadWrite);
        QCOMPARE(store::schemaVersion(db), 0);
        migrate(db);
        QCOMPARE(store::schemaVersion(db), kSchemaVersion);
        migrate(db);  // idempotent
        sql::Statement wal(db, "PRAGMA journal_mode");
        QVERIFY(wal.step());
        QCOMPARE(wal.text(0), std::string("wal"));
        sql::Statement fk(db, "PRAGMA foreign_keys");
        QVERIFY(fk.step());
        QCOMPARE(fk.integer(0), std::int64_t(1));
        QCOMPARE(test::scalar(db, "PRAGMA page_size"), std::int64_t(16384));  // a new database
        db.exec("PRAGMA user_version = 99");
    }
    bool refused = false;
    try {
        StoreWriter writer(path);
    } catch (const sql::Error& e) {
        refused = QString::fromStdString(e.message).contains("newer SipScope");
    }
    QVERIFY(refused);
    // A database that already has pages keeps their size.
    const std::string small = dir.filePath("small.sqlite").toStdString();
    {
        sql::Database db(small, sql::Database::Mode::ReadWrite);
        db.exec("PRAGMA page_size = 4096; CREATE TABLE notes(text TEXT)");
        migrate(db);
        QCOMPARE(store::schemaVersion(db), kSchemaVersion);
        QCOMPARE(test::scalar(db, "PRAGMA page_size"), std::int64_t(4096));
    }
    // Not a SipScope database at all.
    const std::string empty = dir.filePath("empty.sqlite").toStdString();
    { sql::Database db(empty, sql::Database::Mode::ReadWrite); }
    bool rejected = false;
    try {
        StoreReader reader(empty);
    } catch (const sql::Error&) {
        rejected = true;
    }
    QVERIFY(rejected);
}

void TestStore::queryPlansUseIndexes() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("p.sqlite").toStdString();
    importInto(path, kExample);
    sql::Database db(path, sql::Database::Mode::ReadOnly);
    const std::pair<const char*, const char*> cases[] = {
        {"SELECT id FROM calls WHERE start_ns BETWEEN 1 AND 2 ORDER BY start_ns", "calls_by_start"},
        {"SELECT id FROM calls WHERE state = 'failed' AND start_ns > 5", "calls_by_state"},
        {"SELECT id FROM calls WHERE from_user = 'alice'", "calls_by_from"},
        {"SELECT id FROM calls WHERE to_user = 'bob'", "calls_by_to"},
        {"SELECT call_row FROM call_ids WHERE call_id = 'x'", "PRIMARY KEY"},
        {"SELECT call_id FROM call_ids WHERE call_row = 7", "call_ids_by_call"},
        {"SELECT src, dst FROM legs WHERE call_row = 7 ORDER BY position", "PRIMARY KEY"},
        {"SELECT origin FROM media WHERE call_row = 7 ORDER BY position", "PRIMARY KEY"},
        {"SELECT bytes FROM messages WHERE capture_id = 1 AND call_key = 3 ORDER BY seq",
         "messages_by_call"},
        {"SELECT block_id FROM block_calls WHERE capture_id = 1 AND call_key = 3", "PRIMARY KEY"},
        {"SELECT id FROM message_blocks WHERE capture_id = 1 AND first_seq <= 9 ORDER BY "
         "first_seq DESC LIMIT 1",
         "message_blocks_by_seq"},
        {"SELECT id FROM captures WHERE hash = 'h'", "captures_by_hash"},
    };
    for (const auto& [query, index] : cases) {
        const std::string plan = queryPlan(db, query);
        QVERIFY2(plan.find(index) != std::string::npos, (std::string(query) + "\n" + plan).c_str());
        QVERIFY2(plan.find("USE TEMP B-TREE") == std::string::npos, plan.c_str());
    }
}

void TestStore::messagesKeepTheirBytes() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.sqlite").toStdString();
    importInto(path, kExample);
    StoreReader reader(path);
    const auto calls = reader.callsById("call-1@sipscope.test");
    QCOMPARE(calls.size(), std::size_t(1));
    const auto messages = reader.messagesOf(calls[0]);
    QCOMPARE(messages.size(), std::size_t(7));
    QVERIFY(QByteArray::fromStdString(messages[0].bytes).startsWith("INVITE sip:"));
    QCOMPARE(messages[0].role, std::string("request"));
    QCOMPARE(messages[0].sport, std::uint16_t(5060));
    QCOMPARE(messages[0].transport, std::string("udp"));
    QVERIFY(!messages[0].frames.empty());
    const std::string invite = test::readFile(
        QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/messages/invite.sip"));
    QCOMPARE(messages[0].bytes, invite);
}

void TestStore::readerDuringImport() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("r.sqlite").toStdString();
    const std::string big = dir.filePath("big.pcap").toStdString();
    writeManyCalls(big, 6000);
    importInto(path, kExample);
    std::atomic<bool> done{false};
    std::thread importer([&] {
        importInto(path, QString::fromStdString(big));
        done = true;
    });
    // A reader sees a consistent store all along (the example's 11 calls at least).
    int reads = 0;
    for (int i = 0; i < 1000 && !done; ++i, ++reads) {
        StoreReader reader(path);
        std::size_t n = 0;
        reader.calls(std::nullopt, std::nullopt, [&](const StoredCall&) { return ++n, true; });
        QVERIFY(n >= 11);
    }
    importer.join();
    QVERIFY(reads > 0);
    QCOMPARE(jsonOfDb(path).size(), std::size_t(11 + 6000));
}

// A call written as a snapshot (number 0) and then reported keeps its row id; its columns and
// its child rows (Call-IDs, legs, anomalies, media) are those of the reported call.
void TestStore::snapshotsReplacedInPlace() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("s.sqlite").toStdString();
    std::int64_t capture = 0;
    {
        StoreWriter writer(path);
        capture = writer.beginCapture({"x.pcap", "h", "pcap", 1});
    }
    sql::Database db(path, sql::Database::Mode::ReadWrite);
    CallRecord c;
    c.key = 7;
    c.callId = "snap@x";
    c.callIds = {"snap@x"};
    c.state = CallState::Ringing;
    c.messages = 2;
    c.startNs = 1'700'000'000'000'000'000;
    Batch first;
    first.calls.push_back(c);
    writeBatch(db, capture, first);
    auto rows = [&db](const std::string& query) {
        sql::Statement s(db, query);
        return s.step() ? s.integer(0) : -1;
    };
    const std::int64_t row = rows("SELECT id FROM calls WHERE key = 7");
    QVERIFY(row > 0);
    QCOMPARE(rows("SELECT number FROM calls"), std::int64_t(0));

    c.number = 1;
    c.state = CallState::Busy;
    c.finalCode = 486;
    c.messages = 4;
    c.callIds = {"snap@x", "snap-leg2@x"};
    stack::Anomaly a;
    a.code = "ack_missing";
    a.messageIds = {3};
    c.anomalies.push_back(a);
    Batch second;
    second.calls.push_back(c);
    writeBatch(db, capture, second);
    QCOMPARE(rows("SELECT COUNT(*) FROM calls"), std::int64_t(1));
    QCOMPARE(rows("SELECT id FROM calls"), row);
    QCOMPARE(rows("SELECT number FROM calls"), std::int64_t(1));
    QCOMPARE(rows("SELECT final_code FROM calls"), std::int64_t(486));
    QCOMPARE(rows("SELECT messages FROM calls"), std::int64_t(4));
    QCOMPARE(rows("SELECT COUNT(*) FROM call_ids WHERE call_row = " + std::to_string(row)),
             std::int64_t(2));
    QCOMPARE(rows("SELECT COUNT(*) FROM anomalies WHERE call_row = " + std::to_string(row)),
             std::int64_t(1));
    StoreReader reader(path);
    QCOMPARE(reader.callsById("snap-leg2@x").size(), std::size_t(1));
}

// Snapshots on every message (callLatency 0): the calls in progress are written and rewritten
// all along, and the store ends with exactly the calls of `calls FILE`, numbered.
void TestStore::importWithSnapshotsGivesTheSameCalls() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("snap.sqlite").toStdString();
    StoreWriter writer(path);
    ImportOptions options;
    options.callLatency = std::chrono::milliseconds(0);
    Importer importer(writer, options);
    std::atomic<bool> cancel{false};
    const FileImport r = importer.importFile(kExample.toStdString(), {}, cancel);
    QCOMPARE(r.status, std::string("complete"));
    QCOMPARE(r.calls, std::uint64_t(11));
    QCOMPARE(jsonOfDb(path), jsonOfFile(kExample));
}

// A child process imports a large capture and is killed with SIGKILL after 1, 2, 3... batches
// reached the database. Every time the store opens, passes integrity_check, keeps the earlier
// capture whole, and the interrupted capture is marked incomplete once a writer opens it.
void TestStore::killedImportLeavesAConsistentStore() {
    QTemporaryDir dir;
    const std::string big = dir.filePath("big.pcap").toStdString();
    writeManyCalls(big, 12000);
    for (int batches : {1, 3}) {
        const std::string path = dir.filePath(QString("k%1.sqlite").arg(batches)).toStdString();
        importInto(path, kExample);
        const pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            importInto(path, QString::fromStdString(big));
            _exit(0);
        }
        // Bounded wait until the child has written `batches` batches of messages.
        bool reached = false;
        for (int i = 0; i < 4000 && !reached; ++i) {
            try {
                sql::Database db(path, sql::Database::Mode::ReadOnly);
                sql::Statement s(
                    db,
                    "SELECT coalesce(sum(messages), 0) FROM message_blocks WHERE capture_id = 2");
                reached = s.step() && s.integer(0) >= batches * 4096;
            } catch (const sql::Error&) {
            }
            if (!reached) usleep(2000);
        }
        QVERIFY2(reached, "the child importer never wrote the expected batches");
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        {
            sql::Database db(path, sql::Database::Mode::ReadOnly);
            sql::Statement check(db, "PRAGMA integrity_check");
            QVERIFY(check.step());
            QCOMPARE(check.text(0), std::string("ok"));
        }
        { StoreWriter writer(path); }  // recovery: the dead importer's capture
        StoreReader reader(path);
        const auto captures = reader.captures();
        QCOMPARE(captures.size(), std::size_t(2));
        QCOMPARE(captures[0].status, std::string("complete"));
        QCOMPARE(captures[1].status, QString(reached ? "incomplete" : "complete").toStdString());
        std::size_t example = 0;
        reader.calls(std::nullopt, std::nullopt, [&](const StoredCall& c) {
            if (c.captureId == captures[0].id) ++example;
            return true;
        });
        QCOMPARE(example, std::size_t(11));
        // Importing the file again would not be skipped: only complete captures count.
        StoreWriter writer(path);
        QCOMPARE(writer.findComplete(captureFingerprint(big)).has_value(), !reached);
    }
}

void TestStore::exportPcapRoundTrip() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("e.sqlite").toStdString();
    importInto(path, kCalls + "/proxy-auth-fork.pcap");
    {
        // Node roles are inferred and kept: Kamailio forwarded the INVITEs (same Call-ID).
        sql::Database db(path, sql::Database::Mode::ReadOnly);
        sql::Statement s(db, "SELECT role, user_agent FROM nodes WHERE address = '127.0.0.1:5270'");
        QVERIFY(s.step());
        QCOMPARE(s.text(0), std::string("proxy"));
        QVERIFY(QString::fromStdString(s.text(1)).contains("Kamailio"));
        sql::Statement ua(db, "SELECT count(*) FROM nodes WHERE role = 'UA'");
        QVERIFY(ua.step());
        QCOMPARE(ua.integer(0), std::int64_t(3));
    }
    StoreReader reader(path);
    for (const char* id : {"proxy-auth-1@sipscope.test", "proxy-fork-1@sipscope.test"}) {
        const auto calls = reader.callsById(id);
        QCOMPARE(calls.size(), std::size_t(1));
        const QString out = dir.filePath(QString(id) + ".pcap");
        std::string error;
        QVERIFY2(writeMessagesPcap(out.toStdString(), reader.messagesOf(calls[0]), error),
                 error.c_str());
        const auto again = test::analyzeFile(out);
        QCOMPARE(again.calls.size(), std::size_t(1));
        const CallRecord& r = again.calls[0];
        QCOMPARE(r.callId, calls[0].record.callId);
        QCOMPARE(r.state, calls[0].record.state);
        QCOMPARE(r.finalCode, calls[0].record.finalCode);
        QCOMPARE(r.messages, calls[0].record.messages);
        QCOMPARE(r.legs, calls[0].record.legs);
        QCOMPARE(r.transactions, calls[0].record.transactions);
        QCOMPARE(r.startNs, calls[0].record.startNs);
    }
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
