#pragma once
// WWW-Authenticate, Proxy-Authenticate, Authorization, Proxy-Authorization
// (RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1; RFC 8760 algorithms).
// challenge/credentials = auth-scheme LWS auth-param *(COMMA auth-param).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "message/params.hpp"

namespace sipscope::stack {

struct AuthValue {
    std::string_view scheme;  // "Digest" or any other token
    ParamList params;         // name=value, values raw (quoted ones keep their quotes)

    bool isDigest() const noexcept;
    // Unquoted value of a parameter, nullopt when absent.
    std::optional<std::string> param(std::string_view name) const;
    std::string realm() const { return param("realm").value_or(""); }
    std::string nonce() const { return param("nonce").value_or(""); }
    std::string algorithm() const { return param("algorithm").value_or("MD5"); }
    std::string username() const { return param("username").value_or(""); }
    bool stale() const;

    static Result<AuthValue> parse(std::string_view value);
};

}  // namespace sipscope::stack
