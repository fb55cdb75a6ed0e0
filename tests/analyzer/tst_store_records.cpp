// Call records as stored in calls.json (schema 5, store/call_json_blob.hpp): packed records
// unpack to the same text, are much smaller, and damage is refused without a crash; in a
// database, packed and earlier TEXT records are both read, and a damaged one is reported in the
// record that `calls --db` prints instead of failing the whole listing.

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <random>

#include "call_test_util.hpp"
#include "calls/call_json.hpp"
#include "store/call_json_blob.hpp"
#include "store/importer.hpp"
#include "store/ordered_lines.hpp"
#include "store/schema.hpp"
#include "store/store_reader.hpp"

using namespace sipscope;
using namespace sipscope::analyzer;
using namespace sipscope::analyzer::store;

namespace {

const QString kExample = QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/basic-calls.pcap");

// The records `calls FILE --json` prints for the example capture.
std::vector<std::string> recordsOfExample() {
    std::vector<std::string> out;
    JsonWriter w;
    for (const auto& c : test::analyzeFile(kExample).calls) {
        w.clear();
        writeCall(w, c);
        out.push_back(w.str());
    }
    return out;
}

std::vector<StoredCall> storedCalls(const std::string& db) {
    StoreReader reader(db);
    std::vector<StoredCall> out;
    reader.calls(std::nullopt, std::nullopt, [&](const StoredCall& c) {
        out.push_back(c);
        return true;
    });
    return out;
}

}  // namespace

class TestStoreRecords : public QObject {
    Q_OBJECT

  private slots:
    void packedRecordsRoundTrip() {
        std::size_t text = 0, packed = 0;
        const auto records = recordsOfExample();
        QCOMPARE(records.size(), std::size_t(11));
        for (const auto& json : records) {
            const std::string blob = packCallJson(json);
            QCOMPARE(blob.front(), '\x02');  // the format octet: zstd
            const auto back = unpackCallJson(blob);
            QVERIFY(back);
            QCOMPARE(*back, json);
            text += json.size();
            packed += blob.size();
        }
        // The dictionary carries the keys: a record packs to well under half its text.
        QVERIFY2(packed * 100 < text * 40, qPrintable(QString("%1 of %2").arg(packed).arg(text)));
        // Any text round-trips, also text that owes nothing to the dictionary, and nothing.
        for (const std::string& s :
             {std::string(), std::string(5000, 'x'), std::string("\0\xff", 2)})
            QCOMPARE(unpackCallJson(packCallJson(s)).value_or("!"), s);
    }

    // OrderedLines (calls --json, transactions --json) writes lines in number order whatever
    // order they come in, holds the waiting ones packed, skips numbers without a line, and at
    // the end writes what is held over the numbers that never came.
    void orderedLines() {
        const auto records = recordsOfExample();
        std::vector<std::string> out;
        OrderedLines lines([&](std::string_view line) { out.emplace_back(line); });
        const std::size_t n = records.size();  // 11: numbers 1..11, 5 has nothing to print
        const std::vector<std::size_t> order = {3, 2, 9, 5, 1, 4, 7, 6, 11, 10, 8};
        QCOMPARE(order.size(), n);
        std::size_t text = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t no = order[i];
            if (no == 5)
                lines.add(no, std::nullopt);
            else
                lines.add(no, records[no - 1]);
            if (i == 3) {  // 3, 2, 9 and 5 wait for 1
                QVERIFY(out.empty());
                QCOMPARE(lines.held(), std::size_t(4));
                text = records[2].size() + records[1].size() + records[8].size();
                QVERIFY(lines.heldBytes() * 100 < text * 40);
            }
            if (i == 4) QCOMPARE(out.size(), std::size_t(3));  // 1, 2, 3
            if (i == 5) QCOMPARE(out.size(), std::size_t(4));  // 4, past 5, up to 6
        }
        QCOMPARE(lines.held(), std::size_t(0));
        QCOMPARE(lines.heldBytes(), std::size_t(0));
        QCOMPARE(out.size(), n - 1);
        for (std::size_t i = 0, no = 1; no <= n; ++no)
            if (no != 5) QCOMPARE(out[i++], records[no - 1]);

