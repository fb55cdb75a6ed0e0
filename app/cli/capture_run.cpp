#include "capture_run.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "capture/bpf_filter.hpp"

namespace sipscope::cli {

namespace {

class Progress {
  public:
    explicit Progress(const analyzer::PacketSource& src) : m_src(src), m_tty(isatty(2) != 0) {}
    void tick(std::uint64_t packets, std::uint64_t messages) {
        if (!m_tty) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - m_last < std::chrono::milliseconds(250)) return;
        m_last = now;
        const double secs = std::chrono::duration<double>(now - m_start).count();
        const auto total = m_src.totalBytes();
        if (total && *total > 0)
            std::fprintf(
                stderr, "\r%5.1f%%",
                100.0 * static_cast<double>(m_src.bytesRead()) / static_cast<double>(*total));
        std::fprintf(stderr, "  %llu packets  %llu SIP messages  %.0f msg/s   ",
                     static_cast<unsigned long long>(packets),
                     static_cast<unsigned long long>(messages),
                     secs > 0 ? static_cast<double>(messages) / secs : 0.0);
        m_shown = true;
    }
    ~Progress() {
        if (m_shown) std::fprintf(stderr, "\r\033[K");
    }

  private:
    const analyzer::PacketSource& m_src;
    bool m_tty;
    bool m_shown = false;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now(),
                                          m_last = m_start;
};

}  // namespace

bool parsePort(std::string_view text, std::uint16_t& port) {
    if (text.empty() || text.size() > 5) return false;
    unsigned v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535) return false;
    port = static_cast<std::uint16_t>(v);
    return true;
}

namespace {

void runLoop(analyzer::PacketSource& source, analyzer::BpfFilter* filter,
             const CaptureRunOptions& o,
             const std::function<void(analyzer::ObservedMessage&&)>& sink, CaptureRunResult& out) {
    out.format = source.formatName();
    analyzer::PipelineOptions popts;
    popts.sipPorts.insert(popts.sipPorts.end(), o.sipPorts.begin(), o.sipPorts.end());
    analyzer::CapturePipeline pipeline(popts, sink);
    if (o.datagrams) pipeline.setDatagramObserver(o.datagrams);
    Progress progress(source);
    analyzer::RawPacket packet;
    while (source.next(packet)) {
        ++out.packets;
        if (filter && !filter->matches(packet)) {
            ++out.filteredOut;
            continue;
        }
        pipeline.process(packet);
        if ((out.packets & 0x3FFF) == 0) progress.tick(out.packets, pipeline.stats().sipMessages);
    }
    pipeline.finish();
    out.sourceError = source.error();
    out.stats = pipeline.stats();
}

}  // namespace

bool runCapture(const CaptureRunOptions& o,
                const std::function<void(analyzer::ObservedMessage&&)>& sink,
                CaptureRunResult& out) {
    analyzer::BpfFilter filter;
    if (!filter.compile(o.bpf, out.openError)) return false;
    auto source = analyzer::openCaptureFile(o.path, out.openError);
    if (!source) return false;
    runLoop(*source, filter.empty() ? nullptr : &filter, o, sink, out);
    return true;
}

void runSource(analyzer::PacketSource& source, const CaptureRunOptions& o,
               const std::function<void(analyzer::ObservedMessage&&)>& sink,
               CaptureRunResult& out) {
    runLoop(source, nullptr, o, sink, out);
}

}  // namespace sipscope::cli

namespace sipscope::cli {

bool parseMilliseconds(std::string_view text, std::chrono::milliseconds& out, bool allowZero) {
    std::uint64_t v = 0;
    if (text.empty() || text.size() > 9) return false;
    for (char ch : text) {
        if (ch < '0' || ch > '9') return false;
        v = v * 10 + static_cast<std::uint64_t>(ch - '0');
    }
    if (v == 0 && !allowZero) return false;
    out = std::chrono::milliseconds(v);
    return true;
}

}  // namespace sipscope::cli
