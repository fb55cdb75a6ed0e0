#pragma once
// pcapng block encoding (draft-ietf-opsawg-pcapng): section header, interface description,
// enhanced packet and interface statistics blocks, in host byte order (the byte-order magic in
// the section header tells readers which). Encoding only: CaptureOutput decides where the
// bytes go.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipscope::capture {

struct InterfaceDescription {
    std::string name;
    std::string filter;          // the BPF expression, empty when none
    std::uint16_t linkType = 0;  // a LINKTYPE_ value (not a DLT_ value)
    std::uint32_t snaplen = 0;
    std::uint8_t tsResolution = 6;  // if_tsresol: timestamps count 10^-tsResolution seconds
};

struct InterfaceCounters {
    std::uint64_t endTime = 0;               // in the interface's timestamp units
    std::optional<std::uint64_t> received;   // pcap_stats ps_recv
    std::optional<std::uint64_t> osDropped;  // ps_drop: the kernel buffer was full
    std::optional<std::uint64_t> ifDropped;  // ps_ifdrop: the interface dropped it
    std::uint64_t delivered = 0;             // packets written to the output
};

class PcapngWriter {
  public:
    explicit PcapngWriter(std::vector<std::uint8_t>& out) : m_out(out) {}

    void sectionHeader(std::string_view application);
    void interfaceDescription(const InterfaceDescription& interface);
    void enhancedPacket(std::uint32_t interfaceId, std::uint64_t timestamp,
                        std::span<const std::uint8_t> data, std::uint32_t originalLength);
    void interfaceStatistics(std::uint32_t interfaceId, const InterfaceCounters& counters);

    // Bytes enhancedPacket() appends for `captured` bytes of packet data.
    static std::size_t enhancedPacketSize(std::size_t captured);

  private:
    void beginBlock(std::uint32_t type);
    void endBlock();
    void u16(std::uint16_t value);
    void u32(std::uint32_t value);
    void u64(std::uint64_t value);
    void bytes(std::span<const std::uint8_t> data);  // padded to 32 bits
    void option(std::uint16_t code, std::span<const std::uint8_t> value);
    void option(std::uint16_t code, std::span<const std::byte> value);
    void option(std::uint16_t code, std::string_view value);
    void optionU64(std::uint16_t code, std::uint64_t value);

    std::vector<std::uint8_t>& m_out;
    std::size_t m_blockStart = 0;
    bool m_blockHasOptions = false;
};

}  // namespace sipscope::capture
