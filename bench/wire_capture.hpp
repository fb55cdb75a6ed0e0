#pragma once
// Loopback capture for the user-agent benchmarks: libpcap on "lo" in immediate mode with
// nanosecond kernel timestamps, filtered to one UDP port, read on a thread of its own until
// stop(). Each packet keeps its time, its direction (towards the port or from it) and its UDP
// payload. Live capture needs root (CAP_NET_RAW): start() then fails with libpcap's reason.

#include <pcap/pcap.h>
#include <poll.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace sipscope::bench {

struct WirePacket {
    double us = 0;        // kernel timestamp, microseconds
    bool toPort = false;  // sent to the filtered port (else from it)
    std::string payload;
};

class WireCapture {
  public:
    ~WireCapture() { stop(); }

    bool start(std::uint16_t port, std::string& error) {
        char err[PCAP_ERRBUF_SIZE] = {};
        m_pcap = pcap_create("lo", err);
        if (!m_pcap) return fail(err, error);
        pcap_set_snaplen(m_pcap, 65535);
        pcap_set_immediate_mode(m_pcap, 1);
        pcap_set_buffer_size(m_pcap, 32 << 20);
        pcap_set_tstamp_precision(m_pcap, PCAP_TSTAMP_PRECISION_NANO);
        if (pcap_activate(m_pcap) < 0) return fail(pcap_geterr(m_pcap), error);
        m_nano = pcap_get_tstamp_precision(m_pcap) == PCAP_TSTAMP_PRECISION_NANO;
        bpf_program prog{};
        const std::string filter = "udp port " + std::to_string(port);
        if (pcap_compile(m_pcap, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(m_pcap, &prog) != 0)
            return fail(pcap_geterr(m_pcap), error);
        pcap_freecode(&prog);
        pcap_setnonblock(m_pcap, 1, err);
        m_port = port;
        m_link = pcap_datalink(m_pcap);
        m_stop = false;
        m_thread = std::thread([this] { run(); });
        return true;
    }

    // Stops the capture and hands over what it saw.
    std::vector<WirePacket> stop() {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
        if (m_pcap) {
            // What the kernel still buffers.
            pcap_dispatch(m_pcap, -1, &WireCapture::onPacket, reinterpret_cast<u_char*>(this));
            pcap_close(m_pcap);
            m_pcap = nullptr;
        }
        return std::move(m_packets);
    }

  private:
    bool fail(const char* why, std::string& error) {
        error = std::string("libpcap on lo: ") + why;
        if (m_pcap) pcap_close(m_pcap);
        m_pcap = nullptr;
        return false;
    }

    void run() {
        pollfd p{pcap_get_selectable_fd(m_pcap), POLLIN, 0};
        while (!m_stop) {
            if (::poll(&p, 1, 20) > 0)
                pcap_dispatch(m_pcap, -1, &WireCapture::onPacket, reinterpret_cast<u_char*>(this));
        }
    }

    static void onPacket(u_char* self, const pcap_pkthdr* h, const u_char* bytes) {
        reinterpret_cast<WireCapture*>(self)->add(h, bytes);
    }

    // The link header of the loopback device, then IPv4 (the benchmark runs on 127.0.0.1).
    void add(const pcap_pkthdr* h, const u_char* bytes) {
        std::size_t off = m_link == DLT_EN10MB       ? 14
                          : m_link == DLT_LINUX_SLL  ? 16
                          : m_link == DLT_NULL       ? 4
                          : m_link == DLT_LINUX_SLL2 ? 20
                                                     : 0;
        if (h->caplen < off + 28 || (bytes[off] >> 4) != 4 || bytes[off + 9] != 17) return;
        off += (bytes[off] & 0x0F) * 4u;
        const unsigned dport = bytes[off + 2] << 8 | bytes[off + 3];
        WirePacket p;
        p.us = h->ts.tv_sec * 1e6 + h->ts.tv_usec / (m_nano ? 1000.0 : 1.0);
        p.toPort = dport == m_port;
        p.payload.assign(reinterpret_cast<const char*>(bytes + off + 8), h->caplen - off - 8);
        m_packets.push_back(std::move(p));
    }

    pcap_t* m_pcap = nullptr;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::vector<WirePacket> m_packets;
    std::uint16_t m_port = 0;
    int m_link = DLT_EN10MB;
    bool m_nano = false;
};

}  // namespace sipscope::bench
