// libFuzzer target for the capture-file readers (pcap, pcapng, gzip): any input either fails to
// open with a message or yields packets numbered 1, 2, … at increasing offsets, whose bytes are
// exactly the file's bytes at the record, and then ends (with an error naming the next packet
// number, or cleanly). Never a crash, a leak or a hang.

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "capture/packet_source.hpp"

using namespace sipscope::analyzer;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

// Where a packet's bytes start inside its record, for uncompressed input.
std::size_t dataOffset(const std::uint8_t* record, bool pcapng) {
    if (!pcapng) return 16;
    std::uint32_t type;
    std::memcpy(&type, record, sizeof type);
    const bool simple = type == 3 || type == __builtin_bswap32(3);
    return simple ? 12 : 28;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string error;
    auto source = openCaptureMemory({data, size}, error);
    if (!source) {
        check(!error.empty());
        return 0;
    }
    const std::string format = source->formatName();
    const bool compressed = format.find("gzip") != std::string::npos;
    const bool pcapng = format.rfind("pcapng", 0) == 0;
    RawPacket p;
    std::bitset<65536> seen;  // link types of delivered packets
    std::uint64_t count = 0;
    std::uint64_t lastOffset = 0;
    while (source->next(p)) {
        check(p.number == ++count);
        check(count == 1 || p.fileOffset > lastOffset);
        lastOffset = p.fileOffset;
        check(p.data.size() <= (16u << 20));
        if (!compressed) {
            // Plain input: the delivered bytes are the file's bytes inside the record.
            check(p.fileOffset + 12 <= size);
            const std::size_t at = p.fileOffset + dataOffset(data + p.fileOffset, pcapng);
            check(at + p.data.size() <= size);
            check(p.data.empty() || std::memcmp(p.data.data(), data + at, p.data.size()) == 0);
        }
        check(p.linkType >= 0 && p.linkType <= 0xffff);
        seen.set(static_cast<std::size_t>(p.linkType));
    }
    const auto& failure = source->error();
    if (failure) {
        check(failure->packetNumber == count + 1);
        check(!failure->message.empty());
        check(count == 0 || failure->offset > lastOffset);
    }
    for (const int t : source->linkTypes()) seen.reset(static_cast<std::size_t>(t));
    check(seen.none());
    check(!source->next(p));
    check(source->bytesRead() <= size);
    check(source->totalBytes() && *source->totalBytes() == size);
    return 0;
}
