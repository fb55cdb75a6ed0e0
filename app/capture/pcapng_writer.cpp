#include "pcapng_writer.hpp"

#include <cstring>

namespace sipscope::capture {

namespace {

// Block types and option codes from draft-ietf-opsawg-pcapng §4 and §3.5.
constexpr std::uint32_t kSectionHeaderBlock = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescriptionBlock = 1;
constexpr std::uint32_t kInterfaceStatisticsBlock = 5;
constexpr std::uint32_t kEnhancedPacketBlock = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;

constexpr std::uint16_t kOptEndOfOptions = 0;
constexpr std::uint16_t kShbUserApplication = 4;
constexpr std::uint16_t kIfName = 2;
constexpr std::uint16_t kIfTsResolution = 9;
constexpr std::uint16_t kIfFilter = 11;
constexpr std::uint16_t kIsbEndTime = 3;
constexpr std::uint16_t kIsbIfReceived = 4;
constexpr std::uint16_t kIsbIfDropped = 5;
constexpr std::uint16_t kIsbOsDropped = 7;
constexpr std::uint16_t kIsbUserDelivered = 8;

constexpr std::size_t padded(std::size_t n) {
    return (n + 3) & ~std::size_t{3};
}

}  // namespace

std::size_t PcapngWriter::enhancedPacketSize(std::size_t captured) {
    // type, length, interface id, timestamp (2), captured, original, data, trailing length
    return 7 * 4 + padded(captured) + 4;
}

void PcapngWriter::sectionHeader(std::string_view application) {
    beginBlock(kSectionHeaderBlock);
    u32(kByteOrderMagic);
    u16(1);                  // major version
    u16(0);                  // minor version
    u64(~std::uint64_t{0});  // section length not known: we stream
    option(kShbUserApplication, application);
    endBlock();
}

void PcapngWriter::interfaceDescription(const InterfaceDescription& interface) {
    beginBlock(kInterfaceDescriptionBlock);
    u16(interface.linkType);
    u16(0);  // reserved
    u32(interface.snaplen);
    option(kIfName, interface.name);
    const std::uint8_t resolution[] = {interface.tsResolution};
    option(kIfTsResolution, resolution);
    if (!interface.filter.empty()) {
        // if_filter: first byte 0 says the rest is a libpcap filter string.
        std::vector<std::uint8_t> value{0};
        value.insert(value.end(), interface.filter.begin(), interface.filter.end());
        option(kIfFilter, value);
    }
    endBlock();
}

void PcapngWriter::enhancedPacket(std::uint32_t interfaceId, std::uint64_t timestamp,
                                  std::span<const std::uint8_t> data,
                                  std::uint32_t originalLength) {
    beginBlock(kEnhancedPacketBlock);
    u32(interfaceId);
    u32(static_cast<std::uint32_t>(timestamp >> 32));
    u32(static_cast<std::uint32_t>(timestamp));
    u32(static_cast<std::uint32_t>(data.size()));
    u32(originalLength);
    bytes(data);
    endBlock();
}

void PcapngWriter::interfaceStatistics(std::uint32_t interfaceId,
                                       const InterfaceCounters& counters) {
    beginBlock(kInterfaceStatisticsBlock);
    u32(interfaceId);
    u32(static_cast<std::uint32_t>(counters.endTime >> 32));
    u32(static_cast<std::uint32_t>(counters.endTime));
    // Option timestamps, like block timestamps, are two 32-bit words: high, then low.
    const std::uint32_t endTime[] = {static_cast<std::uint32_t>(counters.endTime >> 32),
                                     static_cast<std::uint32_t>(counters.endTime)};
    option(kIsbEndTime, std::as_bytes(std::span(endTime)));
    if (counters.received) optionU64(kIsbIfReceived, *counters.received);
    if (counters.ifDropped) optionU64(kIsbIfDropped, *counters.ifDropped);
    if (counters.osDropped) optionU64(kIsbOsDropped, *counters.osDropped);
    optionU64(kIsbUserDelivered, counters.delivered);
    endBlock();
}

void PcapngWriter::beginBlock(std::uint32_t type) {
    m_blockStart = m_out.size();
    m_blockHasOptions = false;
    u32(type);
    u32(0);  // total length, patched by endBlock()
}

void PcapngWriter::endBlock() {
    if (m_blockHasOptions) {
        u16(kOptEndOfOptions);
        u16(0);
    }
    const auto total = static_cast<std::uint32_t>(m_out.size() - m_blockStart + 4);
    u32(total);
    std::memcpy(m_out.data() + m_blockStart + 4, &total, sizeof total);
}

void PcapngWriter::u16(std::uint16_t value) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    m_out.insert(m_out.end(), p, p + sizeof value);
}

void PcapngWriter::u32(std::uint32_t value) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    m_out.insert(m_out.end(), p, p + sizeof value);
}

void PcapngWriter::u64(std::uint64_t value) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    m_out.insert(m_out.end(), p, p + sizeof value);
}

void PcapngWriter::bytes(std::span<const std::uint8_t> data) {
    m_out.insert(m_out.end(), data.begin(), data.end());
    m_out.resize(m_out.size() + (padded(data.size()) - data.size()), 0);
}

void PcapngWriter::option(std::uint16_t code, std::span<const std::uint8_t> value) {
    // Option values are at most 65535 bytes; a longer filter expression is cut.
    if (value.size() > 65535) value = value.first(65535);
    m_blockHasOptions = true;
    u16(code);
    u16(static_cast<std::uint16_t>(value.size()));
    bytes(value);
}

void PcapngWriter::option(std::uint16_t code, std::span<const std::byte> value) {
    option(code, std::span(reinterpret_cast<const std::uint8_t*>(value.data()), value.size()));
}

void PcapngWriter::option(std::uint16_t code, std::string_view value) {
    option(code, std::as_bytes(std::span(value.data(), value.size())));
}

void PcapngWriter::optionU64(std::uint16_t code, std::uint64_t value) {
    option(code, std::as_bytes(std::span(&value, 1)));
}

}  // namespace sipscope::capture
