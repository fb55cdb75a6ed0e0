#include "core/json_writer.hpp"

#include <charconv>
#include <cstdio>

namespace sipscope::analyzer {

void JsonWriter::separator() {
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_first.empty()) {
        if (!m_first.back()) m_out.push_back(',');
        m_first.back() = false;
    }
}

JsonWriter& JsonWriter::beginObject() {
    separator();
    m_out.push_back('{');
    m_first.push_back(true);
    return *this;
}
JsonWriter& JsonWriter::endObject() {
    m_out.push_back('}');
    m_first.pop_back();
    return *this;
}
JsonWriter& JsonWriter::beginArray() {
    separator();
    m_out.push_back('[');
    m_first.push_back(true);
    return *this;
}
JsonWriter& JsonWriter::endArray() {
    m_out.push_back(']');
    m_first.pop_back();
    return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
    separator();
    escaped(k);
    m_out.push_back(':');
    m_afterKey = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    separator();
    escaped(s);
    return *this;
}
// Numbers go through std::to_chars: no allocation, no locale, and for a double with a
// precision the same digits as printf("%.*f") (C++17 [charconv.to.chars]), several times
// faster. Every call record writes a dozen of them.
template <typename T>
void JsonWriter::integer(T n) {
    separator();
    char buf[24];
    m_out.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}
JsonWriter& JsonWriter::value(std::int64_t n) {
    integer(n);
    return *this;
}
JsonWriter& JsonWriter::value(std::uint64_t n) {
    integer(n);
    return *this;
}
JsonWriter& JsonWriter::value(double d, int decimals) {
    separator();
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed, decimals);
    if (r.ec == std::errc{}) {
        m_out.append(buf, r.ptr);
    } else {  // more digits than fit here (|d| >= 1e40 or so): printf gives the same text
        const int n = std::snprintf(nullptr, 0, "%.*f", decimals, d);
        const std::size_t at = m_out.size();
        m_out.resize(at + static_cast<std::size_t>(n) + 1);
        std::snprintf(m_out.data() + at, static_cast<std::size_t>(n) + 1, "%.*f", decimals, d);
        m_out.pop_back();
    }
    return *this;
}
JsonWriter& JsonWriter::value(bool b) {
    separator();
    m_out.append(b ? "true" : "false");
    return *this;
}
JsonWriter& JsonWriter::null() {
    separator();
    m_out.append("null");
    return *this;
}

namespace {
// Length of a valid UTF-8 sequence starting at s[i], or 0.
std::size_t utf8Length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t min = 0;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (i + n > s.size()) return 0;
    std::uint32_t cp = c & (0x3F >> (n - 1));
    for (std::size_t k = 1; k < n; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}
}  // namespace

void JsonWriter::escaped(std::string_view s) {
    m_out.push_back('"');
    const auto plain = [](unsigned char c) {
        return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        // Printable ASCII needing no escape goes out as one run.
        std::size_t run = i;
        while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
        if (run > i) {
            m_out.append(s.data() + i, run - i);
            if (run == s.size()) break;
            i = run;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '"':
                m_out.append("\\\"");
                continue;
            case '\\':
                m_out.append("\\\\");
                continue;
            case '\n':
                m_out.append("\\n");
                continue;
            case '\r':
                m_out.append("\\r");
                continue;
            case '\t':
                m_out.append("\\t");
                continue;
            default:
                break;
        }
        if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            m_out.append(buf);
        } else if (c < 0x80) {
            m_out.push_back(static_cast<char>(c));
        } else if (const std::size_t n = utf8Length(s, i); n > 0) {
            m_out.append(s.substr(i, n));
            i += n - 1;
        } else {
            m_out.append("\xEF\xBF\xBD");  // U+FFFD for a byte that is not UTF-8
        }
    }
    m_out.push_back('"');
}

}  // namespace sipscope::analyzer
