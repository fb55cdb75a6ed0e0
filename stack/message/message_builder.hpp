#pragma once
// Building requests and responses (the active user agent). The builder writes wire text and
// parses it back, so a built message is exactly what a received one would be.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "message/header_id.hpp"
#include "message/sip_message.hpp"

namespace sipscope::stack {

class MessageBuilder {
  public:
    static MessageBuilder request(std::string_view method, std::string_view requestUri);
    static MessageBuilder response(int status, std::string_view reason = {});

    MessageBuilder& header(std::string_view name, std::string_view value);
    MessageBuilder& header(HeaderId id, std::string_view value) {
        return header(headerName(id), value);
    }
    // Sets the body and its Content-Type; Content-Length is always written by text().
    MessageBuilder& body(std::string_view contentType, std::string_view content);

    std::string text() const;
    Result<SipMessage> build() const { return SipMessage::parse(text()); }

  private:
    std::string m_startLine;
    std::vector<std::pair<std::string, std::string>> m_headers;
    std::string m_body;
};

// RFC 3261 §21: the reason phrase a status code usually carries ("" when unknown).
std::string_view defaultReason(int status) noexcept;

// RFC 3261 §8.2.6.2: a response copies Via (all, in order), From, To (adding `toTag` when To
// has none and the code is above 100), Call-ID and CSeq; 18x/2xx to a dialog-creating request
// also copy Record-Route (§12.1.1).
Result<SipMessage> makeResponse(const SipMessage& request, int status, std::string_view reason = {},
                                std::string_view toTag = {});

}  // namespace sipscope::stack
