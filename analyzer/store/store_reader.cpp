#include "store/store_reader.hpp"

#include <algorithm>
#include <limits>

#include "core/ip_address.hpp"
#include "core/json_writer.hpp"
#include "store/call_json_blob.hpp"
#include "store/schema.hpp"

namespace sipscope::analyzer::store {

namespace {

constexpr const char* kCallColumns =
    "id, capture_id, key, call_id, json, start_ns, first_seq, number, call_ids, kind, method, "
    "from_user, to_user, answer_ns, end_ns, state, final_code, reason, messages, "
    "retransmissions, duplicates, legs, transactions, auth_challenges, src, sport, dst, dport, "
    "transport, user_agent, pdd_ms, srd_ms, sdd_ms, sdt_ms, rrd_ms, anomaly_codes, codecs";

// The call columns of a database of schema `version` (media_problems came with version 3),
// with an empty JSON in place of the record when `json` is false: tables and filters never
// need it.
std::string callColumns(int version, bool json) {
    std::string c = kCallColumns;
    c += version >= 3 ? ", media_problems" : ", NULL";
    if (!json) c.replace(c.find(", json,"), 7, ", '',");
    return c;
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t end = std::min(text.find(sep, pos), text.size());
        out.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

std::optional<std::int64_t> optionalInt(const sql::Statement& s, int c) {
    return s.isNull(c) ? std::nullopt : std::optional<std::int64_t>(s.integer(c));
}

std::optional<double> optionalReal(const sql::Statement& s, int c) {
    return s.isNull(c) ? std::nullopt : std::optional<double>(s.real(c));
}

CallKind kindFrom(const std::string& name) {
    for (int k = 0; k <= static_cast<int>(CallKind::Other); ++k)
        if (name == callKindName(static_cast<CallKind>(k))) return static_cast<CallKind>(k);
    return CallKind::Other;
}

CallState stateFrom(const std::string& name) {
    for (int k = 0; k <= static_cast<int>(CallState::Failed); ++k)
        if (name == callStateName(static_cast<CallState>(k))) return static_cast<CallState>(k);
    return CallState::InProgress;
}

void recordOf(const sql::Statement& s, CallRecord& r) {
    r.number = static_cast<std::uint64_t>(s.integer(7));
    r.callIds = split(s.text(8), '\n');
    r.kind = kindFrom(s.text(9));
    r.method = s.text(10);
    r.fromUser = s.text(11);
    r.toUser = s.text(12);
    r.answerNs = optionalInt(s, 13);
    r.endNs = optionalInt(s, 14);
    r.state = stateFrom(s.text(15));
    if (auto code = optionalInt(s, 16)) r.finalCode = static_cast<int>(*code);
    r.finalReason = s.text(17);
    r.messages = static_cast<std::uint32_t>(s.integer(18));
    r.retransmissions = static_cast<std::uint32_t>(s.integer(19));
    r.duplicates = static_cast<std::uint32_t>(s.integer(20));
    r.legs = static_cast<std::uint32_t>(s.integer(21));
    r.transactions = static_cast<std::uint32_t>(s.integer(22));
    r.authChallenges = static_cast<std::uint32_t>(s.integer(23));
    if (const std::string ip = s.text(24); !ip.empty())
        r.caller = endpointText(ip, static_cast<std::uint16_t>(s.integer(25)));
    if (const std::string ip = s.text(26); !ip.empty())
        r.callee = endpointText(ip, static_cast<std::uint16_t>(s.integer(27)));
    r.transport = s.text(28);
    r.userAgent = s.text(29);
    r.metrics.pddMs = optionalReal(s, 30);
    r.metrics.srdMs = optionalReal(s, 31);
    r.metrics.sddMs = optionalReal(s, 32);
    r.metrics.sdtMs = optionalReal(s, 33);
    r.metrics.rrdMs = optionalReal(s, 34);
    for (auto& code : split(s.text(35), ',')) {
        stack::Anomaly a;
        a.code = std::move(code);
        r.anomalies.push_back(std::move(a));
    }
    if (const std::string codecs = s.text(36); !codecs.empty()) {
        MediaSummary m;
        m.codecs = split(codecs, ',');
        r.media.push_back(std::move(m));
    }
    r.mediaProblems = split(s.text(37), ',');
}

// The record's JSON from calls.json: packed (schema 5) or text (earlier). A packed record that
// does not unpack gives a JSON object that says so, with the columns that identify the call.
std::string recordJson(const sql::Statement& s, int column, std::int64_t row,
                       const std::string& callId) {
    if (!s.isBlob(column)) return s.text(column);
    if (auto json = unpackCallJson(s.blob(column))) return std::move(*json);
    JsonWriter w;
    w.beginObject().key("call_id").value(callId);
    w.key("error").value("the stored call record is damaged (calls row " + std::to_string(row) +
                         ")");
    w.endObject();
    return w.str();
}

StoredCall callOf(const sql::Statement& s) {
    StoredCall c;
    c.row = s.integer(0);
    c.captureId = s.integer(1);
    c.key = s.integer(2);
    c.callId = s.text(3);
    c.json = recordJson(s, 4, c.row, c.callId);
    c.startNs = s.integer(5);
    c.firstSeq = static_cast<std::uint64_t>(s.integer(6));
    c.record.callId = c.callId;
    c.record.key = static_cast<std::uint64_t>(c.key);
    c.record.startNs = c.startNs;
    c.record.firstMessageId = c.firstSeq;
    recordOf(s, c.record);
    return c;
}

std::string messageColumns(int version) {
    return std::string(
               "capture_id, seq, transaction_id, original_seq, ts_ns, src, dst, "
               "transport, role, frames, sport, dport, ip_version, bytes, ") +
           (version >= 4 ? "block_id, block_offset, block_length" : "NULL, NULL, NULL");
}

StoredMessage storedOf(std::int64_t captureId, const BlockMessage& b) {
    StoredMessage m;
    m.captureId = captureId;
    m.seq = b.seq;
    m.transaction = b.transaction;
    m.original = b.original;
    m.tsNs = b.tsNs;
    m.src = b.src;
    m.dst = b.dst;
    m.transport = b.transport;
    m.role = b.role;
    m.frames = b.frames;
    m.sport = b.sport;
    m.dport = b.dport;
    m.ipVersion = b.ipVersion;
    m.bytes = b.bytes;
    return m;
}

}  // namespace

// A writer may migrate the database while this reader is open (the GUI keeps one while it
// imports): until the version says 6, it is read again before looking for messages in blocks.
int StoreReader::blocksVersion() {
    if (m_version < 6) m_version = schemaVersion(m_db);
    return m_version;
}

// A block by row id, expanded and, when it is a schema-6 block (first_seq set), decoded.
const CachedBlock& StoreReader::block(std::int64_t id) {
    if (const CachedBlock* cached = m_blocks.find(id)) return *cached;
    sql::Statement b(m_db, m_version >= 6
                               ? "SELECT raw_size, data, first_seq FROM message_blocks WHERE id = ?"
                               : "SELECT raw_size, data, NULL FROM message_blocks WHERE id = ?");
    b.bind(1, id);
    if (!b.step()) throw sql::Error{"message block " + std::to_string(id) + " is missing"};
    auto raw = expandBlock(b.blob(1), static_cast<std::size_t>(b.integer(0)));
    if (!raw) throw sql::Error{"message block " + std::to_string(id) + " is damaged"};
    CachedBlock& block = m_blocks.insert(id, std::move(*raw));
    if (!b.isNull(2)) {
        auto messages = decodeBlockMessages(block.raw);
        if (!messages) {
            m_blocks.erase(id);  // a later find() would take it for an empty, valid block
            throw sql::Error{"message block " + std::to_string(id) + " is damaged"};
        }
        block.messages = std::move(*messages);
    }
    return block;
}

// Inline bytes (schema < 4), else the slice of the message's block (message_blocks.hpp).
std::string StoreReader::messageBytes(const sql::Statement& s, int column) {
    if (s.isNull(column + 1)) return std::string(s.blob(column));
    const std::int64_t id = s.integer(column + 1);
    const auto bytes = sliceBlock(block(id).raw, s.integer(column + 2), s.integer(column + 3));
    if (!bytes) throw sql::Error{"message slice outside its block " + std::to_string(id)};
    return std::string(*bytes);
}

StoredMessage StoreReader::messageOf(const sql::Statement& s) {
    StoredMessage m;
    m.captureId = s.integer(0);
    m.seq = static_cast<std::uint64_t>(s.integer(1));
    m.transaction = static_cast<std::uint64_t>(s.integer(2));
    m.original = static_cast<std::uint64_t>(s.integer(3));
    m.tsNs = s.integer(4);
    m.src = s.text(5);
    m.dst = s.text(6);
    m.transport = s.text(7);
    m.role = s.text(8);
    m.frames = s.text(9);
    m.sport = static_cast<std::uint16_t>(s.integer(10));
    m.dport = static_cast<std::uint16_t>(s.integer(11));
    m.ipVersion = static_cast<std::uint8_t>(s.integer(12));
    m.bytes = messageBytes(s, 13);
    return m;
}

std::vector<std::uint64_t> parseMessageSeqs(std::string_view text) {
    std::vector<std::uint64_t> out;
    std::uint64_t value = 0;
    bool any = false;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            value = value * 10 + static_cast<std::uint64_t>(c - '0');
            any = true;
        } else if (any) {
            out.push_back(value);
            value = 0;
            any = false;
        }
    }
    if (any) out.push_back(value);
    return out;
}

