#pragma once
// RTP streams in the store (schema v2): rows built from a MediaTracker's reports during an import
// (as calls end) and after it, written in the writer's transaction, and read back for
// `sipscope-cli streams --db` and the GUI.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "media/media_tracker.hpp"
#include "store/sqlite.hpp"

namespace sipscope::analyzer::store {

struct MediaStreamRow {
    std::optional<std::uint64_t> callKey;  // CallRecord::key; none for heuristic streams
    std::string callId;
    std::string src, dst;
    std::uint16_t sport = 0, dport = 0;
    std::uint32_t ssrc = 0;
    std::string payloadTypes, problems;  // comma-separated
    std::uint64_t packets = 0, lost = 0;
    double lossPct = 0, jitterMs = 0, maxDeltaMs = 0;
    std::optional<double> mos;
    bool heuristic = false;
    std::int64_t startNs = 0, endNs = 0;
    std::string encoding;                      // main payload's ("PCMU"), "" unknown
    std::optional<std::uint32_t> streamIndex;  // the tracker's; its packets' key (schema v3)
    std::string json;
    std::vector<MediaSecond> series;
};

// One stream report as a row; `callKey` is its call's CallRecord::key, if it has a call.
MediaStreamRow mediaRowOf(const MediaStreamReport& r, std::optional<std::uint64_t> callKey);

// Inserts the rows of one capture (the caller holds the transaction).
void writeMediaRows(sql::Database& db, std::int64_t captureId,
                    const std::vector<MediaStreamRow>& rows);

struct StoredStream {
    std::int64_t id = 0, captureId = 0;
    MediaStreamRow row;  // without its series
};

// Stored streams in capture order and the order their first packets came (stream_index; row
// order for schema 2, which has none), only those of `callId` unless it is empty. A
// database older than schema 2 has none.
std::vector<StoredStream> readMediaStreams(sql::Database& db, const std::string& callId);

// Stored streams matching an SQL condition on media_streams (parameters bound by `bind`).
std::vector<StoredStream> readMediaStreamsWhere(sql::Database& db, const std::string& where,
                                                const std::function<void(sql::Statement&)>& bind);

// The per-second loss/jitter series of one stored stream (media_streams.id), by second.
std::vector<MediaSecond> readMediaSeries(sql::Database& db, std::int64_t streamId);

}  // namespace sipscope::analyzer::store
