#include "store/schema.hpp"

#include <string>

namespace sipscope::analyzer::store {

namespace {

// Version 1. Messages keep their raw bytes and frame metadata so a call's packets can be
// written back as pcap without the original file. Calls keep the columns filters and the GUI
// query (indexed), plus the whole record as JSON for `calls --db`. Rows of one capture are tied
// by the tracker's call key (messages.call_key = calls.key), so messages can be written before
// their call is known.
constexpr const char* kV1 = R"sql(
CREATE TABLE captures(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  hash TEXT NOT NULL,
  format TEXT,
  link_types TEXT,
  first_ts_ns INTEGER,
  last_ts_ns INTEGER,
  status TEXT NOT NULL CHECK (status IN ('importing', 'complete', 'incomplete', 'damaged')),
  importer_pid INTEGER,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  packets INTEGER NOT NULL DEFAULT 0,
  messages INTEGER NOT NULL DEFAULT 0,
  calls INTEGER NOT NULL DEFAULT 0,
  error TEXT);
CREATE INDEX captures_by_hash ON captures(hash);

CREATE TABLE messages(
  id INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  call_key INTEGER,
  ts_ns INTEGER NOT NULL,
  src TEXT NOT NULL, sport INTEGER NOT NULL,
  dst TEXT NOT NULL, dport INTEGER NOT NULL,
  transport TEXT NOT NULL,
  ip_version INTEGER NOT NULL,
  path TEXT,
  frames TEXT,
  method TEXT,
  status INTEGER,
  cseq INTEGER,
  call_id TEXT,
  role TEXT,
  transaction_id INTEGER,
  original_seq INTEGER,
  issues TEXT,
  bytes BLOB NOT NULL);
CREATE INDEX messages_by_call ON messages(capture_id, call_key, seq);

CREATE TABLE calls(
  id INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
  key INTEGER NOT NULL,
  number INTEGER NOT NULL,
  call_id TEXT NOT NULL,
  call_ids TEXT NOT NULL,
  kind TEXT NOT NULL,
  method TEXT,
  from_user TEXT,
  to_user TEXT,
  start_ns INTEGER NOT NULL,
  answer_ns INTEGER,
  end_ns INTEGER,
  state TEXT NOT NULL,
  final_code INTEGER,
  reason TEXT,
  messages INTEGER NOT NULL,
  retransmissions INTEGER NOT NULL,
  duplicates INTEGER NOT NULL,
  legs INTEGER NOT NULL,
  transactions INTEGER NOT NULL,
  auth_challenges INTEGER NOT NULL,
  src TEXT, sport INTEGER, dst TEXT, dport INTEGER,
  transport TEXT,
  user_agent TEXT,
  pdd_ms REAL, srd_ms REAL, sdd_ms REAL, sdt_ms REAL, rrd_ms REAL,
  anomaly_codes TEXT,
  codecs TEXT,
  first_seq INTEGER,
  json TEXT NOT NULL);
CREATE INDEX calls_by_start ON calls(start_ns);
CREATE INDEX calls_by_state ON calls(state, start_ns);
CREATE INDEX calls_by_from ON calls(from_user);
CREATE INDEX calls_by_to ON calls(to_user);
CREATE INDEX calls_by_capture ON calls(capture_id, key);

CREATE TABLE call_ids(
  call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  call_id TEXT NOT NULL);
CREATE INDEX call_ids_by_id ON call_ids(call_id);
CREATE INDEX call_ids_by_call ON call_ids(call_row);

CREATE TABLE legs(
  call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  src TEXT NOT NULL,
  dst TEXT NOT NULL);
CREATE INDEX legs_by_call ON legs(call_row);

CREATE TABLE transactions(
  id INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
  tx INTEGER NOT NULL,
  kind TEXT NOT NULL,
  method TEXT NOT NULL,
  branch TEXT,
  call_id TEXT NOT NULL,
  cseq INTEGER,
  state TEXT NOT NULL,
  final_code INTEGER,
  requests INTEGER NOT NULL,
  responses INTEGER NOT NULL,
  retransmissions INTEGER NOT NULL,
  timeout INTEGER NOT NULL,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  client TEXT NOT NULL,
  server TEXT NOT NULL);
CREATE INDEX transactions_by_call_id ON transactions(call_id);

CREATE TABLE dialogs(
  id INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
  call_id TEXT NOT NULL,
  uac TEXT NOT NULL, uas TEXT NOT NULL,
  uac_tag TEXT NOT NULL, uas_tag TEXT NOT NULL,
  method TEXT,
  state TEXT NOT NULL,
  reason TEXT,
  UNIQUE (capture_id, call_id, uac, uas, uac_tag, uas_tag));

CREATE TABLE anomalies(
  id INTEGER PRIMARY KEY,
  call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  code TEXT NOT NULL,
  rfc TEXT,
  text TEXT,
  message_seqs TEXT);
CREATE INDEX anomalies_by_call ON anomalies(call_row);
CREATE INDEX anomalies_by_code ON anomalies(code);

CREATE TABLE media(
  call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  message_seq INTEGER,
  origin TEXT,
  type TEXT,
  address TEXT,
  port INTEGER,
  direction TEXT,
  codecs TEXT,
  hold INTEGER);
CREATE INDEX media_by_call ON media(call_row);

CREATE TABLE nodes(
  address TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  user_agent TEXT,
  alias TEXT);
)sql";

// Version 2 (issue 9, passive media): the RTP streams of each capture with their statistics
// and their per-second loss/jitter series. Streams are tied to their call like messages are,
// by the tracker's call key (NULL for heuristic streams no SDP announced); `json` is the
// object `sipscope-cli streams --json` prints.
constexpr const char* kV2 = R"sql(
CREATE TABLE media_streams(
  id INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
  call_key INTEGER,
  call_id TEXT,
  src TEXT NOT NULL, sport INTEGER NOT NULL,
  dst TEXT NOT NULL, dport INTEGER NOT NULL,
  ssrc INTEGER NOT NULL,
  payload_types TEXT NOT NULL,
  packets INTEGER NOT NULL,
  lost INTEGER NOT NULL,
  loss_pct REAL NOT NULL,
  jitter_ms REAL NOT NULL,
  max_delta_ms REAL NOT NULL,
  mos REAL,
  problems TEXT NOT NULL,
  heuristic INTEGER NOT NULL,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  json TEXT NOT NULL);
CREATE INDEX media_streams_by_call ON media_streams(capture_id, call_key);
CREATE INDEX media_streams_by_call_id ON media_streams(call_id);

CREATE TABLE media_series(
  stream_id INTEGER NOT NULL REFERENCES media_streams(id) ON DELETE CASCADE,
  second INTEGER NOT NULL,
  packets INTEGER NOT NULL,
  expected INTEGER NOT NULL,
  lost INTEGER NOT NULL,
  jitter_ms REAL NOT NULL);
CREATE INDEX media_series_by_stream ON media_series(stream_id, second);
)sql";

