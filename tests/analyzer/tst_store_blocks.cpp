// Messages as stored from schema 6 (store/block_messages.hpp): inside their compressed blocks,
// with their metadata, found through block_calls by call and through the blocks' seq ranges
// by seq. The codec round-trips and refuses damage; every message reads back exactly as the
// pipeline extracted it; `messages` rows of earlier schemas (inline bytes, schema-4 blocks)
// read as before, in the database they were written in and after its migration to 6 and 7.
// Blocks are zstd frames from schema 7; the zlib blocks of 4-6 still expand.

#include <zlib.h>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <map>

#include "store/block_messages.hpp"
#include "store/importer.hpp"
#include "store/message_blocks.hpp"
#include "store/schema.hpp"
#include "store/store_panels.hpp"
#include "store/store_reader.hpp"
#include "store_test_util.hpp"

using namespace sipscope;
using namespace sipscope::analyzer;
using namespace sipscope::analyzer::store;

namespace {

// A block as schema 4-6 wrote it: a zlib stream (deflate level 1).
std::string zlibBlock(std::string_view raw) {
    uLongf size = compressBound(static_cast<uLong>(raw.size()));
    std::string out(size, '\0');
    compress2(reinterpret_cast<Bytef*>(out.data()), &size,
              reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 1);
    out.resize(size);
    return out;
}

const QString kExample = QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/basic-calls.pcap");
const QString kCalls = QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/calls");

FileImport importInto(const std::string& db, const QString& file) {
    return test::importCapture(db, file.toStdString());
}

using test::scalar;

// The child rows (Call-IDs, legs, SDP media in their order) of capture 1's calls as one text.
std::string childRows(const std::string& path) {
    sql::Database db(path, sql::Database::Mode::ReadOnly);
    std::string out;
    for (const std::string table : {"call_ids", "legs", "media"}) {
        const std::string columns =
            table == "call_ids" ? "call_id"
            : table == "legs"   ? "position || src || dst"
                                : "message_seq || origin || type || address || port || codecs";
        sql::Statement s(db, "SELECT call_row || ' ' || " + columns + " FROM " + table +
                                 " WHERE call_row IN (SELECT id FROM calls WHERE capture_id = 1)"
                                 " ORDER BY call_row, " +
                                 (table == "call_ids" ? "call_id" : "position"));
        while (s.step()) out += s.text(0) + "\n";
    }
    return out;
}

// Every message of every call of the database, by (capture, call key), as the reader gives them.
using CallMessages = std::map<std::pair<std::int64_t, std::int64_t>, std::vector<StoredMessage>>;
CallMessages messagesByCall(const std::string& path) {
    StoreReader reader(path);
    std::vector<StoredCall> calls;
    reader.calls(std::nullopt, std::nullopt, [&](const StoredCall& c) {
        calls.push_back(c);
        return true;
    });
    CallMessages out;
    for (const auto& c : calls) out[{c.captureId, c.key}] = reader.messagesOf(c);
    return out;
}

bool same(const StoredMessage& a, const StoredMessage& b) {
    return a.captureId == b.captureId && a.seq == b.seq && a.transaction == b.transaction &&
           a.original == b.original && a.tsNs == b.tsNs && a.src == b.src && a.dst == b.dst &&
           a.transport == b.transport && a.role == b.role && a.frames == b.frames &&
           a.sport == b.sport && a.dport == b.dport && a.ipVersion == b.ipVersion &&
           a.bytes == b.bytes;
}

bool same(const CallMessages& a, const CallMessages& b) {
    if (a.size() != b.size()) return false;
    for (const auto& [key, list] : a) {
        const auto it = b.find(key);
        if (it == b.end() || it->second.size() != list.size()) return false;
        for (std::size_t i = 0; i < list.size(); ++i)
            if (!same(list[i], it->second[i])) return false;
    }
    return true;
}

// Rewrites a schema-6 database as schema 5 wrote it: a `messages` row per message, the odd
// seqs with their bytes inline (schema 1-3), the even ones in a bytes-only block (schema 4).
void demoteToSchema5(const std::string& path, const CallMessages& calls) {
    sql::Database db(path, sql::Database::Mode::ReadWrite);
    sql::Transaction t(db);
    db.exec(
        "DELETE FROM block_calls; DELETE FROM message_blocks; DROP TABLE block_calls; "
        "DROP INDEX message_blocks_by_seq; ALTER TABLE message_blocks DROP COLUMN first_seq; "
        "ALTER TABLE message_blocks DROP COLUMN last_seq; "
        "ALTER TABLE message_blocks DROP COLUMN messages; PRAGMA user_version = 5");
    test::childTablesBeforeV7(db);
    std::string raw;
    sql::Statement row(db,
                       "INSERT INTO messages(capture_id, seq, call_key, ts_ns, src, sport, dst, "
                       "dport, transport, ip_version, frames, role, transaction_id, "
                       "original_seq, bytes, block_id, block_offset, block_length) VALUES "
                       "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& [key, list] : calls)
        for (const StoredMessage& m : list) {
            row.bind(1, m.captureId).bind(2, static_cast<std::int64_t>(m.seq)).bind(3, key.second);
            row.bind(4, m.tsNs).bind(5, m.src).bind(6, std::int64_t{m.sport}).bind(7, m.dst);
            row.bind(8, std::int64_t{m.dport}).bind(9, m.transport);
            row.bind(10, std::int64_t{m.ipVersion}).bind(11, m.frames).bind(12, m.role);
            row.bind(13, static_cast<std::int64_t>(m.transaction));
            row.bind(14, static_cast<std::int64_t>(m.original));
            if (m.seq % 2) {
                row.bindBlob(15, m.bytes).bindNull(16).bindNull(17).bindNull(18);
            } else {
                row.bindBlob(15, "").bind(16, std::int64_t{1});
                row.bind(17, static_cast<std::int64_t>(raw.size()));
                row.bind(18, static_cast<std::int64_t>(m.bytes.size()));
                raw += m.bytes;
            }
            row.step();
            row.reset();
        }
    sql::Statement block(db,
                         "INSERT INTO message_blocks(id, capture_id, raw_size, data) VALUES "
                         "(1, 1, ?, ?)");
    block.bind(1, static_cast<std::int64_t>(raw.size())).bindBlob(2, zlibBlock(raw));
    block.step();
    t.commit();
}

MessageRow row(std::uint64_t seq, std::uint64_t key, std::int64_t ts, std::string_view bytes) {
    MessageRow m;
    m.seq = seq;
    m.callKey = key;
    m.tsNs = ts;
    m.src = "192.0.2.1";
    m.dst = "2001:db8::7";
    m.sport = 5060;
    m.dport = 65535;
    m.transport = "tcp";
    m.ipVersion = 6;
    m.path = "vlan 10";
    m.frames = "3,4";
    m.role = "retransmission";
    m.transaction = 77;
    m.original = seq > 1 ? seq - 1 : 0;
    m.issues = seq % 2 ? "" : "missing Max-Forwards";
    m.bytes = bytes;
    return m;
}

}  // namespace

class TestStoreBlocks : public QObject {
    Q_OBJECT

