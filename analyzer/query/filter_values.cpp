// Literal values of the filter language: numbers, UTC times, quoted strings, regular expressions.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <new>

#include "query/filter_ast.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::analyzer::filter_detail {

namespace {

using stack::syntax::isDigit;

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, UTC).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

unsigned daysInMonth(std::int64_t y, unsigned m) {
    constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads exactly n digits at pos.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, unsigned& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!isDigit(s[pos + i])) return false;
        out = out * 10 + static_cast<unsigned>(s[pos + i] - '0');
    }
    pos += n;
    return true;
}

// "Z", "+HH:MM", "-HHMM" or nothing: the offset east of UTC in seconds.
bool zoneOffset(std::string_view s, std::size_t& pos, std::int64_t& offset) {
    offset = 0;
    if (pos == s.size()) return true;
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) return ++pos, true;
    if (s[pos] != '+' && s[pos] != '-') return false;
    const int sign = s[pos++] == '-' ? -1 : 1;
    unsigned h = 0, m = 0;
    if (!digits(s, pos, 2, h)) return false;
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (!digits(s, pos, 2, m) || pos != s.size() || h > 23 || m > 59) return false;
    offset = sign * static_cast<std::int64_t>(h * 3600 + m * 60);
    return true;
}

// "HH:MM[:SS[.frac]]" after the date: seconds into the day and the fraction.
bool timeOfDay(std::string_view s, std::size_t& pos, std::int64_t& secs, double& frac) {
    unsigned h = 0, mi = 0, sec = 0;
    if (!digits(s, pos, 2, h) || pos >= s.size() || s[pos++] != ':' || !digits(s, pos, 2, mi))
        return false;
    if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!digits(s, pos, 2, sec)) return false;
        if (pos < s.size() && s[pos] == '.') {
            const std::size_t begin = pos;
            ++pos;
            while (pos < s.size() && isDigit(s[pos]) && pos - begin <= 9) ++pos;
            if (pos - begin < 2) return false;
            double f = 0;
            std::from_chars(s.data() + begin + 1, s.data() + pos, f);
            frac = f / std::pow(10.0, static_cast<double>(pos - begin - 1));
        }
    }
    if (h > 23 || mi > 59 || sec > 59) return false;
    secs = h * 3600 + mi * 60 + sec;
    return true;
}

// A pattern std::regex would compile into a huge automaton (counted repetitions multiply) or
// compile and run with deep recursion (nested groups) is refused before it is compiled.
bool regexShapeOk(std::string_view p, std::string& why) {
    constexpr std::size_t kMaxSize = 2000;
    constexpr std::size_t kMaxGroups = 32;
    constexpr std::size_t kMaxNumberDigits = 6;
    struct Frame {
        std::size_t total = 0, alt = 0;
    };
    Frame frames[kMaxGroups + 1];
    std::size_t depth = 0, last = 0;
    // libstdc++ reads the number of a back-reference or a repetition count into a long with no
    // overflow check (undefined behaviour, found by fuzz_filter): refuse long ones first.
    const auto longNumberAt = [&](std::size_t at) {
        std::size_t n = 0;
        while (at + n < p.size() && isDigit(p[at + n])) ++n;
        return n > kMaxNumberDigits;
    };
    for (std::size_t i = 0; i < p.size();) {
        Frame& f = frames[depth];
        const char c = p[i++];
        if (c == '\\') {
            if (longNumberAt(i)) return why = "number after '\\' too long", false;
            ++i;
            last = 1;
        } else if (c == '[') {
            while (i < p.size() && p[i] != ']') {
                if (p[i] == '\\' && longNumberAt(i + 1))
                    return why = "number after '\\' too long", false;
                i += p[i] == '\\' ? 2 : 1;
            }
            ++i;
            last = 1;
        } else if (c == '(') {
            if (depth == kMaxGroups) return why = "groups nested more than 32 deep", false;
            if (i < p.size() && p[i] == '?') i += 2;
            frames[++depth] = Frame{};
            continue;
        } else if (c == ')' && depth > 0) {
            last = f.total + f.alt + 2;
            --depth;
        } else if (c == '|') {
            f.total += f.alt;
            f.alt = 0;
            continue;
        } else if (c == '*' || c == '+' || c == '?') {
            last = 2;
        } else if (c == '{' && i < p.size() && isDigit(p[i])) {
            if (longNumberAt(i)) return why = "repetition count too long", false;
            std::size_t n = 0, m = 0;
            while (i < p.size() && isDigit(p[i]) && n < 100000) n = n * 10 + (p[i++] - '0');
            m = n;
            if (i < p.size() && p[i] == ',') {
                if (longNumberAt(++i)) return why = "repetition count too long", false;
                m = i < p.size() && isDigit(p[i]) ? 0 : n + 1;
                while (i < p.size() && isDigit(p[i]) && m < 100000) m = m * 10 + (p[i++] - '0');
            }
            last *= std::max<std::size_t>({n, m, 1});
        } else {
            last = 1;
        }
        Frame& g = frames[depth];
        g.alt += last;
        if (g.total + g.alt > kMaxSize) return why = "too complex (repetitions too large)", false;
    }
    return true;
}

}  // namespace

