#pragma once
// name-addr / addr-spec values (RFC 3261 §20.10, §25.1): From, To, Contact, Route,
// Record-Route, Reply-To, Refer-To, P-Asserted-Identity and friends.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "message/params.hpp"
#include "uri/uri.hpp"

namespace sipscope::stack {

struct NameAddr {
    std::string_view display;  // raw: quoted-string with quotes, or the token list; may be ""
    Uri uri;
    bool bracketed = false;  // name-addr form (<...>) vs addr-spec
    ParamList params;        // header parameters (after the URI / the '>')

    std::string displayName() const;  // unquoted, escapes resolved
    std::string_view tag() const noexcept;
    std::string encode() const;

    // A single value (From, To, Refer-To ...): text after the value is an error.
    static Result<NameAddr> parse(std::string_view value);
};

// A comma-separated list of name-addr/addr-spec values; Contact also allows "*" (§20.10).
struct NameAddrList {
    bool star = false;
    std::vector<NameAddr> items;
    static Result<NameAddrList> parse(std::string_view value);
};

// Route, Record-Route, Path, Service-Route: name-addr form is mandatory (§25.1 rec-route).
struct RouteList {
    std::vector<NameAddr> items;
    static Result<RouteList> parse(std::string_view value);
};

}  // namespace sipscope::stack
