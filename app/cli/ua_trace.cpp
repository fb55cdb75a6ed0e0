#include "ua_trace.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>

#include "json_writer.hpp"

namespace sipscope::cli {

namespace {

const char* transportName(stack::net::Protocol p) {
    switch (p) {
        case stack::net::Protocol::Udp:
            return "udp";
        case stack::net::Protocol::Tcp:
            return "tcp";
        case stack::net::Protocol::Tls:
            return "tls";
    }
    return "udp";
}

}  // namespace

UaTrace::~UaTrace() {
    if (m_ownsFile && m_out) std::fclose(m_out);
}

bool UaTrace::open(const std::string& path, std::string& error) {
    if (path == "-") {
        m_out = stderr;
        return true;
    }
    m_out = std::fopen(path.c_str(), "w");
    if (!m_out) {
        error = "cannot write --trace " + path + ": " + std::strerror(errno);
        return false;
    }
    m_ownsFile = true;
    return true;
}

void UaTrace::write(const stack::ua::TappedMessage& t) {
    if (!m_out) return;
    // Wall-clock time, like the --db recorder's timestamps, so both draw the same times.
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const double ts = std::chrono::duration<double>(now).count();
    JsonWriter w;
    w.beginObject();
    w.key("event").value("message");
    w.key("seq").value(++m_seq);
    w.key("sent").value(t.sent);
    w.key("ts").value(ts, 6);
    w.key("transport").value(transportName(t.protocol));
    w.key("local").value(t.local.hostPort());
    w.key("remote").value(t.remote.hostPort());
    w.key("bytes").value(t.message.encode());
    w.endObject();
    // One write per line, flushed: the line is there for the reader as soon as the message is.
    std::string line = w.str();
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), m_out);
    std::fflush(m_out);
}

}  // namespace sipscope::cli
