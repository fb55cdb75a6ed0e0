#include "capture/pcap_reader.hpp"

#include <algorithm>

namespace sipscope::analyzer {

namespace {

constexpr std::size_t kFileHeaderLength = 24;
constexpr std::size_t kRecordHeaderLength = 16;
// libpcap's largest snapshot length (MAXIMUM_SNAPLEN): a record longer than the file's snapshot
// length but within this is a sloppy writer, not corruption.
constexpr std::uint32_t kTolerableCaptureLength = 256u << 10;

}  // namespace

std::unique_ptr<PacketSource> PcapReader::open(std::unique_ptr<ByteInput> in, std::string& error) {
    const std::uint8_t* h = in->peek(kFileHeaderLength);
    if (!h) {
        error = in->error().empty() ? "truncated pcap file header: the file has " +
                                          std::to_string(in->available()) + " of its 24 bytes"
                                    : in->error();
        return nullptr;
    }
    const std::uint32_t magic = loadHost32(h);
    const bool swapped =
        magic == __builtin_bswap32(kMagicMicro) || magic == __builtin_bswap32(kMagicNano);
    const ByteOrder order(swapped);
    const bool nano = order.u32(h) == kMagicNano;
    const std::uint16_t major = order.u16(h + 4);
    const std::uint16_t minor = order.u16(h + 6);
    if (major != 2) {
        // draft-ietf-opsawg-pcap §4: the current major version is 2; 1 predates libpcap 0.4.
        error = "unsupported pcap version " + std::to_string(major) + "." + std::to_string(minor);
        return nullptr;
    }
    const std::uint32_t snapLen = order.u32(h + 16);
    // draft-ietf-opsawg-pcap §4: the link type is the lower 16 bits of the "LinkType and
    // additional information" field; the upper bits carry the FCS length and its flag.
    const int linkType = static_cast<int>(order.u32(h + 20) & 0xffff);
    in->consume(kFileHeaderLength);
    return std::unique_ptr<PacketSource>(
        new PcapReader(std::move(in), order, nano, snapLen, linkType));
}

PcapReader::PcapReader(std::unique_ptr<ByteInput> in, ByteOrder order, bool nano,
                       std::uint32_t snapLen, int linkType)
    : CaptureReader(std::move(in), "pcap"),
      m_order(order),
      m_fractionToNs(nano ? 1 : 1000),
      m_linkType(linkType) {
    // A zero or absurd snapshot length says nothing; only the hard limit applies then.
    const bool snapLenUsable = snapLen != 0 && snapLen <= kMaxCaptureLength;
    m_maxCaptureLength =
        snapLenUsable ? std::max(snapLen, kTolerableCaptureLength) : kMaxCaptureLength;
    noteLinkType(linkType);
}

bool PcapReader::next(RawPacket& out) {
    if (m_done) return false;
    const std::uint64_t offset = m_in->offset();
    const std::uint8_t* p = m_in->peek(kRecordHeaderLength);
    if (!p) return endOrTruncated(offset, kRecordHeaderLength, "pcap record header");
    const std::uint32_t capLen = m_order.u32(p + 8);
    if (capLen > m_maxCaptureLength) {
        return fail(offset, "corrupt pcap record: captured length " + std::to_string(capLen) +
                                " exceeds the limit of " + std::to_string(m_maxCaptureLength) +
                                " bytes");
    }
    const std::size_t total = kRecordHeaderLength + capLen;
    p = m_in->peek(total);
    if (!p) return endOrTruncated(offset, total, "pcap record");

    out.number = ++m_delivered;
    // Seconds are unsigned 32-bit (draft-ietf-opsawg-pcap §5): ×1e9 still fits an int64.
    out.tsNs = static_cast<std::int64_t>(m_order.u32(p)) * 1'000'000'000 +
               static_cast<std::int64_t>(m_order.u32(p + 4)) * m_fractionToNs;
    out.linkType = m_linkType;
    out.interfaceId = 0;
    out.origLength = m_order.u32(p + 12);
    out.fileOffset = offset;
    out.data = {p + kRecordHeaderLength, capLen};
    m_in->consume(total);
    return true;
}

}  // namespace sipscope::analyzer
