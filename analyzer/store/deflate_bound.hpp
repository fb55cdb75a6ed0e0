#pragma once
// The bound of the zlib (deflate) streams of schemas 4-6, which the readers still expand.

#include <cstddef>

namespace sipscope::analyzer::store {

// Deflate cannot expand an input more than 1032:1 (RFC 1951 §3.2.5: 258 octets from one 2-bit
// code at best), so a claimed size above input * 1032 is refused before any allocation.
inline constexpr std::size_t kDeflateMaxRatio = 1032;

}  // namespace sipscope::analyzer::store
