#include "sip/stream_classifier.hpp"

#include <algorithm>
#include <string_view>

#include "parser/stream_framer.hpp"
#include "sip/websocket.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::analyzer {

void TlsCounter::scan(std::string_view b) {
    while (!b.empty() && !lost) {
        if (skip > 0) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip, b.size()));
            skip -= n;
            b.remove_prefix(n);
            continue;
        }
        hdr[hdrLen++] = static_cast<std::uint8_t>(b[0]);
        b.remove_prefix(1);
        if (hdrLen < 5) continue;
        hdrLen = 0;
        skip = (std::uint64_t{hdr[3]} << 8) | hdr[4];
        lost = hdr[0] < 20 || hdr[0] > 24 || hdr[1] != 3 || skip > 16384 + 2048;
        if (lost) break;
        ++records;
        if (hdr[0] == 22) ++handshakes;
    }
}

bool tlsRecordStart(std::string_view b) noexcept {
    const auto u = [&](std::size_t i) { return static_cast<std::uint8_t>(b[i]); };
    return b.size() >= 3 && u(0) >= 20 && u(0) <= 23 && u(1) == 3 && u(2) <= 4;
}

// Where a start line begins in `line` (no terminator), or npos. After lost bytes the previous
// message's body may not end with CRLF, so its tail and the next start line share a line
// ("…xyzMESSAGE sip:b@h SIP/2.0"); the framer would take the whole line as a request line with
// the method "…xyzMESSAGE", and misses a glued status line entirely. RFC 3261 §7.1 request
// lines start with the method; the known ones are looked for inside the line.
std::size_t startLineIn(std::string_view line) noexcept {
    static constexpr std::string_view kMethods[] = {
        "INVITE",    "ACK",    "BYE",     "CANCEL", "REGISTER", "OPTIONS", "PRACK",
        "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO",   "REFER",    "MESSAGE", "UPDATE"};
    for (std::size_t q = 0; q < line.size(); ++q) {
        const char ch = line[q];
        if (ch < 'A' || ch > 'Z') continue;
        const std::string_view rest = line.substr(q);
        if (rest.starts_with("SIP/2.0 ") && stack::looksLikeStartLine(rest)) return q;
        for (const std::string_view m : kMethods)
            if (rest.size() > m.size() && rest[m.size()] == ' ' && rest.starts_with(m) &&
                stack::looksLikeStartLine(rest))
                return q;
    }
    return stack::looksLikeStartLine(line) ? 0 : std::string_view::npos;
}

// What a direction's first bytes say. Only the first `window` bytes count, and only complete
// lines, so the verdict does not depend on how the bytes were segmented. `scanned`: bytes
// already searched for a line end (the search resumes there).
StreamKind classifyStart(std::string_view all, bool midStream, std::size_t window,
                         std::size_t& scanned) noexcept {
    const std::string_view b = all.substr(0, window);
    if (b.empty()) return StreamKind::Undecided;
    const auto undecided = [&] {
        scanned = b.size();
        return b.size() >= window ? StreamKind::Other : StreamKind::Undecided;
    };
    if (!midStream) {
        // RFC 8446 §4.1.2: a connection opens with a ClientHello in a handshake record.
        if (b[0] == 0x16)
            return b.size() < 3        ? StreamKind::Undecided
                   : tlsRecordStart(b) ? StreamKind::Tls
                                       : StreamKind::Other;
        if (b[0] == '\r' || b[0] == '\n') return StreamKind::Sip;  // RFC 5626 §3.5.1 keep-alive
        if (!stack::syntax::isToken(b[0])) return StreamKind::Other;
        const std::size_t nl = b.find('\n', scanned);
        if (nl == std::string_view::npos) return undecided();
        std::string_view line = b.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (stack::looksLikeStartLine(line)) return StreamKind::Sip;
        if (!line.starts_with("GET ")) return StreamKind::Other;
        scanned = nl;  // the handshake parser decides from here on
        WsHandshake h;
        switch (parseWsHandshake(b, h, window)) {
            case HandshakeParse::NeedMore:
                return StreamKind::Undecided;
            case HandshakeParse::NotHttp:
                return StreamKind::Other;
            case HandshakeParse::Done:
                break;
        }
        return h.request && h.upgrade && h.sipProtocol ? StreamKind::WebSocket : StreamKind::Other;
    }
    if (tlsRecordStart(b)) return StreamKind::Tls;
    // Mid-stream: a start line among the complete lines. `scanned` is a line start here.
    for (std::size_t nl; (nl = b.find('\n', scanned)) != std::string_view::npos;) {
        std::string_view line = b.substr(scanned, nl - scanned);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (startLineIn(line) != std::string_view::npos) return StreamKind::Sip;
        scanned = nl + 1;
    }
    return b.size() >= window ? StreamKind::Other : StreamKind::Undecided;
}

}  // namespace sipscope::analyzer
