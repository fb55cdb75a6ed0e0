#pragma once
// The capture loop: one activated libpcap handle per interface, polled together, packets
// written as pcapng blocks, pcap_stats reported on stderr.

#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "capture_output.hpp"
#include "options.hpp"
#include "pcapng_writer.hpp"

namespace sipscope::capture {

class LiveCapture {
  public:
    explicit LiveCapture(CaptureOptions options) : m_options(std::move(options)) {}
    ~LiveCapture();
    LiveCapture(const LiveCapture&) = delete;
    LiveCapture& operator=(const LiveCapture&) = delete;

    // Creates and activates every interface: the only step that needs capture privileges. On
    // failure `error` says why and, for missing privileges, how to grant them.
    bool open(std::string& error);

    // Compiles the BPF filter and attaches it to every open interface. Needs no privileges,
    // so it runs after they are dropped: compiling may resolve host and port names.
    bool applyFilters(std::string& error);

    std::vector<InterfaceDescription> descriptions() const;

    // Captures into `output` until --duration, --count, a stop signal (`stopFd` readable) or
    // the reader of the output goes away. Returns the exit code; the output stays valid pcapng.
    int run(CaptureOutput& output, int stopFd);

    // One JSON line per interface: {"interface","received","dropped","if_dropped"}.
    void printStatistics(std::FILE* out) const;

  private:
    struct Source {
        pcap_t* handle = nullptr;
        InterfaceDescription description;
        std::uint64_t delivered = 0;
    };
    enum class Step { Continue, Stop, Failed };

    bool openOne(const std::string& name, std::string& error);
    bool applyFilter(Source& source, std::string& error);
    Step dispatch(std::size_t index, short events, std::string& error);
    int finish(Step last, std::string& error);
    std::vector<InterfaceCounters> counters() const;
    static void onPacket(u_char* user, const pcap_pkthdr* header, const u_char* data);

    CaptureOptions m_options;
    std::vector<Source> m_sources;
    CaptureOutput* m_output = nullptr;
    std::size_t m_current = 0;  // the source being dispatched, for onPacket
    std::uint64_t m_packets = 0;
    WriteResult m_writeResult = WriteResult::Ok;
};

}  // namespace sipscope::capture
