#pragma once
// Small helpers shared by the benchmarks: wall-clock seconds, the peak RSS, and running another
// tool (tshark, sngrep) for comparison.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

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

// Whether `tool` is on PATH.
inline bool installed(const std::string& tool) {
    return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

struct ToolRun {
    double seconds = 0;
    int exitCode = -1;
    long peakRssMb = 0;  // of the shell and the tool it ran
};

// Runs `command` through /bin/sh, its output discarded, and measures it on its own (wait4()
// gives the child's resource use, not the sum over every child so far).
inline ToolRun runTool(const std::string& command) {
    ToolRun r;
    const auto t0 = Clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        const std::string quiet = command + " >/dev/null 2>&1";
        execl("/bin/sh", "sh", "-c", quiet.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    if (pid < 0) return r;
    int status = 0;
    rusage ru{};
    if (wait4(pid, &status, 0, &ru) != pid) return r;
    r.seconds = secondsSince(t0);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.peakRssMb = ru.ru_maxrss / 1024;
    return r;
}

}  // namespace sipscope::bench
