#include "store/pcap_export.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <map>
#include <memory>
#include <tuple>

namespace sipscope::analyzer::store {

namespace {

using Frame = std::vector<std::uint8_t>;

void put16(Frame& f, std::uint16_t v) {
    f.push_back(static_cast<std::uint8_t>(v >> 8));
    f.push_back(static_cast<std::uint8_t>(v));
}

void put32(Frame& f, std::uint32_t v) {
    put16(f, static_cast<std::uint16_t>(v >> 16));
    put16(f, static_cast<std::uint16_t>(v));
}

std::uint16_t checksum(const std::uint8_t* p, std::size_t n) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < n; i += 2)
        sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

// The transport header: UDP, or TCP with PSH|ACK and the connection's next sequence number.
Frame transportHeader(
    const StoredMessage& m, std::size_t payload,
    std::map<std::tuple<std::string, int, std::string, int>, std::uint32_t>& seq) {
    Frame h;
    put16(h, m.sport);
    put16(h, m.dport);
    if (m.transport == "udp") {
        put16(h, static_cast<std::uint16_t>(8 + payload));
        put16(h, 0);  // checksum optional over IPv4; left 0 (not computed) for IPv6 too
        return h;
    }
    auto& next = seq.try_emplace(std::make_tuple(m.src, m.sport, m.dst, m.dport), 1).first->second;
    put32(h, next);
    put32(h, 1);
    next += static_cast<std::uint32_t>(payload);
    h.push_back(0x50);  // data offset 5 words
    h.push_back(0x18);  // PSH, ACK
    put16(h, 65535);
    put16(h, 0);
    put16(h, 0);
    return h;
}

// Ethernet + IP + transport + payload; false for an address that does not parse.
bool buildFrame(const StoredMessage& m, std::string_view payload, Frame& out,
                std::map<std::tuple<std::string, int, std::string, int>, std::uint32_t>& seq) {
    const bool v6 = m.ipVersion == 6;
    std::uint8_t src[16], dst[16];
    const int family = v6 ? AF_INET6 : AF_INET;
    if (inet_pton(family, m.src.c_str(), src) != 1 || inet_pton(family, m.dst.c_str(), dst) != 1)
        return false;
    const Frame l4 = transportHeader(m, payload.size(), seq);
    const std::uint8_t proto = m.transport == "udp" ? 17 : 6;
    out.assign({0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1});  // locally administered MACs
    put16(out, v6 ? 0x86DD : 0x0800);
    const std::size_t ipStart = out.size();
    const std::size_t l4len = l4.size() + payload.size();
    if (v6) {
        put32(out, 0x60000000);
        put16(out, static_cast<std::uint16_t>(l4len));
        out.push_back(proto);
        out.push_back(64);
        out.insert(out.end(), src, src + 16);
        out.insert(out.end(), dst, dst + 16);
    } else {
        out.push_back(0x45);
        out.push_back(0);
        put16(out, static_cast<std::uint16_t>(20 + l4len));
        put32(out, 0x00004000);  // id 0, don't fragment
        out.push_back(64);
        out.push_back(proto);
        put16(out, 0);
        out.insert(out.end(), src, src + 4);
        out.insert(out.end(), dst, dst + 4);
        const std::uint16_t sum = checksum(out.data() + ipStart, 20);
        out[ipStart + 10] = static_cast<std::uint8_t>(sum >> 8);
        out[ipStart + 11] = static_cast<std::uint8_t>(sum);
    }
    out.insert(out.end(), l4.begin(), l4.end());
    out.insert(out.end(), payload.begin(), payload.end());
    return true;
}

void putLe32(std::FILE* f, std::uint32_t v) {
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                               static_cast<std::uint8_t>(v >> 16),
                               static_cast<std::uint8_t>(v >> 24)};
    std::fwrite(b, 1, 4, f);
}

}  // namespace

bool writeMessagesPcap(const std::string& path, const std::vector<StoredMessage>& messages,
                       std::string& error) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
    if (!f) {
        error = "cannot write " + path;
        return false;
    }
    // pcap header: nanosecond magic, v2.4, snaplen 262144, LINKTYPE_ETHERNET.
    for (std::uint32_t v : {0xA1B23C4Du, 0x00040002u, 0u, 0u, 262144u, 1u}) putLe32(f.get(), v);
    std::map<std::tuple<std::string, int, std::string, int>, std::uint32_t> seq;
    Frame frame;
    for (const StoredMessage& m : messages) {
        // IP carries at most 65535 bytes: a larger TCP message goes out in several segments.
        const std::size_t chunk = m.transport == "udp" ? m.bytes.size() : 60000;
        for (std::size_t off = 0; off < m.bytes.size() || off == 0; off += chunk) {
            const std::string_view part = std::string_view(m.bytes).substr(off, chunk);
            if (!buildFrame(m, part, frame, seq)) {
                error = "message " + std::to_string(m.seq) + ": bad address";
                return false;
            }
            putLe32(f.get(), static_cast<std::uint32_t>(m.tsNs / 1000000000));
            putLe32(f.get(), static_cast<std::uint32_t>(m.tsNs % 1000000000));
            putLe32(f.get(), static_cast<std::uint32_t>(frame.size()));
            putLe32(f.get(), static_cast<std::uint32_t>(frame.size()));
            std::fwrite(frame.data(), 1, frame.size(), f.get());
            if (m.bytes.empty()) break;
        }
    }
    if (std::ferror(f.get())) {
        error = "write error on " + path;
        return false;
    }
    return true;
}

}  // namespace sipscope::analyzer::store
