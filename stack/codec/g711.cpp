#include "codec/g711.hpp"

#include <array>

namespace sipscope::stack {

std::uint8_t linearToUlaw(std::int16_t sample) noexcept {
    constexpr int kBias = 0x84, kClip = 32635;
    int s = sample;
    const int sign = (s >> 8) & 0x80;
    if (sign) s = -s;
    if (s > kClip) s = kClip;
    s += kBias;
    int exponent = 7;
    for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
    const int mantissa = (s >> (exponent + 3)) & 0x0f;
    return static_cast<std::uint8_t>(~(sign | (exponent << 4) | mantissa));
}

std::uint8_t linearToAlaw(std::int16_t sample) noexcept {
    int s = sample;
    int mask = 0xd5;  // sign bit set (positive) with even bits inverted
    if (s < 0) {
        mask = 0x55;
        s = -s - 1;
    }
    s >>= 3;  // 13-bit magnitude
    int seg = 0;
    for (int bound = 0x1f; s > bound && seg < 8; bound = (bound << 1) | 1) ++seg;
    if (seg >= 8) return static_cast<std::uint8_t>(0x7f ^ mask);
    const int mantissa = seg < 2 ? (s >> 1) & 0x0f : (s >> seg) & 0x0f;
    return static_cast<std::uint8_t>(((seg << 4) | mantissa) ^ mask);
}

std::int16_t ulawToLinear(std::uint8_t code) noexcept {
    const int u = static_cast<std::uint8_t>(~code);
    const int t = (((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7);
    return static_cast<std::int16_t>((u & 0x80) ? 0x84 - t : t - 0x84);
}

std::int16_t alawToLinear(std::uint8_t code) noexcept {
    const int a = code ^ 0x55;
    const int seg = (a >> 4) & 7;
    int t = (a & 0x0f) << 4;
    t += seg == 0 ? 8 : 0x108;
    if (seg > 1) t <<= seg - 1;
    return static_cast<std::int16_t>((a & 0x80) ? t : -t);
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

}  // namespace sipscope::stack
