#include "decode/packet_decoder.hpp"

#include "reassembly/ip_defrag.hpp"

namespace sipscope::analyzer {

namespace {

// LINKTYPE_* values (https://www.tcpdump.org/linktypes.html).
constexpr int kLinkNull = 0, kLinkEthernet = 1, kLinkPpp = 9, kLinkRawBsd = 12, kLinkRawAlt = 14,
              kLinkPppHdlc = 50, kLinkRaw = 101, kLinkLoop = 108, kLinkSll = 113, kLinkIpv4 = 228,
              kLinkIpv6 = 229, kLinkSll2 = 276;
constexpr int kMaxDepth = 8;  // nested tunnels before we give up (a loop in crafted input)

bool isIcmpError(std::uint8_t proto, std::uint8_t type) {
    if (proto == 1) return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    return type >= 1 && type <= 4;  // ICMPv6 (RFC 4443 §2.1)
}

}  // namespace

PacketDecoder::PacketDecoder(Sink sink)
    : m_sink(std::move(sink)), m_defrag(std::make_unique<IpDefragmenter>()) {}
PacketDecoder::~PacketDecoder() = default;

void PacketDecoder::decode(const RawPacket& p) {
    ++m_stats.packets;
    Ctx c{p.number, p.tsNs, {}, 0, nullptr};
    link(p.linkType, p.data, c);
}

void PacketDecoder::expire(std::int64_t nowNs) {
    m_defrag->expire(nowNs);
}

void PacketDecoder::link(int linkType, ByteSpan d, Ctx& c) {
    switch (linkType) {
        case kLinkEthernet:
            return ethernet(d, c);
        case kLinkNull:
        case kLinkLoop: {
            // BSD loopback: a 4-byte address family, in the capturing host's byte order for
            // NULL and network order for LOOP. AF_INET is 2; AF_INET6 is 24, 28 or 30.
            if (d.size() < 4) return void(++m_stats.malformed);
            const std::uint32_t fam = linkType == kLinkLoop ? be32(d.data()) : le32(d.data());
            const std::uint32_t famSwapped =
                linkType == kLinkLoop ? le32(d.data()) : be32(d.data());
            c.path.push(Layer::Null);
            for (std::uint32_t f : {fam, famSwapped})
                if (f == 2 || f == 24 || f == 28 || f == 30) return ip(d.subspan(4), c);
            return void(++m_stats.nonIp);
        }
        case kLinkPpp:
        case kLinkPppHdlc:
            return ppp(d, c);
        case kLinkRaw:
        case kLinkRawBsd:
        case kLinkRawAlt:
        case kLinkIpv4:
        case kLinkIpv6:
            c.path.push(Layer::Raw);
            return ip(d, c);
        case kLinkSll:
            if (d.size() < 16) return void(++m_stats.malformed);
            c.path.push(Layer::Sll);
            return ethertype(be16(d.data() + 14), d.subspan(16), c);
        case kLinkSll2:
            if (d.size() < 20) return void(++m_stats.malformed);
            c.path.push(Layer::Sll2);
            return ethertype(be16(d.data()), d.subspan(20), c);
        default:
            ++m_stats.unsupportedLink;
    }
}

void PacketDecoder::ethernet(ByteSpan d, Ctx& c) {
    if (d.size() < 14) return void(++m_stats.malformed);
    c.path.push(Layer::Eth);
    ethertype(be16(d.data() + 12), d.subspan(14), c);
}

void PacketDecoder::ethertype(std::uint16_t type, ByteSpan d, Ctx& c) {
    switch (type) {
        case 0x0800:
        case 0x86DD:
            return ip(d, c);
        case 0x8100:
        case 0x88A8:
        case 0x9100:
        case 0x9200:  // 802.1Q / 802.1ad (QinQ) and the pre-standard QinQ types
            if (d.size() < 4) return void(++m_stats.malformed);
            c.path.push(Layer::Vlan, be16(d.data()) & 0x0FFF);
            return ethertype(be16(d.data() + 2), d.subspan(4), c);
        case 0x8864:  // PPPoE session stage (RFC 2516 §4): 6-byte header, then PPP
            if (d.size() < 6) return void(++m_stats.malformed);
            c.path.push(Layer::PppoE);
            return ppp(d.subspan(6), c);
        case 0x8847:
        case 0x8848:
            return mpls(d, c);
        case 0x6558:
            return ethernet(d, c);  // transparent Ethernet bridging (GRE/NVGRE)
        default:
            ++m_stats.nonIp;
    }
}

void PacketDecoder::ppp(ByteSpan d, Ctx& c) {
    if (d.size() >= 2 && d[0] == 0xFF && d[1] == 0x03) d = d.subspan(2);  // HDLC address/control
    if (d.size() < 2) return void(++m_stats.malformed);
    c.path.push(Layer::Ppp);
    // RFC 1661 protocol field; may be compressed to one byte (odd value).
    std::uint16_t proto = d[0];
    std::size_t len = 1;
    if ((d[0] & 1) == 0) {
        proto = be16(d.data());
        len = 2;
    }
    if (proto == 0x0021 || proto == 0x21 || proto == 0x0057 || proto == 0x57)
        return ip(d.subspan(len), c);
    ++m_stats.nonIp;
}

void PacketDecoder::mpls(ByteSpan d, Ctx& c) {
    c.path.push(Layer::Mpls);
    // RFC 3032: labels until the bottom-of-stack bit; the payload type is not signalled, so
    // take IP by its version nibble.
    while (d.size() >= 4) {
        const bool bottom = (d[2] & 0x01) != 0;
        d = d.subspan(4);
        if (bottom) {
            if (!d.empty() && ((d[0] >> 4) == 4 || (d[0] >> 4) == 6)) return ip(d, c);
            return void(++m_stats.nonIp);
        }
    }
    ++m_stats.malformed;
}

void PacketDecoder::ip(ByteSpan d, Ctx& c) {
    if (d.empty()) return void(++m_stats.malformed);
    if (++c.depth > kMaxDepth) return void(++m_stats.malformed);
    const int version = d[0] >> 4;
    if (version == 4) return ipv4(d, c);
    if (version == 6) return ipv6(d, c);
    ++m_stats.nonIp;
}

void PacketDecoder::ipv4(ByteSpan d, Ctx& c) {
    const std::size_t ihl = static_cast<std::size_t>(d[0] & 0x0F) * 4;
    if (d.size() < 20 || ihl < 20 || d.size() < ihl) return void(++m_stats.malformed);
    std::size_t total = be16(d.data() + 2);
    if (total < ihl) return void(++m_stats.malformed);
    if (total > d.size()) total = d.size();  // cut by the snap length: decode what we have
    const IpAddress src = IpAddress::v4(d.data() + 12), dst = IpAddress::v4(d.data() + 16);
    const std::uint8_t proto = d[9];
    c.path.push(Layer::Ipv4);
    const std::uint16_t frag = be16(d.data() + 6);
    const ByteSpan payload = d.subspan(ihl, total - ihl);
    if ((frag & 0x2000) != 0 || (frag & 0x1FFF) != 0) {
        ++m_stats.fragments;
        IpFragment f{src,
                     dst,
                     be16(d.data() + 4),
                     proto,
                     static_cast<std::uint32_t>(frag & 0x1FFF) * 8u,
                     (frag & 0x2000) != 0,
                     payload,
                     c.frame,
                     c.tsNs};
        auto whole = m_defrag->add(f);
        if (!whole) return;
        ++m_stats.reassembled;
        c.fragmentFrames = &whole->frames;
        return ipPayload(proto, src, dst, ByteSpan(whole->payload), c);
    }
    ipPayload(proto, src, dst, payload, c);
}

void PacketDecoder::ipv6(ByteSpan d, Ctx& c) {
    if (d.size() < 40) return void(++m_stats.malformed);
    const IpAddress src = IpAddress::v6(d.data() + 8), dst = IpAddress::v6(d.data() + 24);
    std::size_t plen = be16(d.data() + 4);
    if (plen == 0 || 40 + plen > d.size()) plen = d.size() - 40;  // jumbo or cut by snaplen
    std::uint8_t next = d[6];
    ByteSpan p = d.subspan(40, plen);
    c.path.push(Layer::Ipv6);
    // RFC 8200 §4: walk the extension headers to the upper-layer header.
    for (int guard = 0; guard < 16; ++guard) {
        if (next == 0 || next == 43 || next == 60 || next == 51) {
            if (p.size() < 8) return void(++m_stats.malformed);
            const std::size_t len =
                next == 51 ? (std::size_t{p[1]} + 2) * 4 : (std::size_t{p[1]} + 1) * 8;
            if (p.size() < len) return void(++m_stats.malformed);
            next = p[0];
            p = p.subspan(len);
            continue;
        }
        if (next == 44) {  // Fragment header (§4.5)
            if (p.size() < 8) return void(++m_stats.malformed);
            ++m_stats.fragments;
            const std::uint16_t offFlags = be16(p.data() + 2);
            IpFragment f{src,
                         dst,
                         be32(p.data() + 4),
                         p[0],
                         static_cast<std::uint32_t>(offFlags & 0xFFF8),
                         (offFlags & 1) != 0,
                         p.subspan(8),
                         c.frame,
                         c.tsNs};
            auto whole = m_defrag->add(f);
            if (!whole) return;
            ++m_stats.reassembled;
            c.fragmentFrames = &whole->frames;
            return ipPayload(p[0], src, dst, ByteSpan(whole->payload), c);
        }
        return ipPayload(next, src, dst, p, c);
    }
    ++m_stats.malformed;
}

void PacketDecoder::ipPayload(std::uint8_t proto, const IpAddress& src, const IpAddress& dst,
                              ByteSpan d, Ctx& c) {
    switch (proto) {
        case 17:
            return udp(src, dst, d, c);
        case 6:
            return tcp(src, dst, d, c);
        case 132:
            return sctp(src, dst, d, c);
        case 47:
            return gre(d, c);
        case 4:
        case 41:
            return ip(d, c);  // IP-in-IP (RFC 2003), IPv6-in-IP (RFC 4213)
        case 1:
        case 58:
            // ICMP errors quote the offending datagram: that datagram was not seen on this
            // link, so it is counted, never extracted.
            if (!d.empty() && isIcmpError(proto, d[0]))
                ++m_stats.icmpErrors;
            else
                ++m_stats.otherIpProtocol;
            return;
        default:
            ++m_stats.otherIpProtocol;
    }
}

}  // namespace sipscope::analyzer
