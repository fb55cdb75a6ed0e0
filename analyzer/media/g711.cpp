#include "media/g711.hpp"

#include <array>

namespace sipscope::analyzer {

std::int16_t ulawToLinear(std::uint8_t octet) noexcept {
    // G.711 µ-law: the octet is transmitted inverted; sign, 3-bit segment, 4-bit mantissa.
    // Magnitude = ((mantissa << 3) + 0x84) << segment, less the bias 0x84.
    const std::uint8_t u = static_cast<std::uint8_t>(~octet);
    const int segment = (u >> 4) & 0x07;
    const int magnitude = ((((u & 0x0F) << 3) + 0x84) << segment) - 0x84;
    return static_cast<std::int16_t>((u & 0x80) ? -magnitude : magnitude);
}

std::int16_t alawToLinear(std::uint8_t octet) noexcept {
    // G.711 A-law: even bits inverted (XOR 0x55); sign 1 means positive.
    const std::uint8_t a = static_cast<std::uint8_t>(octet ^ 0x55);
    const int segment = (a >> 4) & 0x07;
    int magnitude = (a & 0x0F) << 4;
    magnitude += segment == 0 ? 8 : 0x108;
    if (segment > 1) magnitude <<= segment - 1;
    return static_cast<std::int16_t>((a & 0x80) ? magnitude : -magnitude);
}

namespace {

template <std::int16_t (*F)(std::uint8_t) noexcept>
const std::array<std::int16_t, 256>& table() {
    static const std::array<std::int16_t, 256> t = [] {
        std::array<std::int16_t, 256> out{};
        for (int i = 0; i < 256; ++i)
            out[static_cast<std::size_t>(i)] = F(static_cast<std::uint8_t>(i));
        return out;
    }();
    return t;
}

}  // namespace

void decodeG711(G711Law law, std::string_view payload, std::vector<std::int16_t>& out) {
    const auto& t = law == G711Law::Ulaw ? table<ulawToLinear>() : table<alawToLinear>();
    out.reserve(out.size() + payload.size());
    for (char c : payload) out.push_back(t[static_cast<unsigned char>(c)]);
}

}  // namespace sipscope::analyzer
