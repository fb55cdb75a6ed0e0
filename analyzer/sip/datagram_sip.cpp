#include "sip/datagram_sip.hpp"

#include "parser/stream_framer.hpp"
#include "syntax/byte_search.hpp"

namespace sipscope::analyzer {

using stack::Error;
using stack::ErrorCode;

namespace {
constexpr int kMaxMessagesPerDatagram = 32;

std::string_view firstLine(std::string_view p) noexcept {
    std::size_t b = 0;
    while (b < p.size() && (p[b] == '\r' || p[b] == '\n')) ++b;
    const std::size_t e = stack::syntax::findAnyOf(p, b, '\r', '\n', '\n');
    return p.substr(b, e - b);
}
}  // namespace

bool looksLikeSip(std::string_view payload) noexcept {
    return stack::looksLikeStartLine(firstLine(payload));
}

std::vector<DatagramMessage> extractDatagram(std::string_view payload) {
    std::vector<DatagramMessage> out;
    extractDatagram(payload, out);
    return out;
}

void extractDatagram(std::string_view payload, std::vector<DatagramMessage>& out) {
    out.clear();
    std::size_t offset = 0;
    stack::Bytes datagram;  // one copy of the payload; each message is a slice of it
    while (offset < payload.size() && static_cast<int>(out.size()) < kMaxMessagesPerDatagram) {
        const std::string_view rest = payload.substr(offset);
        if (!looksLikeSip(rest)) break;
        DatagramMessage dm;
        if (!datagram) datagram = stack::makeBytes(payload);
        auto bytes = datagram.slice(offset);
        auto parsed = stack::SipMessage::parse(bytes);
        if (!parsed.ok()) {
            dm.bytes = std::move(bytes);
            dm.issues.push_back(parsed.error().rebased(offset, ""));
            out.push_back(std::move(dm));
            break;
        }
        const std::size_t used = parsed->bytes().size();
        if (used == rest.size()) {
            dm.bytes = std::move(bytes);
            dm.message = std::move(*parsed);
        } else {  // re-parse the message alone so that its bytes() are exactly its own
            dm.bytes = bytes.slice(0, used);
            if (auto alone = stack::SipMessage::parse(dm.bytes); alone.ok())
                dm.message = std::move(*alone);
            dm.issues.push_back(stack::makeError(
                ErrorCode::TrailingData, offset + used,
                std::to_string(rest.size() - used) + " more octets follow in the datagram"));
        }
        if (offset > 0)
            dm.issues.push_back(
                stack::makeError(ErrorCode::TrailingData, offset,
                                 "second SIP message in one datagram (RFC 3261 §18.3)"));
        out.push_back(std::move(dm));
        offset += used;
        // Only another start line after the body continues the datagram; padding or
        // garbage stays the trailing-data issue the parser already recorded.
        if (offset < payload.size() && !looksLikeSip(payload.substr(offset))) break;
    }
}

}  // namespace sipscope::analyzer
