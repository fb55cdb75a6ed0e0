#include "ua/wav_source.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>

#include "ua/rtp_session.hpp"

namespace sipscope::stack::ua {

namespace {

constexpr int kWavExtensible = 0xfffe;
constexpr std::size_t kMaxFileBytes = 64u << 20;

std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t at) {
    return std::uint32_t(b[at]) | std::uint32_t(b[at + 1]) << 8 | std::uint32_t(b[at + 2]) << 16 |
           std::uint32_t(b[at + 3]) << 24;
}

std::uint16_t le16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8);
}

Error wavError(ErrorCode code, std::size_t offset, std::string message) {
    return makeError(code, offset,
                     "WAV: " + std::move(message) + " (byte " + std::to_string(offset) + ")");
}

// The fmt chunk (its body at `at`, `size` bytes, already bounds-checked).
Result<WavFormat> parseFmt(std::span<const std::uint8_t> b, std::size_t at, std::size_t size) {
    if (size < 16) return wavError(ErrorCode::BadBody, at, "fmt chunk shorter than 16 bytes");
    WavFormat f;
    f.formatTag = le16(b, at);
    f.channels = le16(b, at + 2);
    f.sampleRate = static_cast<int>(std::min<std::uint32_t>(le32(b, at + 4), 0x7fffffff));
    f.bitsPerSample = le16(b, at + 14);
    // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the SubFormat GUID
    // (cbSize 22 at offset 16, GUID at offset 24).
    if (f.formatTag == kWavExtensible) {
        if (size < 40) return wavError(ErrorCode::BadBody, at, "extensible fmt chunk too short");
        f.formatTag = le16(b, at + 24);
    }
    return f;
}

Error unsupported(const WavFormat& f, std::size_t offset) {
    return wavError(ErrorCode::BadBody, offset,
                    "unsupported format " + describeWavFormat(f) +
                        " (need 16-bit PCM at 8000-192000 Hz or G.711 µ-law/A-law at 8000 Hz, "
                        "mono or stereo)");
}

bool supported(const WavFormat& f) {
    if (f.channels < 1 || f.channels > 2) return false;
    if (f.formatTag == kWavPcm)
        return f.bitsPerSample == 16 && f.sampleRate >= 8000 && f.sampleRate <= 192000;
    if (f.formatTag == kWavUlaw || f.formatTag == kWavAlaw)
        return f.bitsPerSample == 8 && f.sampleRate == 8000;
    return false;
}

// Interleaved frames at `at` (`frames` of them) to mono linear samples at the file's rate.
std::vector<std::int16_t> decodeFrames(std::span<const std::uint8_t> b, std::size_t at,
                                       std::size_t frames, const WavFormat& f) {
    std::vector<std::int16_t> out;
    out.reserve(frames);
    const std::size_t bytesPerSample = f.formatTag == kWavPcm ? 2 : 1;
    for (std::size_t i = 0; i < frames; ++i) {
        int sum = 0;
        for (int ch = 0; ch < f.channels; ++ch) {
            const std::size_t p = at + (i * f.channels + ch) * bytesPerSample;
            if (f.formatTag == kWavPcm)
                sum += static_cast<std::int16_t>(le16(b, p));
            else
                sum += f.formatTag == kWavUlaw ? ulawToLinear(b[p]) : alawToLinear(b[p]);
        }
        out.push_back(static_cast<std::int16_t>(sum / f.channels));  // stereo: the mean
    }
    return out;
}

}  // namespace

std::string describeWavFormat(const WavFormat& f) {
    std::string name;
    switch (f.formatTag) {
        case kWavPcm:
            name = std::to_string(f.bitsPerSample) + "-bit PCM";
            break;
        case 3:
            name = std::to_string(f.bitsPerSample) + "-bit IEEE float";
            break;
        case kWavAlaw:
            name = "A-law";
            break;
        case kWavUlaw:
            name = "µ-law";
            break;
        default:
            name = "format tag " + std::to_string(f.formatTag);
            break;
    }
    return name + ", " + std::to_string(f.channels) + " channel" + (f.channels == 1 ? "" : "s") +
           ", " + std::to_string(f.sampleRate) + " Hz";
}

