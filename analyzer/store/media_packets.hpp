#pragma once
// Reading the RTP packets kept with a capture (schema v3, media_chunks): per stream for audio,
// per call for the pcap export.

#include <cstdint>
#include <string>
#include <vector>

#include "store/media_chunk.hpp"
#include "store/media_rows.hpp"
#include "store/store_reader.hpp"

namespace sipscope::analyzer::store {

struct StreamPackets {
    std::vector<std::string> chunks;   // owns the bytes `packets` point into
    std::vector<MediaPacket> packets;  // in arrival order
    std::string error;                 // a damaged chunk (the packets before it are kept)
};

// The stored packets of a stream; none when the capture kept no packets (imported before
// schema 3 or without them).
StreamPackets readStreamPackets(sql::Database& db, const StoredStream& stream);

// The streams of one stored call (its capture and call key), in start order.
std::vector<StoredStream> readCallStreams(sql::Database& db, std::int64_t captureId,
                                          std::uint64_t callKey);

// The call's RTP packets as UDP messages with their streams' addresses, in time order, for
// writeMessagesPcap.
std::vector<StoredMessage> callMediaMessages(sql::Database& db, const StoredCall& call,
                                             std::string& error);

}  // namespace sipscope::analyzer::store
