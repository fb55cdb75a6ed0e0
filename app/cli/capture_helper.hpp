#pragma once
// Starting the privileged capture helper `sipscope-capture` (app/capture) and reading what it
// writes: pcapng on its stdout, JSON statistics lines on its stderr.

#include <string>
#include <vector>

namespace sipscope::cli {

// Where the helper is: beside this executable, in the build tree (../capture/), or on PATH.
std::string findCaptureHelper();

struct HelperProcess {
    int pid = -1;
    int stdoutFd = -1;       // pcapng stream (when not writing to a file)
    std::string stderrPath;  // the helper's stderr is collected here
};

// Starts the helper with `args`; stdout to a pipe, stderr to a temporary file.
bool startHelper(const std::string& helper, const std::vector<std::string>& args,
                 HelperProcess& out, std::string& error);
// Waits for the helper; returns its exit status (or 128+signal).
int waitHelper(HelperProcess& p);
// Sum of the final `dropped` + `if_dropped` values over the interfaces in the stats lines.
std::uint64_t droppedFromStats(const std::string& stderrText);
// The stderr lines that are not statistics (errors and warnings).
std::string helperMessages(const std::string& stderrText);

}  // namespace sipscope::cli