// Version 3 (issue 9): the RTP packets themselves, so a call's audio can be played and its
// packets exported without the capture file, and each call's media verdicts. Packets are
// kept per stream in chunks (media_chunk.hpp: a packed run of timestamped UDP payloads; the
// addresses are the stream's), keyed by the tracker's stream index within the capture, which
// media_streams.stream_index names.
constexpr const char* kV3 = R"sql(
ALTER TABLE calls ADD COLUMN media_problems TEXT;
ALTER TABLE media_streams ADD COLUMN stream_index INTEGER;
ALTER TABLE media_streams ADD COLUMN encoding TEXT;
CREATE TABLE media_chunks(
  capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
  stream_index INTEGER NOT NULL,
  first_ts_ns INTEGER NOT NULL,
  packets INTEGER NOT NULL,
  data BLOB NOT NULL);
CREATE INDEX media_chunks_by_stream ON media_chunks(capture_id, stream_index, first_ts_ns);
)sql";

// Version 4: message bytes in deflated blocks of consecutive messages (message_blocks.hpp);
// rows written from now on keep an empty `bytes` and name their block and slice. Rows of
// earlier versions keep their bytes inline and are read as they are.
constexpr const char* kV4 = R"sql(
CREATE TABLE message_blocks(
  id INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
  raw_size INTEGER NOT NULL,
  data BLOB NOT NULL);
CREATE INDEX message_blocks_by_capture ON message_blocks(capture_id);
ALTER TABLE messages ADD COLUMN block_id INTEGER;
ALTER TABLE messages ADD COLUMN block_offset INTEGER;
ALTER TABLE messages ADD COLUMN block_length INTEGER;
)sql";

// Version 5. calls.json holds the record packed (store/call_json_blob.hpp), a BLOB; the TEXT
// records of earlier versions stay as they are and are read as text. Nothing to change in the
// tables: the version tells an older SipScope that it cannot read these records.
constexpr const char* kV5 = "SELECT 1;";

