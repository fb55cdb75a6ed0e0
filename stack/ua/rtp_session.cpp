#include "ua/rtp_session.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

namespace sipscope::stack::ua {

namespace {

constexpr int kSamplesPerPacket = 160;  // 20 ms at 8000 Hz (RFC 3551 §4.5.14)
constexpr Duration kPacketInterval{20};
constexpr double kToneHz = 400.0;

}  // namespace

RtpSession::RtpSession(net::EventLoop& loop) : m_loop(loop) {}

RtpSession::~RtpSession() {
    stop();
    if (m_fd >= 0) {
        m_loop.unwatch(m_fd);
        ::close(m_fd);
    }
}

bool RtpSession::open(const net::SockAddr& localIp, std::string& error) {
    net::SockAddr bindAddr = localIp;
    bindAddr.setPort(0);
    m_fd = ::socket(bindAddr.family(), SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (m_fd < 0 || ::bind(m_fd, bindAddr.sa(), bindAddr.len()) != 0) {
        error = std::string("cannot open an RTP socket: ") + std::strerror(errno);
        return false;
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&ss), &len);
    m_port = net::SockAddr(reinterpret_cast<const sockaddr*>(&ss), len).port();
    m_loop.watch(m_fd, [this] { receive(); });
    return true;
}

void RtpSession::start(const net::SockAddr& remote, int payload) {
    m_remote = remote;
    m_payload = payload;
    m_running = true;
    m_started = m_loop.now();
    sendNext();
}

void RtpSession::stop() {
    if (!m_running) return;
    m_running = false;
    m_loop.cancelTimer(m_timer);
}

void RtpSession::sendNext() {
    if (!m_running || m_fd < 0) return;
    unsigned char pkt[12 + kSamplesPerPacket];
    const std::uint32_t ts = static_cast<std::uint32_t>(m_stats.sent) * kSamplesPerPacket;
    pkt[0] = 0x80;  // RFC 3550 §5.1: V=2, no padding, extension or CSRC
    pkt[1] = static_cast<unsigned char>((m_stats.sent == 0 ? 0x80 : 0) | (m_payload & 0x7f));
    pkt[2] = static_cast<unsigned char>(m_seq >> 8);
    pkt[3] = static_cast<unsigned char>(m_seq & 0xff);
    for (int i = 0; i < 4; ++i) {
        pkt[4 + i] = static_cast<unsigned char>(ts >> (24 - 8 * i));
        pkt[8 + i] = static_cast<unsigned char>(m_ssrc >> (24 - 8 * i));
    }
    const bool fromSource = m_source && !m_source->empty();
    for (int i = 0; i < kSamplesPerPacket; ++i) {
        const std::uint32_t n = ts + static_cast<std::uint32_t>(i);
        const double t = static_cast<double>(n) / 8000.0;
        const auto v = fromSource
                           ? (*m_source)[n % m_source->size()]
                           : static_cast<std::int16_t>(8000.0 * std::sin(2 * M_PI * kToneHz * t));
        pkt[12 + i] = m_payload == 8 ? linearToAlaw(v) : linearToUlaw(v);
    }
    if (::sendto(m_fd, pkt, sizeof pkt, 0, m_remote.sa(), m_remote.len()) > 0) ++m_stats.sent;
    ++m_seq;
    // Paced from the start instant, so timer lateness does not accumulate.
    const Instant next = m_started + kPacketInterval * static_cast<int>(m_stats.sent + 1);
    const auto wait = std::chrono::duration_cast<Duration>(next - m_loop.now());
    m_timer = m_loop.addTimer(std::max(wait, Duration{0}), [this] { sendNext(); });
}

void RtpSession::receive() {
    unsigned char buf[2048];
    for (int i = 0; i < 64; ++i) {
        const long n = ::recv(m_fd, buf, sizeof buf, 0);
        if (n < 12 || (buf[0] >> 6) != 2) {
            if (n < 0) return;
            continue;
        }
        const Instant now = m_loop.now();
        if (!m_stats.firstReceived) m_stats.firstReceived = now;
        ++m_stats.received;
        const std::uint16_t seq = static_cast<std::uint16_t>((buf[2] << 8) | buf[3]);
        const std::uint32_t ts = (std::uint32_t(buf[4]) << 24) | (std::uint32_t(buf[5]) << 16) |
                                 (std::uint32_t(buf[6]) << 8) | buf[7];
        // RFC 3550 §A.1: extend the 16-bit sequence number across wraps.
        if (!m_haveSeq) {
            m_haveSeq = true;
            m_baseSeq = m_maxExtSeq = seq;
        } else {
            const std::uint16_t maxLow = static_cast<std::uint16_t>(m_maxExtSeq & 0xffff);
            const auto delta = static_cast<std::int16_t>(seq - maxLow);
            if (delta > 0) m_maxExtSeq += static_cast<std::uint32_t>(delta);
        }
        const std::uint64_t expected = m_maxExtSeq - m_baseSeq + 1;
        m_stats.lost = expected > m_stats.received ? expected - m_stats.received : 0;
        // RFC 3550 §A.8: J += (|D| - J) / 16, in timestamp units (8 kHz for G.711).
        const double arrival = std::chrono::duration<double>(now).count() * 8000.0;
        const double transit = arrival - ts;
        if (m_haveTransit) m_jitter += (std::fabs(transit - m_lastTransit) - m_jitter) / 16.0;
        m_lastTransit = transit;
        m_haveTransit = true;
        m_stats.jitterMs = m_jitter / 8.0;
    }
}

}  // namespace sipscope::stack::ua
