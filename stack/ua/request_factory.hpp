#pragma once
// Building the user agent's requests (RFC 3261 §8.1.1 out of dialog, §12.2.1.1 inside a dialog,
// §9.1 CANCEL, §13.2.2.4 ACK for a 2xx) and choosing where they go (§8.1.2, §12.2.1.1: first
// Route, else the remote target). The first request's next hops come from RFC 3263 server
// location (locateNextHops); in-dialog targets (dialogTarget) keep getaddrinfo on the host as
// given, because a blocking DNS lookup must not stall a running call's event loop.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "dialog/dialog.hpp"
#include "message/sip_message.hpp"
#include "ua/sip_endpoint.hpp"

namespace sipscope::stack::ua {

inline constexpr const char* kUserAgent = "SipScope";

using ExtraHeaders = std::vector<std::pair<std::string, std::string>>;

// The fixed parts of a request series (a call, a registration): who sends it, to whom.
struct RequestSeries {
    std::string requestUri, fromUri, toUri, fromTag, callId, contact;
    std::uint32_t cseq = 1;
};

struct BodyPart {
    std::string contentType, content;
};

// RFC 3261 §8.1.1: Via, Max-Forwards, From (tag), To, Call-ID, CSeq, Contact, then `extra`.
Result<SipMessage> buildRequest(const RequestSeries& series, std::string_view method,
                                const std::string& via, const ExtraHeaders& extra = {},
                                const std::optional<BodyPart>& body = std::nullopt);

// RFC 3261 §12.2.1.1: Request-URI = remote target, Route = route set, tags from the dialog.
Result<SipMessage> buildInDialog(const Dialog& dialog, std::string_view method, std::uint32_t cseq,
                                 const std::string& via, const std::string& contact,
                                 const ExtraHeaders& extra = {},
                                 const std::optional<BodyPart>& body = std::nullopt);

// RFC 3261 §9.1: same Request-URI, Call-ID, From, To, CSeq number and top Via as the INVITE.
Result<SipMessage> buildCancel(const SipMessage& invite);

// The SockAddr for host[:port] of a SIP URI (default port per protocol), or nullopt.
std::optional<net::SockAddr> resolveUriHost(std::string_view uri, net::Protocol protocol,
                                            std::string* host = nullptr);

// One next hop for the first request and how it was found: "naptr", "srv", "a", "literal"
// (RFC 3263 §4) or "getaddrinfo" (the system resolver, see locateNextHops).
struct NextHop {
    Target target;
    std::string how;
};

struct LocateOptions {
    std::optional<net::Protocol> transport;  // the user's choice; else the URI's ;transport=
    std::vector<net::SockAddr> dnsServers;   // empty: the nameservers of /etc/resolv.conf
    RandomSource random;                     // DNS ids and RFC 2782 weighted selection
};

// RFC 3263 §4: the next hops for the SIP/SIPS URI `uri`, most preferred first (§4.3: try them in
// turn). A numeric host needs no DNS. "localhost" is the loopback (RFC 6761 §6.3), found through
// getaddrinfo. With the system's nameservers, getaddrinfo is the last resort when RFC 3263 finds
// nothing (no server reachable, or a name only /etc/hosts knows); with explicit `dnsServers` the
// DNS answer is final. Empty with `error` set when there is no hop.
std::vector<NextHop> locateNextHops(std::string_view uri, const LocateOptions& options,
                                    std::string& error);

// Where in-dialog requests go: first Route, else the remote target; `fallback` when that does
// not resolve (a Contact with a private name).
Target dialogTarget(const Dialog& dialog, const Target& fallback);

}  // namespace sipscope::stack::ua
