#pragma once
// ObservedMessage: a SIP message as the capture saw it (ARCHITECTURE.md "Passive pipeline"):
// the parsed message plus where, when and from which frames it came.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ip_address.hpp"
#include "core/result.hpp"
#include "message/sip_message.hpp"

namespace sipscope::analyzer {

struct ObservedMessage {
    std::uint64_t id = 0;   // 1-based, in extraction order; stable for a file
    std::int64_t tsNs = 0;  // time of the frame that completed the message
    Endpoint src, dst;
    Transport transport = Transport::Udp;
    std::uint8_t ipVersion = 4;
    std::string path;                   // encapsulation, e.g. "eth/vlan:10/ipv4/gre/ipv4/udp"
    std::vector<std::uint64_t> frames;  // frame numbers the bytes came from
    stack::Bytes bytes;                 // exactly the message bytes
    std::optional<stack::SipMessage> message;  // nullopt when the start line was not SIP
    std::vector<stack::Error> issues;          // extraction problems (concatenation, gaps, …)
};

}  // namespace sipscope::analyzer
