#include "media/wav_writer.hpp"

#include <cstdio>
#include <memory>

namespace sipscope::analyzer {

namespace {

void putLe(std::string& out, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

std::string wavBytes(const std::vector<std::int16_t>& samples, int channels, int sampleRate) {
    const auto dataBytes = static_cast<std::uint32_t>(samples.size() * 2);
    const auto ch = static_cast<std::uint32_t>(channels);
    const auto rate = static_cast<std::uint32_t>(sampleRate);
    std::string out;
    out.reserve(44 + dataBytes);
    out += "RIFF";
    putLe(out, 36 + dataBytes, 4);
    out += "WAVEfmt ";
    putLe(out, 16, 4);  // fmt chunk size
    putLe(out, 1, 2);   // WAVE_FORMAT_PCM
    putLe(out, ch, 2);
    putLe(out, rate, 4);
    putLe(out, rate * ch * 2, 4);  // byte rate
    putLe(out, ch * 2, 2);         // block align
    putLe(out, 16, 2);             // bits per sample
    out += "data";
    putLe(out, dataBytes, 4);
    for (std::int16_t s : samples) putLe(out, static_cast<std::uint16_t>(s), 2);
    return out;
}

bool writeWav(const std::string& path, const std::vector<std::int16_t>& samples, int channels,
              int sampleRate, std::string& error) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
    if (!f) {
        error = "cannot write " + path;
        return false;
    }
    const std::string bytes = wavBytes(samples, channels, sampleRate);
    if (std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size() ||
        std::fflush(f.get()) != 0) {
        error = "write error on " + path;
        return false;
    }
    return true;
}

}  // namespace sipscope::analyzer
