#include "message/auth.hpp"

#include "syntax/char_class.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

using namespace syntax;

Result<AuthValue> AuthValue::parse(std::string_view value) {
    Scanner s(value);
    s.skipLws();
    AuthValue a;
    a.scheme = s.token();
    if (a.scheme.empty()) return s.error(ErrorCode::BadHeaderValue, "auth scheme missing");
    if (!s.skipLws()) {
        if (s.atEnd()) return a;  // scheme only: tolerated for unknown schemes
        return s.error(ErrorCode::BadHeaderValue, "expected LWS after the auth scheme");
    }
    do {
        GenericParam p;
        p.name = s.token();
        if (p.name.empty()) return s.error(ErrorCode::BadParam, "expected auth-param name");
        if (!s.separator('=')) return s.error(ErrorCode::BadParam, "expected '=' in auth-param");
        p.hasValue = true;
        if (s.peek() == '"') {
            auto q = s.quotedString();
            if (!q.ok()) return q.error();
            p.value = *q;
        } else {
            p.value = s.span(kToken | kWordExtra);
            if (p.value.empty()) return s.error(ErrorCode::BadParam, "auth-param value missing");
        }
        if (a.params.empty()) a.params.reserve(8);  // Digest carries 5-10 auth-params
        a.params.push_back(p);
    } while (s.separator(','));
    s.skipLws();
    if (!s.atEnd()) return s.error(ErrorCode::BadHeaderValue, "unexpected text after auth-params");
    return a;
}

bool AuthValue::isDigest() const noexcept {
    return iequals(scheme, "Digest");
}

std::optional<std::string> AuthValue::param(std::string_view name) const {
    const GenericParam* p = findParam(params, name);
    if (!p) return std::nullopt;
    return p->unquotedValue();
}

bool AuthValue::stale() const {
    const auto v = param("stale");
    return v && iequals(*v, "true");
}

}  // namespace sipscope::stack
