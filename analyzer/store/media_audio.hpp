#pragma once
// Audio of stored RTP streams: the packets kept with a capture (schema v3, media_chunks)
// decoded to 16-bit linear PCM, for `sipscope-cli audio` and the GUI's player.
//
// Packets are put in RTP sequence order (extended over wrap), duplicates dropped, and placed
// on the stream's RTP timestamp axis: a gap (lost packets, silence suppression, comfort noise)
// becomes silence of the length the timestamps say, so the audio keeps the call's timing.

#include <cstdint>
#include <string>
#include <vector>

#include "store/sqlite.hpp"

namespace sipscope::analyzer::store {

struct StreamAudio {
    bool ok = false;
    std::string error;                  // why not, e.g. "stream 3 (SSRC 0x1234) is G729: ..."
    std::string encoding;               // "PCMU" or "PCMA"
    int sampleRate = 8000;              // G.711
    std::int64_t startNs = 0;           // capture time of the first sample
    std::uint64_t packets = 0;          // decoded
    std::uint64_t gapSamples = 0;       // silence inserted for missing audio
    std::vector<std::int16_t> samples;  // mono
};

// Decodes one stored stream (media_streams.id).
StreamAudio readStreamAudio(sql::Database& db, std::int64_t streamId);

// Several decoded streams (same sample rate) as interleaved channels on one time axis: each
// starts at its startNs relative to the earliest; the shorter ones are padded with silence.
std::vector<std::int16_t> interleaveAligned(const std::vector<const StreamAudio*>& channels);

}  // namespace sipscope::analyzer::store
