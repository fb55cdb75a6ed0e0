#pragma once
// The line tests of stream framing (RFC 3261 §18.3): whether a line looks like a start line
// (where framing resyncs after garbage or a lost segment) and whether a header line is
// Content-Length. Shared by the stream framer and the analyzer's stream classifiers.

#include <cstdint>
#include <optional>
#include <string_view>

#include "syntax/char_class.hpp"

namespace sipscope::stack {

// True when `line` (no terminator) has the shape of a request or status line.
bool looksLikeStartLine(std::string_view line) noexcept;

namespace framing {

// Whether the first line of `p` looks like a start line; nullopt while it is not complete. A
// line whose line feed lies more than `maxLine` bytes in is no start line (it could not begin
// a header section within the limit), and that is known as soon as as many bytes are there:
// the verdict never depends on how the bytes arrived.
std::optional<bool> firstLineIsStartLine(std::string_view p, std::size_t maxLine) noexcept;

// Content-Length (or its compact form "l") on one header line: nullopt when the line is another
// header, -1 when it is Content-Length but not a number.
std::optional<std::int64_t> lineContentLength(std::string_view line) noexcept;

// A cheap necessary condition for lineContentLength() on the line starting at `s`: the
// scan calls it for every line starting with c, l or LWS (Call-ID, CSeq, Contact, ...), and
// only "Co?????-L..." or "l:" / "l " can be Content-Length without LWS before the name.
inline bool mayBeContentLength(std::string_view p, std::size_t s) noexcept {
    if (s + 9 > p.size()) return true;  // too short to tell here: the full check decides
    const char c0 = static_cast<char>(p[s] | 0x20);
    if (c0 == 'l') return p[s + 1] == ':' || syntax::isLws(p[s + 1]);
    if (c0 == 'c')
        return static_cast<char>(p[s + 1] | 0x20) == 'o' && p[s + 7] == '-' &&
               static_cast<char>(p[s + 8] | 0x20) == 'l';
    return true;  // LWS before the name
}

}  // namespace framing
}  // namespace sipscope::stack
