// sipscope-capture: the live capture helper (the dumpcap model). It opens interfaces with
// libpcap and streams pcapng to stdout or to files; the GUI and sipscope-cli run it and read
// its output, so they never need privileges themselves.
//
// What it does with privileges
// ----------------------------
// It is installed with `setcap cap_net_raw,cap_net_admin+eip` (or, where file capabilities are
// unavailable, setuid root). Those privileges are needed for exactly one step: pcap_activate()
// on each -i interface, which opens the packet socket. Everything else runs without them:
//   1. Arguments are parsed from argv only. No environment variable, configuration file or
//      locale is consulted, and the helper never executes another program.
//   2. Every interface is created and activated. All must succeed, or it exits 2 having
//      written nothing.
//   3. Privileges are dropped for good: the real gid and uid become the effective and saved
//      ids (undoing setuid), every capability set is cleared (undoing setcap) and no_new_privs
//      is set. If any of that fails it exits 2 rather than continue privileged.
//   4. The BPF filter is compiled and attached. Compiling may resolve host, port and protocol
//      names (/etc/hosts, /etc/services, DNS, NSS modules), which is why it comes after 3.
//   5. Only then is the output opened: stdout, or -w FILE (ring files are created and removed
//      the same way). Files are thus created, truncated and deleted with the caller's own
//      rights: the helper can never write a file its caller could not.
//   While privileged it opens no file of its own; libpcap reads /sys and /proc to open the
//   interfaces. --list runs pcap_findalldevs() and writes stdout, nothing else.
// When the real uid is already root (sudo, a root service) nothing is dropped: root gains
// nothing from the helper that it did not have.

#include <pcap/pcap.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "capture_output.hpp"
#include "interfaces.hpp"
#include "live_capture.hpp"
#include "options.hpp"
#include "privileges.hpp"
#include "stop_signal.hpp"

namespace {

using namespace sipscope::capture;

int failWith(const std::string& message) {
    std::fprintf(stderr, "sipscope-capture: %s\n", message.c_str());
    return 2;
}

int capture(const CaptureOptions& options) {
    if (options.output == "-" && isatty(STDOUT_FILENO))
        return failWith(
            "refusing to write binary pcapng to a terminal; use -w FILE or a pipe "
            "(sipscope-capture -i IF | sipscope-cli messages -)");
    const int stopFd = installStopSignals();
    if (stopFd < 0)
        return failWith(std::string("cannot install signal handlers: ") + std::strerror(errno));

    LiveCapture live(options);
    std::string error;
    if (!live.open(error)) return failWith(error);
    if (!dropPrivileges(error)) return failWith(error);
    if (!live.applyFilters(error)) return failWith(error);

    OutputConfig config;
    config.path = options.output;
    config.ringBytes = options.ringBytes;
    config.ringFiles = options.ringFiles;
    config.application =
        std::string("sipscope-capture ") + SIPSCOPE_VERSION + " (" + pcap_lib_version() + ")";
    config.interfaces = live.descriptions();
    CaptureOutput output;
    switch (output.open(std::move(config))) {
        case WriteResult::Ok:
            break;
        case WriteResult::Failed:
            return failWith(output.error());
        case WriteResult::ReaderGone:
        case WriteResult::Interrupted:
            return 0;
    }
    // The first statistics line doubles as "capturing now": every interface is active.
    live.printStatistics(stderr);
    return live.run(output, stopFd);
}

}  // namespace

int main(int argc, char** argv) {
    CaptureOptions options;
    std::string error;
    if (!parseOptions(argc, argv, options, error)) {
        std::fprintf(stderr, "sipscope-capture: %s (sipscope-capture --help shows the usage)\n",
                     error.c_str());
        return 2;
    }
    switch (options.mode) {
        case Mode::Help:
            printUsage(stdout);
            return 0;
        case Mode::Version:
            std::printf("sipscope-capture %s\n%s\n", SIPSCOPE_VERSION, pcap_lib_version());
            return 0;
        case Mode::List:
            return listInterfaces(stdout);
        case Mode::Capture:
            break;
    }
    return capture(options);
}
