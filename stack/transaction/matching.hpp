#pragma once
// Matching messages to transactions: RFC 3261 §17.1.3 (responses to client transactions) and
// §17.2.3 (requests to server transactions, with the RFC 2543 fallback).

#include <optional>
#include <string_view>

#include "transaction/transaction_types.hpp"

namespace sipscope::stack {

// RFC 3261 §17.1.1.3, §17.2.3: an ACK (for a non-2xx) belongs to its INVITE's transaction.
inline std::string_view foldAck(std::string_view method) noexcept {
    return method == "ACK" ? std::string_view("INVITE") : method;
}

// The key of the client transaction created by sending `request` (ACK folds into INVITE).
std::optional<TransactionKey> clientKeyForRequest(const SipMessage& request);
// RFC 3261 §17.1.3: top Via branch + CSeq method of the response.
std::optional<TransactionKey> clientKeyForResponse(const SipMessage& response);

// RFC 3261 §17.2.3: the server transaction a request belongs to. With the magic cookie: branch,
// sent-by and method (ACK -> INVITE). Otherwise the RFC 2543 fields. CANCEL is its own
// transaction.
std::optional<TransactionKey> serverKeyForRequest(const SipMessage& request);
// RFC 3261 §9.2, §17.2.3: the INVITE server transaction a CANCEL targets.
std::optional<TransactionKey> cancelTargetKey(const SipMessage& cancel);
// RFC 3261 §17.2.3: an RFC 2543 ACK carries the To tag of the response the server sent, not that
// of the INVITE: the key under which that ACK is found.
TransactionKey ackKeyForRfc2543(const TransactionKey& inviteKey, std::string_view responseToTag);

}  // namespace sipscope::stack