  private slots:
    // Seqs and times that go back as well as forward, empty and large fields, the largest
    // numbers: all come back; every truncation and any trailing octet is refused.
    void codecRoundTrip() {
        const std::string big(40000, 'x');
        const std::vector<MessageRow> rows = {
            row(1, 5, 1'700'000'000'000'000'000, "INVITE sip:a SIP/2.0\r\n\r\n"),
            row(UINT64_MAX, 0, -5, ""), row(2, UINT64_MAX, INT64_MAX, big),
            row(3, 5, INT64_MIN, "BYE")};
        const std::string raw = encodeBlockMessages(rows.data(), rows.size());
        const auto decoded = decodeBlockMessages(raw);
        QVERIFY(decoded.has_value());
        QCOMPARE(decoded->size(), rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const BlockMessage& d = (*decoded)[i];
            const MessageRow& r = rows[i];
            QCOMPARE(d.seq, r.seq);
            QCOMPARE(d.callKey, r.callKey);
            QCOMPARE(d.tsNs, r.tsNs);
            QCOMPARE(d.src, std::string_view(r.src));
            QCOMPARE(d.dst, std::string_view(r.dst));
            QCOMPARE(d.sport, r.sport);
            QCOMPARE(d.dport, r.dport);
            QCOMPARE(d.transport, std::string_view(r.transport));
            QCOMPARE(d.ipVersion, r.ipVersion);
            QCOMPARE(d.path, std::string_view(r.path));
            QCOMPARE(d.frames, std::string_view(r.frames));
            QCOMPARE(d.role, std::string_view(r.role));
            QCOMPARE(d.transaction, r.transaction);
            QCOMPARE(d.original, r.original);
            QCOMPARE(d.issues, std::string_view(r.issues));
            QCOMPARE(d.bytes, r.bytes);
        }
        for (std::size_t n = 0; n < raw.size(); n += (n < 400 ? 1 : 997))
            QVERIFY2(!decodeBlockMessages(std::string_view(raw).substr(0, n)), "a truncation");
        QVERIFY(!decodeBlockMessages(raw + "x"));
        QVERIFY(!decodeBlockMessages("\xff\xff\xff\xff\x0f"));  // a count no block could hold
        QVERIFY(decodeBlockMessages(std::string(1, '\0')).has_value());
    }

