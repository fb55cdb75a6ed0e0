#include "parser/framing_lines.hpp"

#include <cstring>

#include "syntax/byte_search.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

using namespace syntax;

namespace {

// "SIP/" in any case, then a digit. The letters are folded to lower case with one OR of the
// four bytes ('/' and the bytes that fold onto the letters' lower case are distinct).
inline bool isVersionAt(std::string_view s, std::size_t i) noexcept {
    if (s.size() < i + 5) return false;
    std::uint32_t w;
    std::memcpy(&w, s.data() + i, 4);
    std::uint32_t want;
    std::memcpy(&want, "sip/", 4);
    std::uint32_t fold;
    std::memcpy(&fold, "\x20\x20\x20\x00", 4);
    return (w | fold) == want && isDigit(s[i + 4]);
}

// The value after `name` (the colon and LWS around it skipped) as Content-Length: -1 when it
// is not a number, nullopt when no ':' follows the name (another header, "Content-Lengthy").
std::optional<std::int64_t> contentLengthValue(std::string_view line, std::size_t name) noexcept {
    while (name < line.size() && isLws(line[name])) ++name;
    if (name == line.size() || line[name] != ':') return std::nullopt;
    auto v = parseUnsigned(trimLws(line.substr(name + 1)), 0xFFFFFFFFu);
    return v ? static_cast<std::int64_t>(*v) : -1;
}

}  // namespace

bool looksLikeStartLine(std::string_view line) noexcept {
    // No control characters anywhere (a NUL or bare CR means this is not a text start line).
    if (hasControl(line)) return false;
    if (isVersionAt(line, 0)) {
        // Status-Line: SIP-Version SP 3DIGIT [SP Reason-Phrase]
        const std::size_t sp = line.find(' ');
        if (sp == std::string_view::npos || line.size() < sp + 4) return false;
        const std::string_view code = line.substr(sp + 1, 3);
        return allOf(code, kDigit) && (line.size() == sp + 4 || line[sp + 4] == ' ');
    }
    const std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0 || !isTokenString(line.substr(0, sp))) return false;
    std::size_t last = line.size();
    while (last > 0 && isWsp(line[last - 1])) --last;  // trailing SP is an error, not a non-SIP
    last = line.rfind(' ', last - 1);
    return last != std::string_view::npos && last > sp && isVersionAt(line, last + 1);
}

namespace framing {

std::optional<bool> firstLineIsStartLine(std::string_view p, std::size_t maxLine) noexcept {
    const std::string_view head = p.substr(0, maxLine < p.size() ? maxLine + 1 : p.size());
    const std::size_t firstNl = findByte(head, 0, '\n');
    if (firstNl == head.size())
        return p.size() > maxLine ? std::optional<bool>(false) : std::nullopt;
    std::string_view first = p.substr(0, firstNl);
    if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
    return looksLikeStartLine(first);
}

std::optional<std::int64_t> lineContentLength(std::string_view line) noexcept {
    // Without LWS before it, the name must start the line: "Content-Length" or "l" then LWS/':'.
    if (!isLws(line[0])) {
        const char c0 = static_cast<char>(line[0] | 0x20);
        if (c0 == 'l') return contentLengthValue(line, 1);
        if (c0 != 'c' || line.size() < 14 || !iequals(line.substr(0, 14), "Content-Length"))
            return std::nullopt;
        return contentLengthValue(line, 14);
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view name = trimLws(line.substr(0, colon));
    if (!iequals(name, "Content-Length") && !iequals(name, "l")) return std::nullopt;
    return contentLengthValue(line, colon);
}

}  // namespace framing
}  // namespace sipscope::stack
