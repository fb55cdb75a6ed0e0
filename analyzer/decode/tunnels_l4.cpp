// GRE, VXLAN and GTP-U tunnels, and the transport layers (UDP, TCP, SCTP) of PacketDecoder.

#include "decode/packet_decoder.hpp"

namespace sipscope::analyzer {

namespace {
constexpr std::uint16_t kVxlanPort = 4789, kVxlanLinuxPort = 8472, kGtpUserPort = 2152;
}

void PacketDecoder::gre(ByteSpan d, Ctx& c) {
    // RFC 2784/2890 GRE; version 1 is PPTP's enhanced GRE (RFC 2637 §4.1).
    if (d.size() < 4) return void(++m_stats.malformed);
    const std::uint16_t flags = be16(d.data());
    const std::uint16_t proto = be16(d.data() + 2);
    const int version = flags & 0x7;
    std::size_t off = 4;
    if (flags & 0xC000) off += 4;  // checksum (+ reserved) or routing present
    if (flags & 0x2000) off += 4;  // key
    const bool seq = (flags & 0x1000) != 0;
    if (seq) off += 4;
    if (version == 1 && (flags & 0x0080)) off += 4;  // acknowledgment number
    if (d.size() < off) return void(++m_stats.malformed);
    c.path.push(Layer::Gre);
    d = d.subspan(off);
    if (++c.depth > 8) return void(++m_stats.malformed);
    switch (proto) {
        case 0x880B:
            return ppp(d, c);
        case 0x88BE:
            // ERSPAN type II carries an 8-byte header (GRE sequence bit set); type I has none.
            c.path.push(Layer::Erspan);
            if (!seq) return ethernet(d, c);
            if (d.size() < 8) return void(++m_stats.malformed);
            return ethernet(d.subspan(8), c);
        case 0x22EB: {  // ERSPAN type III: 12 bytes, + 8-byte platform sub-header when O is set
            c.path.push(Layer::Erspan);
            if (d.size() < 12) return void(++m_stats.malformed);
            const std::size_t len = (d[11] & 0x01) ? 20 : 12;
            if (d.size() < len) return void(++m_stats.malformed);
            return ethernet(d.subspan(len), c);
        }
        default:
            return ethertype(proto, d, c);
    }
}

bool PacketDecoder::tunnelUdp(std::uint16_t, std::uint16_t dport, ByteSpan d, Ctx& c) {
    if ((dport == kVxlanPort || dport == kVxlanLinuxPort) && d.size() >= 8 + 14 &&
        (d[0] & 0x08) != 0 && d[1] == 0 && d[2] == 0 && d[3] == 0) {
        // RFC 7348 §5: flags with the I bit, 24-bit VNI, then the inner Ethernet frame.
        c.path.push(Layer::Vxlan, (std::uint32_t{d[4]} << 16) | (std::uint32_t{d[5]} << 8) | d[6]);
        ethernet(d.subspan(8), c);
        return true;
    }
    if (dport == kGtpUserPort && d.size() >= 8 && (d[0] >> 5) == 1 && (d[0] & 0x10) &&
        d[1] == 0xFF) {
        // 3GPP TS 29.281 §5.1: G-PDU; 4 optional bytes when E, S or PN is set, then the
        // extension header chain when E is set.
        std::size_t off = 8;
        if (d[0] & 0x07) {
            if (d.size() < 12) return false;
            std::uint8_t next = (d[0] & 0x04) ? d[11] : 0;
            off = 12;
            while (next != 0) {
                if (d.size() < off + 1 || d[off] == 0) return false;
                const std::size_t len = std::size_t{d[off]} * 4;
                if (d.size() < off + len) return false;
                next = d[off + len - 1];
                off += len;
            }
        }
        if (d.size() <= off || ((d[off] >> 4) != 4 && (d[off] >> 4) != 6)) return false;
        c.path.push(Layer::Gtp);
        ip(d.subspan(off), c);
        return true;
    }
    return false;
}

// The fields every transport packet takes from the decoding context.
TransportPacket PacketDecoder::transportPacket(L4 proto, const IpAddress& src, std::uint16_t sport,
                                               const IpAddress& dst, std::uint16_t dport,
                                               const Ctx& c) const {
    TransportPacket t;
    t.proto = proto;
    t.src = {src, sport};
    t.dst = {dst, dport};
    t.ipVersion = src.version;
    t.frame = c.frame;
    t.tsNs = c.tsNs;
    t.path = &c.path;
    t.fragmentFrames = c.fragmentFrames;
    return t;
}

void PacketDecoder::udp(const IpAddress& src, const IpAddress& dst, ByteSpan d, Ctx& c) {
    if (d.size() < 8) return void(++m_stats.malformed);
    const std::uint16_t sport = be16(d.data()), dport = be16(d.data() + 2);
    std::size_t len = be16(d.data() + 4);
    if (len < 8 || len > d.size()) len = d.size();  // 0 = jumbogram; longer = cut by snaplen
    const ByteSpan payload = d.subspan(8, len - 8);
    c.path.push(Layer::Udp);
    if (tunnelUdp(sport, dport, payload, c)) return;
    TransportPacket t = transportPacket(L4::Udp, src, sport, dst, dport, c);
    t.payload = payload;
    m_sink(t);
}

void PacketDecoder::tcp(const IpAddress& src, const IpAddress& dst, ByteSpan d, Ctx& c) {
    if (d.size() < 20) return void(++m_stats.malformed);
    const std::size_t hlen = static_cast<std::size_t>(d[12] >> 4) * 4;
    if (hlen < 20 || hlen > d.size()) return void(++m_stats.malformed);
    c.path.push(Layer::Tcp);
    TransportPacket t = transportPacket(L4::Tcp, src, be16(d.data()), dst, be16(d.data() + 2), c);
    t.seq = be32(d.data() + 4);
    t.tcpFlags = d[13];
    t.payload = d.subspan(hlen);
    m_sink(t);
}

void PacketDecoder::sctp(const IpAddress& src, const IpAddress& dst, ByteSpan d, Ctx& c) {
    // RFC 9260 §3: 12-byte common header, then chunks padded to 4 bytes. Unfragmented DATA
    // chunks (B and E set) carry one SIP message each (RFC 4168 §5).
    if (d.size() < 12) return void(++m_stats.malformed);
    c.path.push(Layer::Sctp);
    TransportPacket t = transportPacket(L4::Sctp, src, be16(d.data()), dst, be16(d.data() + 2), c);
    std::size_t off = 12;
    while (off + 4 <= d.size()) {
        const std::size_t len = be16(d.data() + off + 2);
        if (len < 4 || off + len > d.size()) return void(++m_stats.malformed);
        if (d[off] == 0 && len > 16 && (d[off + 1] & 0x03) == 0x03) {
            t.payload = d.subspan(off + 16, len - 16);
            m_sink(t);
        }
        off += (len + 3) & ~std::size_t{3};
    }
}

}  // namespace sipscope::analyzer
