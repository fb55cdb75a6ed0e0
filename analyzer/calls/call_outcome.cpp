// The outcome of a call: state, final code, times, media and the per-call RFC 6076 metrics.
#include <algorithm>
#include <charconv>

#include "calls/call_data.hpp"
#include "message/body.hpp"
#include "message/header_id.hpp"

namespace sipscope::analyzer {

namespace {

double ms(std::int64_t fromNs, std::int64_t toNs) {
    return static_cast<double>(toNs - fromNs) / 1e6;
}

// The attempt that decides the outcome: the first one answered with a 2xx, else the latest
// (a retry after 401/407 or after a failure replaces the earlier ones).
const Attempt* deciding(const CallData& c) {
    for (const auto& a : c.attempts)
        if (a.finalCode && *a.finalCode < 300) return &a;
    return c.attempts.empty() ? nullptr : &c.attempts.back();
}

CallState stateOf(const Attempt& a) {
    if (!a.finalCode) {
        if (a.timeout) return CallState::Timeout;  // Timer B/F (RFC 3261 §17.1.1.2, §17.1.2.2)
        return a.ringNs ? CallState::Ringing : CallState::InProgress;
    }
    const int code = *a.finalCode;
    if (code < 300) return CallState::Answered;
    if (code == 486 || code == 600) return CallState::Busy;
    if (code == 487 || a.cancelled) return CallState::Cancelled;
    if (code == 408) return CallState::Timeout;
    if (code >= 500 && code < 600) return CallState::Failed;
    return CallState::Rejected;
}

CallKind kindOf(const CallData& c) {
    const std::string& m = c.method.empty() ? c.firstRequestMethod : c.method;
    if (m == "INVITE" || (c.method.empty() && c.inviteDialog)) return CallKind::Call;
    if (m == "REGISTER") return CallKind::Register;
    if (m == "OPTIONS") return CallKind::Options;
    if (m == "MESSAGE") return CallKind::Message;
    if (m == "SUBSCRIBE") return CallKind::Subscribe;
    return CallKind::Other;
}

// RFC 6076 per-call metrics; each formula is stated next to its line.
CallMetrics metricsOf(const CallData& c, const CallRecord& r, const Attempt* a) {
    CallMetrics out;
    if (c.attempts.empty()) return out;
    const std::int64_t first = c.attempts.front().ns;
    std::optional<std::int64_t> ring, firstResponse;
    for (const auto& x : c.attempts) {
        if (x.ringNs && (!ring || *x.ringNs < *ring)) ring = x.ringNs;
        if (x.firstResponseNs && (!firstResponse || *x.firstResponseNs < *firstResponse))
            firstResponse = x.firstResponseNs;
    }
    if (r.kind == CallKind::Call) {
        // Post-dial delay: first INVITE -> first 180/183 (ITU-T E.721 style, as users expect).
        if (ring) out.pddMs = ms(first, *ring);
        // SRD (RFC 6076 §4.3): INVITE -> first non-100 provisional, or the final response of
        // a failed setup; 401/407 challenges do not end the delay.
        if (firstResponse) out.srdMs = ms(first, *firstResponse);
        // SDT (RFC 6076 §4.5): 200 OK to the INVITE -> BYE (of the call's last dialog).
        if (r.answerNs && c.lastByeNs && *c.lastByeNs >= *r.answerNs)
            out.sdtMs = ms(*r.answerNs, *c.lastByeNs);
        // SDD (RFC 6076 §4.4): BYE -> its final response.
        if (c.byeNs && c.byeDoneNs) out.sddMs = ms(*c.byeNs, *c.byeDoneNs);
    }
    // RRD (RFC 6076 §4.1): first REGISTER -> its 2xx, challenges included.
    if (r.kind == CallKind::Register && a && a->finalCode && *a->finalCode < 300)
        out.rrdMs = ms(first, *a->finalNs);
    return out;
}

}  // namespace

CallRecord buildRecord(const CallData& c) {
    CallRecord r;
    r.callId = c.callIds.empty() ? std::string() : c.callIds.front();
    r.callIds = c.callIds;
    r.kind = kindOf(c);
    r.method = c.method.empty() ? c.firstRequestMethod : c.method;
    r.fromUser = c.fromUser;
    r.toUser = c.toUser;
    r.caller = c.caller;
    r.callee = c.callee;
    r.userAgent = c.userAgent;
    r.transport = c.transport;
    r.startNs = c.startNs;
    r.messages = c.messages;
    r.retransmissions = c.retransmissions;
    r.duplicates = c.duplicates;
    r.legs = static_cast<std::uint32_t>(c.legHops.size());
    r.transactions = c.transactions;
    r.authChallenges = c.authChallenges;
    r.media = c.media;
    r.anomalies = c.anomalies;
    r.messageIds = c.messageIds;
    r.key = c.no;
    r.legHops = c.legHops;
    r.firstMessageId = c.firstRequestId;
    r.firstRequest = c.firstRequest;
    for (const auto& [key, state] : c.dialogs) {
        if (state == stack::DialogState::Early) ++r.dialogs.early;
        if (state == stack::DialogState::Confirmed) ++r.dialogs.confirmed;
        if (state == stack::DialogState::Terminated) ++r.dialogs.terminated;
    }
    const Attempt* a = deciding(c);
    if (a) {
        r.state = stateOf(*a);
        r.finalCode = a->finalCode;
        r.finalReason = a->reason;
        if (r.state == CallState::Answered) r.answerNs = a->finalNs;
        if (r.state == CallState::Answered && r.kind == CallKind::Call)
            r.endNs = c.lastByeNs;  // a session lasts until the BYE of its last dialog
        else if (a->finalNs)
            r.endNs = a->finalNs;
        else if (r.state == CallState::Timeout)
            r.endNs = c.lastNs;
    } else if (c.byeNs) {
        // Began mid-call: a BYE means the session had been established.
        r.state = CallState::Answered;
        r.endNs = c.lastByeNs;
    }
    if (r.authChallenges > 0 && a && a->finalCode)
        r.authOk = *a->finalCode != 401 && *a->finalCode != 407;
    r.metrics = metricsOf(c, r, a);
    return r;
}

void addMedia(CallData& c, const stack::SipMessage& m, std::uint64_t messageId,
              const char* origin) {
    constexpr std::size_t kMaxMedia = 32;
    const stack::BodyInfo& body = stack::bodyInfo(m);
    if (!body.sdp) return;
    const stack::SdpSession& sdp = *body.sdp;
    for (const auto& media : sdp.media) {
        if (c.media.size() >= kMaxMedia) return;
        MediaSummary s;
        s.origin = origin;
        s.messageId = messageId;
        s.type = std::string(media.type);
        const auto& conn = media.connection ? media.connection : sdp.connection;
        if (conn) s.address = std::string(conn->address);
        s.port = media.port;
        const auto dir = media.direction ? *media.direction
                         : sdp.direction ? *sdp.direction
                                         : stack::SdpDirection::SendRecv;
        s.direction = std::string(stack::directionName(dir));
        for (const auto& fmt : media.formats) {
            std::string codec(fmt);
            int pt = -1;
            const auto [end, ec] = std::from_chars(fmt.data(), fmt.data() + fmt.size(), pt);
            if (ec == std::errc() && end == fmt.data() + fmt.size()) {
                const auto name = media.encodingOf(pt);
                if (!name.empty()) codec = std::string(name);
            }
            s.codecs.push_back(std::move(codec));
        }
        // RFC 3264 §8.4: hold is sendonly/inactive, or (RFC 2543 style) a 0.0.0.0 address.
        s.hold = dir == stack::SdpDirection::SendOnly || dir == stack::SdpDirection::Inactive ||
                 s.address == "0.0.0.0";
        c.media.push_back(std::move(s));
    }
}

std::vector<std::string> headerValues(const stack::SipMessage& m, std::string_view name) {
    std::vector<std::string> out;
    const stack::HeaderId id = stack::lookupHeader(name);
    for (const auto& h : m.headers()) {
        const bool same =
            id != stack::HeaderId::Unknown
                ? h.id == id
                : h.id == stack::HeaderId::Unknown && h.name.size() == name.size() &&
                      std::equal(h.name.begin(), h.name.end(), name.begin(), [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                      });
        if (same) out.emplace_back(h.value);
    }
    return out;
}

const char* callKindName(CallKind k) noexcept {
    constexpr const char* kNames[] = {"call",    "register",  "options",
                                      "message", "subscribe", "other"};
    return kNames[static_cast<std::size_t>(k)];
}

const char* callStateName(CallState s) noexcept {
    constexpr const char* kNames[] = {"in_progress", "ringing",   "answered", "busy",
                                      "rejected",    "cancelled", "timeout",  "failed"};
    return kNames[static_cast<std::size_t>(s)];
}

}  // namespace sipscope::analyzer