        out.clear();
        OrderedLines gaps([&](std::string_view line) { out.emplace_back(line); });
        gaps.add(4, "four");
        gaps.add(2, "two");
        gaps.add(7, "seven");
        QVERIFY(out.empty());
        gaps.finish();
        QCOMPARE(out, (std::vector<std::string>{"two", "four", "seven"}));
        gaps.add(1, "late");  // passed already: at once
        gaps.add(8, "eight");
        QCOMPARE(out.back(), std::string("eight"));
        QCOMPARE(out.size(), std::size_t(5));
    }

    // Schema 5 and 6 wrote format 1 (raw deflate with the same dictionary); such rows stay
    // readable. This blob was written by packCallJson of that version.
    void deflatedRecordsOfEarlierVersions() {
        // (Plain literals: moc does not read raw strings here.)
        const std::string json =
            "{\"call_id\":\"a84b4c76e66710@pc33.atlanta.example.com\",\"kind\":\"call\","
            "\"state\":\"answered\",\"final_code\":200,\"reason\":\"OK\",\"messages\":7,"
            "\"media\":[{\"origin\":\"offer\",\"codecs\":[\"PCMU\",\"PCMA\","
            "\"telephone-event\"],\"hold\":false}],\"anomalies\":[]}";
        const std::string v6(
            "\x01\xe6\x01\x43\xce\x41\x89\x16\x26\x49\x26\xc9\xe6\x66\xa9\x66\x66\xe6\x86\x06"
            "\x0e\x05\xc9\xc6\xc6\x7a\x89\x25\x39\x89\x79\x25\x89\x7a\xa9\x15\x89\xb9\x05\x39"
            "\xa9\x7a\xc9\xf9\xb9\x40\xb7\xa3\x66\x2c\x0a\x13\x3f\x9e\xb4\x41\x7e\xd8\xa1\xfa"
            "\x12\x00",
            62);
        QCOMPARE(unpackCallJson(v6).value_or("!"), json);
        QVERIFY(!unpackCallJson(v6.substr(0, 40)));
        QVERIFY(!unpackCallJson(std::string("\x02") + v6.substr(1)));  // deflate as zstd
    }

    void damagedRecordsAreRefused() {
        const std::string json = recordsOfExample().front();
        const std::string blob = packCallJson(json);
        QVERIFY(!unpackCallJson(""));
        QVERIFY(!unpackCallJson(std::string("\x03") + blob.substr(1)));  // unknown format
        QVERIFY(!unpackCallJson(blob.substr(0, blob.size() / 2)));       // truncated
        QVERIFY(!unpackCallJson(blob + "x"));                            // trailing bytes
        // A size claim beyond what the stream can give is refused before allocating it.
        QVERIFY(!unpackCallJson(std::string("\x01\xff\xff\xff\x7f", 5) + blob.substr(2)));
        QVERIFY(!unpackCallJson(std::string("\x02\xff\xff\xff\x1f", 5) + blob.substr(2)));
        QVERIFY(!unpackCallJson(std::string("\x01") + blob.substr(1)));  // zstd as deflate
        // Flipped bits anywhere: refused or some text, never a crash (ASan runs this too).
        std::mt19937 rng(7);
        for (int i = 0; i < 2000; ++i) {
            std::string bad = blob;
            bad[1 + rng() % (bad.size() - 1)] ^= static_cast<char>(1u << (rng() % 8));
            if (auto out = unpackCallJson(bad)) QVERIFY(out->size() <= (std::size_t{64} << 20));
        }
    }

    // Imported records are packed; `calls --db` reads them, the TEXT of a schema 4 database,
    // and a damaged one, which names its row instead of stopping the listing.
    void storedRecords() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("lib.sqlite").toStdString();
        {
            StoreWriter writer(path);
            Importer importer(writer, {});
            std::atomic<bool> cancel{false};
            QCOMPARE(importer.importFile(kExample.toStdString(), {}, cancel).status,
                     std::string("complete"));
        }
        const auto records = recordsOfExample();
        auto calls = storedCalls(path);
        QCOMPARE(calls.size(), records.size());
        for (std::size_t i = 0; i < calls.size(); ++i) QCOMPARE(calls[i].json, records[i]);
        {
            sql::Database db(path, sql::Database::Mode::ReadWrite);
            QCOMPARE(schemaVersion(db), kSchemaVersion);
            sql::Statement kinds(db, "SELECT count(*) FROM calls WHERE typeof(json) = 'blob'");
            QVERIFY(kinds.step());
            QCOMPARE(kinds.integer(0), std::int64_t(11));
            sql::Statement text(db, "UPDATE calls SET json = ? WHERE id = ?");
            text.bind(1, records[0]).bind(2, calls[0].row);
            text.step();
            sql::Statement damage(db, "UPDATE calls SET json = ? WHERE id = ?");
            damage.bindBlob(1, std::string_view("\x01\x10garbage", 9)).bind(2, calls[1].row);
            damage.step();
        }
        calls = storedCalls(path);
        QCOMPARE(calls[0].json, records[0]);  // TEXT, as schema 4 wrote it
        QVERIFY(calls[1].json.find("\"error\":\"the stored call record is damaged (calls row " +
                                   std::to_string(calls[1].row) + ")\"") != std::string::npos);
        QVERIFY(calls[1].json.find("\"call_id\":\"" + calls[1].callId + "\"") != std::string::npos);
        for (std::size_t i = 2; i < calls.size(); ++i) QCOMPARE(calls[i].json, records[i]);
    }

    // The writer folds a dialog's events within a batch into one upsert: the dialogs table is
    // the same as when every event is written on its own (forks, early dialogs that end).
    void dialogRowsAsEventByEvent() {
        const auto analysis =
            test::analyzeFile(QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/calls/proxy-auth-fork.pcap"));
        QVERIFY(analysis.dialogs.size() > 6);
        QTemporaryDir dir;
        auto dialogRows = [&](const std::string& name, bool oneBatch) {
            const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
            { StoreWriter writer(path); }
            sql::Database db(path, sql::Database::Mode::ReadWrite);
            db.exec(
                "INSERT INTO captures(id, path, size, hash, status, started_at) VALUES "
                "(1, 'x', 0, 'h', 'complete', 0)");
            Batch all;
            for (const auto& e : analysis.dialogs) {
                Batch one;
                one.dialogs.push_back(e);
                if (!oneBatch) writeBatch(db, 1, one);
                all.dialogs.push_back(e);
            }
            if (oneBatch) writeBatch(db, 1, all);
            sql::Statement s(db,
                             "SELECT call_id, uac, uas, uac_tag, uas_tag, method, state, "
                             "reason FROM dialogs ORDER BY id");
            std::vector<std::string> rows;
            while (s.step()) {
                std::string row;
                for (int c = 0; c < 8; ++c) row += s.text(c) + "|";
                rows.push_back(row);
            }
            return rows;
        };
        const auto folded = dialogRows("folded.sqlite", true);
        QVERIFY(folded.size() >= 3 && folded.size() < analysis.dialogs.size());
        QCOMPARE(folded, dialogRows("each.sqlite", false));
    }
};

QTEST_GUILESS_MAIN(TestStoreRecords)
#include "tst_store_records.moc"
