#pragma once
// The call player's audio: the two directions of a call decoded by the store (16-bit mono at
// 8 kHz each, with their capture start times) put on one timeline, as stereo (caller left,
// callee right), mixed to mono, or one direction alone; and the mapping between a frame of
// that audio and capture time, which the ladder's cursor follows.

#include <QByteArray>
#include <cstdint>
#include <vector>

#include "store/media_audio.hpp"

namespace sipscope::gui {

enum class MixMode { Stereo, Mono, CallerOnly, CalleeOnly };

struct MixedAudio {
    std::int64_t startNs = 0;  // capture time of frame 0
    int sampleRate = 8000;
    int channels = 1;
    std::vector<std::int16_t> samples;  // interleaved frames

    std::size_t frames() const {
        return channels > 0 ? samples.size() / static_cast<std::size_t>(channels) : 0;
    }
    std::int64_t durationNs() const { return timeOfFrame(frames()) - startNs; }
    std::int64_t timeOfFrame(std::size_t frame) const;
    std::size_t frameAt(std::int64_t ns) const;  // clamped to [0, frames()]
    // The PCM bytes from `frame` on (native-endian Int16, as QAudioFormat::Int16 plays them).
    QByteArray bytesFrom(std::size_t frame) const;
};

// Aligns the directions by their start times: the one that starts later is preceded by
// silence. Mono adds both with saturation (each talker keeps its level); a missing or failed
// direction is silence. CallerOnly/CalleeOnly give mono audio of that direction alone.
MixedAudio mixAudio(const analyzer::store::StreamAudio& caller,
                    const analyzer::store::StreamAudio& callee, MixMode mode);

}  // namespace sipscope::gui
