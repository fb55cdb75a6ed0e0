#pragma once
// Parsers for the values of single SDP lines (o=, c=, m=, and the typed a= attributes). Internal
// to stack/sdp: sdp.cpp drives them line by line. Offsets in errors are body offsets: every
// function gets `base`, the body offset of the first byte of the value it parses.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.hpp"
#include "sdp/sdp.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::stack::sdp_detail {

// Splits a line value into the SP-separated fields of RFC 8866 §9. Runs of SP/HTAB count as one
// separator because some stacks pad their fields; a strict split would reject them for nothing.
class FieldCursor {
  public:
    FieldCursor(std::string_view text, std::size_t base) noexcept : m_text(text), m_base(base) {}

    // The next field, "" at the end. lastOffset() is its body offset.
    std::string_view next() noexcept {
        skipWsp();
        const std::size_t start = m_pos;
        while (m_pos < m_text.size() && !syntax::isWsp(m_text[m_pos])) ++m_pos;
        m_last = start;
        return m_text.substr(start, m_pos - start);
    }
    // Everything after the current field, leading whitespace skipped.
    std::string_view rest() noexcept {
        skipWsp();
        return m_text.substr(m_pos);
    }
    std::size_t restOffset() noexcept {
        skipWsp();
        return m_base + m_pos;
    }
    std::size_t lastOffset() const noexcept { return m_base + m_last; }
    std::size_t endOffset() const noexcept { return m_base + m_text.size(); }
    std::size_t countRemaining() const noexcept;

  private:
    void skipWsp() noexcept {
        while (m_pos < m_text.size() && syntax::isWsp(m_text[m_pos])) ++m_pos;
    }

    std::string_view m_text;
    std::size_t m_base;
    std::size_t m_pos = 0;
    std::size_t m_last = 0;
};

std::string_view trimTrailingWsp(std::string_view s) noexcept;

Result<SdpOrigin> parseOrigin(std::string_view value, std::size_t base);
Result<SdpConnection> parseConnection(std::string_view value, std::size_t base);
// Fills type, port, portCount, proto and formats; the caller sets offset and the rest.
Result<SdpMedia> parseMediaLine(std::string_view value, std::size_t base);

// Typed attribute values. std::nullopt means malformed: the caller keeps the attribute as a plain
// one and records an issue, since RFC 8866 §5.13 lets receivers ignore what they cannot use.
std::optional<SdpRtpmap> parseRtpmap(std::string_view value) noexcept;
std::optional<SdpFmtp> parseFmtp(std::string_view value) noexcept;

struct SdpRtcp {
    std::uint16_t port = 0;
    std::string_view netType, addrType, address;
};
std::optional<SdpRtcp> parseRtcp(std::string_view value) noexcept;

std::optional<SdpDirection> directionFromName(std::string_view name) noexcept;

inline Error sdpError(std::size_t offset, std::string message) {
    return makeError(ErrorCode::BadBody, offset, std::move(message));
}

}  // namespace sipscope::stack::sdp_detail
