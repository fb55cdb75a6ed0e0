#pragma once
// `sipscope-capture --list`: the interfaces libpcap can open, one JSON object per line.

#include <cstdio>

namespace sipscope::capture {

// Prints {"name","description","addresses","loopback","up","running"} per interface; returns
// the exit code (2 when libpcap cannot enumerate interfaces).
int listInterfaces(std::FILE* out);

}  // namespace sipscope::capture
