#pragma once
// --trace FILE|-: one JSON line per message the user agent sends or receives, written and
// flushed as it happens, so a watcher (the desktop app's Test call dialog, `tail -f`) sees the
// exchange while it is up. "-" is standard error: standard output carries the command's result
// and nothing else. A line:
//   {"event":"message","seq":1,"sent":true,"ts":1764155420.123456,"transport":"udp",
//    "local":"127.0.0.1:40112","remote":"127.0.0.1:5060","bytes":"INVITE sip:..."}

#include <cstdint>
#include <cstdio>
#include <string>

#include "ua/sip_endpoint.hpp"

namespace sipscope::cli {

class UaTrace {
  public:
    UaTrace() = default;
    ~UaTrace();
    UaTrace(const UaTrace&) = delete;
    UaTrace& operator=(const UaTrace&) = delete;

    // "-" is standard error; a file is created or truncated. False and `error` on failure.
    bool open(const std::string& path, std::string& error);
    bool active() const noexcept { return m_out != nullptr; }
    void write(const stack::ua::TappedMessage& message);

  private:
    std::FILE* m_out = nullptr;
    bool m_ownsFile = false;
    std::uint64_t m_seq = 0;
};

}  // namespace sipscope::cli