std::optional<double> parseNumberText(std::string_view text, bool* outOfRange) {
    std::size_t pos = 0;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
    const std::size_t intBegin = pos;
    while (pos < text.size() && isDigit(text[pos])) ++pos;
    if (pos == intBegin) return std::nullopt;
    if (pos < text.size() && text[pos] == '.') {
        const std::size_t fracBegin = ++pos;
        while (pos < text.size() && isDigit(text[pos])) ++pos;
        if (pos == fracBegin) return std::nullopt;
    }
    if (pos != text.size()) return std::nullopt;
    // from_chars takes no '+'.
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);
    double value = 0;
    const auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
        if (outOfRange) *outOfRange = true;
        return std::nullopt;
    }
    return value;
}

std::string formatNumber(double value) {
    char buf[400];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
    if (ec != std::errc()) return "0";  // not reached for finite doubles
    return std::string(buf, end);
}

std::optional<double> parseTimeText(std::string_view s) {
    if (auto n = parseNumberText(s)) return n;
    std::size_t pos = 0;
    unsigned y = 0, mo = 0, d = 0;
    if (!digits(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, mo) ||
        pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, d))
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return std::nullopt;
    std::int64_t secs = 0, offset = 0;
    double frac = 0;
    if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
        ++pos;
        if (!timeOfDay(s, pos, secs, frac)) return std::nullopt;
    }
    if (!zoneOffset(s, pos, offset)) return std::nullopt;
    const std::int64_t whole = daysFromCivil(y, mo, d) * 86400 + secs - offset;
    return static_cast<double>(whole) + frac;
}

std::string formatTime(double t) {
    constexpr double kYear10000 = 253402300800.0;
    if (!(t >= 0 && t < kYear10000) || std::floor(t) != t) return formatNumber(t);
    const auto whole = static_cast<std::int64_t>(t);
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    civilFromDays(whole / 86400, y, m, d);
    const std::int64_t s = whole % 86400;
    char buf[32];
    const auto two = [](char* p, std::int64_t v) {
        p[0] = static_cast<char>('0' + v / 10);
        p[1] = static_cast<char>('0' + v % 10);
    };
    two(buf, y / 100);
    two(buf + 2, y % 100);
    buf[4] = '-';
    two(buf + 5, m);
    buf[7] = '-';
    two(buf + 8, d);
    buf[10] = 'T';
    two(buf + 11, s / 3600);
    buf[13] = ':';
    two(buf + 14, s / 60 % 60);
    buf[16] = ':';
    two(buf + 17, s % 60);
    buf[19] = 'Z';
    return '"' + std::string(buf, 20) + '"';
}

std::string quoteString(std::string_view text) {
    constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

std::shared_ptr<const std::regex> compileRegex(std::string_view pattern, bool icase,
                                               std::string& whyNot) {
    if (pattern.size() > kFilterRegexMaxLength) {
        whyNot = "longer than " + std::to_string(kFilterRegexMaxLength) + " bytes";
        return nullptr;
    }
    if (!regexShapeOk(pattern, whyNot)) return nullptr;
    auto flags = std::regex::ECMAScript | std::regex::optimize;
    if (icase) flags |= std::regex::icase;
#ifdef __GLIBCXX__
    // libstdc++'s default matcher backtracks recursively, one stack frame per character of the
    // subject; the polynomial (Thompson) matcher keeps the stack bounded by the pattern.
    flags |= std::regex_constants::__polynomial;
#endif
    try {
        return std::make_shared<const std::regex>(pattern.begin(), pattern.end(), flags);
    } catch (const std::regex_error& e) {
        whyNot = e.what();
    } catch (const std::bad_alloc&) {
        whyNot = "too large";
    }
    return nullptr;
}

bool asciiLess(std::string_view a, std::string_view b, bool icase) noexcept {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        auto x = static_cast<unsigned char>(icase ? stack::syntax::toLower(a[i]) : a[i]);
        auto y = static_cast<unsigned char>(icase ? stack::syntax::toLower(b[i]) : b[i]);
        if (x != y) return x < y;
    }
    return a.size() < b.size();
}

}  // namespace sipscope::analyzer::filter_detail
