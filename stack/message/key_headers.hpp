#pragma once
// The few header values the analyzer needs for every message (top Via branch, From/To tags,
// Call-ID, CSeq), read without building typed values or allocating. The full typed parse
// (SipMessage::typed) stays available for everything else.

#include <cstdint>
#include <optional>
#include <string_view>

#include "message/sip_message.hpp"

namespace sipscope::stack {

// struct KeyHeaders is in message/key_header_slices.hpp (the message keeps its own).

// Slices point into the message; fields stay empty when a header is missing or unreadable.
// Read once per message and kept with its header index: asking again costs a copy.
KeyHeaders extractKeyHeaders(const SipMessage& message) noexcept;

// The value of `;name=` among the header parameters of a From/To/Contact value: parameters
// inside '<' '>' and quoted strings are skipped.
std::string_view headerParam(std::string_view value, std::string_view name) noexcept;

}  // namespace sipscope::stack
