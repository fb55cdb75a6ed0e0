#pragma once
// A 64-bit digest of several fields, for keys that stand in for the fields themselves: the
// observer keeps a digest where it would otherwise keep copies of a Call-ID and tags per open
// transaction. Two different field lists give the same digest with probability about 2^-64
// (the splitmix64 finaliser after each field; strings enter through std::hash and their length),
// so among the n keys open at once a collision has probability about n^2 / 2^65.

#include <cstdint>
#include <functional>
#include <string_view>

namespace sipscope::stack {

class Digest {
  public:
    Digest& add(std::uint64_t v) noexcept {
        m_h = mix(m_h ^ v);
        return *this;
    }
    Digest& add(std::string_view s) noexcept {
        return add(std::hash<std::string_view>{}(s)).add(static_cast<std::uint64_t>(s.size()));
    }
    std::uint64_t value() const noexcept { return m_h; }

  private:
    static std::uint64_t mix(std::uint64_t x) noexcept {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9ull;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBull;
        return x ^ (x >> 31);
    }
    std::uint64_t m_h = 0x9E3779B97F4A7C15ull;
};

}  // namespace sipscope::stack
