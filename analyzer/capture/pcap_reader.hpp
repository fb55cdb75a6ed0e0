#pragma once
// Reader for the classic pcap format (draft-ietf-opsawg-pcap): a 24-byte file header, then
// 16-byte record headers each followed by the captured bytes.

#include <memory>
#include <string>

#include "capture/byte_order.hpp"
#include "capture/capture_reader.hpp"

namespace sipscope::analyzer {

class PcapReader final : public CaptureReader {
  public:
    // pcap magic numbers as read in the file's own byte order.
    static constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4;
    static constexpr std::uint32_t kMagicNano = 0xa1b23c4d;

    // `in` is positioned at a pcap magic (either byte order). Returns nullptr and sets `error`
    // when the file header is truncated or unusable.
    static std::unique_ptr<PacketSource> open(std::unique_ptr<ByteInput> in, std::string& error);

    bool next(RawPacket& out) override;

  private:
    PcapReader(std::unique_ptr<ByteInput> in, ByteOrder order, bool nano, std::uint32_t snapLen,
               int linkType);

    ByteOrder m_order;
    std::int64_t m_fractionToNs;
    std::uint32_t m_maxCaptureLength;
    int m_linkType;
};

}  // namespace sipscope::analyzer
