#include "store/media_rows.hpp"

#include <functional>

#include "media/media_json.hpp"
#include "store/schema.hpp"

namespace sipscope::analyzer::store {

MediaStreamRow mediaRowOf(const MediaStreamReport& r, std::optional<std::uint64_t> callKey) {
    const RtpStream& s = *r.stream;
    MediaStreamRow row;
    row.callKey = callKey;
    row.callId = r.callId;
    row.src = s.key().src.ip.toString();
    row.dst = s.key().dst.ip.toString();
    row.sport = s.key().src.port;
    row.dport = s.key().dst.port;
    row.ssrc = s.key().ssrc;
    for (int pt : s.payloadTypes())
        row.payloadTypes += (row.payloadTypes.empty() ? "" : ",") + std::to_string(pt);
    for (const auto& p : r.problems) row.problems += (row.problems.empty() ? "" : ",") + p;
    row.packets = s.packets();
    row.lost = s.lost();
    row.lossPct = s.lossPct();
    row.jitterMs = s.meanJitterMs();
    row.maxDeltaMs = s.maxDeltaMs();
    row.mos = r.mos;
    row.heuristic = r.heuristic;
    row.startNs = s.firstNs();
    row.endNs = s.lastNs();
    row.encoding = r.encoding;
    row.streamIndex = r.index;
    JsonWriter w;
    writeMediaStream(w, r);
    row.json = w.str();
    row.series = s.series();
    return row;
}

void writeMediaRows(sql::Database& db, std::int64_t captureId,
                    const std::vector<MediaStreamRow>& rows) {
    sql::Statement s(db,
                     "INSERT INTO media_streams(capture_id, call_key, call_id, src, sport, dst, "
                     "dport, ssrc, payload_types, packets, lost, loss_pct, jitter_ms, "
                     "max_delta_ms, mos, problems, heuristic, start_ns, end_ns, json, "
                     "encoding, stream_index) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    sql::Statement series(db,
                          "INSERT INTO media_series(stream_id, second, packets, expected, lost, "
                          "jitter_ms) VALUES (?, ?, ?, ?, ?, ?)");
    for (const MediaStreamRow& r : rows) {
        s.bind(1, captureId);
        if (r.callKey)
            s.bind(2, static_cast<std::int64_t>(*r.callKey));
        else
            s.bindNull(2);
        if (r.callId.empty())
            s.bindNull(3);
        else
            s.bind(3, std::string_view(r.callId));
        s.bind(4, std::string_view(r.src)).bind(5, std::int64_t{r.sport});
        s.bind(6, std::string_view(r.dst)).bind(7, std::int64_t{r.dport});
        s.bind(8, std::int64_t{r.ssrc}).bind(9, std::string_view(r.payloadTypes));
        s.bind(10, static_cast<std::int64_t>(r.packets))
            .bind(11, static_cast<std::int64_t>(r.lost));
        s.bind(12, r.lossPct).bind(13, r.jitterMs).bind(14, r.maxDeltaMs).bindOptional(15, r.mos);
        s.bind(16, std::string_view(r.problems)).bind(17, std::int64_t{r.heuristic ? 1 : 0});
        s.bind(18, r.startNs).bind(19, r.endNs).bind(20, std::string_view(r.json));
        s.bind(21, std::string_view(r.encoding));
        if (r.streamIndex)
            s.bind(22, std::int64_t{*r.streamIndex});
        else
            s.bindNull(22);
        s.step();
        s.reset();
        const std::int64_t id = db.lastInsertId();
        for (const MediaSecond& m : r.series) {
            series.bind(1, id).bind(2, m.second).bind(3, std::int64_t{m.packets});
            series.bind(4, std::int64_t{m.expected}).bind(5, std::int64_t{m.lost});
            series.bind(6, m.jitterMs);
            series.step();
            series.reset();
        }
    }
}

std::vector<StoredStream> readMediaStreamsWhere(sql::Database& db, const std::string& where,
                                                const std::function<void(sql::Statement&)>& bind) {
    std::vector<StoredStream> out;
    const int version = schemaVersion(db);
    if (version < 2) return out;
    sql::Statement s(
        db,
        std::string("SELECT id, capture_id, call_key, call_id, src, sport, dst, "
                    "dport, ssrc, payload_types, packets, lost, loss_pct, jitter_ms, "
                    "max_delta_ms, mos, problems, heuristic, start_ns, end_ns, json") +
            (version >= 3 ? ", encoding, stream_index" : ", '', NULL") +
            " FROM media_streams WHERE " + where +
            (version >= 3 ? " ORDER BY capture_id, stream_index, id" : " ORDER BY capture_id, id"));
    bind(s);
    while (s.step()) {
        StoredStream st;
        st.id = s.integer(0);
        st.captureId = s.integer(1);
        MediaStreamRow& r = st.row;
        if (!s.isNull(2)) r.callKey = static_cast<std::uint64_t>(s.integer(2));
        if (!s.isNull(3)) r.callId = s.text(3);
        r.src = s.text(4);
        r.sport = static_cast<std::uint16_t>(s.integer(5));
        r.dst = s.text(6);
        r.dport = static_cast<std::uint16_t>(s.integer(7));
        r.ssrc = static_cast<std::uint32_t>(s.integer(8));
        r.payloadTypes = s.text(9);
        r.packets = static_cast<std::uint64_t>(s.integer(10));
        r.lost = static_cast<std::uint64_t>(s.integer(11));
        r.lossPct = s.real(12);
        r.jitterMs = s.real(13);
        r.maxDeltaMs = s.real(14);
        if (!s.isNull(15)) r.mos = s.real(15);
        r.problems = s.text(16);
        r.heuristic = s.integer(17) != 0;
        r.startNs = s.integer(18);
        r.endNs = s.integer(19);
        r.json = s.text(20);
        r.encoding = s.text(21);
        if (!s.isNull(22)) r.streamIndex = static_cast<std::uint32_t>(s.integer(22));
        out.push_back(std::move(st));
    }
    return out;
}

std::vector<StoredStream> readMediaStreams(sql::Database& db, const std::string& callId) {
    return readMediaStreamsWhere(db, "? = '' OR call_id = ?", [&callId](sql::Statement& s) {
        s.bind(1, std::string_view(callId)).bind(2, std::string_view(callId));
    });
}

std::vector<MediaSecond> readMediaSeries(sql::Database& db, std::int64_t streamId) {
    std::vector<MediaSecond> out;
    if (schemaVersion(db) < 2) return out;
    sql::Statement s(db,
                     "SELECT second, packets, expected, lost, jitter_ms FROM media_series "
                     "WHERE stream_id = ? ORDER BY second");
    s.bind(1, streamId);
    while (s.step()) {
        MediaSecond m;
        m.second = s.integer(0);
        m.packets = static_cast<std::uint32_t>(s.integer(1));
        m.expected = static_cast<std::uint32_t>(s.integer(2));
        m.lost = static_cast<std::uint32_t>(s.integer(3));
        m.jitterMs = s.real(4);
        out.push_back(m);
    }
    return out;
}

}  // namespace sipscope::analyzer::store
