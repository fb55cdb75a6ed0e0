#include "audio_mix.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sipscope::gui {

using analyzer::store::StreamAudio;

namespace {

bool usable(const StreamAudio& a) {
    return a.ok && !a.samples.empty();
}

std::int16_t saturate(int v) {
    return static_cast<std::int16_t>(std::clamp(v, int{std::numeric_limits<std::int16_t>::min()},
                                                int{std::numeric_limits<std::int16_t>::max()}));
}

// Frames from `origin` to the stream's first sample, at the stream's rate.
std::size_t offsetFrames(const StreamAudio& a, std::int64_t origin, int rate) {
    const double seconds = static_cast<double>(a.startNs - origin) / 1e9;
    return static_cast<std::size_t>(std::max(0.0, std::round(seconds * rate)));
}

}  // namespace

std::int64_t MixedAudio::timeOfFrame(std::size_t frame) const {
    return startNs + static_cast<std::int64_t>(std::llround(static_cast<double>(frame) * 1e9 /
                                                            static_cast<double>(sampleRate)));
}

std::size_t MixedAudio::frameAt(std::int64_t ns) const {
    if (ns <= startNs) return 0;
    const double f = static_cast<double>(ns - startNs) * sampleRate / 1e9;
    return std::min(frames(), static_cast<std::size_t>(std::llround(f)));
}

QByteArray MixedAudio::bytesFrom(std::size_t frame) const {
    const std::size_t first = std::min(frame, frames()) * static_cast<std::size_t>(channels);
    return QByteArray(reinterpret_cast<const char*>(samples.data() + first),
                      static_cast<qsizetype>((samples.size() - first) * sizeof(std::int16_t)));
}

MixedAudio mixAudio(const StreamAudio& caller, const StreamAudio& callee, MixMode mode) {
    MixedAudio out;
    const bool useCaller = usable(caller) && mode != MixMode::CalleeOnly;
    const bool useCallee = usable(callee) && mode != MixMode::CallerOnly;
    if (!useCaller && !useCallee) return out;
    out.sampleRate = useCaller ? caller.sampleRate : callee.sampleRate;
    out.channels = mode == MixMode::Stereo ? 2 : 1;
    out.startNs = useCaller && useCallee ? std::min(caller.startNs, callee.startNs)
                  : useCaller            ? caller.startNs
                                         : callee.startNs;
    const std::size_t offCaller = useCaller ? offsetFrames(caller, out.startNs, out.sampleRate) : 0;
    const std::size_t offCallee = useCallee ? offsetFrames(callee, out.startNs, out.sampleRate) : 0;
    const std::size_t frames = std::max(useCaller ? offCaller + caller.samples.size() : 0,
                                        useCallee ? offCallee + callee.samples.size() : 0);
    out.samples.assign(frames * static_cast<std::size_t>(out.channels), 0);
    const auto place = [&](const StreamAudio& a, std::size_t offset, int channel) {
        for (std::size_t i = 0; i < a.samples.size(); ++i) {
            const std::size_t frame = offset + i;
            if (out.channels == 2) {
                out.samples[frame * 2 + static_cast<std::size_t>(channel)] = a.samples[i];
            } else {
                auto& s = out.samples[frame];
                s = saturate(int{s} + int{a.samples[i]});
            }
        }
    };
    if (useCaller) place(caller, offCaller, 0);
    if (useCallee) place(callee, offCallee, 1);
    return out;
}

}  // namespace sipscope::gui
