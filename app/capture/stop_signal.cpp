#include "stop_signal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace sipscope::capture {

namespace {

// A signal handler can reach nothing else: these are the process's only mutable globals.
volatile std::sig_atomic_t g_stop = 0;
int g_wakeFd = -1;

extern "C" void onStopSignal(int) {
    const int saved = errno;
    g_stop = 1;
    const char byte = 0;
    [[maybe_unused]] const ssize_t n = ::write(g_wakeFd, &byte, 1);
    errno = saved;
}

}  // namespace

int installStopSignals() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
    g_wakeFd = fds[1];
    struct sigaction action {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a write blocked on a full pipe must return EINTR
    if (sigaction(SIGINT, &action, nullptr) != 0 || sigaction(SIGTERM, &action, nullptr) != 0)
        return -1;
    std::signal(SIGPIPE, SIG_IGN);
    return fds[0];
}

bool stopRequested() {
    return g_stop != 0;
}

}  // namespace sipscope::capture
