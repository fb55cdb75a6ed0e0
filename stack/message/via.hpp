#pragma once
// Via (RFC 3261 §20.42, §25.1; rport RFC 3581; IPv6 RFC 5118 §4.5).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "message/params.hpp"

namespace sipscope::stack {

struct Via {
    std::string_view protocolName;     // "SIP"
    std::string_view protocolVersion;  // "2.0"
    std::string_view transport;        // "UDP", "TCP", "TLS", "SCTP", "WS", ... as written
    std::string_view host;             // IPv6 references keep their brackets
    std::optional<std::uint16_t> port;
    ParamList params;

    std::string_view branch() const noexcept;
    std::string_view received() const noexcept;
    std::string_view maddr() const noexcept;
    bool hasRport() const noexcept;
    std::optional<std::uint16_t> rport() const noexcept;  // value of rport=N, if any
    // RFC 3261 §8.1.1.7: branches that start with the magic cookie are globally unique.
    bool hasMagicCookie() const noexcept;

    std::string encode() const;
};

// A Via header line: via-parm *(COMMA via-parm).
struct ViaList {
    std::vector<Via> vias;
    static Result<ViaList> parse(std::string_view value);
};

inline constexpr std::string_view kMagicCookie = "z9hG4bK";

}  // namespace sipscope::stack
