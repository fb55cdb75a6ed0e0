#pragma once
// How a TCP direction is recognised from its first bytes (SIP, SIP over WebSocket, TLS, other)
// and where a start line hides in a line after lost bytes: the content classifier of
// TcpSipStreams, kept apart from its stream bookkeeping.

#include <cstdint>
#include <string_view>

#include "sip/tcp_sip_streams.hpp"

namespace sipscope::analyzer {

// Counts TLS records (RFC 8446 §5.1: type, legacy version 3.x, 16-bit length <= 2^14 + 2048)
// across chunk boundaries. Stops at the first header that is not one: the flow is then
// reported by its record count so far.
struct TlsCounter {
    std::uint8_t hdr[5] = {};
    std::size_t hdrLen = 0;
    std::uint64_t skip = 0;
    bool lost = false;
    std::uint64_t records = 0, handshakes = 0;

    void scan(std::string_view b);
};

// The bytes start like a TLS record (content type 20-23, version 3.0-3.4).
bool tlsRecordStart(std::string_view b) noexcept;

// Where a start line begins in `line` (no terminator), or npos; see the definition.
std::size_t startLineIn(std::string_view line) noexcept;

// What a direction's first bytes say. Only the first `window` bytes count, and only complete
// lines, so the verdict does not depend on how the bytes were segmented. `scanned`: bytes
// already searched for a line end (the search resumes there).
StreamKind classifyStart(std::string_view all, bool midStream, std::size_t window,
                         std::size_t& scanned) noexcept;

}  // namespace sipscope::analyzer
