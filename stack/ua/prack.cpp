#include "ua/prack.hpp"

#include "message/key_headers.hpp"
#include "message/simple_headers.hpp"

namespace sipscope::stack::ua {

bool hasOptionTag(const SipMessage& message, HeaderId id, std::string_view tag) {
    for (const auto& h : message.headers()) {
        if (h.id != id) continue;
        auto list = TokenList::parse(h.value);
        if (list.ok() && list.value().contains(tag)) return true;
    }
    return false;
}

bool isReliableProvisional(const SipMessage& response) {
    const int code = response.status().value_or(0);
    // RFC 3262 §3: 100 Trying is never sent reliably; only 101-199 with Require: 100rel.
    return code > 100 && code < 200 && hasOptionTag(response, HeaderId::Require, k100rel);
}

PrackTracker::Decision PrackTracker::onProvisional(const SipMessage& response) {
    Decision d;
    if (!isReliableProvisional(response)) return d;
    const auto k = extractKeyHeaders(response);
    auto rseq = RSeq::parse(response.headerValue(HeaderId::RSeq));
    // RFC 3262 §7.1: RSeq is 1 to 2**32 - 1; a PRACK needs the To tag of its early dialog
    // (§4) and the CSeq it acknowledges (§7.2).
    if (!rseq.ok() || rseq.value().value == 0 || k.toTag.empty() || !k.cseq ||
        k.cseqMethod.empty()) {
        d.verdict = Verdict::Malformed;
        return d;
    }
    const std::uint32_t n = rseq.value().value;
    auto it = m_lastRseq.find(k.toTag);
    if (it != m_lastRseq.end()) {
        // RFC 3262 §4: an RSeq already seen is a retransmission; one that is not the next in
        // sequence is out of order and is not acknowledged.
        if (n <= it->second) {
            d.verdict = Verdict::Retransmission;
            return d;
        }
        if (n != it->second + 1) {
            d.verdict = Verdict::OutOfOrder;
            return d;
        }
        it->second = n;
    } else {
        // RFC 3262 §4: the first reliable response of an early dialog sets the sequence.
        m_lastRseq.emplace(std::string(k.toTag), n);
    }
    ++m_acknowledged;
    d.verdict = Verdict::Acknowledge;
    // RFC 3262 §7.2: RAck = response-num CSeq-num Method, copied from the response.
    d.rack = std::to_string(n) + " " + std::to_string(*k.cseq) + " " + std::string(k.cseqMethod);
    return d;
}

}  // namespace sipscope::stack::ua
