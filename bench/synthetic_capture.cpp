#include "synthetic_capture.hpp"

#include <cstdio>
#include <cstring>
#include <vector>

namespace sipscope::bench {

namespace {

class PcapWriter {
  public:
    explicit PcapWriter(const std::string& path) : m_f(std::fopen(path.c_str(), "wb")) {
        if (!m_f) return;
        const std::uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 262144, 1};
        std::fwrite(hdr, sizeof hdr, 1, m_f);
        std::setvbuf(m_f, nullptr, _IOFBF, 1 << 20);
    }
    ~PcapWriter() {
        if (m_f) std::fclose(m_f);
    }
    bool ok() const { return m_f != nullptr; }
    std::uint64_t bytes() const { return m_bytes; }

    // Ethernet + IPv4 + UDP/TCP around `payload`.
    void packet(std::uint64_t tsUs, std::uint32_t src, std::uint32_t dst, std::uint16_t sport,
                std::uint16_t dport, bool tcp, std::uint32_t seq, const char* payload,
                std::size_t n) {
        m_buf.assign(14, 0);
        m_buf[12] = 0x08;
        const std::size_t l4 = tcp ? 20 : 8;
        const std::size_t ipLen = 20 + l4 + n;
        const std::uint8_t ip[20] = {0x45,
                                     0,
                                     static_cast<std::uint8_t>(ipLen >> 8),
                                     static_cast<std::uint8_t>(ipLen),
                                     0,
                                     0,
                                     0x40,
                                     0,
                                     64,
                                     static_cast<std::uint8_t>(tcp ? 6 : 17),
                                     0,
                                     0,
                                     static_cast<std::uint8_t>(src >> 24),
                                     static_cast<std::uint8_t>(src >> 16),
                                     static_cast<std::uint8_t>(src >> 8),
                                     static_cast<std::uint8_t>(src),
                                     static_cast<std::uint8_t>(dst >> 24),
                                     static_cast<std::uint8_t>(dst >> 16),
                                     static_cast<std::uint8_t>(dst >> 8),
                                     static_cast<std::uint8_t>(dst)};
        m_buf.insert(m_buf.end(), ip, ip + 20);
        auto p16 = [&](std::uint32_t v) {
            m_buf.push_back(static_cast<std::uint8_t>(v >> 8));
            m_buf.push_back(static_cast<std::uint8_t>(v));
        };
        p16(sport);
        p16(dport);
        if (tcp) {
            p16(seq >> 16);
            p16(seq & 0xFFFF);
            p16(0);
            p16(0);
            m_buf.push_back(0x50);
            m_buf.push_back(0x18);
            p16(65535);
            p16(0);
            p16(0);
        } else {
            p16(static_cast<std::uint32_t>(8 + n));
            p16(0);
        }
        m_buf.insert(m_buf.end(), payload, payload + n);
        const std::uint32_t rec[4] = {
            static_cast<std::uint32_t>(tsUs / 1000000), static_cast<std::uint32_t>(tsUs % 1000000),
            static_cast<std::uint32_t>(m_buf.size()), static_cast<std::uint32_t>(m_buf.size())};
        std::fwrite(rec, sizeof rec, 1, m_f);
        std::fwrite(m_buf.data(), m_buf.size(), 1, m_f);
        m_bytes += sizeof rec + m_buf.size();
    }

