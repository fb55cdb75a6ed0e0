#pragma once
// A cursor over a header value. Positions are offsets into the value; CR and LF inside a value
// can only come from line folding (RFC 3261 §7.3.1), so they count as whitespace here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::stack::syntax {

class Scanner {
  public:
    explicit Scanner(std::string_view text) noexcept : m_text(text) {}

    std::size_t pos() const noexcept { return m_pos; }
    void setPos(std::size_t p) noexcept { m_pos = p; }
    bool atEnd() const noexcept { return m_pos >= m_text.size(); }
    char peek() const noexcept { return atEnd() ? '\0' : m_text[m_pos]; }
    std::string_view text() const noexcept { return m_text; }
    std::string_view rest() const noexcept { return m_text.substr(m_pos); }

    // Skips SP/HT/CR/LF; returns whether anything was skipped.
    bool skipLws() noexcept {
        const std::size_t start = m_pos;
        while (m_pos < m_text.size() && isLws(m_text[m_pos])) ++m_pos;
        return m_pos != start;
    }
    // Consumes `c` optionally surrounded by LWS (SEMI, COMMA, EQUAL, SLASH, COLON of §25.1).
    bool separator(char c) noexcept {
        std::size_t p = m_pos;
        while (p < m_text.size() && isLws(m_text[p])) ++p;
        if (p >= m_text.size() || m_text[p] != c) return false;
        m_pos = p + 1;
        skipLws();
        return true;
    }
    bool consume(char c) noexcept {
        if (atEnd() || m_text[m_pos] != c) return false;
        ++m_pos;
        return true;
    }
    std::string_view span(std::uint16_t cls) noexcept {  // 1*chars of a class
        const std::size_t start = m_pos;
        while (m_pos < m_text.size() && is(m_text[m_pos], cls)) ++m_pos;
        return std::string_view(m_text.data() + start, m_pos - start);
    }
    std::string_view token() noexcept { return span(kToken); }  // 1*token chars; empty if none
    std::string_view digits() noexcept { return span(kDigit); }
    // quoted-string: DQUOTE *(qdtext / quoted-pair) DQUOTE; returns the raw slice with quotes.
    Result<std::string_view> quotedString();
    // comment: "(" *(ctext / quoted-pair / comment) ")"; nesting allowed.
    Result<std::string_view> comment();

    Error error(ErrorCode code, std::string message) const {
        return makeError(code, m_pos, std::move(message));
    }

  private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

// Removes the quotes and resolves quoted-pairs of a raw quoted-string slice.
std::string unquote(std::string_view quoted);
// Index just past the quoted-string whose opening '"' is at `open` (quoted-pairs skipped), or
// s.size() when it never closes.
std::size_t skipQuoted(std::string_view s, std::size_t open) noexcept;
// Trims LWS from both ends.
inline std::string_view trimLws(std::string_view s) noexcept {
    std::size_t b = 0, e = s.size();
    while (b < e && isLws(s[b])) ++b;
    while (e > b && isLws(s[e - 1])) --e;
    return s.substr(b, e - b);
}
// Parses an unsigned decimal; fails on overflow of `max` or non-digits.
std::optional<std::uint64_t> parseUnsigned(std::string_view s, std::uint64_t max) noexcept;

}  // namespace sipscope::stack::syntax
