#pragma once
// Known header names with their compact forms (RFC 3261 §7.3.3, §20 and the extensions SIP
// engineers meet daily). Unknown headers keep HeaderId::Unknown and their name as written.

#include <cstdint>
#include <string_view>

namespace sipscope::stack {

enum class HeaderId : std::uint8_t {
    Unknown = 0,
    Accept,
    AcceptContact,
    AcceptEncoding,
    AcceptLanguage,
    AlertInfo,
    Allow,
    AllowEvents,
    AuthenticationInfo,
    Authorization,
    CallId,
    CallInfo,
    Contact,
    ContentDisposition,
    ContentEncoding,
    ContentLanguage,
    ContentLength,
    ContentType,
    CSeq,
    Date,
    ErrorInfo,
    Event,
    Expires,
    From,
    Identity,
    InReplyTo,
    MaxForwards,
    MimeVersion,
    MinExpires,
    MinSE,
    Organization,
    PAssertedIdentity,
    PPreferredIdentity,
    Path,
    Priority,
    Privacy,
    ProxyAuthenticate,
    ProxyAuthorization,
    ProxyRequire,
    RAck,
    Reason,
    RecordRoute,
    ReferTo,
    ReferredBy,
    Replaces,
    ReplyTo,
    RequestDisposition,
    Require,
    RetryAfter,
    Route,
    RSeq,
    Server,
    ServiceRoute,
    SessionExpires,
    SessionId,
    SipETag,
    SipIfMatch,
    Subject,
    SubscriptionState,
    Supported,
    Timestamp,
    To,
    Unsupported,
    UserAgent,
    Via,
    Warning,
    WwwAuthenticate,
    XCallId,
    XCid,
    Count_
};

// Canonical spelling ("Call-ID", "WWW-Authenticate"); "" for Unknown.
std::string_view headerName(HeaderId id) noexcept;
// Case-insensitive lookup of a full or compact name.
HeaderId lookupHeader(std::string_view name) noexcept;
// Headers whose value may be a comma-separated list (RFC 3261 §7.3.1).
bool isListHeader(HeaderId id) noexcept;
// Headers that must appear at most once with a single value (RFC 3261 §20, §7.3.1).
bool isSingleValued(HeaderId id) noexcept;

}  // namespace sipscope::stack
