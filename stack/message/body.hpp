#pragma once
// What a message body holds: a single part or multipart parts (RFC 2046), and the first SDP
// (RFC 8866) found among them. Problems are issues with message-relative offsets: a broken
// body does not make the SIP message itself unacceptable.

#include <optional>
#include <vector>

#include "core/result.hpp"
#include "message/sip_message.hpp"
#include "sdp/sdp.hpp"

namespace sipscope::stack {

struct BodyInfo {
    int partCount = 0;              // 0: no body; 1: single body; N: top-level multipart parts
    std::optional<SdpSession> sdp;  // first application/sdp body or part
    std::size_t sdpOffset = 0;      // message offset of that SDP
    std::vector<Error> issues;
};

BodyInfo inspectBody(const SipMessage& message);
// The same, made once per message and kept with it (SipMessage::derived); valid while the
// message (or a copy) lives unedited.
const BodyInfo& bodyInfo(const SipMessage& message);

}  // namespace sipscope::stack
