#pragma once
// ITU-T G.711 decoding: µ-law (PCMU, RTP payload type 0) and A-law (PCMA, 8) octets to 16-bit
// linear PCM, by the expansion rules of G.711 §2 / tables 1a and 2a.

#include <cstdint>
#include <string_view>
#include <vector>

namespace sipscope::analyzer {

std::int16_t ulawToLinear(std::uint8_t octet) noexcept;
std::int16_t alawToLinear(std::uint8_t octet) noexcept;

enum class G711Law : std::uint8_t { Ulaw, Alaw };

// Appends the decoded samples of `payload` to `out`.
void decodeG711(G711Law law, std::string_view payload, std::vector<std::int16_t>& out);

}  // namespace sipscope::analyzer