StoreReader::StoreReader(const std::string& path) : m_db(path, sql::Database::Mode::ReadOnly) {
    configure(m_db);
    const int v = schemaVersion(m_db);
    if (v == 0) throw sql::Error{path + " is not a SipScope database"};
    if (v > kSchemaVersion)
        throw sql::Error{path + " was written by a newer SipScope (schema " + std::to_string(v) +
                         ")"};
    m_version = v;
    m_columns = callColumns(v, true);
    m_columnsNoJson = callColumns(v, false);
    m_messageColumns = messageColumns(v);
}

void StoreReader::calls(std::optional<std::int64_t> startFrom, std::optional<std::int64_t> startTo,
                        const std::function<bool(StoredCall&)>& visit) {
    calls(startFrom, startTo, FilterSql{}, visit);
}

void StoreReader::calls(std::optional<std::int64_t> startFrom, std::optional<std::int64_t> startTo,
                        const FilterSql& narrow, const std::function<bool(StoredCall&)>& visit) {
    const std::string where = narrow.where == "1" ? "" : " AND " + narrow.where;
    sql::Statement s(m_db, "SELECT " + m_columns + " FROM calls WHERE start_ns BETWEEN ? AND ?" +
                               where + " ORDER BY start_ns, capture_id, number");
    s.bind(1, startFrom.value_or(std::numeric_limits<std::int64_t>::min()));
    s.bind(2, startTo.value_or(std::numeric_limits<std::int64_t>::max()));
    bindFilterSql(s, 3, narrow);
    while (s.step()) {
        StoredCall c = callOf(s);
        if (!visit(c)) return;
    }
}

