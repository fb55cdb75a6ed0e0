#pragma once
// Packet sources of the passive pipeline: capture files (pcap with µs or ns timestamps in
// either byte order, pcapng with per-interface link types and timestamp resolutions, both
// optionally gzip-compressed, or standard input) and live capture through sipscope-capture,
// which streams pcapng over a pipe. Files are streamed, never loaded whole.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sipscope::analyzer {

struct RawPacket {
    std::uint64_t number = 0;  // 1-based frame number in the capture
    std::int64_t tsNs = 0;     // capture time, ns since the Unix epoch
    int linkType = 0;          // LINKTYPE_* of the packet's interface
    std::uint32_t interfaceId = 0;
    std::uint32_t origLength = 0;        // length on the wire
    std::uint64_t fileOffset = 0;        // offset of the record in the (decompressed) stream
    std::span<const std::uint8_t> data;  // captured bytes; valid until the next call to next()
};

struct SourceError {
    std::uint64_t packetNumber = 0;  // the packet that could not be read (1-based)
    std::uint64_t offset = 0;        // byte offset in the (decompressed) stream
    std::string message;
};

class PacketSource {
  public:
    virtual ~PacketSource() = default;
    // Reads the next packet. False at the end of the input or on an error (then error() says
    // what and where; every packet before it was delivered).
    virtual bool next(RawPacket& out) = 0;
    virtual const std::optional<SourceError>& error() const = 0;
    virtual std::string formatName() const = 0;      // "pcap", "pcapng" (+ ", gzip")
    virtual std::vector<int> linkTypes() const = 0;  // link types seen so far
    virtual std::uint64_t bytesRead() const = 0;     // compressed bytes consumed (progress)
    virtual std::optional<std::uint64_t> totalBytes() const = 0;  // file size if known
    // While a live source (a pipe) has no packet to give, `handler` runs every `intervalMs` on
    // the reading thread (ByteInput::setIdleHandler). Files never wait, and never call it.
    virtual void setIdleHandler(std::function<void()> handler, int intervalMs) = 0;
};

// Opens a capture file ("-" = standard input). Detects pcap, pcapng and gzip by magic.
// Returns nullptr and sets `error` when the file cannot be opened or is not a capture.
std::unique_ptr<PacketSource> openCaptureFile(const std::string& path, std::string& error);

// Same for a capture held in memory (tests, fuzzing). The bytes are read as the packets are,
// so they must outlive the source.
std::unique_ptr<PacketSource> openCaptureMemory(std::span<const std::uint8_t> bytes,
                                                std::string& error);

}  // namespace sipscope::analyzer
