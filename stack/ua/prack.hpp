#pragma once
// The UAC's side of reliable provisional responses (RFC 3262 §4): which 1xx need a PRACK and
// what its RAck says. Per early dialog (To tag) the first reliable response sets the expected
// RSeq; the next one must carry RSeq + 1. A repeated RSeq is a retransmission and an RSeq that
// skips ahead is out of order: neither is acknowledged (the UAS retransmits the missing one).
// Sans-I/O: it only decides.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "message/header_id.hpp"
#include "message/sip_message.hpp"

namespace sipscope::stack::ua {

inline constexpr std::string_view k100rel = "100rel";

// `tag` is among the tokens of every `id` header (Require, Supported, ...), case-insensitive.
bool hasOptionTag(const SipMessage& message, HeaderId id, std::string_view tag);

// RFC 3262 §4: a 101-199 response with Require: 100rel (and an RSeq, §7.1).
bool isReliableProvisional(const SipMessage& response);

class PrackTracker {
  public:
    enum class Verdict { NotReliable, Acknowledge, Retransmission, OutOfOrder, Malformed };
    struct Decision {
        Verdict verdict = Verdict::NotReliable;
        std::string rack;  // "RSeq CSeq-num Method" when verdict == Acknowledge (§7.2)
    };

    // One provisional response to the INVITE.
    Decision onProvisional(const SipMessage& response);
    // Distinct reliable provisional responses acknowledged so far.
    int acknowledged() const noexcept { return m_acknowledged; }

  private:
    std::map<std::string, std::uint32_t, std::less<>> m_lastRseq;  // To tag -> last RSeq PRACKed
    int m_acknowledged = 0;
};

}  // namespace sipscope::stack::ua
