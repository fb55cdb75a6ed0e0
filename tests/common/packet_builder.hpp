#pragma once
// Builds packets layer by layer for decoder and pipeline tests (no checksums: the decoders do
// not verify them, as captures often carry offloaded, wrong checksums).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipscope::test {

using Pkt = std::vector<std::uint8_t>;

inline void put16(Pkt& p, std::uint16_t v) {
    p.push_back(static_cast<std::uint8_t>(v >> 8));
    p.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Pkt& p, std::uint32_t v) {
    put16(p, static_cast<std::uint16_t>(v >> 16));
    put16(p, static_cast<std::uint16_t>(v));
}
inline Pkt cat(Pkt a, const Pkt& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}
inline Pkt bytesOf(std::string_view s) {
    return Pkt(s.begin(), s.end());
}

using V4 = std::array<std::uint8_t, 4>;
using V6 = std::array<std::uint8_t, 16>;

inline Pkt udp(std::uint16_t sport, std::uint16_t dport, const Pkt& payload) {
    Pkt p;
    put16(p, sport);
    put16(p, dport);
    put16(p, static_cast<std::uint16_t>(8 + payload.size()));
    put16(p, 0);
    return cat(p, payload);
}

inline Pkt tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint8_t flags,
               const Pkt& payload) {
    Pkt p;
    put16(p, sport);
    put16(p, dport);
    put32(p, seq);
    put32(p, 0);
    p.push_back(0x50);
    p.push_back(flags);
    put16(p, 65535);
    put32(p, 0);
    return cat(p, payload);
}

inline Pkt ipv4(V4 src, V4 dst, std::uint8_t proto, const Pkt& payload, std::uint16_t id = 1,
                std::uint16_t fragOffsetBytes = 0, bool more = false,
                std::size_t totalOverride = 0) {
    Pkt p{0x45, 0};
    put16(p, static_cast<std::uint16_t>(totalOverride ? totalOverride : 20 + payload.size()));
    put16(p, id);
    put16(p, static_cast<std::uint16_t>((more ? 0x2000 : 0) | (fragOffsetBytes / 8)));
    p.push_back(64);
    p.push_back(proto);
    put16(p, 0);
    p.insert(p.end(), src.begin(), src.end());
    p.insert(p.end(), dst.begin(), dst.end());
    return cat(p, payload);
}

inline Pkt ipv6(V6 src, V6 dst, std::uint8_t next, const Pkt& payload) {
    Pkt p{0x60, 0, 0, 0};
    put16(p, static_cast<std::uint16_t>(payload.size()));
    p.push_back(next);
    p.push_back(64);
    p.insert(p.end(), src.begin(), src.end());
    p.insert(p.end(), dst.begin(), dst.end());
    return cat(p, payload);
}

inline Pkt ipv6FragmentHeader(std::uint8_t next, std::uint16_t offsetBytes, bool more,
                              std::uint32_t id) {
    Pkt p{next, 0};
    put16(p, static_cast<std::uint16_t>(offsetBytes | (more ? 1 : 0)));
    put32(p, id);
    return p;
}

inline Pkt eth(std::uint16_t type, const Pkt& payload) {
    Pkt p{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    put16(p, type);
    return cat(p, payload);
}

inline Pkt vlanTag(std::uint16_t tpid, std::uint16_t vid, std::uint16_t inner, const Pkt& payload) {
    Pkt p;
    put16(p, vid);
    put16(p, inner);
    (void)tpid;
    return cat(p, payload);
}

inline Pkt gre(std::uint16_t proto, const Pkt& payload, bool withKey = false,
               bool withSeq = false) {
    Pkt p;
    put16(p, static_cast<std::uint16_t>((withKey ? 0x2000 : 0) | (withSeq ? 0x1000 : 0)));
    put16(p, proto);
    if (withKey) put32(p, 0x1234);
    if (withSeq) put32(p, 7);
    return cat(p, payload);
}

inline const V4 kA4{192, 0, 2, 1}, kB4{198, 51, 100, 2};
inline const V6 kA6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
inline const V6 kB6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

}  // namespace sipscope::test

#include <fstream>

namespace sipscope::test {

struct TimedPkt {
    std::int64_t tsNs = 0;
    Pkt data;
};

// Writes a classic pcap file with nanosecond timestamps (magic a1b23c4d, little-endian).
inline bool writePcap(const std::string& path, int linkType, const std::vector<TimedPkt>& packets) {
    std::ofstream out(path, std::ios::binary);
    auto u32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
    auto u16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
    u32(0xa1b23c4d);
    u16(2);
    u16(4);
    u32(0);
    u32(0);
    u32(262144);
    u32(static_cast<std::uint32_t>(linkType));
    for (const auto& p : packets) {
        u32(static_cast<std::uint32_t>(p.tsNs / 1000000000));
        u32(static_cast<std::uint32_t>(p.tsNs % 1000000000));
        u32(static_cast<std::uint32_t>(p.data.size()));
        u32(static_cast<std::uint32_t>(p.data.size()));
        out.write(reinterpret_cast<const char*>(p.data.data()),
                  static_cast<std::streamsize>(p.data.size()));
    }
    return static_cast<bool>(out);
}

}  // namespace sipscope::test
