#pragma once
// SIP out of one datagram (UDP, SCTP DATA chunk, HEP payload). Recognised by content on any
// port: the first line must look like a request or status line. RFC 3261 §18.3 allows one
// message per datagram; concatenated messages are extracted too and reported.

#include <optional>
#include <vector>

#include "core/result.hpp"
#include "message/sip_message.hpp"

namespace sipscope::analyzer {

struct DatagramMessage {
    stack::Bytes bytes;  // exactly this message
    std::optional<stack::SipMessage> message;
    std::vector<stack::Error> issues;  // extraction issues (offsets within the datagram)
};

// True when the payload begins like a SIP message (leading CRLFs allowed).
bool looksLikeSip(std::string_view payload) noexcept;

// Every SIP message in the datagram; empty when it is not SIP (keep-alives included).
std::vector<DatagramMessage> extractDatagram(std::string_view payload);
// The same into `out` (cleared first), which keeps its capacity from one datagram to the next.
void extractDatagram(std::string_view payload, std::vector<DatagramMessage>& out);

}  // namespace sipscope::analyzer
