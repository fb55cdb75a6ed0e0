#pragma once
// Audio for the call's RTP stream from a RIFF WAVE file: 16-bit PCM (any rate from 8000 to
// 192000 Hz, mono or stereo) and G.711 µ-law / A-law at 8000 Hz, turned into 8 kHz mono linear
// samples that RtpSession encodes as PCMU or PCMA. Other rates are low-pass filtered and linearly
// interpolated down to 8000 Hz; stereo is mixed down. Every chunk size is checked against the
// bytes present: a bad file gives an Error with its byte offset, never an out-of-bounds read.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace sipscope::stack::ua {

inline constexpr int kWavPcm = 1, kWavAlaw = 6, kWavUlaw = 7;

struct WavFormat {
    int formatTag = 0;  // 1 PCM, 6 A-law, 7 µ-law (WAVE_FORMAT_EXTENSIBLE resolved)
    int channels = 0;
    int sampleRate = 0;
    int bitsPerSample = 0;
};

struct WavAudio {
    WavFormat format;                   // as in the file
    std::vector<std::int16_t> samples;  // 8000 Hz, mono, linear
};

// The format named for error messages: "16-bit PCM, 2 channels, 44100 Hz".
std::string describeWavFormat(const WavFormat& format);

Result<WavAudio> parseWav(std::span<const std::uint8_t> bytes);
// Reads and parses a file (at most 64 MiB); the error names the file.
Result<WavAudio> loadWav(const std::string& path);

// 16-bit mono samples at `rate` Hz to 8000 Hz: a windowed-sinc low-pass at 3.6 kHz, then linear
// interpolation. `rate` 8000 returns the input.
std::vector<std::int16_t> resampleTo8k(std::span<const std::int16_t> in, int rate);

}  // namespace sipscope::stack::ua