// Version 6: messages live in their blocks only (block_messages.hpp): no more `messages` rows.
// A block row gives the seq range it holds (first_seq, last_seq, NULL in version-4 blocks,
// which `messages` rows point into); block_calls names, for each call key, the blocks that
// hold its messages. Rows of `messages` written before are read as they are.
constexpr const char* kV6 = R"sql(
ALTER TABLE message_blocks ADD COLUMN first_seq INTEGER;
ALTER TABLE message_blocks ADD COLUMN last_seq INTEGER;
ALTER TABLE message_blocks ADD COLUMN messages INTEGER;
CREATE INDEX message_blocks_by_seq ON message_blocks(capture_id, first_seq);
CREATE TABLE block_calls(
  capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
  call_key INTEGER NOT NULL,
  block_id INTEGER NOT NULL,
  PRIMARY KEY (capture_id, call_key, block_id)) WITHOUT ROWID;
)sql";

// Version 7.
// - Message blocks are zstd frames and call records format 2 (zstd with the same dictionary),
//   about 3x cheaper to write than deflate at the same size or smaller. Blocks and records
//   written before keep their zlib streams and are read as they are (blocks are told apart by
//   their first octets, records by their format octet).
// - A call's child rows cost fewer B-tree inserts: legs and media are keyed by (call_row,
//   position) WITHOUT ROWID, and call_ids by (call_id, call_row), so each is one B-tree
//   instead of a table plus an index. These rows were ~40 % of the writer's per-call inserts.
//   Earlier rows are copied over, media rows numbered in their rowid order.
constexpr const char* kV7 = R"sql(
CREATE TABLE legs_v7(
  call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  src TEXT NOT NULL,
  dst TEXT NOT NULL,
  PRIMARY KEY (call_row, position)) WITHOUT ROWID;
INSERT OR IGNORE INTO legs_v7 SELECT call_row, position, src, dst FROM legs;
DROP TABLE legs;
ALTER TABLE legs_v7 RENAME TO legs;

CREATE TABLE media_v7(
  call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  message_seq INTEGER,
  origin TEXT,
  type TEXT,
  address TEXT,
  port INTEGER,
  direction TEXT,
  codecs TEXT,
  hold INTEGER,
  PRIMARY KEY (call_row, position)) WITHOUT ROWID;
INSERT INTO media_v7
  SELECT call_row, row_number() OVER (PARTITION BY call_row ORDER BY rowid) - 1, message_seq,
         origin, type, address, port, direction, codecs, hold FROM media;
DROP TABLE media;
ALTER TABLE media_v7 RENAME TO media;

CREATE TABLE call_ids_v7(
  call_id TEXT NOT NULL,
  call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
  PRIMARY KEY (call_id, call_row)) WITHOUT ROWID;
INSERT OR IGNORE INTO call_ids_v7 SELECT call_id, call_row FROM call_ids;
DROP TABLE call_ids;
ALTER TABLE call_ids_v7 RENAME TO call_ids;
CREATE INDEX call_ids_by_call ON call_ids(call_row);
)sql";

constexpr const char* kMigrations[] = {kV1, kV2, kV3, kV4, kV5, kV6, kV7};
static_assert(sizeof kMigrations / sizeof kMigrations[0] == kSchemaVersion);

}  // namespace

int schemaVersion(sql::Database& db) {
    sql::Statement s(db, "PRAGMA user_version");
    return s.step() ? static_cast<int>(s.integer(0)) : 0;
}

namespace {

// Its statement is finished before it returns: an open read would keep the page size as it is.
std::int64_t tableCount(sql::Database& db) {
    sql::Statement s(db, "SELECT count(*) FROM sqlite_schema");
    return s.step() ? s.integer(0) : 0;
}

}  // namespace

void configure(sql::Database& db) {
    db.exec("PRAGMA foreign_keys = ON");
}

void migrate(sql::Database& db) {
    configure(db);
    // A new database gets 16 KiB pages (before WAL mode writes its header): an import appends
    // rows to a dozen B-trees, and bigger pages mean fewer page splits and fewer WAL frames per
    // commit. Existing databases keep theirs.
    const int current = schemaVersion(db);
    if (current == 0 && tableCount(db) == 0) db.exec("PRAGMA page_size = 16384");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    if (current > kSchemaVersion)
        throw sql::Error{db.path() + " was written by a newer SipScope (schema " +
                         std::to_string(current) + ", this one knows " +
                         std::to_string(kSchemaVersion) + ")"};
    for (int v = current; v < kSchemaVersion; ++v) {
        sql::Transaction t(db);
        db.exec(kMigrations[v]);
        db.exec("PRAGMA user_version = " + std::to_string(v + 1));
        t.commit();
    }
}

}  // namespace sipscope::analyzer::store
