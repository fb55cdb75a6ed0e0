#include "live_capture.hpp"

#include <poll.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <ctime>

#include "json_quote.hpp"
#include "stop_signal.hpp"

namespace sipscope::capture {

namespace {

constexpr char kGrantHint[] =
    "capture privileges are missing; grant them with:\n"
    "  sudo setcap cap_net_raw,cap_net_admin+eip $(which sipscope-capture)";

// pcapng stores LINKTYPE_ values; libpcap reports DLT_ values, which differ for the few old
// types whose DLT number is platform-specific (libpcap's dlt_to_linktype()).
std::uint16_t linkTypeOf(int dlt) {
    switch (dlt) {
        case DLT_RAW:
            return 101;
        case DLT_ATM_RFC1483:
            return 100;
        case DLT_SLIP_BSDOS:
            return 102;
        case DLT_PPP_BSDOS:
            return 103;
        default:
            return static_cast<std::uint16_t>(dlt);
    }
}

bool looksLikePermission(const std::string& text) {
    return text.find("ermission") != std::string::npos ||
           text.find("not permitted") != std::string::npos;
}

std::string activationError(const std::string& name, int status, pcap_t* handle) {
    const std::string detail = pcap_geterr(handle);
    const std::string quoted = "'" + name + "'";
    const std::string suffix = detail.empty() ? "" : " (" + detail + ")";
    switch (status) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            return "no such interface " + quoted + suffix +
                   "; sipscope-capture --list shows the interfaces";
        case PCAP_ERROR_PERM_DENIED:
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            return "cannot capture on " + quoted + ": permission denied" + suffix + "; " +
                   kGrantHint;
        case PCAP_ERROR_IFACE_NOT_UP:
            return "interface " + quoted + " is not up" + suffix;
        default:
            return "cannot capture on " + quoted + ": " + pcap_statustostr(status) + suffix +
                   (looksLikePermission(detail) ? std::string("; ") + kGrantHint : "");
    }
}

double monotonicNow() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

LiveCapture::~LiveCapture() {
    for (auto& source : m_sources) pcap_close(source.handle);
}

bool LiveCapture::open(std::string& error) {
    for (const auto& name : m_options.interfaces) {
        if (!openOne(name, error)) return false;
    }
    return true;
}

bool LiveCapture::applyFilters(std::string& error) {
    for (auto& source : m_sources) {
        if (!applyFilter(source, error)) return false;
    }
    return true;
}

bool LiveCapture::openOne(const std::string& name, std::string& error) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle = pcap_create(name.c_str(), errbuf);
    if (!handle) {
        error = "cannot capture on '" + name + "': " + errbuf;
        return false;
    }
    m_sources.push_back(Source{handle, {}, 0});  // closed by the destructor from here on
    pcap_set_snaplen(handle, m_options.snaplen);
    pcap_set_promisc(handle, m_options.promisc ? 1 : 0);
    pcap_set_timeout(handle, 100);       // unused in immediate mode, but some platforms want it
    pcap_set_immediate_mode(handle, 1);  // a live analyzer wants each packet now, not a buffer
    pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO);  // falls back to micro
    const int status = pcap_activate(handle);
    if (status < 0) {
        error = activationError(name, status, handle);
        return false;
    }
    if (status > 0)
        std::fprintf(stderr, "sipscope-capture: warning: %s: %s (%s)\n", name.c_str(),
                     pcap_statustostr(status), pcap_geterr(handle));
    Source& source = m_sources.back();
    source.description.name = name;
    source.description.filter = m_options.filter;
    source.description.linkType = linkTypeOf(pcap_datalink(handle));
    source.description.snaplen = static_cast<std::uint32_t>(pcap_snapshot(handle));
    source.description.tsResolution =
        pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO ? 9 : 6;
    if (pcap_setnonblock(handle, 1, errbuf) != 0 || pcap_get_selectable_fd(handle) < 0) {
        error = "interface '" + name + "' cannot be polled: " + errbuf;
        return false;
    }
    return true;
}

bool LiveCapture::applyFilter(Source& source, std::string& error) {
    if (m_options.filter.empty()) return true;
    bpf_program program{};
    if (pcap_compile(source.handle, &program, m_options.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) !=
        0) {
        error = "invalid capture filter '" + m_options.filter + "': " + pcap_geterr(source.handle);
        return false;
    }
    const int status = pcap_setfilter(source.handle, &program);
    pcap_freecode(&program);
    if (status != 0) {
        error = "cannot set the capture filter on '" + source.description.name +
                "': " + pcap_geterr(source.handle);
        return false;
    }
    return true;
}

std::vector<InterfaceDescription> LiveCapture::descriptions() const {
    std::vector<InterfaceDescription> out;
    for (const auto& source : m_sources) out.push_back(source.description);
    return out;
}

