#pragma once
// Small helpers shared by the benchmarks: wall-clock seconds and the peak RSS.

#include <sys/resource.h>

#include <chrono>

namespace sipscope::bench {

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

inline long peakRssMb() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

}  // namespace sipscope::bench
