#include "media/rtp.hpp"

#include <string>

namespace sipscope::analyzer {

namespace {

using stack::ErrorCode;
using stack::makeError;

constexpr std::size_t kRtpFixedHeader = 12;
constexpr std::size_t kRtcpHeader = 4;
constexpr std::size_t kReportBlock = 24;
constexpr std::size_t kSenderInfo = 20;

stack::Error cutShort(std::size_t offset, std::size_t need, const char* what) {
    return makeError(ErrorCode::Incomplete, offset,
                     std::string(what) + " needs " + std::to_string(need) + " bytes");
}

RtcpReportBlock reportBlock(const std::uint8_t* p) {
    RtcpReportBlock b;
    b.ssrc = be32(p);
    b.fractionLost = p[4];
    // RFC 3550 §6.4.1: cumulative number of packets lost is a signed 24-bit integer.
    std::uint32_t lost = (std::uint32_t{p[5]} << 16) | (std::uint32_t{p[6]} << 8) | p[7];
    if (lost & 0x800000u) lost |= 0xFF000000u;
    b.cumulativeLost = static_cast<std::int32_t>(lost);
    b.highestSeq = be32(p + 8);
    b.jitter = be32(p + 12);
    b.lastSr = be32(p + 16);
    b.delaySinceLastSr = be32(p + 20);
    return b;
}

// SR and RR: sender SSRC, (SR) sender info, then RC report blocks; profile extensions after
// them are skipped (§6.4.1).
std::optional<stack::Error> reports(ByteSpan body, std::size_t base, RtcpPacket& out) {
    std::size_t pos = 4;
    if (out.packetType == static_cast<std::uint8_t>(RtcpType::SR)) {
        if (body.size() < pos + kSenderInfo)
            return cutShort(base + pos, kSenderInfo, "RTCP SR sender info");
        const std::uint8_t* p = body.data() + pos;
        RtcpSenderInfo s;
        s.ntpTimestamp = (std::uint64_t{be32(p)} << 32) | be32(p + 4);
        s.rtpTimestamp = be32(p + 8);
        s.packetCount = be32(p + 12);
        s.octetCount = be32(p + 16);
        out.sender = s;
        pos += kSenderInfo;
    }
    for (unsigned i = 0; i < out.count; ++i, pos += kReportBlock) {
        if (body.size() < pos + kReportBlock)
            return cutShort(base + pos, kReportBlock, "RTCP report block");
        out.reports.push_back(reportBlock(body.data() + pos));
    }
    return std::nullopt;
}

// RFC 3611 §3: after the sender SSRC, blocks of BT, type-specific, block length (words).
std::optional<stack::Error> xrBlocks(ByteSpan body, std::size_t base, RtcpPacket& out) {
    std::size_t pos = 4;
    while (pos < body.size()) {
        if (body.size() < pos + 4) return cutShort(base + pos, 4, "RTCP XR block header");
        RtcpXrBlock b;
        b.blockType = body[pos];
        b.typeSpecific = body[pos + 1];
        b.lengthWords = be16(body.data() + pos + 2);
        const std::size_t size = 4 + std::size_t{b.lengthWords} * 4;
        if (body.size() < pos + size)
            return makeError(ErrorCode::BadBody, base + pos + 2,
                             "RTCP XR block length exceeds its packet");
        out.xrBlocks.push_back(b);
        pos += size;
    }
    return std::nullopt;
}

// The body of one RTCP packet (after its 4-byte header), already bounded by its length.
std::optional<stack::Error> packetBody(ByteSpan body, std::size_t base, RtcpPacket& out) {
    const auto type = static_cast<RtcpType>(out.packetType);
    if (type == RtcpType::SDES || type == RtcpType::APP) {
        if (type == RtcpType::APP && body.size() >= 4) out.ssrc = be32(body.data());
        return std::nullopt;  // chunks and application data are not analysed
    }
    if (type == RtcpType::BYE) {
        // §6.6: SC SSRC/CSRC identifiers, then an optional reason.
        if (body.size() < std::size_t{out.count} * 4)
            return cutShort(base, std::size_t{out.count} * 4, "RTCP BYE sources");
        for (unsigned i = 0; i < out.count; ++i) out.byeSsrcs.push_back(be32(body.data() + i * 4));
        if (!out.byeSsrcs.empty()) out.ssrc = out.byeSsrcs.front();
        return std::nullopt;
    }
    const bool known = type == RtcpType::SR || type == RtcpType::RR || type == RtcpType::XR ||
                       type == RtcpType::RTPFB || type == RtcpType::PSFB;
    if (!known) return std::nullopt;
    if (body.size() < 4) return cutShort(base, 4, "RTCP sender SSRC");
    out.ssrc = be32(body.data());
    if (type == RtcpType::SR || type == RtcpType::RR) return reports(body, base, out);
    if (type == RtcpType::XR) return xrBlocks(body, base, out);
    return std::nullopt;
}

}  // namespace

stack::Result<RtpHeader> decodeRtp(ByteSpan d) {
    if (d.empty()) return makeError(ErrorCode::Empty, 0, "no RTP bytes");
    if (d.size() < kRtpFixedHeader) return cutShort(0, kRtpFixedHeader, "RTP fixed header");
    RtpHeader h;
    h.version = static_cast<std::uint8_t>(d[0] >> 6);
    if (h.version != 2)
        return makeError(ErrorCode::BadVersion, 0,
                         "RTP version " + std::to_string(h.version) + ", expected 2");
    h.padding = (d[0] & 0x20) != 0;
    h.extension = (d[0] & 0x10) != 0;
    h.csrcCount = d[0] & 0x0F;
    h.marker = (d[1] & 0x80) != 0;
    h.payloadType = d[1] & 0x7F;
    h.seq = be16(d.data() + 2);
    h.timestamp = be32(d.data() + 4);
    h.ssrc = be32(d.data() + 8);
    std::size_t pos = kRtpFixedHeader;
    if (d.size() < pos + 4u * h.csrcCount) return cutShort(pos, 4u * h.csrcCount, "RTP CSRC list");
    for (unsigned i = 0; i < h.csrcCount; ++i, pos += 4) h.csrc[i] = be32(d.data() + pos);
    if (h.extension) {
        // RFC 3550 §5.3.1: 16-bit profile field, 16-bit length in words after this header.
        if (d.size() < pos + 4) return cutShort(pos, 4, "RTP header extension");
        h.extensionProfile = be16(d.data() + pos);
        h.extensionWords = be16(d.data() + pos + 2);
        const std::size_t ext = 4 + std::size_t{h.extensionWords} * 4;
        if (d.size() < pos + ext)
            return makeError(ErrorCode::Incomplete, pos + 2,
                             "RTP header extension length exceeds the packet");
        pos += ext;
    }
    h.headerSize = pos;
    std::size_t end = d.size();
    if (h.padding) {
        // §5.1: the last octet counts the padding octets, itself included.
        h.paddingBytes = d[d.size() - 1];
        if (h.paddingBytes == 0 || h.paddingBytes > d.size() - pos)
            return makeError(ErrorCode::BadBody, d.size() - 1,
                             "RTP padding count " + std::to_string(h.paddingBytes) +
                                 " does not fit the payload");
        end -= h.paddingBytes;
    }
    h.payload = d.subspan(pos, end - pos);
    return h;
}

stack::Result<RtcpCompound> decodeRtcp(ByteSpan d) {
    if (d.empty()) return makeError(ErrorCode::Empty, 0, "no RTCP bytes");
    RtcpCompound c;
    std::size_t pos = 0;
    while (pos < d.size()) {
        if (d.size() < pos + kRtcpHeader) return cutShort(pos, kRtcpHeader, "RTCP header");
        const std::uint8_t* p = d.data() + pos;
        if ((p[0] >> 6) != 2)
            return makeError(ErrorCode::BadVersion, pos,
                             "RTCP version " + std::to_string(p[0] >> 6) + ", expected 2");
        RtcpPacket pkt;
        pkt.count = p[0] & 0x1F;
        pkt.packetType = p[1];
        pkt.offset = pos;
        // §6.4.1: length in 32-bit words minus one, header included.
        pkt.size = (std::size_t{be16(p + 2)} + 1) * 4;
        if (d.size() < pos + pkt.size)
            return makeError(ErrorCode::Incomplete, pos + 2, "RTCP length exceeds the datagram");
        // §6.4.1 padding: only the last packet of a compound may carry it.
        std::size_t bodySize = pkt.size - kRtcpHeader;
        if ((p[0] & 0x20) != 0) {
            const std::uint8_t pad = p[pkt.size - 1];
            if (pad == 0 || pad > bodySize)
                return makeError(ErrorCode::BadBody, pos + pkt.size - 1,
                                 "RTCP padding count does not fit the packet");
            bodySize -= pad;
        }
        if (auto err = packetBody(d.subspan(pos + kRtcpHeader, bodySize), pos + kRtcpHeader, pkt))
            return std::move(*err);
        c.packets.push_back(std::move(pkt));
        pos += c.packets.back().size;
    }
    return c;
}

stack::Result<TelephoneEvent> decodeTelephoneEvent(ByteSpan p) {
    if (p.size() < 4) return cutShort(0, 4, "telephone-event payload");
    TelephoneEvent e;
    e.event = p[0];
    e.end = (p[1] & 0x80) != 0;
    e.volume = p[1] & 0x3F;
    e.duration = be16(p.data() + 2);
    return e;
}

char dtmfSymbol(std::uint8_t event) noexcept {
    constexpr char kSymbols[] = "0123456789*#ABCD!";
    return event <= 16 ? kSymbols[event] : '?';
}

bool isRtcpPacketTypeOctet(std::uint8_t octet) noexcept {
    return octet >= 192 && octet <= 223;
}

bool looksLikeRtp(ByteSpan d) noexcept {
    if (d.size() < kRtpFixedHeader + 1 || (d[0] >> 6) != 2) return false;
    const std::uint8_t pt = d[1] & 0x7F;
    if (pt >= 72 && pt <= 79) return false;
    std::size_t header = kRtpFixedHeader + 4u * (d[0] & 0x0F);
    if ((d[0] & 0x10) != 0) {
        if (d.size() < header + 4) return false;
        header += 4 + std::size_t{be16(d.data() + header + 2)} * 4;
    }
    return d.size() > header;
}

bool looksLikeRtcp(ByteSpan d) noexcept {
    if (d.size() < 8 || (d[0] >> 6) != 2) return false;
    if (d[1] < 200 || d[1] > 207) return false;
    return (std::size_t{be16(d.data() + 2)} + 1) * 4 <= d.size();
}

}  // namespace sipscope::analyzer
