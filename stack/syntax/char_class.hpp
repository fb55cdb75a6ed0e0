#pragma once
// Character classes of the RFC 3261 §25.1 grammar as constexpr lookup tables.

#include <array>
#include <cstdint>
#include <string_view>

namespace sipscope::stack::syntax {

enum CharClass : std::uint16_t {
    kAlpha = 1 << 0,
    kDigit = 1 << 1,
    kHex = 1 << 2,
    kToken = 1 << 3,  // token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
    kUnreserved = 1 << 4,       // alphanum / mark
    kUserUnreserved = 1 << 5,   // "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
    kParamUnreserved = 1 << 6,  // "[" / "]" / "/" / ":" / "&" / "+" / "$"
    kHnvUnreserved = 1 << 7,    // "[" / "]" / "/" / "?" / ":" / "+" / "$"
    kPasswordExtra = 1 << 8,    // "&" / "=" / "+" / "$" / ","
    kWordExtra = 1 << 9,        // word chars beyond token: ( ) < > : \ DQUOTE / [ ] ? { }
    kWsp = 1 << 10,             // SP / HTAB
    kLws = 1 << 11,             // SP / HTAB / CR / LF (folding inside a header value)
    kReserved = 1 << 12,        // ";" / "/" / "?" / ":" / "@" / "&" / "=" / "+" / "$" / ","
};

namespace detail {
constexpr std::array<std::uint16_t, 256> buildTable() {
    std::array<std::uint16_t, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) t[c] |= kAlpha | kToken | kUnreserved;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kAlpha | kToken | kUnreserved;
    for (int c = '0'; c <= '9'; ++c) t[c] |= kDigit | kHex | kToken | kUnreserved;
    for (int c = 'a'; c <= 'f'; ++c) t[c] |= kHex;
    for (int c = 'A'; c <= 'F'; ++c) t[c] |= kHex;
    for (char c : std::string_view("-.!%*_+`'~")) t[static_cast<unsigned char>(c)] |= kToken;
    for (char c : std::string_view("-_.!~*'()")) t[static_cast<unsigned char>(c)] |= kUnreserved;
    for (char c : std::string_view("&=+$,;?/")) t[static_cast<unsigned char>(c)] |= kUserUnreserved;
    for (char c : std::string_view("[]/:&+$")) t[static_cast<unsigned char>(c)] |= kParamUnreserved;
    for (char c : std::string_view("[]/?:+$")) t[static_cast<unsigned char>(c)] |= kHnvUnreserved;
    for (char c : std::string_view("&=+$,")) t[static_cast<unsigned char>(c)] |= kPasswordExtra;
    for (char c : std::string_view("()<>:\\\"/[]?{}"))
        t[static_cast<unsigned char>(c)] |= kWordExtra;
    for (char c : std::string_view(";/?:@&=+$,")) t[static_cast<unsigned char>(c)] |= kReserved;
    t[' '] |= kWsp | kLws;
    t['\t'] |= kWsp | kLws;
    t['\r'] |= kLws;
    t['\n'] |= kLws;
    return t;
}
inline constexpr std::array<std::uint16_t, 256> kTable = buildTable();
}  // namespace detail

constexpr bool is(char c, std::uint16_t cls) noexcept {
    return (detail::kTable[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool isAlpha(char c) noexcept {
    return is(c, kAlpha);
}
constexpr bool isDigit(char c) noexcept {
    return is(c, kDigit);
}
constexpr bool isHex(char c) noexcept {
    return is(c, kHex);
}
constexpr bool isToken(char c) noexcept {
    return is(c, kToken);
}
constexpr bool isWsp(char c) noexcept {
    return is(c, kWsp);
}
constexpr bool isLws(char c) noexcept {
    return is(c, kLws);
}
constexpr bool isWordChar(char c) noexcept {
    return is(c, kToken | kWordExtra);
}

constexpr char toLower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (toLower(a[i]) != toLower(b[i])) return false;
    return true;
}

constexpr bool allOf(std::string_view s, std::uint16_t cls) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is(c, cls)) return false;
    return true;
}
constexpr bool isTokenString(std::string_view s) noexcept {
    return allOf(s, kToken);
}

constexpr int hexValue(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace sipscope::stack::syntax
