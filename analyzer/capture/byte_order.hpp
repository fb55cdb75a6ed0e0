#pragma once
// Unaligned integer loads in a byte order chosen at run time: pcap and pcapng files are written
// in the byte order of the host that captured them, and a pcapng file may switch between
// sections.

#include <cstdint>
#include <cstring>

namespace sipscope::analyzer {

class ByteOrder {
  public:
    explicit ByteOrder(bool swapped = false) noexcept : m_swapped(swapped) {}

    bool swapped() const noexcept { return m_swapped; }

    std::uint16_t u16(const std::uint8_t* p) const noexcept {
        std::uint16_t v;
        std::memcpy(&v, p, sizeof v);
        return m_swapped ? __builtin_bswap16(v) : v;
    }
    std::uint32_t u32(const std::uint8_t* p) const noexcept {
        std::uint32_t v;
        std::memcpy(&v, p, sizeof v);
        return m_swapped ? __builtin_bswap32(v) : v;
    }
    std::uint64_t u64(const std::uint8_t* p) const noexcept {
        std::uint64_t v;
        std::memcpy(&v, p, sizeof v);
        return m_swapped ? __builtin_bswap64(v) : v;
    }

  private:
    bool m_swapped;
};

// Raw host-order load, for comparing magic numbers in both byte orders.
inline std::uint32_t loadHost32(const std::uint8_t* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace sipscope::analyzer
