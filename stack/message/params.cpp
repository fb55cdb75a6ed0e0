#include "message/params.hpp"

#include "syntax/char_class.hpp"
#include "uri/uri.hpp"

namespace sipscope::stack {

using namespace syntax;

namespace {

// gen-value chars: token plus what an unquoted host may hold ("[", "]", ":").
constexpr bool isGenValueChar(char c) noexcept {
    return isToken(c) || c == ':' || c == '[' || c == ']';
}

}  // namespace

bool isValidHost(std::string_view host, bool allowBareIpv6) noexcept {
    return classifyHostText(host, allowBareIpv6) != HostKind::None;
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
                    return s.error(ErrorCode::BadParam,
                                   "bad value for parameter '" + std::string(p.name) + "'");
                }
            }
        }
        if (out.empty()) out.reserve(4);  // one allocation for the usual 1-4 params
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
