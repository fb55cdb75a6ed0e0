#include "capture_output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "stop_signal.hpp"

namespace sipscope::capture {

namespace {

// Beyond this much buffered data a regular file is written out even between polls.
constexpr std::size_t kFileBufferBytes = 256 * 1024;

}  // namespace

CaptureOutput::~CaptureOutput() {
    if (m_ownsFd && m_fd >= 0) ::close(m_fd);
}

WriteResult CaptureOutput::open(OutputConfig config) {
    m_config = std::move(config);
    if (m_config.path != "-") return openFile();
    m_fd = STDOUT_FILENO;
    m_ownsFd = false;
    m_currentPath = "stdout";
    struct stat st {};
    m_flushEachPacket = fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode);
    PcapngWriter writer(m_buffer);
    writer.sectionHeader(m_config.application);
    for (const auto& interface : m_config.interfaces) writer.interfaceDescription(interface);
    return flush();
}

WriteResult CaptureOutput::openFile() {
    m_currentPath = m_config.ringBytes > 0 ? ringFileName() : m_config.path;
    // 0600: captures carry credentials and call content. O_CLOEXEC although we never exec.
    m_fd = ::open(m_currentPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);
    if (m_fd < 0) return fail("cannot open output file", errno);
    m_ownsFd = true;
    m_flushEachPacket = false;
    m_fileBytes = 0;
    m_packetsInFile = 0;
    if (m_config.ringBytes > 0) {
        m_ringFiles.push_back(m_currentPath);
        while (m_config.ringFiles > 0 && m_ringFiles.size() > m_config.ringFiles) {
            if (::unlink(m_ringFiles.front().c_str()) != 0)
                std::fprintf(stderr, "sipscope-capture: warning: cannot remove %s: %s\n",
                             m_ringFiles.front().c_str(), std::strerror(errno));
            m_ringFiles.pop_front();
        }
    }
    PcapngWriter writer(m_buffer);
    const std::size_t before = m_buffer.size();
    writer.sectionHeader(m_config.application);
    for (const auto& interface : m_config.interfaces) writer.interfaceDescription(interface);
    m_fileBytes += m_buffer.size() - before;
    return flush();
}

// FILE.pcapng -> FILE_00001_20250102030405.pcapng (UTC: no time zone file needs reading).
std::string CaptureOutput::ringFileName() const {
    const std::string& path = m_config.path;
    const std::size_t slash = path.rfind('/');
    std::size_t dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash) ||
        dot == (slash == std::string::npos ? 0 : slash + 1))
        dot = path.size();
    const std::string extension = dot < path.size() ? path.substr(dot) : ".pcapng";
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[32] = {};
    std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &utc);
    char sequence[16] = {};
    std::snprintf(sequence, sizeof sequence, "_%05u_", m_sequence + 1);
    return path.substr(0, dot) + sequence + stamp + extension;
}

WriteResult CaptureOutput::rotate() {
    if (const WriteResult r = close(); r != WriteResult::Ok) return r;
    ++m_sequence;
    return openFile();
}

WriteResult CaptureOutput::writePacket(std::uint32_t interfaceId, std::uint64_t timestamp,
                                       std::span<const std::uint8_t> data,
                                       std::uint32_t originalLength) {
    const std::size_t size = PcapngWriter::enhancedPacketSize(data.size());
    if (m_config.ringBytes > 0 && m_packetsInFile > 0 && m_fileBytes + size > m_config.ringBytes) {
        if (const WriteResult r = rotate(); r != WriteResult::Ok) return r;
    }
    PcapngWriter(m_buffer).enhancedPacket(interfaceId, timestamp, data, originalLength);
    m_fileBytes += size;
    ++m_packetsInFile;
    if (m_flushEachPacket || m_buffer.size() >= kFileBufferBytes) return flush();
    return WriteResult::Ok;
}

WriteResult CaptureOutput::writeStatistics(std::span<const InterfaceCounters> counters) {
    PcapngWriter writer(m_buffer);
    for (std::uint32_t i = 0; i < counters.size(); ++i) writer.interfaceStatistics(i, counters[i]);
    return flush();
}

WriteResult CaptureOutput::flush() {
    const WriteResult r = writeAll(m_buffer.data(), m_buffer.size());
    m_buffer.clear();
    return r;
}

WriteResult CaptureOutput::close() {
    const WriteResult r = flush();
    if (m_ownsFd && m_fd >= 0 && ::close(m_fd) != 0 && r == WriteResult::Ok)
        return fail("cannot close output file", errno);
    if (m_ownsFd) m_fd = -1;
    return r;
}

WriteResult CaptureOutput::writeAll(const std::uint8_t* data, std::size_t size) {
    if (m_fd < 0) return size == 0 ? WriteResult::Ok : fail("output is closed", EBADF);
    while (size > 0) {
        const ssize_t n = ::write(m_fd, data, size);
        if (n >= 0) {
            data += n;
            size -= static_cast<std::size_t>(n);
        } else if (errno == EPIPE) {
            return WriteResult::ReaderGone;
        } else if (errno == EINTR) {
            // A stop signal must not wait for a reader that has stopped reading; the block
            // being written may then be cut short.
            if (stopRequested()) return WriteResult::Interrupted;
        } else {
            return fail("cannot write output", errno);
        }
    }
    return WriteResult::Ok;
}

WriteResult CaptureOutput::fail(const std::string& what, int error) {
    m_error = what + " " + m_currentPath + ": " + std::strerror(error);
    return WriteResult::Failed;
}

}  // namespace sipscope::capture
