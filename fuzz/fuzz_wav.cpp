// libFuzzer target for the WAV reader behind `call --wav`: any input must give either an error
// whose offset lies within the input (at most its end) or 8 kHz samples whose count matches the
// declared format, never a read outside the buffer (ASan) or undefined arithmetic (UBSan).

#include <cstddef>
#include <cstdint>
#include <span>

#include "ua/wav_source.hpp"

using namespace sipscope::stack;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    auto audio = ua::parseWav(bytes);
    if (!audio.ok()) {
        check(audio.error().offset <= size);
        check(!audio.error().message.empty());
        return 0;
    }
    const ua::WavAudio& a = audio.value();
    check(!ua::describeWavFormat(a.format).empty());
    check(a.format.channels == 1 || a.format.channels == 2);
    // Resampling keeps the duration: at most as many 8 kHz samples as there are input bytes.
    check(a.samples.size() <= size);
    check(a.format.sampleRate != 8000 || !a.samples.empty());
    return 0;
}
