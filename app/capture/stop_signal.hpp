#pragma once
// SIGINT/SIGTERM end a capture cleanly: the handler only records the request and makes a pipe
// readable (the self-pipe trick), so the poll loop wakes up without racing the signal.

namespace sipscope::capture {

// Installs the handlers and ignores SIGPIPE (a vanished reader shows up as EPIPE instead).
// Returns the descriptor to poll for readability, or -1 with errno set.
int installStopSignals();

bool stopRequested();

}  // namespace sipscope::capture
