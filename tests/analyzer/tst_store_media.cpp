// Media in the store (schema v2): the importer keeps every RTP stream of a capture with its
// call key, statistics, JSON and per-second series; a v1 database still opens and migrates.

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cmath>

#include "store/importer.hpp"
#include "store/media_rows.hpp"
#include "store/schema.hpp"
#include "store/store_writer.hpp"
#include "store_test_util.hpp"

using namespace sipscope::analyzer;
using namespace sipscope::analyzer::store;

namespace {

QString capture() {
    return QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/media/rtp_calls.pcap");
}

FileImport importInto(const std::string& db) {
    return sipscope::test::importCapture(db, capture().toStdString());
}

using sipscope::test::scalar;

}  // namespace

class TestStoreMedia : public QObject {
    Q_OBJECT

  private slots:
    void importStoresStreams() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("lib.sqlite").toStdString();
        const FileImport f = importInto(path);
        QCOMPARE(QString::fromStdString(f.status), QString("complete"));
        sql::Database db(path, sql::Database::Mode::ReadOnly);
        const auto streams = readMediaStreams(db, "");
        QCOMPARE(streams.size(), std::size_t{4});
        // Rows are written as calls end, and read back in the order the streams began.
        for (std::size_t i = 0; i < streams.size(); ++i)
            QCOMPARE(streams[i].row.streamIndex, std::optional<std::uint32_t>(i));
        const MediaStreamRow& a = streams[0].row;
        QCOMPARE(a.callId, std::string("media-call-1@sipscope.test"));
        QCOMPARE(a.ssrc, 0x11111111u);
        QCOMPARE(a.packets, 246u);
        QCOMPARE(a.lost, 5u);
        QCOMPARE(a.lossPct, 2.0);
        QCOMPARE(a.payloadTypes, std::string("0,101"));
        QCOMPARE(a.problems, std::string("loss,seq_errors"));
        QVERIFY(a.mos && std::fabs(*a.mos - 4.205341) < 1e-5);
        QVERIFY(a.json.find("\"packets\":246") != std::string::npos);
        QVERIFY(a.json.find("\"digit\":\"#\"") != std::string::npos);
        // The stream's call key is its call's.
        QVERIFY(a.callKey.has_value());
        QCOMPARE(scalar(db, "SELECT key FROM calls WHERE call_id = 'media-call-1@sipscope.test'"),
                 static_cast<std::int64_t>(*a.callKey));
        const MediaStreamRow& h = streams[3].row;
        QVERIFY(h.heuristic && !h.callKey && h.callId.empty());
        // Per-second series: 0.1 s .. 5.08 s is six seconds; the five losses are all there.
        const auto id = std::to_string(streams[0].id);
        QCOMPARE(scalar(db, "SELECT count(*) FROM media_series WHERE stream_id = " + id), 6);
        QCOMPARE(scalar(db, "SELECT sum(lost) FROM media_series WHERE stream_id = " + id), 5);
        QCOMPARE(scalar(db, "SELECT sum(expected) FROM media_series WHERE stream_id = " + id), 250);
        QCOMPARE(readMediaStreams(db, "media-call-2@sipscope.test").size(), std::size_t{1});
        QVERIFY(readMediaStreams(db, "no-such-call").empty());
    }

    // A database written before media (schema 1) opens; the writer migrates it to 2.
    void v1DatabaseMigrates() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("v1.sqlite").toStdString();
        { StoreWriter writer(path); }
        {
            sql::Database db(path, sql::Database::Mode::ReadWrite);
            sipscope::test::childTablesBeforeV7(db);
            db.exec(
                "DROP TABLE block_calls; DROP TABLE message_blocks; "
                "ALTER TABLE messages DROP COLUMN block_id; "
                "ALTER TABLE messages DROP COLUMN block_offset; "
                "ALTER TABLE messages DROP COLUMN block_length; "
                "DROP TABLE media_chunks; DROP TABLE media_series; DROP TABLE media_streams; "
                "ALTER TABLE calls DROP COLUMN media_problems; PRAGMA user_version = 1");
            QCOMPARE(schemaVersion(db), 1);
            QVERIFY(readMediaStreams(db, "").empty());  // no media tables: no streams
        }
        const FileImport f = importInto(path);
        QCOMPARE(QString::fromStdString(f.status), QString("complete"));
        sql::Database db(path, sql::Database::Mode::ReadOnly);
        QCOMPARE(schemaVersion(db), kSchemaVersion);
        QCOMPARE(kSchemaVersion, 7);
        QCOMPARE(readMediaStreams(db, "").size(), std::size_t{4});
    }

    // Deleting a capture deletes its streams and their series (foreign keys cascade).
    void cascade() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("lib.sqlite").toStdString();
        importInto(path);
        sql::Database db(path, sql::Database::Mode::ReadWrite);
        configure(db);
        db.exec("DELETE FROM captures");
        QCOMPARE(scalar(db, "SELECT count(*) FROM media_streams"), 0);
        QCOMPARE(scalar(db, "SELECT count(*) FROM media_series"), 0);
        QCOMPARE(scalar(db, "SELECT count(*) FROM media_chunks"), 0);
    }
};

QTEST_GUILESS_MAIN(TestStoreMedia)
#include "tst_store_media.moc"
