#pragma once
// LEB128 varints (7 bits per octet, low first, high bit = more) and zigzag signed values: the
// integers of the store's packed formats (call_json_blob.hpp, block_messages.hpp).

#include <cstdint>
#include <string>
#include <string_view>

namespace sipscope::analyzer::store {

inline void putVarint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

// Reads one varint from the front of `in`; false when `in` ends inside it or it runs past 64
// bits (ten octets).
inline bool getVarint(std::string_view& in, std::uint64_t& v) {
    v = 0;
    for (unsigned shift = 0; shift < 64 && !in.empty(); shift += 7) {
        const auto b = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        v |= std::uint64_t{b & 0x7fu} << shift;
        if (!(b & 0x80)) return true;
    }
    return false;
}

// Signed values as zigzag varints: small magnitudes of either sign stay short.
inline void putSigned(std::string& out, std::int64_t v) {
    putVarint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

inline bool getSigned(std::string_view& in, std::int64_t& v) {
    std::uint64_t u = 0;
    if (!getVarint(in, u)) return false;
    v = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
}

}  // namespace sipscope::analyzer::store
