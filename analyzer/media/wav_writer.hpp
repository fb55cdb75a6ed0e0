#pragma once
// Writing 16-bit linear PCM as a RIFF/WAVE file (format 1, little-endian), mono or
// interleaved stereo.

#include <cstdint>
#include <string>
#include <vector>

namespace sipscope::analyzer {

// The whole file's bytes: 44-byte header + samples.
std::string wavBytes(const std::vector<std::int16_t>& samples, int channels, int sampleRate);

// False with `error` when the file cannot be written.
bool writeWav(const std::string& path, const std::vector<std::int16_t>& samples, int channels,
              int sampleRate, std::string& error);

}  // namespace sipscope::analyzer
