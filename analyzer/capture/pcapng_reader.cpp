#include "capture/pcapng_reader.hpp"

#include <algorithm>

namespace sipscope::analyzer {

namespace {

constexpr std::uint32_t kInterfaceType = 0x00000001;
constexpr std::uint32_t kObsoletePacketType = 0x00000002;
constexpr std::uint32_t kSimplePacketType = 0x00000003;
constexpr std::uint32_t kEnhancedPacketType = 0x00000006;
constexpr std::uint32_t kByteOrderMagic = 0x1a2b3c4d;

// Smallest legal block of each kind: type + length + fixed fields + trailing length.
constexpr std::uint32_t kMinBlock = 12;
constexpr std::uint32_t kMinSectionHeader = 28;
constexpr std::uint32_t kMinInterface = 20;
constexpr std::uint32_t kMinEnhanced = 32;
constexpr std::uint32_t kMinObsolete = 32;
constexpr std::uint32_t kMinSimple = 16;
// A packet block holds at most kMaxCaptureLength bytes plus its fixed fields and options.
constexpr std::uint32_t kMaxBlock = kMaxCaptureLength + (64u << 10);
// Bounds memory whatever the file holds; real captures have a handful of interfaces.
constexpr std::size_t kMaxInterfaces = 1u << 16;

constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kOptTsresol = 9;
constexpr std::uint16_t kOptTsoffset = 14;

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

constexpr std::uint64_t pow10(unsigned n) {
    std::uint64_t v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

std::uint32_t minimumLength(std::uint32_t type) {
    switch (type) {
        case PcapngReader::kSectionHeaderType:
            return kMinSectionHeader;
        case kInterfaceType:
            return kMinInterface;
        case kEnhancedPacketType:
            return kMinEnhanced;
        case kObsoletePacketType:
            return kMinObsolete;
        case kSimplePacketType:
            return kMinSimple;
        default:
            return kMinBlock;
    }
}

std::string hex32(std::uint32_t v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s = "0x00000000";
    for (int i = 9; i >= 2; --i, v >>= 4) s[static_cast<std::size_t>(i)] = kDigits[v & 0xf];
    return s;
}

}  // namespace

std::optional<TimestampScale> TimestampScale::fromTsresol(std::uint8_t value) {
    TimestampScale s;
    const unsigned exponent = value & 0x7fu;
    if (value & 0x80u) {
        if (exponent > 63) return std::nullopt;
        s.m_kind = Kind::Binary;
        s.m_shift = exponent;
    } else if (exponent <= 9) {
        s.m_kind = Kind::Multiply;
        s.m_factor = pow10(9 - exponent);
    } else {
        if (exponent > 19) return std::nullopt;  // 10^20 units per second overflows 64 bits
        s.m_kind = Kind::Divide;
        s.m_factor = pow10(exponent - 9);
    }
    return s;
}

std::int64_t TimestampScale::toNs(std::uint64_t units) const noexcept {
    switch (m_kind) {
        case Kind::Multiply:
            return static_cast<std::int64_t>(units * m_factor);
        case Kind::Divide:
            return static_cast<std::int64_t>(units / m_factor);
        case Kind::Binary:
            break;
    }
    const std::uint64_t seconds = m_shift == 0 ? units : units >> m_shift;
    const std::uint64_t fraction = m_shift == 0 ? 0 : units & ((std::uint64_t{1} << m_shift) - 1);
    // fraction < 2^shift, so fraction * 1e9 needs up to 94 bits.
    __extension__ using Wide = unsigned __int128;
    const auto fractionNs = static_cast<std::uint64_t>((Wide{fraction} * kNsPerSecond) >> m_shift);
    return static_cast<std::int64_t>(seconds * kNsPerSecond + fractionNs);
}

std::unique_ptr<PacketSource> PcapngReader::open(std::unique_ptr<ByteInput> in,
                                                 std::string& error) {
    std::unique_ptr<PcapngReader> reader(new PcapngReader(std::move(in)));
    if (!reader->readSectionHeader(0)) {
        error = reader->error() ? reader->error()->message : "empty pcapng file";
        return nullptr;
    }
    return reader;
}

PcapngReader::PcapngReader(std::unique_ptr<ByteInput> in)
    : CaptureReader(std::move(in), "pcapng") {}

// draft-ietf-opsawg-pcapng §4.1: a section header fixes the byte order of its section and
// starts a new interface list; the section length may be -1 (unknown) and is not needed to
// read forwards.
bool PcapngReader::readSectionHeader(std::uint64_t offset) {
    const std::uint8_t* p = m_in->peek(12);
    if (!p) return endOrTruncated(offset, 12, "pcapng section header");
    const std::uint32_t magic = loadHost32(p + 8);
    if (magic != kByteOrderMagic && magic != __builtin_bswap32(kByteOrderMagic)) {
        return fail(offset, "corrupt pcapng section header: byte-order magic " +
                                hex32(ByteOrder(false).u32(p + 8)) + " is not 0x1a2b3c4d");
    }
    const ByteOrder order(magic != kByteOrderMagic);
    const std::uint32_t length = order.u32(p + 4);
    if (!checkLength(kSectionHeaderType, length, offset)) return false;
    p = m_in->peek(length);
    if (!p) return endOrTruncated(offset, length, "pcapng section header");
    if (order.u32(p + length - 4) != length) {
        return fail(offset, "corrupt pcapng section header: trailing length " +
                                std::to_string(order.u32(p + length - 4)) +
                                " differs from the block length " + std::to_string(length));
    }
    const std::uint16_t major = order.u16(p + 12);
    if (major != 1) {
        return fail(offset, "unsupported pcapng version " + std::to_string(major) + "." +
                                std::to_string(order.u16(p + 14)));
    }
    m_order = order;
    m_interfaces.clear();
    m_in->consume(length);
    return true;
}

// draft-ietf-opsawg-pcapng §3.1: the total length includes header and trailer and is a
// multiple of 4.
bool PcapngReader::checkLength(std::uint32_t type, std::uint32_t length, std::uint64_t offset) {
    const std::uint32_t minimum = minimumLength(type);
    if (length >= minimum && length % 4 == 0 && length <= kMaxBlock) return true;
    std::string why = length < minimum  ? "shorter than the minimum of " + std::to_string(minimum)
                      : length % 4 != 0 ? "not a multiple of 4"
                                        : "over the limit of " + std::to_string(kMaxBlock);
    return fail(offset, "corrupt pcapng block (type " + hex32(type) + "): length " +
                            std::to_string(length) + " is " + why);
}

bool PcapngReader::next(RawPacket& out) {
    while (!m_done) {
        const std::uint64_t offset = m_in->offset();
        const std::uint8_t* p = m_in->peek(8);
        if (!p) return endOrTruncated(offset, 8, "pcapng block header");
        // The section header type reads the same in both byte orders; its own byte-order
        // magic decides how the rest of the new section is read.
        const std::uint32_t type = m_order.u32(p);
        if (type == kSectionHeaderType) {
            if (!readSectionHeader(offset)) return false;
            continue;
        }
        const std::uint32_t length = m_order.u32(p + 4);
        if (!checkLength(type, length, offset)) return false;
        p = m_in->peek(length);
        if (!p) return endOrTruncated(offset, length, "pcapng block");
        const std::uint32_t trailer = m_order.u32(p + length - 4);
        if (trailer != length) {
            return fail(offset, "corrupt pcapng block (type " + hex32(type) +
                                    "): trailing length " + std::to_string(trailer) +
                                    " differs from the block length " + std::to_string(length));
        }
        switch (type) {
            case kEnhancedPacketType:
                return readEnhanced(p, length, offset, out);
            case kSimplePacketType:
                return readSimple(p, length, offset, out);
            case kObsoletePacketType:
                return readObsolete(p, length, offset, out);
            case kInterfaceType:
                if (!addInterface(p, length, offset)) return false;
                break;
            default:
                // Name resolution, interface statistics, decryption secrets, custom and
                // unknown blocks carry no packets (§3.1: skip what you do not understand).
                break;
        }
        m_in->consume(length);
    }
    return false;
}

// draft-ietf-opsawg-pcapng §4.2.
bool PcapngReader::addInterface(const std::uint8_t* block, std::uint32_t length,
                                std::uint64_t offset) {
    if (m_interfaces.size() >= kMaxInterfaces) {
        return fail(offset, "corrupt pcapng file: more than " + std::to_string(kMaxInterfaces) +
                                " interfaces in one section");
    }
    Interface iface;
    iface.linkType = m_order.u16(block + 8);
    iface.snapLen = m_order.u32(block + 12);
    // §3.5: options are code, length, value padded to 4 bytes, up to opt_endofopt. A
    // malformed tail is ignored: the interface itself is still usable.
    const std::uint8_t* opt = block + 16;
    const std::uint8_t* end = block + length - 4;
    while (end - opt >= 4) {
        const std::uint16_t code = m_order.u16(opt);
        const std::uint16_t size = m_order.u16(opt + 2);
        opt += 4;
        if (code == kOptEnd || size > end - opt) break;
        if (code == kOptTsresol && size >= 1) {
            const auto scale = TimestampScale::fromTsresol(opt[0]);
            if (!scale) {
                return fail(offset, "unsupported pcapng interface: if_tsresol " +
                                        std::to_string(opt[0]) + " cannot be represented");
            }
            iface.scale = *scale;
        } else if (code == kOptTsoffset && size >= 8) {
            // if_tsoffset is in whole seconds; wrapping keeps nonsense values defined.
            iface.offsetNs = static_cast<std::int64_t>(m_order.u64(opt) * kNsPerSecond);
        }
        opt += std::min<std::ptrdiff_t>((size + 3u) & ~3u, end - opt);
    }
    noteLinkType(iface.linkType);
    m_interfaces.push_back(iface);
    return true;
}

// draft-ietf-opsawg-pcapng §4.3.
bool PcapngReader::readEnhanced(const std::uint8_t* block, std::uint32_t length,
                                std::uint64_t offset, RawPacket& out) {
    const std::uint32_t id = m_order.u32(block + 8);
    const std::uint64_t units =
        (std::uint64_t{m_order.u32(block + 12)} << 32) | m_order.u32(block + 16);
    if (!deliver(id, units, block + 28, m_order.u32(block + 20), m_order.u32(block + 24),
                 length - kMinEnhanced, offset, out)) {
        return false;
    }
    m_in->consume(length);
    return true;
}

// draft-ietf-opsawg-pcapng Appendix A: the obsolete packet block is an enhanced packet block
// with a 16-bit interface id followed by a 16-bit drop count.
bool PcapngReader::readObsolete(const std::uint8_t* block, std::uint32_t length,
                                std::uint64_t offset, RawPacket& out) {
    const std::uint32_t id = m_order.u16(block + 8);
    const std::uint64_t units =
        (std::uint64_t{m_order.u32(block + 12)} << 32) | m_order.u32(block + 16);
    if (!deliver(id, units, block + 28, m_order.u32(block + 20), m_order.u32(block + 24),
                 length - kMinObsolete, offset, out)) {
        return false;
    }
    m_in->consume(length);
    return true;
}

// draft-ietf-opsawg-pcapng §4.4: a simple packet block belongs to the first interface, has no
// timestamp and no captured length: that is min(original length, snaplen, room in the block).
bool PcapngReader::readSimple(const std::uint8_t* block, std::uint32_t length, std::uint64_t offset,
                              RawPacket& out) {
    if (m_interfaces.empty()) return unknownInterface("simple packet block", 0, offset);
    const std::uint32_t origLen = m_order.u32(block + 8);
    std::uint32_t capLen = std::min(origLen, length - kMinSimple);
    if (m_interfaces[0].snapLen != 0) capLen = std::min(capLen, m_interfaces[0].snapLen);
    out.number = ++m_delivered;
    out.tsNs = m_lastTsNs;
    out.linkType = m_interfaces[0].linkType;
    out.interfaceId = 0;
    out.origLength = origLen;
    out.fileOffset = offset;
    out.data = {block + 12, capLen};
    m_in->consume(length);
    return true;
}

bool PcapngReader::deliver(std::uint32_t interfaceId, std::uint64_t units, const std::uint8_t* data,
                           std::uint32_t capLen, std::uint32_t origLen, std::uint32_t room,
                           std::uint64_t offset, RawPacket& out) {
    if (interfaceId >= m_interfaces.size()) {
        return unknownInterface("packet block", interfaceId, offset);
    }
    if (capLen > room) {
        return fail(offset, "corrupt pcapng packet block: captured length " +
                                std::to_string(capLen) + " does not fit in the block (" +
                                std::to_string(room) + " bytes of room)");
    }
    const Interface& iface = m_interfaces[interfaceId];
    // Unsigned addition: a nonsense offset wraps instead of overflowing.
    m_lastTsNs = static_cast<std::int64_t>(static_cast<std::uint64_t>(iface.scale.toNs(units)) +
                                           static_cast<std::uint64_t>(iface.offsetNs));
    out.number = ++m_delivered;
    out.tsNs = m_lastTsNs;
    out.linkType = iface.linkType;
    out.interfaceId = interfaceId;
    out.origLength = origLen;
    out.fileOffset = offset;
    out.data = {data, capLen};
    return true;
}

bool PcapngReader::unknownInterface(const char* block, std::uint32_t id, std::uint64_t offset) {
    return fail(offset, std::string("corrupt pcapng ") + block + ": interface " +
                            std::to_string(id) + " is not described (the section has " +
                            std::to_string(m_interfaces.size()) + " interfaces)");
}

}  // namespace sipscope::analyzer
