#pragma once
// Header parameters: *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
// gen-value = token / host / quoted-string (RFC 3261 §25.1).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

struct GenericParam {
    std::string_view name;
    std::string_view value;  // raw: a quoted value keeps its quotes
    bool hasValue = false;

    bool quoted() const noexcept { return value.size() >= 2 && value.front() == '"'; }
    std::string unquotedValue() const {
        return quoted() ? syntax::unquote(value) : std::string(value);
    }
};

using ParamList = std::vector<GenericParam>;

// Parses parameters while the next non-LWS char is ';'. Stops before anything else (',' or end).
Result<bool> parseParams(syntax::Scanner& s, ParamList& out);

const GenericParam* findParam(const ParamList& params, std::string_view name) noexcept;

// Validates host = hostname / IPv4address / IPv6reference (RFC 3261 §25.1, RFC 5118 §4.5 also
// allows an unbracketed IPv6 address in received=).
bool isValidHost(std::string_view host, bool allowBareIpv6 = false) noexcept;

// Appends ";name=value" for each parameter.
void encodeParams(const ParamList& params, std::string& out);

}  // namespace sipscope::stack
