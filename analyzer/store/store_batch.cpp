// Writing one batch of messages, calls, transactions and dialog states (one transaction, done
// by the caller). Statements are prepared once per connection; the column lists match schema.cpp.
#include "calls/call_json.hpp"
#include "store/call_json_blob.hpp"
#include "store/message_blocks.hpp"
#include "store/store_writer.hpp"

namespace sipscope::analyzer::store {

namespace {

std::string joinIds(const std::vector<std::uint64_t>& ids) {
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
    return out;
}

// Where a message's bytes went: its block's row id and its offset in the inflated block.
struct BlockSlot {
    std::int64_t block = 0;
    std::size_t offset = 0;
};

// One block per run of consecutive messages up to kMessageBlockBytes (a larger message gets a
// block of its own): the blocks first, then the rows that name them.
std::vector<BlockSlot> writeMessageBlocks(sql::Database& db, std::int64_t captureId,
                                          const Batch& b) {
    sql::Statement& s =
        db.prepared("INSERT INTO message_blocks(capture_id, raw_size, data) VALUES (?,?,?)");
    std::vector<BlockSlot> slots;
    std::size_t firstOfBlock = 0;  // the first message of the block being filled
    std::string raw;
    auto flush = [&] {
        if (raw.empty()) return;
        s.bind(1, captureId).bind(2, static_cast<std::int64_t>(raw.size()));
        s.bindBlob(3, deflateBlock(raw));
        s.step();
        s.reset();
        for (std::size_t i = firstOfBlock; i < slots.size(); ++i)
            slots[i].block = db.lastInsertId();
        firstOfBlock = slots.size();
        raw.clear();
    };
    raw.reserve(kMessageBlockBytes + 4096);
    for (const MessageRow& m : b.messages) {
        if (!raw.empty() && raw.size() + m.bytes.size() > kMessageBlockBytes) flush();
        slots.push_back({0, raw.size()});
        raw += m.bytes;
    }
    flush();
    return slots;
}

void writeMessages(sql::Database& db, std::int64_t captureId, const Batch& b) {
    if (b.messages.empty()) return;
    const std::vector<BlockSlot> slots = writeMessageBlocks(db, captureId, b);
    sql::Statement& s = db.prepared(
        "INSERT INTO messages(capture_id, seq, call_key, ts_ns, src, sport, dst, dport, "
        "transport, ip_version, path, frames, method, status, cseq, call_id, role, "
        "transaction_id, original_seq, issues, bytes, block_id, block_offset, block_length) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,x'',?,?,?)");
    for (std::size_t i = 0; i < b.messages.size(); ++i) {
        const MessageRow& m = b.messages[i];
        s.bind(1, captureId)
            .bind(2, static_cast<std::int64_t>(m.seq))
            .bind(3, static_cast<std::int64_t>(m.callKey))
            .bind(4, m.tsNs)
            .bindStatic(5, m.src)
            .bind(6, static_cast<std::int64_t>(m.sport))
            .bindStatic(7, m.dst)
            .bind(8, static_cast<std::int64_t>(m.dport))
            .bindStatic(9, m.transport)
            .bind(10, static_cast<std::int64_t>(m.ipVersion))
            .bindStatic(11, m.path)
            .bindStatic(12, m.frames);
        if (m.method.empty())
            s.bindNull(13);
        else
            s.bindStatic(13, m.method);
        s.bindOptional(14, m.status ? std::optional<std::int64_t>(*m.status) : std::nullopt);
        s.bindOptional(15, m.cseq ? std::optional<std::int64_t>(*m.cseq) : std::nullopt);
        s.bindStatic(16, m.callId).bindStatic(17, m.role);
        s.bind(18, static_cast<std::int64_t>(m.transaction));
        if (m.original)
            s.bind(19, static_cast<std::int64_t>(m.original));
        else
            s.bindNull(19);
        if (m.issues.empty())
            s.bindNull(20);
        else
            s.bindStatic(20, m.issues);
        s.bind(21, slots[i].block).bind(22, static_cast<std::int64_t>(slots[i].offset));
        s.bind(23, static_cast<std::int64_t>(m.bytes.size()));
        s.step();
        s.reset();
    }
}

void writeCallChildren(sql::Database& db, std::int64_t row, const CallRecord& c) {
    sql::Statement& ids = db.prepared("INSERT INTO call_ids(call_row, call_id) VALUES (?, ?)");
    for (const auto& id : c.callIds) {
        ids.bind(1, row).bindStatic(2, id);
        ids.step();
        ids.reset();
    }
    sql::Statement& legs =
        db.prepared("INSERT INTO legs(call_row, position, src, dst) VALUES (?,?,?,?)");
    for (std::size_t i = 0; i < c.legHops.size(); ++i) {
        legs.bind(1, row).bind(2, static_cast<std::int64_t>(i));
        legs.bindStatic(3, c.legHops[i].first).bindStatic(4, c.legHops[i].second);
        legs.step();
        legs.reset();
    }
    sql::Statement& an = db.prepared(
        "INSERT INTO anomalies(call_row, code, rfc, text, message_seqs) VALUES "
        "(?,?,?,?,?)");
    for (const auto& a : c.anomalies) {
        an.bind(1, row).bindStatic(2, a.code).bindStatic(3, a.rfc);
        an.bindStatic(4, a.text).bind(5, joinIds(a.messageIds));  // a temporary: copied
        an.step();
        an.reset();
    }
    sql::Statement& media = db.prepared(
        "INSERT INTO media(call_row, message_seq, origin, type, address, port, "
        "direction, codecs, hold) VALUES (?,?,?,?,?,?,?,?,?)");
    for (const auto& m : c.media) {
        std::string codecs;
        for (const auto& codec : m.codecs) codecs += (codecs.empty() ? "" : ",") + codec;
        media.bind(1, row).bind(2, static_cast<std::int64_t>(m.messageId));
        media.bindStatic(3, m.origin).bindStatic(4, m.type);
        media.bindStatic(5, m.address).bind(6, static_cast<std::int64_t>(m.port));
        media.bindStatic(7, m.direction).bindStatic(8, codecs);
        media.bind(9, static_cast<std::int64_t>(m.hold));
        media.step();
        media.reset();
    }
}

constexpr const char* kCallColumns =
    "capture_id, key, number, call_id, call_ids, kind, method, from_user, to_user, start_ns, "
    "answer_ns, end_ns, state, final_code, reason, messages, retransmissions, duplicates, legs, "
    "transactions, auth_challenges, src, sport, dst, dport, transport, user_agent, pdd_ms, "
    "srd_ms, sdd_ms, sdt_ms, rrd_ms, anomaly_codes, codecs, first_seq, json, media_problems";
constexpr int kCallColumnCount = 37;

// Binds one call's columns, in kCallColumns order, from parameter 1.
// The record stays alive until the caller's step(): its text is bound in place; the columns
// joined here and the packed JSON (call_json_blob.hpp) are copied.
void bindCall(sql::Statement& s, std::int64_t captureId, const CallRecord& c, JsonWriter& w) {
    std::string callIds, anomalyCodes, codecs, mediaProblems;
    for (const auto& id : c.callIds) callIds += (callIds.empty() ? "" : "\n") + id;
    for (const auto& a : c.anomalies) anomalyCodes += (anomalyCodes.empty() ? "" : ",") + a.code;
    for (const auto& m : c.media)
        for (const auto& codec : m.codecs) codecs += (codecs.empty() ? "" : ",") + codec;
    for (const auto& p : c.mediaProblems) mediaProblems += (mediaProblems.empty() ? "" : ",") + p;
    const auto [srcIp, srcPort] = splitEndpoint(c.caller);
    const auto [dstIp, dstPort] = splitEndpoint(c.callee);
    w.clear();
    writeCall(w, c);
    s.bind(1, captureId).bind(2, static_cast<std::int64_t>(c.key));
    s.bind(3, static_cast<std::int64_t>(c.number)).bindStatic(4, c.callId);
    s.bind(5, callIds).bindStatic(6, callKindName(c.kind));
    s.bindStatic(7, c.method).bindStatic(8, c.fromUser);
    s.bindStatic(9, c.toUser).bind(10, c.startNs);
    s.bindOptional(11, c.answerNs).bindOptional(12, c.endNs);
    s.bindStatic(13, callStateName(c.state));
    s.bindOptional(14, c.finalCode ? std::optional<std::int64_t>(*c.finalCode) : std::nullopt);
    s.bindStatic(15, c.finalReason);
    s.bind(16, static_cast<std::int64_t>(c.messages))
        .bind(17, static_cast<std::int64_t>(c.retransmissions))
        .bind(18, static_cast<std::int64_t>(c.duplicates))
        .bind(19, static_cast<std::int64_t>(c.legs))
        .bind(20, static_cast<std::int64_t>(c.transactions))
        .bind(21, static_cast<std::int64_t>(c.authChallenges));
    s.bind(22, srcIp).bind(23, static_cast<std::int64_t>(srcPort));
    s.bind(24, dstIp).bind(25, static_cast<std::int64_t>(dstPort));
    s.bindStatic(26, c.transport).bindStatic(27, c.userAgent);
    s.bindOptional(28, c.metrics.pddMs).bindOptional(29, c.metrics.srdMs);
    s.bindOptional(30, c.metrics.sddMs).bindOptional(31, c.metrics.sdtMs);
    s.bindOptional(32, c.metrics.rrdMs);
    s.bind(33, anomalyCodes).bind(34, codecs);
    s.bind(35, static_cast<std::int64_t>(c.firstMessageId)).bindBlob(36, packCallJson(w.str()));
    s.bind(37, mediaProblems);
}

// The row of a call written earlier as a snapshot (number 0, CallTracker::snapshotOpen), if any.
std::optional<std::int64_t> snapshotRow(sql::Database& db, std::int64_t captureId,
                                        std::uint64_t key) {
    sql::Statement& s = db.prepared("SELECT id FROM calls WHERE capture_id = ? AND key = ?");
    s.bind(1, captureId).bind(2, static_cast<std::int64_t>(key));
    std::optional<std::int64_t> row;
    if (s.step()) row = s.integer(0);
    s.reset();
    return row;
}

// A call is inserted, or replaces its snapshot in place: the row keeps its id, so a reader's
// list and selection stay put while the call goes on.
void writeCalls(sql::Database& db, std::int64_t captureId, const Batch& b) {
    if (b.calls.empty()) return;
    static const std::string insertSql = std::string("INSERT INTO calls(") + kCallColumns +
                                         ") VALUES (" + sql::placeholders(kCallColumnCount) + ")";
    static const std::string updateSql = std::string("UPDATE calls SET (") + kCallColumns +
                                         ") = (" + sql::placeholders(kCallColumnCount) +
                                         ") WHERE id = ?";
    JsonWriter w;
    for (const CallRecord& c : b.calls) {
        if (const auto row = snapshotRow(db, captureId, c.key)) {
            sql::Statement& s = db.prepared(updateSql);
            bindCall(s, captureId, c, w);
            s.bind(kCallColumnCount + 1, *row);
            s.step();
            s.reset();
            for (const char* table : {"call_ids", "legs", "anomalies", "media"}) {
                sql::Statement& d =
                    db.prepared(std::string("DELETE FROM ") + table + " WHERE call_row = ?");
                d.bind(1, *row);
                d.step();
                d.reset();
            }
            writeCallChildren(db, *row, c);
            continue;
        }
        sql::Statement& s = db.prepared(insertSql);
        bindCall(s, captureId, c, w);
        s.step();
        s.reset();
        writeCallChildren(db, db.lastInsertId(), c);
    }
}

void writeTransactions(sql::Database& db, std::int64_t captureId, const Batch& b) {
    if (b.transactions.empty()) return;
    sql::Statement& s = db.prepared(
        "INSERT INTO transactions(capture_id, tx, kind, method, branch, call_id, "
        "cseq, state, final_code, requests, responses, retransmissions, timeout, "
        "start_ns, end_ns, client, server) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& t : b.transactions) {
        const std::string state = transactionStateName(t);
        s.bind(1, captureId).bind(2, static_cast<std::int64_t>(t.id));
        s.bind(3, std::string_view(transactionKind(t))).bind(4, std::string_view(t.method));
        s.bind(5, std::string_view(t.branch)).bind(6, std::string_view(t.callId));
        s.bind(7, static_cast<std::int64_t>(t.cseq)).bind(8, state);
        if (t.finalCode)
            s.bind(9, static_cast<std::int64_t>(*t.finalCode));
        else
            s.bindNull(9);
        s.bind(10, static_cast<std::int64_t>(t.requests.size()))
            .bind(11, static_cast<std::int64_t>(t.responses.size()))
            .bind(12, static_cast<std::int64_t>(t.retransmissions))
            .bind(13, static_cast<std::int64_t>(t.timeout))
            .bind(14, static_cast<std::int64_t>(t.start.count()) * 1000)
            .bind(15, static_cast<std::int64_t>(t.end.count()) * 1000);
        s.bind(16, std::string_view(t.client)).bind(17, std::string_view(t.server));
        s.step();
        s.reset();
    }
}

void writeDialogs(sql::Database& db, std::int64_t captureId, const Batch& b) {
    if (b.dialogs.empty()) return;
    sql::Statement& s = db.prepared(
        "INSERT INTO dialogs(capture_id, call_id, uac, uas, uac_tag, uas_tag, "
        "method, state, reason) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(capture_id, "
        "call_id, uac, uas, uac_tag, uas_tag) DO UPDATE SET state = excluded.state, "
        "reason = excluded.reason");
    for (const auto& e : b.dialogs) {
        s.bind(1, captureId).bind(2, std::string_view(e.callId));
        s.bind(3, std::string_view(e.uac)).bind(4, std::string_view(e.uas));
        s.bind(5, std::string_view(e.uacTag)).bind(6, std::string_view(e.uasTag));
        s.bind(7, std::string_view(e.method))
            .bind(8, stack::dialogStateLabel(e.to))
            .bind(9, stack::dialogReasonLabel(e.reason));
        s.step();
        s.reset();
    }
}

void writeMediaChunks(sql::Database& db, std::int64_t captureId, const Batch& b) {
    if (b.mediaChunks.empty()) return;
    sql::Statement& s = db.prepared(
        "INSERT INTO media_chunks(capture_id, stream_index, first_ts_ns, packets, "
        "data) VALUES (?,?,?,?,?)");
    for (const auto& c : b.mediaChunks) {
        s.bind(1, captureId).bind(2, std::int64_t{c.streamIndex}).bind(3, c.firstTsNs);
        s.bind(4, std::int64_t{c.packets}).bindBlob(5, c.data);
        s.step();
        s.reset();
    }
}

}  // namespace

void writeBatch(sql::Database& db, std::int64_t captureId, const Batch& batch) {
    writeMediaChunks(db, captureId, batch);
    writeMediaRows(db, captureId, batch.mediaStreams);
    writeMessages(db, captureId, batch);
    writeCalls(db, captureId, batch);
    writeTransactions(db, captureId, batch);
    writeDialogs(db, captureId, batch);
}

}  // namespace sipscope::analyzer::store
