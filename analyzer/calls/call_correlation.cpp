// B2BUA leg correlation (issue: "B2BUA legs are tied through X-CID / X-Call-ID / Session-ID
// (RFC 7989) or, failing those, a configurable time+number heuristic").
#include <algorithm>
#include <cctype>

#include "calls/call_data.hpp"
#include "calls/call_tracker.hpp"
#include "core/ip_address.hpp"
#include "message/key_headers.hpp"
#include "message/name_addr.hpp"

namespace sipscope::analyzer {

namespace {

constexpr std::string_view kNullUuid = "00000000000000000000000000000000";

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return out;
}

// RFC 7989 §4: Session-ID = local-uuid [;remote=remote-uuid]; both are 32 hex digits.
std::vector<std::string> sessionUuids(const stack::SipMessage& m) {
    std::vector<std::string> out;
    const std::string_view value = m.headerValue(stack::HeaderId::SessionId);
    if (value.empty()) return out;
    const std::string_view local = value.substr(0, value.find(';'));
    auto add = [&](std::string_view uuid) {
        while (!uuid.empty() && (uuid.back() == ' ' || uuid.back() == '\t')) uuid.remove_suffix(1);
        if (uuid.size() == 32 && uuid != kNullUuid) out.push_back(lower(uuid));
    };
    add(local);
    add(stack::headerParam(value, "remote"));
    return out;
}

// The digits of a number without leading zeros (trunk and international prefixes: 0..., 00...).
std::string digitsOf(std::string_view user) {
    std::string out;
    for (char ch : user)
        if (std::isdigit(static_cast<unsigned char>(ch)) && (ch != '0' || !out.empty()))
            out.push_back(ch);
    return out;
}

// The same called number: equal users, or at least 6 digits where one number ends the other
// once leading zeros are gone (a B2BUA adds or strips a prefix: +4930..., 004930..., 030...).
bool sameNumber(std::string_view a, std::string_view b) {
    if (a.empty() || b.empty()) return false;
    if (a == b) return true;
    const std::string da = digitsOf(a), db = digitsOf(b);
    if (da.size() < 6 || db.size() < 6) return false;
    const std::string& shorter = da.size() < db.size() ? da : db;
    const std::string& longer = da.size() < db.size() ? db : da;
    return longer.compare(longer.size() - shorter.size(), shorter.size(), shorter) == 0;
}

}  // namespace

CallData* CallTracker::correlate(const ObservedMessage& m) {
    const stack::SipMessage& msg = *m.message;
    if (!msg.isRequest() || msg.method() != "INVITE") return nullptr;
    if (!stack::extractKeyHeaders(msg).toTag.empty()) return nullptr;
    // Headers that carry the other leg's Call-ID (X-CID: Asterisk/Kamailio topos style).
    for (std::string_view name : {"X-CID", "X-Call-ID", "X-Orig-Call-ID"}) {
        const stack::HeaderField* h = msg.header(name);
        if (!h) continue;
        if (const std::uint64_t* no = m_byCallId.find(callIdDigest(h->value)))
            if (CallData* c = byNumber(*no)) return c;
    }
    for (const auto& uuid : sessionUuids(msg)) {
        if (auto it = m_bySessionId.find(uuid); it != m_bySessionId.end())
            if (CallData* c = byNumber(it->second)) return c;
    }
    return m_options.b2buaWindow.count() > 0 ? correlateByNumber(m) : nullptr;
}

CallData* CallTracker::correlateByNumber(const ObservedMessage& m) {
    const stack::SipMessage& msg = *m.message;
    const auto* to = msg.typed<stack::NameAddr>(stack::HeaderId::To);
    const std::string toUser = to && to->ok() ? to->value().uri.user() : std::string();
    auto ruri = stack::parseUri(msg.requestUri());
    const std::string reqUser = ruri.ok() ? ruri.value().user() : std::string();
    const std::string src = endpointText(m.src);
    const std::int64_t window = std::chrono::nanoseconds(m_options.b2buaWindow).count();
    // An unanswered INVITE received, within the window, by the node that now sends this one,
    // for the same number: newest first. Entries that can no longer match are dropped.
    CallData* best = nullptr;
    auto [first, last] = m_byCalleeNode.equal_range(nodeKeyOf(src));
    for (auto it = first; it != last;) {
        CallData* c = byNumber(it->second);
        const bool stale = !c || c->startNs < std::max(m.tsNs, m_nowNs) - window ||
                           std::any_of(c->attempts.begin(), c->attempts.end(),
                                       [](const Attempt& a) { return a.finalCode.has_value(); });
        if (stale) {
            it = m_byCalleeNode.erase(it);
            continue;
        }
        const bool match = nodeKeyOf(c->caller) != nodeKeyOf(src) &&
                           (sameNumber(c->requestUser, reqUser) || sameNumber(c->toUser, toUser) ||
                            sameNumber(c->requestUser, toUser));
        if (match && (!best || c->startNs > best->startNs)) best = c;
        ++it;
    }
    return best;
}

void CallTracker::registerCallee(CallData& c) {
    if (m_options.b2buaWindow.count() > 0) m_byCalleeNode.emplace(nodeKeyOf(c.callee), c.no);
}

void CallTracker::registerSessionId(CallData& c, const stack::SipMessage& m) {
    for (auto& uuid : sessionUuids(m)) {
        if (m_bySessionId.emplace(uuid, c.no).second) c.sessionIds.push_back(std::move(uuid));
    }
}

}  // namespace sipscope::analyzer
