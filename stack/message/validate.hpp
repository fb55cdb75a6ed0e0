#pragma once
// Acceptance of a parsed message per RFC 3261: header grammar (§25.1), mandatory headers
// (§8.1.1, §8.2.2, §20), single-valued headers (§7.3.1), CSeq method (§8.1.1.5) and scalar
// ranges (RFC 4475 §3.1.2.4/3.1.2.5). Tolerated RFC 2543 forms become issues (§8.2.2.2 notes).

#include <vector>

#include "core/result.hpp"
#include "message/sip_message.hpp"

namespace sipscope::stack {

struct Validation {
    std::vector<Error> errors;  // any error: the message is not acceptable
    std::vector<Error> issues;  // tolerated oddities
    bool ok() const noexcept { return errors.empty(); }
};

Validation validate(const SipMessage& message);

// Grammar check of one header line through its typed parser; nullptr when it is fine or the
// header has no grammar of its own (free text such as Subject or User-Agent).
const Error* headerError(const SipMessage& message, std::size_t headerIndex);

}  // namespace sipscope::stack