Result<WavAudio> parseWav(std::span<const std::uint8_t> b) {
    if (b.size() < 12) return wavError(ErrorCode::Incomplete, 0, "shorter than a RIFF header");
    if (!std::equal(b.begin(), b.begin() + 4, "RIFF") ||
        !std::equal(b.begin() + 8, b.begin() + 12, "WAVE"))
        return wavError(ErrorCode::BadBody, 0, "not a RIFF WAVE file");
    std::optional<WavFormat> format;
    std::size_t fmtAt = 0;
    // Chunks: 4-byte id, 32-bit little-endian size, body padded to an even length.
    for (std::size_t at = 12; at < b.size();) {
        if (b.size() - at < 8) return wavError(ErrorCode::Incomplete, at, "truncated chunk header");
        const std::string_view id(reinterpret_cast<const char*>(b.data() + at), 4);
        const std::uint32_t size = le32(b, at + 4);
        const std::size_t body = at + 8;
        if (size > b.size() - body)
            return wavError(ErrorCode::BodyTruncated, at,
                            "chunk '" + std::string(id) + "' declares " + std::to_string(size) +
                                " bytes but " + std::to_string(b.size() - body) + " remain");
        if (id == "fmt ") {
            auto f = parseFmt(b, body, size);
            if (!f.ok()) return f.error();
            format = f.value();
            fmtAt = body;
        } else if (id == "data") {
            if (!format) return wavError(ErrorCode::BadBody, at, "data chunk before fmt chunk");
            if (!supported(*format)) return unsupported(*format, fmtAt);
            const std::size_t frameBytes =
                static_cast<std::size_t>(format->channels) * (format->bitsPerSample / 8);
            const std::size_t frames = size / frameBytes;
            if (frames == 0) return wavError(ErrorCode::Empty, at, "data chunk holds no samples");
            WavAudio audio;
            audio.format = *format;
            const auto mono = decodeFrames(b, body, frames, *format);
            audio.samples = resampleTo8k(mono, format->sampleRate);
            return audio;
        }
        at = body + size + (size & 1);
    }
    return wavError(ErrorCode::Incomplete, b.size(),
                    format ? "no data chunk" : "no fmt chunk and no data chunk");
}

Result<WavAudio> loadWav(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return makeError(ErrorCode::Empty, 0, path + ": cannot open the file");
    std::vector<std::uint8_t> bytes;
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        bytes.insert(bytes.end(), buf, buf + in.gcount());
        if (bytes.size() > kMaxFileBytes)
            return makeError(ErrorCode::TooLarge, 0, path + ": larger than 64 MiB");
    }
    auto audio = parseWav(bytes);
    if (!audio.ok()) {
        Error e = audio.error();
        e.message = path + ": " + e.message;
        return e;
    }
    return audio;
}

std::vector<std::int16_t> resampleTo8k(std::span<const std::int16_t> in, int rate) {
    if (rate == 8000 || rate <= 0 || in.empty()) return {in.begin(), in.end()};
    // Windowed-sinc low-pass (Hann window) with its cut-off below the new Nyquist frequency,
    // so tones above 4 kHz do not fold back into the band.
    const double cutoff = 3600.0 / rate;
    const int half = std::max(8, 4 * ((rate + 7999) / 8000));
    std::vector<double> taps(2 * half + 1);
    double sum = 0;
    for (int k = -half; k <= half; ++k) {
        const double x = 2 * M_PI * cutoff * k;
        const double sinc = k == 0 ? 1.0 : std::sin(x) / x;
        const double window = 0.5 + 0.5 * std::cos(M_PI * k / (half + 1));
        sum += taps[k + half] = sinc * window;
    }
    for (double& t : taps) t /= sum;  // unity gain at DC
    const auto n = static_cast<long>(in.size());
    const auto filtered = [&](long i) {
        double acc = 0;
        for (int k = -half; k <= half; ++k)
            if (i + k >= 0 && i + k < n) acc += taps[k + half] * in[i + k];
        return acc;
    };
    const auto outLen = static_cast<std::size_t>(static_cast<double>(n) * 8000.0 / rate);
    std::vector<std::int16_t> out;
    out.reserve(outLen);
    for (std::size_t j = 0; j < outLen; ++j) {
        const double pos = static_cast<double>(j) * rate / 8000.0;
        const auto i = static_cast<long>(pos);
        const double frac = pos - static_cast<double>(i);
        const double here = filtered(i);
        const double v = i + 1 < n ? (1 - frac) * here + frac * filtered(i + 1) : here;
        out.push_back(static_cast<std::int16_t>(std::clamp(std::lround(v), -32768L, 32767L)));
    }
    return out;
}

}  // namespace sipscope::stack::ua