    // Every message reads back by seq exactly as the pipeline extracted it, and by call; the
    // blocks hold all of them, compressed; `messages` stays empty.
    void messagesLiveInBlocks() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("b.sqlite").toStdString();
        QCOMPARE(QString::fromStdString(importInto(path, kExample).status), QString("complete"));
        std::vector<std::string> extracted;  // by message id - 1
        std::string err;
        auto src = openCaptureFile(kExample.toStdString(), err);
        CapturePipeline pipe({}, [&](ObservedMessage&& m) {
            QCOMPARE(m.id, extracted.size() + 1);
            extracted.emplace_back(*m.bytes);
        });
        RawPacket p;
        while (src && src->next(p)) pipe.process(p);
        pipe.finish();
        QVERIFY(!extracted.empty());
        StoreReader reader(path);
        for (std::size_t i = 0; i < extracted.size(); ++i) {
            const auto m = reader.message(1, i + 1);
            QVERIFY(m.has_value());
            QCOMPARE(m->seq, i + 1);
            QCOMPARE(m->bytes, extracted[i]);
        }
        QVERIFY(!reader.message(1, extracted.size() + 1));
        QVERIFY(!reader.message(2, 1));
        std::size_t byCall = 0;
        for (const auto& [key, list] : messagesByCall(path)) {
            for (std::size_t i = 0; i < list.size(); ++i) {
                QCOMPARE(list[i].bytes, extracted[list[i].seq - 1]);
                QVERIFY(i == 0 || list[i - 1].seq < list[i].seq);
            }
            byCall += list.size();
        }
        QCOMPARE(byCall, extracted.size());  // the example's messages all belong to calls
        sql::Database db(path, sql::Database::Mode::ReadOnly);
        QCOMPARE(scalar(db, "SELECT count(*) FROM messages"), std::int64_t(0));
        QCOMPARE(scalar(db, "SELECT sum(messages) FROM message_blocks"),
                 static_cast<std::int64_t>(extracted.size()));
        QCOMPARE(scalar(db, "SELECT min(first_seq) FROM message_blocks"), std::int64_t(1));
        QCOMPARE(scalar(db, "SELECT max(last_seq) FROM message_blocks"),
                 static_cast<std::int64_t>(extracted.size()));
        std::size_t bytes = 0;
        for (const auto& e : extracted) bytes += e.size();
        QVERIFY(scalar(db, "SELECT sum(raw_size) FROM message_blocks") >
                static_cast<std::int64_t>(bytes));
        QVERIFY2(scalar(db, "SELECT sum(length(data)) FROM message_blocks") * 3 <
                     static_cast<std::int64_t>(bytes),
                 "blocks are not compressed");
    }

