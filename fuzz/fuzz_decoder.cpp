// libFuzzer target: link, IP, tunnel, TCP and HEP decoding through the whole capture pipeline.
// Input: 1 byte choosing the link type, then packets as [2-byte length][bytes]... Invariants:
// no crash, every message's frames are packets that were fed, ids strictly increase.

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "decode/hep.hpp"
#include "pipeline/capture_pipeline.hpp"

using namespace sipscope::analyzer;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static constexpr int kLinks[] = {1, 0, 101, 108, 113, 276, 9, 228, 229};
    const int link = kLinks[data[0] % (sizeof kLinks / sizeof kLinks[0])];
    std::uint64_t lastId = 0, fed = 0;
    CapturePipeline pipeline({}, [&](ObservedMessage&& m) {
        if (m.id <= lastId) std::abort();
        lastId = m.id;
        for (auto f : m.frames)
            if (f == 0 || f > fed) std::abort();
        if (!m.bytes) std::abort();
    });
    std::size_t off = 1;
    while (off + 2 <= size) {
        const std::size_t len =
            std::min<std::size_t>((data[off] << 8) | data[off + 1], size - off - 2);
        off += 2;
        RawPacket p;
        p.number = ++fed;
        p.tsNs = static_cast<std::int64_t>(fed) * 1000000;
        p.linkType = link;
        p.origLength = static_cast<std::uint32_t>(len);
        p.data = std::span<const std::uint8_t>(data + off, len);
        pipeline.process(p);
        (void)decodeHep(p.data);
        off += len;
    }
    pipeline.finish();
    return 0;
}