std::vector<StoredCall> StoreReader::callsById(const std::string& callId) {
    sql::Statement s(m_db, "SELECT " + m_columns +
                               " FROM calls WHERE id IN (SELECT call_row FROM call_ids WHERE "
                               "call_id = ?) ORDER BY start_ns");
    s.bind(1, std::string_view(callId));
    std::vector<StoredCall> out;
    while (s.step()) out.push_back(callOf(s));
    return out;
}

// Rows of `messages` (schema 5 and earlier), then the messages of the call's blocks (6).
std::vector<StoredMessage> StoreReader::messagesOf(const StoredCall& call) {
    sql::Statement s(m_db, "SELECT " + m_messageColumns +
                               " FROM messages WHERE capture_id = ? AND call_key = ? ORDER BY seq");
    s.bind(1, call.captureId).bind(2, call.key);
    std::vector<StoredMessage> out;
    while (s.step()) out.push_back(messageOf(s));
    if (blocksVersion() < 6) return out;
    sql::Statement blocks(m_db,
                          "SELECT block_id FROM block_calls WHERE capture_id = ? AND call_key = ?");
    blocks.bind(1, call.captureId).bind(2, call.key);
    std::vector<std::int64_t> ids;
    while (blocks.step()) ids.push_back(blocks.integer(0));
    const auto key = static_cast<std::uint64_t>(call.key);
    for (std::int64_t id : ids)
        for (const BlockMessage& m : block(id).messages)
            if (m.callKey == key) out.push_back(storedOf(call.captureId, m));
    std::stable_sort(out.begin(), out.end(),
                     [](const StoredMessage& a, const StoredMessage& b) { return a.seq < b.seq; });
    return out;
}