    // A block that does not inflate, or inflates to something that is not a block's messages,
    // is an error naming it; the other blocks still read.
    void damagedBlocksAreReported() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("d.sqlite").toStdString();
        importInto(path, kCalls + "/basic.pcap");
        importInto(path, kCalls + "/failures.pcap");
        std::int64_t first[2] = {};  // each capture's first block
        {
            sql::Database db(path, sql::Database::Mode::ReadWrite);
            first[0] = scalar(db, "SELECT min(id) FROM message_blocks WHERE capture_id = 1");
            first[1] = scalar(db, "SELECT min(id) FROM message_blocks WHERE capture_id = 2");
            QVERIFY(first[0] > 0 && first[1] > 0);
            db.exec("UPDATE message_blocks SET data = x'00112233' WHERE id = " +
                    std::to_string(first[0]));
            sql::Statement s(db, "UPDATE message_blocks SET data = ?, raw_size = 7 WHERE id = ?");
            s.bindBlob(1, compressBlock("garbage")).bind(2, first[1]);
            s.step();
        }
        StoreReader reader(path);
        for (std::int64_t capture : {1, 2}) {
            for (int attempt = 0; attempt < 2; ++attempt) {  // not cached as an empty block
                QString error;
                try {
                    reader.message(capture, 1);
                } catch (const sql::Error& e) {
                    error = QString::fromStdString(e.message);
                }
                QCOMPARE(error, QString("message block %1 is damaged").arg(first[capture - 1]));
            }
        }
        QVERIFY(!expandBlock("\x78\x01garbage", 10));
        // A zstd frame: exactly its size or refused, truncated or with a claim beyond what a
        // frame can expand to (refused before allocating it); zlib blocks still expand.
        const std::string raw(100000, 'x'), frame = compressBlock(raw);
        QVERIFY(frame.size() < 100 && expandBlock(frame, raw.size()) == raw);
        QVERIFY(!expandBlock(frame, raw.size() - 1) && !expandBlock(frame, raw.size() + 1));
        QVERIFY(!expandBlock(frame.substr(0, frame.size() - 1), raw.size()));
        QVERIFY(!expandBlock(frame, std::size_t{200} << 20));
        QVERIFY(expandBlock(zlibBlock(raw), raw.size()) == raw);
        QVERIFY(expandBlock(compressBlock(""), 0) == std::string());
        QVERIFY(!sliceBlock("abc", 2, 2) && !sliceBlock("abc", -1, 1) && sliceBlock("abc", 1, 2));
    }

    // `messages` rows of schema 5 and earlier (inline bytes, bytes-only blocks) read as they
    // did, before and after the migration to 6 and 7, next to a capture imported after it.
    void earlierRowsReadBeforeAndAfterMigration() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.sqlite").toStdString();
        importInto(path, kExample);
        const CallMessages before = messagesByCall(path);
        QVERIFY(before.size() > 5);
        const std::string children = childRows(path);
        demoteToSchema5(path, before);
        {
            sql::Database db(path, sql::Database::Mode::ReadOnly);
            QCOMPARE(schemaVersion(db), 5);
        }
        QVERIFY(same(messagesByCall(path), before));
        StoreReader early(path);  // open across the migration, as the GUI's list keeps one
        QCOMPARE(QString::fromStdString(importInto(path, kCalls + "/basic.pcap").status),
                 QString("complete"));
        const auto basic = early.callsById("basic-udp-1@sipscope.test");
        QCOMPARE(basic.size(), std::size_t(1));
        QCOMPARE(early.messagesOf(basic[0]).size(), std::size_t(basic[0].record.messages));
        QVERIFY(early.message(basic[0].captureId, basic[0].firstSeq).has_value());
        sql::Database db(path, sql::Database::Mode::ReadOnly);
        QCOMPARE(schemaVersion(db), kSchemaVersion);
        QCOMPARE(scalar(db, "SELECT count(*) FROM messages WHERE capture_id = 2"), 0);
        CallMessages after = messagesByCall(path);
        std::size_t second = 0;
        for (auto it = after.begin(); it != after.end();) {
            if (it->first.first == 1) {
                ++it;
                continue;
            }
            QVERIFY(!it->second.empty());
            second += it->second.size();
            it = after.erase(it);
        }
        QVERIFY(second > 0);
        QVERIFY(same(after, before));
        // The child rows of the first capture came through the migration to 7 as they were.
        const std::string migrated = childRows(path);
        QVERIFY(children.size() > 200);
        QCOMPARE(migrated, children);
        StoreReader reader(path);
        for (const auto& [key, list] : before)
            for (const StoredMessage& m : list)
                QVERIFY(same(*reader.message(m.captureId, m.seq), m));
    }

    // Seqs that do not grow from block to block (no writer of ours does that) are still found,
    // by call and by seq; a seq no block holds is not.
    void interleavedSeqsAreFound() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("s.sqlite").toStdString();
        const std::vector<std::string> texts = {"ten", "eleven", "twelve", "one", "twenty", "x"};
        const std::uint64_t seqs[] = {10, 11, 12, 1, 20, 30};
        std::int64_t capture = 0;
        {
            StoreWriter writer(path);
            capture = writer.beginCapture({"interleaved", "", "pcap", 0});
            for (std::size_t first : {0, 3}) {  // two batches: blocks [10, 12] and [1, 30]
                Batch batch;
                for (std::size_t i = first; i < first + 3; ++i)
                    batch.messages.push_back(row(seqs[i], 9, std::int64_t(seqs[i]), texts[i]));
                writer.submit(capture, std::move(batch));
            }
            writer.finishCapture(capture, {"complete", "", "", 6, 6, 0, 1, 30});
        }
        StoreReader reader(path);
        for (std::size_t i = 0; i < texts.size(); ++i) {
            const auto m = reader.message(capture, seqs[i]);
            QVERIFY(m.has_value());
            QCOMPARE(m->bytes, texts[i]);
        }
        QVERIFY(!reader.message(capture, 5) && !reader.message(capture, 25));
        StoredCall call;
        call.captureId = capture;
        call.key = 9;
        const auto all = reader.messagesOf(call);
        QCOMPARE(all.size(), texts.size());
        for (std::size_t i = 1; i < all.size(); ++i) QVERIFY(all[i - 1].seq < all[i].seq);
    }

    // The anomaly panel times an anomaly by the first message it names, found in its block.
    void anomalyTimesComeFromBlocks() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.sqlite").toStdString();
        importInto(path, kCalls + "/timeout.pcap");
        StoreReader reader(path);
        const auto anomalies = panelAnomalies(reader, {});
        QCOMPARE(anomalies.size(), std::size_t(2));
        for (std::size_t i = 0; i < anomalies.size(); ++i) {
            const PanelAnomaly& a = anomalies[i];
            QVERIFY(!a.messageSeqs.empty());
            const auto m = reader.message(a.captureId, a.messageSeqs.front());
            QVERIFY(m.has_value());
            QCOMPARE(a.tsNs, m->tsNs);
            QVERIFY(i == 0 || anomalies[i - 1].tsNs <= a.tsNs);
        }
    }
};

QTEST_GUILESS_MAIN(TestStoreBlocks)
#include "tst_store_blocks.moc"
