#include "message/params.hpp"

#include "syntax/char_class.hpp"

namespace sipscope::stack {

using namespace syntax;

namespace {

// gen-value chars: token plus what an unquoted host may hold ("[", "]", ":").
constexpr bool isGenValueChar(char c) noexcept {
    return isToken(c) || c == ':' || c == '[' || c == ']';
}

bool isIpv4(std::string_view s) noexcept {
    int parts = 0;
    std::size_t i = 0;
    while (i <= s.size()) {
        std::size_t j = i;
        while (j < s.size() && isDigit(s[j])) ++j;
        if (j == i || j - i > 3) return false;
        if (auto v = parseUnsigned(s.substr(i, j - i), 255); !v) return false;
        ++parts;
        if (j == s.size()) break;
        if (s[j] != '.') return false;
        i = j + 1;
    }
    return parts == 4;
}

bool isIpv6(std::string_view s) noexcept {
    // Loose structural check: hex groups, colons, at most one "::" run, optional dotted IPv4
    // tail. RFC 5118 §4.10 asks to tolerate the ":::" form the RFC 3261 ABNF allowed.
    if (s.size() < 2) return false;
    int colons = 0, groups = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        if (s[i] == ':') {
            ++colons;
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < s.size() && isHex(s[j])) ++j;
        if (j < s.size() && s[j] == '.') return colons >= 2 && isIpv4(s.substr(i));
        if (j == i || j - i > 4) return false;
        ++groups;
        i = j;
    }
    return colons >= 2 && colons <= 8 && groups <= 8;
}

bool isHostname(std::string_view s) noexcept {
    // hostname = *( domainlabel "." ) toplabel [ "." ]; '_' tolerated (seen in the field).
    if (s.empty() || s.front() == '.' || s.front() == '-') return false;
    char prev = '.';
    for (char c : s) {
        if (c == '.') {
            if (prev == '.') return false;
        } else if (!(isAlpha(c) || isDigit(c) || c == '-' || c == '_')) {
            return false;
        }
        prev = c;
    }
    return true;
}

}  // namespace

bool isValidHost(std::string_view host, bool allowBareIpv6) noexcept {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        return isIpv6(host.substr(1, host.size() - 2));
    if (allowBareIpv6 && host.find(':') != std::string_view::npos) return isIpv6(host);
    return isIpv4(host) || isHostname(host);
}

Result<bool> parseParams(Scanner& s, ParamList& out) {
    while (s.separator(';')) {
        GenericParam p;
        p.name = s.token();
        if (p.name.empty()) return s.error(ErrorCode::BadParam, "empty parameter after ';'");
        if (s.separator('=')) {
            p.hasValue = true;
            if (s.peek() == '"') {
                auto q = s.quotedString();
                if (!q.ok()) return q.error();
                p.value = *q;
            } else {
                p.value = s.span(kToken | kWordExtra);
                std::size_t bad = 0;
                for (char c : p.value) bad += isGenValueChar(c) ? 0 : 1;
                if (p.value.empty() || bad != 0) {
                    s.setPos(s.pos() - p.value.size());
                    return s.error(ErrorCode::BadParam, "bad value for parameter '" +
                                                            std::string(p.name) + "'");
                }
            }
        }
        out.push_back(p);
    }
    return true;
}

const GenericParam* findParam(const ParamList& params, std::string_view name) noexcept {
    for (const auto& p : params)
        if (iequals(p.name, name)) return &p;
    return nullptr;
}

void encodeParams(const ParamList& params, std::string& out) {
    for (const auto& p : params) {
        out.push_back(';');
        out.append(p.name);
        if (p.hasValue) out.append("=").append(p.value);
    }
}

}  // namespace sipscope::stack