std::optional<StoredMessage> StoreReader::message(std::int64_t captureId, std::uint64_t seq) {
    sql::Statement s(
        m_db, "SELECT " + m_messageColumns + " FROM messages WHERE capture_id = ? AND seq = ?");
    s.bind(1, captureId).bind(2, static_cast<std::int64_t>(seq));
    if (s.step()) return messageOf(s);
    if (blocksVersion() < 6) return std::nullopt;
    // Seqs grow from block to block, so the block starting last at or before `seq` holds it;
    // should a writer ever interleave them, the blocks whose range covers it are searched.
    sql::Statement nearest(m_db,
                           "SELECT id FROM message_blocks WHERE capture_id = ? AND first_seq <= ? "
                           "ORDER BY first_seq DESC LIMIT 1");
    nearest.bind(1, captureId).bind(2, static_cast<std::int64_t>(seq));
    if (!nearest.step()) return std::nullopt;
    const std::int64_t first = nearest.integer(0);
    auto find = [&](std::int64_t id) -> std::optional<StoredMessage> {
        for (const BlockMessage& m : block(id).messages)
            if (m.seq == seq) return storedOf(captureId, m);
        return std::nullopt;
    };
    if (auto m = find(first)) return m;
    sql::Statement covering(m_db,
                            "SELECT id FROM message_blocks WHERE capture_id = ?1 AND "
                            "first_seq <= ?2 AND last_seq >= ?2 AND id <> ?3");
    covering.bind(1, captureId).bind(2, static_cast<std::int64_t>(seq)).bind(3, first);
    std::vector<std::int64_t> ids;
    while (covering.step()) ids.push_back(covering.integer(0));
    for (std::int64_t id : ids)
        if (auto m = find(id)) return m;
    return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> StoreReader::legsOf(const StoredCall& call) {
    sql::Statement s(m_db, "SELECT src, dst FROM legs WHERE call_row = ? ORDER BY position");
    s.bind(1, call.row);
    std::vector<std::pair<std::string, std::string>> out;
    while (s.step()) out.emplace_back(s.text(0), s.text(1));
    return out;
}

std::map<std::uint64_t, std::vector<std::string>> StoreReader::anomaliesOf(const StoredCall& call) {
    sql::Statement s(m_db, "SELECT code, message_seqs FROM anomalies WHERE call_row = ?");
    s.bind(1, call.row);
    std::map<std::uint64_t, std::vector<std::string>> out;
    while (s.step()) {
        const std::string code = s.text(0);
        for (std::uint64_t seq : parseMessageSeqs(s.text(1))) out[seq].push_back(code);
    }
    return out;
}

std::vector<StoredCapture> StoreReader::captures() {
    sql::Statement s(m_db,
                     "SELECT id, path, status, error, messages, calls FROM captures ORDER BY id");
    std::vector<StoredCapture> out;
    while (s.step()) {
        StoredCapture c;
        c.id = s.integer(0);
        c.path = s.text(1);
        c.status = s.text(2);
        c.error = s.text(3);
        c.messages = static_cast<std::uint64_t>(s.integer(4));
        c.calls = static_cast<std::uint64_t>(s.integer(5));
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<StoredCall> StoreReader::callsByRows(const std::vector<std::int64_t>& rows) {
    std::map<std::int64_t, StoredCall> found;
    constexpr std::size_t kChunk = 200;  // well under SQLite's parameter limit
    for (std::size_t first = 0; first < rows.size(); first += kChunk) {
        const std::size_t n = std::min(kChunk, rows.size() - first);
        const std::string query =
            "SELECT " + m_columnsNoJson + " FROM calls WHERE id IN (" + sql::placeholders(n) + ")";
        sql::Statement s(m_db, query);
        for (std::size_t i = 0; i < n; ++i) s.bind(static_cast<int>(i + 1), rows[first + i]);
        while (s.step()) {
            StoredCall c = callOf(s);
            const std::int64_t row = c.row;
            found.emplace(row, std::move(c));
        }
    }
    std::vector<StoredCall> out;
    out.reserve(found.size());
    for (std::int64_t row : rows)
        if (auto it = found.find(row); it != found.end()) out.push_back(std::move(it->second));
    return out;
}

void StoreReader::callsWhere(const std::string& tail,
                             const std::function<void(sql::Statement&)>& bind,
                             const std::function<bool(StoredCall&)>& visit) {
    sql::Statement s(m_db, "SELECT " + m_columnsNoJson + " FROM calls " + tail);
    if (bind) bind(s);
    while (s.step()) {
        StoredCall c = callOf(s);
        if (!visit(c)) return;
    }
}

}  // namespace sipscope::analyzer::store
