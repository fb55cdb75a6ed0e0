#pragma once
// The key header values of a message (message/key_headers.hpp), as slices of it.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sipscope::stack {

struct KeyHeaders {
    std::string_view callId;
    std::string_view topViaBranch;
    std::string_view topViaTransport;
    std::string_view topViaSentBy;  // host[:port] of the top Via
    std::string_view fromTag, toTag;
    std::optional<std::uint32_t> cseq;
    std::string_view cseqMethod;
};

}  // namespace sipscope::stack
