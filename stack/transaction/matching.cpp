#include "transaction/matching.hpp"

#include <string>

#include "message/key_headers.hpp"
#include "message/via.hpp"

namespace sipscope::stack {

namespace {

bool hasCookie(std::string_view branch) noexcept {
    return branch.substr(0, kMagicCookie.size()) == kMagicCookie;
}

// The top Via as compared by RFC 2543 matching: transport, sent-by and branch (if any).
std::string topViaSummary(const KeyHeaders& k) {
    std::string out(k.topViaTransport);
    out.append(" ").append(k.topViaSentBy);
    if (!k.topViaBranch.empty()) out.append(";branch=").append(k.topViaBranch);
    return out;
}

std::optional<TransactionKey> serverKey(const SipMessage& request, std::string_view method) {
    const KeyHeaders k = extractKeyHeaders(request);
    if (k.topViaSentBy.empty()) return std::nullopt;
    TransactionKey key;
    key.method = std::string(method);
    if (hasCookie(k.topViaBranch)) {
        // RFC 3261 §17.2.3: branch + sent-by + method (ACK matches INVITE).
        key.branch = std::string(k.topViaBranch);
        key.sentBy = std::string(k.topViaSentBy);
        return key;
    }
    // RFC 3261 §17.2.3: RFC 2543 fallback: Request-URI, To tag, From tag, Call-ID, CSeq and top
    // Via. For ACK the CSeq method is not compared (folded into INVITE here).
    if (!k.cseq || k.callId.empty()) return std::nullopt;
    key.rfc2543 = true;
    key.requestUri = std::string(request.requestUri());
    key.toTag = std::string(k.toTag);
    key.fromTag = std::string(k.fromTag);
    key.callId = std::string(k.callId);
    key.cseq = *k.cseq;
    key.topVia = topViaSummary(k);
    return key;
}

}  // namespace

std::optional<TransactionKey> clientKeyForRequest(const SipMessage& request) {
    if (!request.isRequest()) return std::nullopt;
    const KeyHeaders k = extractKeyHeaders(request);
    if (k.topViaBranch.empty()) return std::nullopt;
    TransactionKey key;
    key.branch = std::string(k.topViaBranch);
    key.method = std::string(foldAck(request.method()));
    return key;
}

std::optional<TransactionKey> clientKeyForResponse(const SipMessage& response) {
    if (!response.isResponse()) return std::nullopt;
    const KeyHeaders k = extractKeyHeaders(response);
    // RFC 3261 §17.1.3: the top Via branch and the CSeq method identify the client transaction
    // (a CANCEL's response must not match the INVITE transaction with the same branch).
    if (k.topViaBranch.empty() || k.cseqMethod.empty()) return std::nullopt;
    TransactionKey key;
    key.branch = std::string(k.topViaBranch);
    key.method = std::string(foldAck(k.cseqMethod));
    return key;
}

std::optional<TransactionKey> serverKeyForRequest(const SipMessage& request) {
    if (!request.isRequest()) return std::nullopt;
    return serverKey(request, foldAck(request.method()));
}

std::optional<TransactionKey> cancelTargetKey(const SipMessage& cancel) {
    if (!cancel.isRequest() || cancel.method() != "CANCEL") return std::nullopt;
    // RFC 3261 §9.2: the CANCEL carries the INVITE's top Via (branch), Request-URI, Call-ID,
    // From, To and CSeq number: the INVITE's key with the method INVITE.
    return serverKey(cancel, "INVITE");
}

TransactionKey ackKeyForRfc2543(const TransactionKey& inviteKey, std::string_view responseToTag) {
    TransactionKey key = inviteKey;
    if (key.rfc2543) key.toTag = std::string(responseToTag);
    return key;
}

}  // namespace sipscope::stack
