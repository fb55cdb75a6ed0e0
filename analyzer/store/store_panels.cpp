#include "store/store_panels.hpp"

#include <algorithm>

namespace sipscope::analyzer::store {

namespace {

std::string captureFilter(const std::vector<std::int64_t>& captureIds) {
    if (captureIds.empty()) return {};
    return " WHERE c.capture_id IN (" + sql::placeholders(captureIds.size()) + ")";
}

void bindCaptures(sql::Statement& s, const std::vector<std::int64_t>& captureIds) {
    for (std::size_t i = 0; i < captureIds.size(); ++i)
        s.bind(static_cast<int>(i + 1), captureIds[i]);
}

}  // namespace

std::vector<PanelAnomaly> panelAnomalies(StoreReader& reader,
                                         const std::vector<std::int64_t>& captureIds) {
    // CAST takes the leading number of "12,13": the first message the anomaly names. A
    // `messages` row (schema 5 and earlier) gives its time here, through messages_by_call
    // (capture_id, call_key, seq); a message in a schema-6 block is looked up below.
    const std::string sql =
        "SELECT a.id, a.call_row, c.capture_id, a.code, a.rfc, a.text, a.message_seqs, "
        "c.call_id, (SELECT m.ts_ns FROM messages m WHERE m.capture_id = c.capture_id "
        "AND m.call_key = c.key AND m.seq = CAST(a.message_seqs AS INTEGER)), c.start_ns "
        "FROM anomalies a JOIN calls c ON c.id = a.call_row" +
        captureFilter(captureIds);
    sql::Statement s(reader.database(), sql);
    bindCaptures(s, captureIds);
    std::vector<PanelAnomaly> out;
    std::vector<std::size_t> inBlocks;  // anomalies whose first message is in a block
    while (s.step()) {
        PanelAnomaly a;
        a.id = s.integer(0);
        a.callRow = s.integer(1);
        a.captureId = s.integer(2);
        a.code = s.text(3);
        a.rfc = s.text(4);
        a.text = s.text(5);
        a.messageSeqs = parseMessageSeqs(s.text(6));
        a.callId = s.text(7);
        a.tsNs = s.isNull(8) ? s.integer(9) : s.integer(8);
        if (s.isNull(8) && !a.messageSeqs.empty()) inBlocks.push_back(out.size());
        out.push_back(std::move(a));
    }
    for (std::size_t i : inBlocks)
        if (auto m = reader.message(out[i].captureId, out[i].messageSeqs.front()))
            out[i].tsNs = m->tsNs;
    std::sort(out.begin(), out.end(), [](const PanelAnomaly& a, const PanelAnomaly& b) {
        return a.tsNs != b.tsNs ? a.tsNs < b.tsNs : a.id < b.id;
    });
    return out;
}

std::vector<CallRecord> panelCallRecords(StoreReader& reader,
                                         const std::vector<std::int64_t>& captureIds) {
    std::string tail;
    if (!captureIds.empty())
        tail = "WHERE capture_id IN (" + sql::placeholders(captureIds.size()) + ") ";
    std::vector<CallRecord> out;
    reader.callsWhere(
        tail + "ORDER BY start_ns, id", [&](sql::Statement& s) { bindCaptures(s, captureIds); },
        [&](StoredCall& c) {
            out.push_back(std::move(c.record));
            return true;
        });
    return out;
}

}  // namespace sipscope::analyzer::store