  private:
    std::FILE* m_f;
    std::vector<std::uint8_t> m_buf;
    std::uint64_t m_bytes = 24;
};

const char* const kSdp =
    "v=0\r\no=- %u 1 IN IP4 10.1.%u.%u\r\ns=-\r\nc=IN IP4 10.1.%u.%u\r\nt=0 0\r\n"
    "m=audio %u RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n";

// The seven messages of call `n`; each about 400-1000 bytes.
std::vector<std::string> callMessages(std::uint64_t n) {
    char sdp[512], body[2048];
    const unsigned a = static_cast<unsigned>(n % 250), b = static_cast<unsigned>((n / 250) % 250);
    std::snprintf(sdp, sizeof sdp, kSdp, static_cast<unsigned>(n), a, b, a, b,
                  10000 + 2 * static_cast<unsigned>(n % 20000));
    const std::string s(sdp);
    std::vector<std::string> out;
    auto msg = [&](const char* start, const char* method, int cseq, bool toTag, bool withSdp,
                   const char* extra) {
        std::snprintf(
            body, sizeof body,
            "%s\r\nVia: SIP/2.0/UDP 10.0.%u.%u:5060;branch=z9hG4bK-%llu-%d;rport\r\n"
            "Max-Forwards: 70\r\nFrom: \"Caller %llu\" "
            "<sip:+4930%07llu@carrier.example.com>;tag=f%llu\r\n"
            "To: <sip:+4940%07llu@pbx.example.com>%s\r\nCall-ID: %llu-bench@10.0.%u.%u\r\nCSeq: %d "
            "%s\r\n"
            "Contact: <sip:+4930%07llu@10.0.%u.%u:5060>\r\nUser-Agent: SipScope-bench/1.0\r\n%s"
            "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
            start, a, b, static_cast<unsigned long long>(n), cseq,
            static_cast<unsigned long long>(n), static_cast<unsigned long long>(n % 10000000),
            static_cast<unsigned long long>(n), static_cast<unsigned long long>(n % 10000000),
            toTag ? ";tag=t1" : "", static_cast<unsigned long long>(n), a, b, cseq, method,
            static_cast<unsigned long long>(n % 10000000), a, b, extra, withSdp ? s.size() : 0,
            withSdp ? s.c_str() : "");
        out.emplace_back(body);
    };
    char ruri[128];
    std::snprintf(ruri, sizeof ruri, "INVITE sip:+4940%07llu@pbx.example.com SIP/2.0",
                  static_cast<unsigned long long>(n % 10000000));
    msg(ruri, "INVITE", 1, false, true,
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\nSupported: timer\r\n");
    msg("SIP/2.0 100 Trying", "INVITE", 1, false, false, "");
    msg("SIP/2.0 180 Ringing", "INVITE", 1, true, false, "");
    msg("SIP/2.0 200 OK", "INVITE", 1, true, true, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n");
    std::string ack(ruri);
    ack.replace(0, 6, "ACK");
    msg(ack.c_str(), "ACK", 1, true, false, "");
    std::string bye(ruri);
    bye.replace(0, 6, "BYE");
    msg(bye.c_str(), "BYE", 2, true, false, "");
    msg("SIP/2.0 200 OK", "BYE", 2, true, false, "");
    return out;
}

}  // namespace

bool writeSyntheticCapture(const std::string& path, const SyntheticOptions& o,
                           SyntheticResult& out) {
    PcapWriter w(path);
    if (!w.ok()) return false;
    std::uint64_t ts = 1795600000ull * 1000000;
    std::vector<std::uint32_t> seq(2 * 64, 1000);
    std::vector<std::string> pending(2 * 64);
    struct Route {
        std::uint32_t src = 0, dst = 0;
        std::uint16_t sp = 0, dp = 0;
    };
    std::vector<Route> routes(2 * 64);
    for (std::uint64_t call = 0; w.bytes() < o.targetBytes; ++call) {
        const auto msgs = callMessages(call * 7919 + o.seed);
        const std::uint32_t conn = static_cast<std::uint32_t>(call % 64);
        const std::uint32_t caller = 0x0A000000u | (conn + 1), callee = 0x0A00FF01u;
        for (std::size_t i = 0; i < msgs.size(); ++i) {
            const bool fromCaller = i == 0 || i == 4 || i == 5;
            const std::uint32_t src = fromCaller ? caller : callee,
                                dst = fromCaller ? callee : caller;
            const std::uint16_t sp = fromCaller ? static_cast<std::uint16_t>(40000 + conn) : 5060;
            const std::uint16_t dp = fromCaller ? 5060 : static_cast<std::uint16_t>(40000 + conn);
            ts += o.usPerMessage;
            ++out.messages;
            out.sipBytes += msgs[i].size();
            if (!o.tcp) {
                w.packet(ts, src, dst, sp, dp, false, 0, msgs[i].data(), msgs[i].size());
                ++out.packets;
                continue;
            }
            // TCP: append to the direction's pending bytes; send 1460-byte segments, so segments
            // hold several messages and messages cross segment boundaries.
            const std::size_t d = conn * 2 + (fromCaller ? 0 : 1);
            pending[d] += msgs[i];
            routes[d] = {src, dst, sp, dp};
            while (pending[d].size() >= 1460) {
                w.packet(ts, src, dst, sp, dp, true, seq[d], pending[d].data(), 1460);
                seq[d] += 1460;
                pending[d].erase(0, 1460);
                ++out.packets;
            }
        }
    }
    for (std::size_t d = 0; d < pending.size(); ++d) {  // the rest of every TCP stream
        if (pending[d].empty()) continue;
        const Route& r = routes[d];
        w.packet(ts, r.src, r.dst, r.sp, r.dp, true, seq[d], pending[d].data(), pending[d].size());
        ++out.packets;
    }
    out.bytes = w.bytes();
    return true;
}

}  // namespace sipscope::bench
