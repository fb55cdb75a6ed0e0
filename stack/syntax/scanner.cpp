#include "syntax/scanner.hpp"

#include "syntax/byte_search.hpp"

namespace sipscope::stack::syntax {

Result<std::string_view> Scanner::quotedString() {
    const std::size_t start = m_pos;
    if (!consume('"')) return error(ErrorCode::BadHeaderValue, "expected '\"'");
    while (m_pos < m_text.size()) {
        const char c = m_text[m_pos];
        if (c == '"') {
            ++m_pos;
            return m_text.substr(start, m_pos - start);
        }
        // RFC 3261 §25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
        if (c == '\\') {
            if (m_pos + 1 >= m_text.size()) break;
            const auto n = static_cast<unsigned char>(m_text[m_pos + 1]);
            if (n == 0x0A || n == 0x0D || n > 0x7F) {
                return error(ErrorCode::BadHeaderValue, "invalid quoted-pair in quoted-string");
            }
            m_pos += 2;
            continue;
        }
        ++m_pos;
    }
    m_pos = start;
    return error(ErrorCode::UnterminatedQuote, "quoted-string has no closing '\"'");
}

Result<std::string_view> Scanner::comment() {
    const std::size_t start = m_pos;
    if (!consume('(')) return error(ErrorCode::BadHeaderValue, "expected '('");
    int depth = 1;
    while (m_pos < m_text.size() && depth > 0) {
        const char c = m_text[m_pos++];
        if (c == '\\' && m_pos < m_text.size()) {
            ++m_pos;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')') {
            --depth;
        }
    }
    if (depth != 0) {
        m_pos = start;
        return error(ErrorCode::BadHeaderValue, "comment has no closing ')'");
    }
    return m_text.substr(start, m_pos - start);
}

std::string unquote(std::string_view q) {
    if (q.size() >= 2 && q.front() == '"' && q.back() == '"') q = q.substr(1, q.size() - 2);
    std::string out;
    out.reserve(q.size());
    for (std::size_t i = 0; i < q.size(); ++i) {
        if (q[i] == '\\' && i + 1 < q.size()) ++i;
        out.push_back(q[i]);
    }
    return out;
}

std::size_t skipQuoted(std::string_view s, std::size_t open) noexcept {
    for (std::size_t i = findAnyOf(s, open + 1, '"', '\\', '\\'); i < s.size();
         i = findAnyOf(s, i + 2, '"', '\\', '\\')) {
        if (s[i] == '"') return i + 1;
        if (i + 2 >= s.size()) break;  // a quoted-pair at the end
    }
    return s.size();
}

std::optional<std::uint64_t> parseUnsigned(std::string_view s, std::uint64_t max) noexcept {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    if (s.size() <= 19) {  // 19 digits cannot overflow 64 bits: check `max` once at the end
        for (char c : s) {
            if (!isDigit(c)) return std::nullopt;
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (v > max) return std::nullopt;
        return v;
    }
    for (char c : s) {
        if (!isDigit(c)) return std::nullopt;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (max - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

}  // namespace sipscope::stack::syntax
