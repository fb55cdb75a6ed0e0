#include "text_table.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace sipscope::cli {

namespace {

// Display width of UTF-8 text: continuation bytes take no column.
std::size_t width(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char ch : s)
        if ((ch & 0xC0) != 0x80) ++n;
    return n;
}

}  // namespace

TextTable::TextTable(std::vector<std::string> columns) {
    for (auto& c : columns) {
        const bool right = !c.empty() && c.back() == '>';
        if (right) c.pop_back();
        m_right.push_back(right);
        m_columns.push_back(std::move(c));
    }
}

void TextTable::add(std::vector<std::string> row) {
    row.resize(m_columns.size());
    m_rows.push_back(std::move(row));
}

void TextTable::print(std::ostream& out) const {
    std::vector<std::size_t> widths;
    for (const auto& c : m_columns) widths.push_back(width(c));
    for (const auto& row : m_rows)
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], width(row[i]));
    auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const std::string pad(widths[i] - width(cells[i]), ' ');
            const bool last = i + 1 == cells.size();
            text += m_right[i] ? pad + cells[i] : cells[i] + (last ? "" : pad);
            if (!last) text += "  ";
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out << text << '\n';
    };
    line(m_columns);
    for (const auto& row : m_rows) line(row);
}

std::string clockTime(std::int64_t ns) {
    const std::time_t secs = static_cast<std::time_t>(ns / 1000000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>((ns / 1000000) % 1000));
    return buf;
}

std::string fixed(const double* value, int decimals) {
    if (!value) return "-";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, *value);
    return buf;
}

}  // namespace sipscope::cli
