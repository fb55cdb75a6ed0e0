#include "decode/hep.hpp"

#include <zlib.h>

#include <cstring>

namespace sipscope::analyzer {

namespace {

constexpr std::size_t kMaxInflated = 1 << 20;

bool inflatePayload(ByteSpan in, std::string& out) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 32) != Z_OK) return false;  // zlib or gzip header
    z.next_in = const_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(in.size());
    out.clear();
    int rc = Z_OK;
    char buf[16384];
    while (rc == Z_OK && out.size() < kMaxInflated) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
        if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
    }
    inflateEnd(&z);
    return rc == Z_STREAM_END;
}

// HEPv1/v2 (captagent): version, header length, family, protocol, ports, addresses; v2 adds a
// 12-byte time header (tv_sec, tv_usec, capture id, padding).
std::optional<HepPacket> decodeV2(ByteSpan d) {
    const std::size_t hlen = d[1];
    const bool v6 = d[2] == 10;
    const std::size_t ipLen = v6 ? 32 : 8;
    if (hlen != 8 + ipLen || d.size() < hlen) return std::nullopt;
    HepPacket h;
    h.ipVersion = v6 ? 6 : 4;
    h.ipProtocol = d[3];
    const std::uint8_t* a = d.data() + 8;
    h.src = {v6 ? IpAddress::v6(a) : IpAddress::v4(a), be16(d.data() + 4)};
    h.dst = {v6 ? IpAddress::v6(a + ipLen / 2) : IpAddress::v4(a + ipLen / 2), be16(d.data() + 6)};
    std::size_t off = hlen;
    if (d[0] == 2) {
        if (d.size() < off + 12) return std::nullopt;
        // The time header is in the agent's byte order (little-endian on every agent we know).
        h.tsNs = std::int64_t{le32(d.data() + off)} * 1000000000 +
                 std::int64_t{le32(d.data() + off + 4)} * 1000;
        h.captureId = static_cast<std::uint32_t>(d[off + 8] | (d[off + 9] << 8));
        off += 12;
    }
    h.payload.assign(reinterpret_cast<const char*>(d.data() + off), d.size() - off);
    return h;
}

void applyChunk(std::uint16_t type, ByteSpan v, HepPacket& h, std::int64_t& sec, std::int64_t& usec,
                bool& compressed) {
    auto u16 = [&] { return v.size() >= 2 ? be16(v.data()) : 0; };
    switch (type) {
        case 1:
            if (!v.empty()) h.ipVersion = v[0] == 10 ? 6 : 4;
            break;
        case 2:
            if (!v.empty()) h.ipProtocol = v[0];
            break;
        case 3:
            if (v.size() == 4) h.src.ip = IpAddress::v4(v.data());
            break;
        case 4:
            if (v.size() == 4) h.dst.ip = IpAddress::v4(v.data());
            break;
        case 5:
            if (v.size() == 16) h.src.ip = IpAddress::v6(v.data());
            break;
        case 6:
            if (v.size() == 16) h.dst.ip = IpAddress::v6(v.data());
            break;
        case 7:
            h.src.port = u16();
            break;
        case 8:
            h.dst.port = u16();
            break;
        case 9:
            if (v.size() == 4) sec = be32(v.data());
            break;
        case 10:
            if (v.size() == 4) usec = be32(v.data());
            break;
        case 11:
            if (!v.empty()) h.payloadType = v[0];
            break;
        case 12:
            if (v.size() == 4) h.captureId = be32(v.data());
            break;
        case 15:
            h.payload.assign(reinterpret_cast<const char*>(v.data()), v.size());
            break;
        case 16:
            h.payload.assign(reinterpret_cast<const char*>(v.data()), v.size());
            compressed = true;
            break;
        default:
            break;  // auth key, correlation id, vendor chunks: not needed here
    }
}

// HEPv3: "HEP3", total length, then chunks of (vendor id, type id, length incl. 6-byte header).
std::optional<HepPacket> decodeV3(ByteSpan d) {
    const std::size_t total = be16(d.data() + 4);
    if (total < 6 || total > d.size()) return std::nullopt;
    HepPacket h;
    std::int64_t sec = -1, usec = 0;
    bool compressed = false;
    for (std::size_t off = 6; off < total;) {
        if (off + 6 > total) return std::nullopt;
        const std::uint16_t vendor = be16(d.data() + off), type = be16(d.data() + off + 2);
        const std::size_t len = be16(d.data() + off + 4);
        if (len < 6 || off + len > total) return std::nullopt;
        if (vendor == 0) applyChunk(type, d.subspan(off + 6, len - 6), h, sec, usec, compressed);
        off += len;
    }
    if (compressed) {
        std::string raw = std::move(h.payload);
        if (!inflatePayload(ByteSpan(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()),
                            h.payload))
            return std::nullopt;
    }
    if (sec >= 0) h.tsNs = sec * 1000000000 + usec * 1000;
    if (h.src.ip.version == 0 || h.dst.ip.version == 0) return std::nullopt;
    h.ipVersion = h.src.ip.version;
    return h;
}

}  // namespace

bool looksLikeHep(ByteSpan d) noexcept {
    if (d.size() >= 6 && std::memcmp(d.data(), "HEP3", 4) == 0) return true;
    return d.size() >= 16 && (d[0] == 1 || d[0] == 2) && (d[1] == 16 || d[1] == 40) &&
           (d[2] == 2 || d[2] == 10) && (d[3] == 17 || d[3] == 6 || d[3] == 132) &&
           (d[1] == 16) == (d[2] == 2);
}

std::optional<HepPacket> decodeHep(ByteSpan d) {
    if (!looksLikeHep(d)) return std::nullopt;
    if (d[0] == 'H') return decodeV3(d);
    return decodeV2(d);
}

}  // namespace sipscope::analyzer
