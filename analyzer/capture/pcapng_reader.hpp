#pragma once
// Reader for pcapng (draft-ietf-opsawg-pcapng): sections (each with its own byte order and
// interfaces), interfaces with their own link type and timestamp resolution, and enhanced,
// simple and obsolete packet blocks. Every other block is skipped by its length.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/byte_order.hpp"
#include "capture/capture_reader.hpp"

namespace sipscope::analyzer {

// Converts pcapng timestamp units (if_tsresol: 10^-n or 2^-n seconds) to nanoseconds.
class TimestampScale {
  public:
    // draft-ietf-opsawg-pcapng §4.2, if_tsresol: MSB clear = 10^-v s, MSB set = 2^-(v & 0x7f) s.
    // nullopt when the resolution does not fit 64-bit arithmetic.
    static std::optional<TimestampScale> fromTsresol(std::uint8_t value);

    // Wraps modulo 2^64 for timestamps beyond year 2262: garbage in, defined garbage out.
    std::int64_t toNs(std::uint64_t units) const noexcept;

  private:
    enum class Kind : std::uint8_t { Multiply, Divide, Binary };
    Kind m_kind = Kind::Multiply;
    std::uint64_t m_factor = 1000;  // Multiply: ns per unit; Divide: units per ns
    unsigned m_shift = 0;           // Binary: a unit is 2^-shift s
};

class PcapngReader final : public CaptureReader {
  public:
    static constexpr std::uint32_t kSectionHeaderType = 0x0a0d0d0a;

    // `in` is positioned at a section header block. Returns nullptr and sets `error` when the
    // first section header is truncated or unusable.
    static std::unique_ptr<PacketSource> open(std::unique_ptr<ByteInput> in, std::string& error);

    bool next(RawPacket& out) override;

  private:
    struct Interface {
        int linkType = 0;
        std::uint32_t snapLen = 0;
        TimestampScale scale;
        std::int64_t offsetNs = 0;  // if_tsoffset
    };

    explicit PcapngReader(std::unique_ptr<ByteInput> in);

    bool readSectionHeader(std::uint64_t offset);
    bool checkLength(std::uint32_t type, std::uint32_t length, std::uint64_t offset);
    bool addInterface(const std::uint8_t* block, std::uint32_t length, std::uint64_t offset);
    bool readEnhanced(const std::uint8_t* block, std::uint32_t length, std::uint64_t offset,
                      RawPacket& out);
    bool readObsolete(const std::uint8_t* block, std::uint32_t length, std::uint64_t offset,
                      RawPacket& out);
    bool readSimple(const std::uint8_t* block, std::uint32_t length, std::uint64_t offset,
                    RawPacket& out);
    bool deliver(std::uint32_t interfaceId, std::uint64_t units, const std::uint8_t* data,
                 std::uint32_t capLen, std::uint32_t origLen, std::uint32_t room,
                 std::uint64_t offset, RawPacket& out);
    bool unknownInterface(const char* block, std::uint32_t id, std::uint64_t offset);

    ByteOrder m_order;
    std::vector<Interface> m_interfaces;  // of the current section
    std::int64_t m_lastTsNs = 0;          // simple packet blocks have no timestamp
};

}  // namespace sipscope::analyzer
