#include "store/media_packets.hpp"

#include <algorithm>

#include "store/schema.hpp"

namespace sipscope::analyzer::store {

StreamPackets readStreamPackets(sql::Database& db, const StoredStream& stream) {
    StreamPackets out;
    if (!stream.row.streamIndex || schemaVersion(db) < 3) return out;
    sql::Statement s(db,
                     "SELECT data FROM media_chunks WHERE capture_id = ? AND stream_index = ? "
                     "ORDER BY first_ts_ns, rowid");
    s.bind(1, stream.captureId).bind(2, std::int64_t{*stream.row.streamIndex});
    while (s.step()) out.chunks.emplace_back(s.blob(0));
    for (const std::string& chunk : out.chunks) {
        if (!decodeMediaChunk(chunk, out.packets, out.error)) {
            out.error = "stream " + std::to_string(stream.id) + ": " + out.error;
            break;
        }
    }
    return out;
}

std::vector<StoredStream> readCallStreams(sql::Database& db, std::int64_t captureId,
                                          std::uint64_t callKey) {
    return readMediaStreamsWhere(db, "capture_id = ? AND call_key = ?", [&](sql::Statement& s) {
        s.bind(1, captureId);
        s.bind(2, static_cast<std::int64_t>(callKey));
    });
}

std::vector<StoredMessage> callMediaMessages(sql::Database& db, const StoredCall& call,
                                             std::string& error) {
    std::vector<StoredMessage> out;
    for (const StoredStream& st :
         readCallStreams(db, call.captureId, static_cast<std::uint64_t>(call.key))) {
        StreamPackets p = readStreamPackets(db, st);
        if (!p.error.empty() && error.empty()) error = p.error;
        for (const MediaPacket& pkt : p.packets) {
            StoredMessage m;
            m.captureId = st.captureId;
            m.tsNs = pkt.tsNs;
            m.src = st.row.src;
            m.dst = st.row.dst;
            m.sport = st.row.sport;
            m.dport = st.row.dport;
            m.transport = "udp";
            m.ipVersion = st.row.src.find(':') != std::string::npos ? 6 : 4;
            m.bytes = std::string(pkt.payload);
            out.push_back(std::move(m));
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const StoredMessage& a, const StoredMessage& b) {
        return a.tsNs < b.tsNs;
    });
    return out;
}

}  // namespace sipscope::analyzer::store
