#pragma once
// Internals shared by the uri_*.cpp files (host grammar, escape-aware comparison). Not part of
// the public interface: code outside stack/uri/ includes uri.hpp only.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "uri/uri.hpp"

namespace sipscope::stack::uri_detail {

using Ipv4Bytes = std::array<std::uint8_t, 4>;
using Ipv6Bytes = std::array<std::uint8_t, 16>;

// RFC 3261 §25.1 IPv4address: four dot-separated 1*3DIGIT octets, each at most 255.
std::optional<Ipv4Bytes> parseIpv4(std::string_view text) noexcept;

// RFC 4291 §2.2 text forms, without the brackets, including the embedded dotted quad and the
// RFC 5118 §4.10 ":::" form that the RFC 3261 ABNF allows. No zone ids.
std::optional<Ipv6Bytes> parseIpv6(std::string_view text) noexcept;

// The verdict on a host without brackets: its kind, or the offset of the offending byte within
// the host and a message.
struct HostCheck {
    HostKind kind = HostKind::None;
    std::size_t badOffset = 0;
    const char* message = nullptr;  // nullptr when the host is valid
};
HostCheck classifyHost(std::string_view host) noexcept;

// Bytes a host without brackets may contain: RFC 3261 hostname chars plus '_' (tolerated). A
// table, because this test runs once per host byte of every URI.
inline constexpr std::array<bool, 256> kHostCharTable = [] {
    std::array<bool, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    t['-'] = t['.'] = t['_'] = true;
    return t;
}();
constexpr bool isHostChar(char c) noexcept {
    return kHostCharTable[static_cast<unsigned char>(c)];
}

// RFC 3966 §3 visual-separator: allowed anywhere in a telephone number, ignored when comparing.
constexpr bool isVisualSeparator(char c) noexcept {
    return c == '-' || c == '.' || c == '(' || c == ')';
}

// RFC 3261 §19.1.4 equality of two (possibly escaped) URI components. An escape equals the
// character it encodes unless that character is "reserved"; `ignoreCase` folds ASCII letters.
bool componentsEqual(std::string_view a, std::string_view b, bool ignoreCase) noexcept;

}  // namespace sipscope::stack::uri_detail
