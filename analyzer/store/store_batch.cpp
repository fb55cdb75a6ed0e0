// Writing one batch of messages, calls, transactions and dialog states (one transaction, done
// by the caller). Statements are prepared once per connection; the column lists match schema.cpp.
#include <algorithm>
#include <unordered_map>

#include "calls/call_json.hpp"
#include "store/block_messages.hpp"
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

// A block's row, then one block_calls row per call key with messages in it.
void writeBlock(sql::Database& db, std::int64_t captureId, const PackedBlock& b) {
    sql::Statement& s = db.prepared(
        "INSERT INTO message_blocks(capture_id, raw_size, data, first_seq, last_seq, messages) "
        "VALUES (?,?,?,?,?,?)");
    s.bind(1, captureId).bind(2, static_cast<std::int64_t>(b.rawSize));
    s.bindStaticBlob(3, b.data);
    s.bind(4, static_cast<std::int64_t>(b.firstSeq)).bind(5, static_cast<std::int64_t>(b.lastSeq));
    s.bind(6, static_cast<std::int64_t>(b.messages));
    s.step();
    s.reset();
    const std::int64_t block = db.lastInsertId();
    sql::Statement& k = db.prepared(
        "INSERT OR IGNORE INTO block_calls(capture_id, call_key, block_id) "
        "VALUES (?,?,?)");
    for (std::uint64_t key : b.callKeys) {
        k.bind(1, captureId).bind(2, static_cast<std::int64_t>(key)).bind(3, block);
        k.step();
        k.reset();
    }
}

void writeMessages(sql::Database& db, std::int64_t captureId, const Batch& b) {
    for (const PackedBlock& block : b.blocks) writeBlock(db, captureId, block);
}

void writeCallChildren(sql::Database& db, std::int64_t row, const CallRecord& c) {
    // A Call-ID listed twice in a record names the call once.
    sql::Statement& ids =
        db.prepared("INSERT OR IGNORE INTO call_ids(call_row, call_id) VALUES (?, ?)");
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
        "INSERT INTO media(call_row, position, message_seq, origin, type, address, port, "
        "direction, codecs, hold) VALUES (?,?,?,?,?,?,?,?,?,?)");
    for (std::size_t i = 0; i < c.media.size(); ++i) {
        const auto& m = c.media[i];
        std::string codecs;
        for (const auto& codec : m.codecs) codecs += (codecs.empty() ? "" : ",") + codec;
        media.bind(1, row).bind(2, static_cast<std::int64_t>(i));
        media.bind(3, static_cast<std::int64_t>(m.messageId));
        media.bindStatic(4, m.origin).bindStatic(5, m.type);
        media.bindStatic(6, m.address).bind(7, static_cast<std::int64_t>(m.port));
        media.bindStatic(8, m.direction).bindStatic(9, codecs);
        media.bind(10, static_cast<std::int64_t>(m.hold));
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

// Binds one call's columns, in kCallColumns order, from parameter 1, with `packed`, its
// record's JSON packed (call_json_blob.hpp). The record and `packed` stay alive until the
// caller's step(): they are bound in place; the columns joined here are copied.
void bindCall(sql::Statement& s, std::int64_t captureId, const CallRecord& c,
              std::string_view packed) {
    std::string callIds, anomalyCodes, codecs, mediaProblems;
    for (const auto& id : c.callIds) callIds += (callIds.empty() ? "" : "\n") + id;
    for (const auto& a : c.anomalies) anomalyCodes += (anomalyCodes.empty() ? "" : ",") + a.code;
    for (const auto& m : c.media)
        for (const auto& codec : m.codecs) codecs += (codecs.empty() ? "" : ",") + codec;
    for (const auto& p : c.mediaProblems) mediaProblems += (mediaProblems.empty() ? "" : ",") + p;
    const auto [srcIp, srcPort] = splitEndpoint(c.caller);
    const auto [dstIp, dstPort] = splitEndpoint(c.callee);
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
    s.bind(35, static_cast<std::int64_t>(c.firstMessageId)).bindStaticBlob(36, packed);
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
    for (std::size_t i = 0; i < b.calls.size(); ++i) {
        const CallRecord& c = b.calls[i];
        const std::string_view packed = b.packedCalls[i];
        if (const auto row = snapshotRow(db, captureId, c.key)) {
            sql::Statement& s = db.prepared(updateSql);
            bindCall(s, captureId, c, packed);
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
        bindCall(s, captureId, c, packed);
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

// A dialog's events in one batch (early, confirmed, terminated: usually all three) make one
// upsert, not one each: its first event's method (what the row would keep from its insert)
// with its last event's state and reason (what the updates would leave), in the order the
// dialogs first appear. The row ends up as the upserts one by one would leave it.
struct DialogRow {
    const stack::DialogEvent* first;  // identity and method
    const stack::DialogEvent* last;   // state and reason
};

std::vector<DialogRow> dialogRows(const std::vector<stack::DialogEvent>& events) {
    std::vector<DialogRow> out;
    out.reserve(events.size());
    std::unordered_map<std::string, std::size_t> index;
    std::string key;
    for (const auto& e : events) {
        key.clear();
        for (const std::string* part : {&e.callId, &e.uac, &e.uas, &e.uacTag, &e.uasTag})
            (key += *part) += '\0';
        const auto [it, added] = index.try_emplace(key, out.size());
        if (added)
            out.push_back({&e, &e});
        else
            out[it->second].last = &e;
    }
    return out;
}

void writeDialogs(sql::Database& db, std::int64_t captureId, const Batch& b) {
    if (b.dialogs.empty()) return;
    sql::Statement& s = db.prepared(
        "INSERT INTO dialogs(capture_id, call_id, uac, uas, uac_tag, uas_tag, "
        "method, state, reason) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(capture_id, "
        "call_id, uac, uas, uac_tag, uas_tag) DO UPDATE SET state = excluded.state, "
        "reason = excluded.reason");
    for (const auto& [e, last] : dialogRows(b.dialogs)) {
        s.bind(1, captureId).bind(2, std::string_view(e->callId));
        s.bind(3, std::string_view(e->uac)).bind(4, std::string_view(e->uas));
        s.bind(5, std::string_view(e->uacTag)).bind(6, std::string_view(e->uasTag));
        s.bind(7, std::string_view(e->method))
            .bind(8, stack::dialogStateLabel(last->to))
            .bind(9, stack::dialogReasonLabel(last->reason));
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

void packBatch(Batch& batch) {
    for (auto& block : packMessageBlocks(batch.messages)) batch.blocks.push_back(std::move(block));
    batch.messages.clear();  // their bytes are freed here, not on the writer thread
    JsonWriter w;
    batch.packedCalls.reserve(batch.calls.size());
    for (std::size_t i = batch.packedCalls.size(); i < batch.calls.size(); ++i) {
        w.clear();
        writeCall(w, batch.calls[i]);
        batch.packedCalls.push_back(packCallJson(w.str()));
    }
}

void writeBatch(sql::Database& db, std::int64_t captureId, Batch& batch) {
    packBatch(batch);  // what the producer left to this thread (StoreWriter::pending)
    writeMediaChunks(db, captureId, batch);
    writeMediaRows(db, captureId, batch.mediaStreams);
    writeMessages(db, captureId, batch);
    writeCalls(db, captureId, batch);
    writeTransactions(db, captureId, batch);
    writeDialogs(db, captureId, batch);
}

}  // namespace sipscope::analyzer::store
