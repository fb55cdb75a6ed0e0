// openCaptureFile / openCaptureMemory: format detection by magic number.

#include <cstdio>

#include "capture/byte_input.hpp"
#include "capture/packet_source.hpp"
#include "capture/pcap_reader.hpp"
#include "capture/pcapng_reader.hpp"

namespace sipscope::analyzer {

namespace {

std::string hexBytes(const std::uint8_t* p, std::size_t n) {
    std::string s;
    char buf[4];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, i == 0 ? "%02x" : " %02x", p[i]);
        s += buf;
    }
    return s;
}

std::unique_ptr<PacketSource> openCapture(std::unique_ptr<ByteInput> in, const std::string& name,
                                          std::string& error) {
    const std::uint8_t* p = in->peek(4);
    const char* const after = in->compressed() ? " (after gzip decompression)" : "";
    if (!p) {
        if (!in->error().empty()) {
            error = name + ": " + in->error();
        } else if (in->available() == 0) {
            error = name + " is empty" + after;
        } else {
            error = name + " is not a capture file: only " + std::to_string(in->available()) +
                    " bytes" + after;
        }
        return nullptr;
    }
    const std::uint32_t magic = loadHost32(p);
    std::string why;
    for (const std::uint32_t m : {PcapReader::kMagicMicro, PcapReader::kMagicNano}) {
        if (magic == m || magic == __builtin_bswap32(m)) {
            auto source = PcapReader::open(std::move(in), why);
            if (!source) error = name + ": " + why;
            return source;
        }
    }
    if (magic == PcapngReader::kSectionHeaderType) {
        auto source = PcapngReader::open(std::move(in), why);
        if (!source) error = name + ": " + why;
        return source;
    }
    error = name + " is not a pcap or pcapng capture: unknown magic " + hexBytes(p, 4) + after;
    return nullptr;
}

}  // namespace

std::unique_ptr<PacketSource> openCaptureFile(const std::string& path, std::string& error) {
    const std::string name = path == "-" ? "standard input" : "'" + path + "'";
    auto in = ByteInput::openFile(path, error);
    if (!in) return nullptr;
    return openCapture(std::move(in), name, error);
}

std::unique_ptr<PacketSource> openCaptureMemory(std::span<const std::uint8_t> bytes,
                                                std::string& error) {
    return openCapture(ByteInput::openMemory(bytes), "the capture", error);
}

}  // namespace sipscope::analyzer
