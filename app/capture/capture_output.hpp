#pragma once
// Where the pcapng bytes go: stdout (flushed after every packet so a reading analyzer sees each
// packet at once), one file, or a ring of files FILE_00001_<UTC time>.pcapng of bounded size.
// Every file starts with its own section header and interface blocks, so each one is readable
// on its own.

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <vector>

#include "pcapng_writer.hpp"

namespace sipscope::capture {

enum class WriteResult {
    Ok,
    ReaderGone,   // EPIPE: whoever read stdout has exited; not an error for a helper
    Interrupted,  // a stop signal arrived while a write was blocked on a full pipe
    Failed,       // see error()
};

struct OutputConfig {
    std::string path = "-";       // "-" is stdout
    std::uint64_t ringBytes = 0;  // 0: a single file
    unsigned ringFiles = 0;       // 0: keep every rotated file
    std::string application;      // shb_userappl
    std::vector<InterfaceDescription> interfaces;
};

class CaptureOutput {
  public:
    CaptureOutput() = default;
    ~CaptureOutput();
    CaptureOutput(const CaptureOutput&) = delete;
    CaptureOutput& operator=(const CaptureOutput&) = delete;

    // Opens stdout or the first file and writes the section header and interface blocks.
    WriteResult open(OutputConfig config);
    WriteResult writePacket(std::uint32_t interfaceId, std::uint64_t timestamp,
                            std::span<const std::uint8_t> data, std::uint32_t originalLength);
    // Interface statistics blocks, written once at the end of the capture.
    WriteResult writeStatistics(std::span<const InterfaceCounters> counters);
    WriteResult flush();
    // Flushes and closes the current file (stdout stays open).
    WriteResult close();

    const std::string& error() const { return m_error; }

  private:
    WriteResult openFile();
    WriteResult rotate();
    WriteResult writeAll(const std::uint8_t* data, std::size_t size);
    WriteResult fail(const std::string& what, int error);
    std::string ringFileName() const;

    OutputConfig m_config;
    int m_fd = -1;
    bool m_ownsFd = false;
    bool m_flushEachPacket = false;
    std::vector<std::uint8_t> m_buffer;
    std::uint64_t m_fileBytes = 0;
    std::uint64_t m_packetsInFile = 0;
    unsigned m_sequence = 0;
    std::deque<std::string> m_ringFiles;  // oldest first
    std::string m_currentPath;
    std::string m_error;
};

}  // namespace sipscope::capture
