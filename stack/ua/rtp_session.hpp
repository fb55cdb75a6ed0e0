#pragma once
// The call's media (RFC 3550 RTP, RFC 3551 G.711): a 400 Hz tone, or 8 kHz samples looped
// (from a WAV file, see wav_source.hpp), in 20 ms packets sent to the answered SDP address, and the
// far end's packets counted with loss (extended sequence numbers, RFC 3550 §A.3) and interarrival
// jitter (RFC 3550 §A.8).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/g711.hpp"
#include "transport/address.hpp"
#include "transport/event_loop.hpp"

namespace sipscope::stack::ua {

struct RtpStats {
    std::uint64_t sent = 0, received = 0, lost = 0;
    double jitterMs = 0;
    std::optional<Instant> firstReceived;
};

class RtpSession {
  public:
    explicit RtpSession(net::EventLoop& loop);
    ~RtpSession();
    RtpSession(const RtpSession&) = delete;
    RtpSession& operator=(const RtpSession&) = delete;

    // Binds a UDP socket on `localIp` (any port); false and `error` when it cannot.
    bool open(const net::SockAddr& localIp, std::string& error);
    std::uint16_t port() const noexcept { return m_port; }
    // Starts sending `payload` (0 PCMU, 8 PCMA) to `remote` every 20 ms.
    void start(const net::SockAddr& remote, int payload);
    // Sends these 8 kHz mono samples (looped) instead of the tone; empty: the tone.
    void setSource(std::shared_ptr<const std::vector<std::int16_t>> samples) {
        m_source = std::move(samples);
    }
    void stop();
    const RtpStats& stats() const noexcept { return m_stats; }

  private:
    void sendNext();
    void receive();

    net::EventLoop& m_loop;
    int m_fd = -1;
    std::uint16_t m_port = 0;
    net::SockAddr m_remote;
    int m_payload = 0;
    bool m_running = false;
    net::EventLoop::TimerId m_timer = 0;
    Instant m_started{0};
    std::uint16_t m_seq = 0;
    std::uint32_t m_ssrc = 0x53495053;  // "SIPS"
    RtpStats m_stats;
    std::shared_ptr<const std::vector<std::int16_t>> m_source;
    // Receiver state (RFC 3550 §A.1, §A.8).
    bool m_haveSeq = false;
    std::uint32_t m_baseSeq = 0, m_maxExtSeq = 0;
    double m_lastTransit = 0, m_jitter = 0;
    bool m_haveTransit = false;
};

}  // namespace sipscope::stack::ua
