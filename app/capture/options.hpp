#pragma once
// Command line of sipscope-capture. Parsing touches nothing but argv, so it is safe to run
// before any privilege has been dropped.

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace sipscope::capture {

enum class Mode { Capture, List, Help, Version };

struct CaptureOptions {
    Mode mode = Mode::Capture;
    std::vector<std::string> interfaces;
    std::string filter;  // BPF; empty captures everything
    int snaplen = 262144;
    bool promisc = true;
    std::string output = "-";     // "-" is stdout
    unsigned ringFiles = 0;       // 0: keep every rotated file
    std::uint64_t ringBytes = 0;  // 0: no rotation
    double durationS = 0;         // 0: until stopped
    std::uint64_t count = 0;      // 0: no packet limit
    double statsIntervalS = 1.0;  // 0: stats lines only at start and exit
};

// Fills `out`; on a usage error returns false with the reason in `error`.
bool parseOptions(int argc, char** argv, CaptureOptions& out, std::string& error);

void printUsage(std::FILE* out);

}  // namespace sipscope::capture
