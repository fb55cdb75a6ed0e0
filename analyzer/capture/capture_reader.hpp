#pragma once
// CaptureReader: what the pcap and pcapng file readers share: the byte input, error reporting
// with packet number and offset, the link types seen, progress.

#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/byte_input.hpp"
#include "capture/packet_source.hpp"

namespace sipscope::analyzer {

// No capture format allows more than 2^18 bytes per packet in practice (libpcap's largest
// snapshot length); 16 MiB leaves room for odd writers and still catches garbage lengths before
// they turn into huge reads.
inline constexpr std::uint32_t kMaxCaptureLength = 16u << 20;

class CaptureReader : public PacketSource {
  public:
    const std::optional<SourceError>& error() const override { return m_error; }
    std::string formatName() const override;
    std::vector<int> linkTypes() const override { return m_linkTypes; }
    std::uint64_t bytesRead() const override { return m_in->rawBytesConsumed(); }
    std::optional<std::uint64_t> totalBytes() const override { return m_in->rawSize(); }
    void setIdleHandler(std::function<void()> handler, int intervalMs) override {
        m_in->setIdleHandler(std::move(handler), intervalMs);
    }

  protected:
    CaptureReader(std::unique_ptr<ByteInput> in, const char* format);

    // Stops the read with an error about the record at `offset`; returns false for `return`.
    bool fail(std::uint64_t offset, std::string message);
    // After peek(`needed`) failed for the record at `offset`: a clean end when nothing is left,
    // otherwise a truncated `what` (or the input's own read/gzip error). Returns false.
    bool endOrTruncated(std::uint64_t offset, std::size_t needed, const char* what);
    void noteLinkType(int linkType);

    std::unique_ptr<ByteInput> m_in;
    std::uint64_t m_delivered = 0;  // packets handed out so far
    bool m_done = false;

  private:
    const char* m_format;
    std::optional<SourceError> m_error;
    std::vector<int> m_linkTypes;
    std::bitset<65536> m_seenLinkTypes;
};

}  // namespace sipscope::analyzer