int LiveCapture::run(CaptureOutput& output, int stopFd) {
    m_output = &output;
    std::vector<pollfd> fds;
    for (const auto& source : m_sources)
        fds.push_back({pcap_get_selectable_fd(source.handle), POLLIN, 0});
    fds.push_back({stopFd, POLLIN, 0});

    const double start = monotonicNow();
    const double interval = m_options.statsIntervalS;
    double nextStats = start + interval;
    std::string error;
    Step step = Step::Continue;
    while (step == Step::Continue && !stopRequested()) {
        const double now = monotonicNow();
        if (m_options.durationS > 0 && now - start >= m_options.durationS) break;
        if (interval > 0 && now >= nextStats) {
            printStatistics(stderr);
            while (nextStats <= now) nextStats += interval;
        }
        double wake = m_options.durationS > 0 ? start + m_options.durationS : -1;
        if (interval > 0 && (wake < 0 || nextStats < wake)) wake = nextStats;
        const int timeoutMs =
            wake < 0 ? -1 : static_cast<int>(std::ceil(std::fmax(0.0, wake - now) * 1000));
        if (poll(fds.data(), fds.size(), timeoutMs) < 0) {
            if (errno == EINTR) continue;
            error = std::string("poll failed: ") + std::strerror(errno);
            step = Step::Failed;
            break;
        }
        if (fds.back().revents != 0) break;
        for (std::size_t i = 0; i + 1 < fds.size() && step == Step::Continue; ++i) {
            if (fds[i].revents != 0) step = dispatch(i, fds[i].revents, error);
        }
        if (step == Step::Continue && (m_writeResult = output.flush()) != WriteResult::Ok)
            step = m_writeResult == WriteResult::Failed ? Step::Failed : Step::Stop;
    }
    return finish(step, error);
}

LiveCapture::Step LiveCapture::dispatch(std::size_t index, short events, std::string& error) {
    Source& source = m_sources[index];
    m_current = index;
    int limit = -1;  // everything in the buffer
    if (m_options.count > 0)
        limit = static_cast<int>(std::min<std::uint64_t>(m_options.count - m_packets, INT_MAX));
    const int n = pcap_dispatch(source.handle, limit, onPacket, reinterpret_cast<u_char*>(this));
    if (m_writeResult == WriteResult::Failed) {
        error = m_output->error();
        return Step::Failed;
    }
    if (m_writeResult != WriteResult::Ok) return Step::Stop;
    if (n == PCAP_ERROR) {
        error =
            "capture on '" + source.description.name + "' failed: " + pcap_geterr(source.handle);
        return Step::Failed;
    }
    // An error condition libpcap did not turn into an error would make poll() spin.
    if (n == 0 && (events & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
        error = "capture on '" + source.description.name + "' failed: the interface went away";
        return Step::Failed;
    }
    if (m_options.count > 0 && m_packets >= m_options.count) return Step::Stop;
    return Step::Continue;
}

void LiveCapture::onPacket(u_char* user, const pcap_pkthdr* header, const u_char* data) {
    auto* self = reinterpret_cast<LiveCapture*>(user);
    if (self->m_writeResult != WriteResult::Ok) return;
    Source& source = self->m_sources[self->m_current];
    // With nanosecond precision libpcap stores nanoseconds in tv_usec.
    const std::uint64_t scale = source.description.tsResolution == 9 ? 1000000000 : 1000000;
    const std::uint64_t timestamp = static_cast<std::uint64_t>(header->ts.tv_sec) * scale +
                                    static_cast<std::uint64_t>(header->ts.tv_usec);
    self->m_writeResult =
        self->m_output->writePacket(static_cast<std::uint32_t>(self->m_current), timestamp,
                                    std::span(data, header->caplen), header->len);
    if (self->m_writeResult != WriteResult::Ok) {
        pcap_breakloop(source.handle);
        return;
    }
    ++source.delivered;
    ++self->m_packets;
}

// Ends the output cleanly (statistics blocks, flush, close) unless the reader is gone or a
// block was cut short, prints the final statistics and returns the exit code.
int LiveCapture::finish(Step last, std::string& error) {
    if (m_writeResult == WriteResult::Ok) {
        const std::vector<InterfaceCounters> all = counters();
        WriteResult r = m_output->writeStatistics(all);
        const WriteResult closed = m_output->close();
        if (r == WriteResult::Ok) r = closed;
        if (r == WriteResult::Failed && last != Step::Failed) {
            error = m_output->error();
            last = Step::Failed;
        }
    }
    printStatistics(stderr);
    if (last != Step::Failed) return 0;
    std::fprintf(stderr, "sipscope-capture: %s\n", error.c_str());
    return 2;
}

std::vector<InterfaceCounters> LiveCapture::counters() const {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    std::vector<InterfaceCounters> out;
    for (const auto& source : m_sources) {
        InterfaceCounters c;
        const bool nano = source.description.tsResolution == 9;
        c.endTime = static_cast<std::uint64_t>(now.tv_sec) * (nano ? 1000000000 : 1000000) +
                    static_cast<std::uint64_t>(nano ? now.tv_nsec : now.tv_nsec / 1000);
        pcap_stat stats{};
        if (pcap_stats(source.handle, &stats) == 0) {
            c.received = stats.ps_recv;
            c.osDropped = stats.ps_drop;
            c.ifDropped = stats.ps_ifdrop;
        }
        c.delivered = source.delivered;
        out.push_back(c);
    }
    return out;
}

void LiveCapture::printStatistics(std::FILE* out) const {
    for (const auto& source : m_sources) {
        pcap_stat stats{};
        std::string line = "{\"interface\":" + jsonQuote(source.description.name);
        if (pcap_stats(source.handle, &stats) == 0) {
            line += ",\"received\":" + std::to_string(stats.ps_recv) +
                    ",\"dropped\":" + std::to_string(stats.ps_drop) +
                    ",\"if_dropped\":" + std::to_string(stats.ps_ifdrop) + "}\n";
        } else {
            line += ",\"received\":null,\"dropped\":null,\"if_dropped\":null}\n";
        }
        std::fputs(line.c_str(), out);
    }
    std::fflush(out);
}

}  // namespace sipscope::capture
