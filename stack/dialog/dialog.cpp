#include "dialog/dialog.hpp"

#include <algorithm>
#include <utility>

#include "message/key_headers.hpp"
#include "message/name_addr.hpp"
#include "message/simple_headers.hpp"
#include "syntax/char_class.hpp"
#include "uri/uri.hpp"

namespace sipscope::stack {

namespace {

// §12.2.2: ACK and CANCEL reuse the CSeq number of the request they belong to.
bool isAckOrCancel(std::string_view method) noexcept {
    return method == "ACK" || method == "CANCEL";
}

// RFC 3261 §12.2 and RFC 3311 §5.1: the target refresh requests this state machine knows.
bool isTargetRefresh(std::string_view method) noexcept {
    return method == "INVITE" || method == "UPDATE";
}

// The URI of a From or To value as written, "" when the header is missing or malformed.
std::string nameAddrUri(const SipMessage& message, HeaderId id) {
    const auto* r = message.typed<NameAddr>(id);
    return r && r->ok() ? std::string(r->value().uri.raw) : std::string();
}

// The first Contact URI; a missing, malformed or "*" Contact leaves the target as it was.
std::optional<std::string> contactUri(const SipMessage& message) {
    const auto* r = message.typed<NameAddrList>(HeaderId::Contact);
    if (!r || !r->ok() || r->value().star || r->value().items.empty()) return std::nullopt;
    return std::string(r->value().items.front().uri.raw);
}

// Every Record-Route URI in message order, across all Record-Route lines (§7.3.1 lets one
// header carry several values). A malformed line contributes nothing.
std::vector<std::string> recordRoute(const SipMessage& message) {
    std::vector<std::string> out;
    const auto headers = message.headers();
    for (std::size_t i = 0; i < headers.size(); ++i) {
        if (headers[i].id != HeaderId::RecordRoute) continue;
        const auto& r = message.typed<RouteList>(i);
        if (!r.ok()) continue;
        for (const auto& item : r.value().items) out.emplace_back(item.uri.raw);
    }
    return out;
}

std::vector<std::string> reversed(std::vector<std::string> v) {
    std::reverse(v.begin(), v.end());
    return v;
}

bool subscriptionTerminated(const SipMessage& message) {
    const auto* r = message.typed<EventValue>(HeaderId::SubscriptionState);
    return r && r->ok() && syntax::iequals(r->value().type, "terminated");
}

DialogUpdate unchanged(DialogState state) {
    DialogUpdate u;
    u.matched = true;
    u.from = u.to = state;
    return u;
}

}  // namespace

std::string_view dialogStateLabel(DialogState s) noexcept {
    switch (s) {
        case DialogState::Early:
            return "early";
        case DialogState::Confirmed:
            return "confirmed";
        case DialogState::Terminated:
            return "terminated";
    }
    return "?";
}

std::string_view dialogReasonLabel(DialogReason r) noexcept {
    switch (r) {
        case DialogReason::None:
            return "none";
        case DialogReason::Bye:
            return "bye";
        case DialogReason::FinalNon2xx:
            return "final_non_2xx";
        case DialogReason::FailureInDialog:
            return "failure_in_dialog";
        case DialogReason::SubscriptionEnded:
            return "subscription_ended";
        case DialogReason::Forked:
            return "forked";
        case DialogReason::External:
            return "external";
    }
    return "?";
}

// The From tag belongs to whoever sent the request of the transaction: the owner when it sends
// a request or receives a response, the peer otherwise. The role does not enter into it: a
// callee's BYE carries the callee's tag in From just as the caller's INVITE carried the caller's.
DialogId Dialog::idOf(const SipMessage& message, DialogRole, Direction dir) {
    const KeyHeaders k = extractKeyHeaders(message);
    const bool fromIsLocal = message.isRequest() == (dir == Direction::Sent);
    DialogId id;
    id.callId = std::string(k.callId);
    id.localTag = std::string(fromIsLocal ? k.fromTag : k.toTag);
    id.remoteTag = std::string(fromIsLocal ? k.toTag : k.fromTag);
    return id;
}

std::optional<Dialog> Dialog::createAsUac(const SipMessage& request, const SipMessage& response) {
    return create(request, response, DialogRole::Uac);
}

std::optional<Dialog> Dialog::createAsUas(const SipMessage& request, const SipMessage& response) {
    return create(request, response, DialogRole::Uas);
}

// Both sides insist on both tags, so the shadows of the two ends of one exchange agree on
// whether a dialog exists (RFC 2543 peers without tags get no dialog).
std::optional<Dialog> Dialog::create(const SipMessage& request, const SipMessage& response,
                                     DialogRole role) {
    const auto status = response.status();
    // §12.1: only 101-199 with a To tag and 2xx create a dialog.
    if (!request.isRequest() || !status || *status <= 100 || *status >= 300) return std::nullopt;
    const Direction dir = role == DialogRole::Uac ? Direction::Received : Direction::Sent;
    DialogId id = idOf(response, role, dir);
    const KeyHeaders req = extractKeyHeaders(request);
    if (id.callId.empty() || id.localTag.empty() || id.remoteTag.empty() || !req.cseq)
        return std::nullopt;

    Dialog d;
    d.m_id = std::move(id);
    d.m_role = role;
    // RFC 3261 §12.1: a provisional response creates an early dialog, a 2xx a confirmed one.
    d.m_state = *status < 200 ? DialogState::Early : DialogState::Confirmed;
    d.m_method = std::string(request.method());
    d.m_creatingCseq = *req.cseq;
    // RFC 3261 §12.1.1 / §12.1.2: secure when the Request-URI is a SIPS URI; its scheme says
    // so (RFC 3261 §19.1.1), the rest of the URI does not enter.
    const std::string_view ruri = request.requestUri();
    const std::size_t colon = ruri.find(':');
    d.m_secure = colon != std::string_view::npos && syntax::iequals(ruri.substr(0, colon), "sips");
    std::string from = nameAddrUri(request, HeaderId::From);
    std::string to = nameAddrUri(request, HeaderId::To);
    if (role == DialogRole::Uac) {
        // RFC 3261 §12.1.2: route set = the response's Record-Route reversed, target = its
        // Contact, local sequence = the request's CSeq, remote sequence empty.
        d.m_localUri = std::move(from);
        d.m_remoteUri = std::move(to);
        d.m_remoteTarget = contactUri(response).value_or(std::string());
        d.m_routeSet = reversed(recordRoute(response));
        d.m_localSeq = *req.cseq;
    } else {
        // RFC 3261 §12.1.1: route set = the request's Record-Route in order, target = its
        // Contact, remote sequence = its CSeq, local sequence empty.
        d.m_localUri = std::move(to);
        d.m_remoteUri = std::move(from);
        d.m_remoteTarget = contactUri(request).value_or(std::string());
        d.m_routeSet = recordRoute(request);
        d.m_remoteSeq = *req.cseq;
    }
    return d;
}

bool Dialog::sameDialog(const KeyHeaders& k, bool isRequest, Direction dir) const noexcept {
    const bool fromIsLocal = isRequest == (dir == Direction::Sent);
    return k.callId == m_id.callId && (fromIsLocal ? k.fromTag : k.toTag) == m_id.localTag &&
           (fromIsLocal ? k.toTag : k.fromTag) == m_id.remoteTag;
}

DialogUpdate Dialog::onRequest(const SipMessage& request, Direction dir) {
    if (!request.isRequest()) return {};
    const KeyHeaders k = extractKeyHeaders(request);
    if (!sameDialog(k, true, dir)) return {};
    DialogUpdate u = unchanged(m_state);
    if (m_state == DialogState::Terminated) return u;
    const std::string_view method = request.method();
    if (k.cseq && !isAckOrCancel(method)) {
        if (dir == Direction::Sent) {
            m_localSeq = *k.cseq;  // RFC 3261 §12.2.1.1: the local sequence number advances
        } else if (m_remoteSeq && *k.cseq < *m_remoteSeq) {
            // RFC 3261 §12.2.2: out of order, rejected with 500: the dialog does not move.
            u.cseqOutOfOrder = true;
            return u;
        } else {
            m_remoteSeq = *k.cseq;  // RFC 3261 §12.2.2: remote sequence = the request's CSeq
        }
    }
    // RFC 3261 §12.2.2: a received target refresh request replaces the remote target.
    if (dir == Direction::Received && isTargetRefresh(method))
        u.targetRefreshed = refreshTarget(request);
    // RFC 3261 §15: a BYE, sent or received, ends the dialog.
    if (method == "BYE") return transition(DialogState::Terminated, DialogReason::Bye);
    // RFC 6665 §4.4.1: the NOTIFY that says "terminated" ends a subscription's dialog. An
    // INVITE dialog carrying a REFER subscription lives on.
    if (method == "NOTIFY" && (m_method == "SUBSCRIBE" || m_method == "REFER") &&
        subscriptionTerminated(request))
        return transition(DialogState::Terminated, DialogReason::SubscriptionEnded);
    return u;
}

DialogUpdate Dialog::onResponse(const SipMessage& request, const SipMessage& response,
                                Direction dir) {
    const auto status = response.status();
    if (!response.isResponse() || !status || !sameDialog(extractKeyHeaders(response), false, dir))
        return {};
    if (m_state == DialogState::Terminated) return unchanged(m_state);
    // Only the UAC sends the creating request: it receives the responses, the UAS sends them.
    // This keeps a callee's own request with the same CSeq number from passing for it.
    const bool uacRequest = (m_role == DialogRole::Uac) == (dir == Direction::Received);
    const KeyHeaders k = extractKeyHeaders(request);
    if (uacRequest && k.cseq == m_creatingCseq && request.method() == m_method)
        return onCreatingResponse(response, *status);
    return onInDialogResponse(request.method(), response, *status, dir);
}

DialogUpdate Dialog::onCreatingResponse(const SipMessage& response, int status) {
    if (m_state != DialogState::Early) return unchanged(m_state);  // late or repeated response
    if (status < 200) {
        // RFC 3261 §12.1.2: further provisional responses keep the dialog early; the UAC takes
        // the remote target from each one's Contact.
        DialogUpdate u = unchanged(m_state);
        if (m_role == DialogRole::Uac) u.targetRefreshed = refreshTarget(response);
        return u;
    }
    if (status >= 300) {
        // RFC 3261 §12.3: a non-2xx final response to the creating request ends the early dialog.
        return transition(DialogState::Terminated, DialogReason::FinalNon2xx);
    }
    bool refreshed = false;
    if (m_role == DialogRole::Uac) {
        // RFC 3261 §13.2.2.4: the 2xx confirms the early dialog and the route set is recomputed
        // from it (§12.2.1.2), as is the remote target.
        m_routeSet = reversed(recordRoute(response));
        refreshed = refreshTarget(response);
    }
    // RFC 3261 §12.1: a 2xx to the creating request confirms the dialog.
    DialogUpdate u = transition(DialogState::Confirmed, DialogReason::None);
    u.targetRefreshed = refreshed;
    return u;
}

DialogUpdate Dialog::onInDialogResponse(std::string_view method, const SipMessage& response,
                                        int status, Direction dir) {
    // RFC 3261 §12.2.1.2: a 481 or 408 to a request inside the dialog ends it. A CANCEL's
    // response concerns the transaction it cancels, not the dialog.
    if ((status == 481 || status == 408) && !isAckOrCancel(method))
        return transition(DialogState::Terminated, DialogReason::FailureInDialog);
    DialogUpdate u = unchanged(m_state);
    // RFC 3261 §12.2.1.2: a 2xx to a target refresh the owner sent carries the peer's new target.
    // When the owner received the request, onRequest already took the target from it; the 2xx
    // it sends holds its own Contact.
    if (dir == Direction::Received && status >= 200 && status < 300 && isTargetRefresh(method))
        u.targetRefreshed = refreshTarget(response);
    return u;
}

DialogUpdate Dialog::terminate(DialogReason reason) {
    // Decided by the owner: another fork confirmed (§13.2.2.4, RFC 6026 §4.1), a request in the
    // dialog timed out (§12.2.1.2), the transaction layer gave up.
    return transition(DialogState::Terminated, reason);
}

DialogUpdate Dialog::transition(DialogState to, DialogReason reason) {
    DialogUpdate u = unchanged(m_state);
    if (m_state == DialogState::Terminated || m_state == to) return u;
    u.stateChanged = true;
    u.to = to;
    m_state = to;
    if (to == DialogState::Terminated) m_endReason = reason;
    return u;
}

bool Dialog::refreshTarget(const SipMessage& message) {
    auto contact = contactUri(message);
    if (!contact || *contact == m_remoteTarget) return false;
    m_remoteTarget = std::move(*contact);
    return true;
}

}  // namespace sipscope::stack
