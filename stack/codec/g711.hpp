#pragma once
// ITU-T G.711: µ-law (PCMU, RTP payload type 0) and A-law (PCMA, 8) code words to and from
// 16-bit linear PCM (G.711 §2, tables 1a/2a). One codec for the user agent's media and the
// analyzer's audio export.

#include <cstdint>
#include <string_view>
#include <vector>

namespace sipscope::stack {

// Encoders of one 16-bit linear sample.
std::uint8_t linearToUlaw(std::int16_t sample) noexcept;
std::uint8_t linearToAlaw(std::int16_t sample) noexcept;
// Decoders of one code word.
std::int16_t ulawToLinear(std::uint8_t code) noexcept;
std::int16_t alawToLinear(std::uint8_t code) noexcept;

enum class G711Law : std::uint8_t { Ulaw, Alaw };

// Appends the decoded samples of `payload` (one code word per byte) to `out`.
void decodeG711(G711Law law, std::string_view payload, std::vector<std::int16_t>& out);

}  // namespace sipscope::stack
