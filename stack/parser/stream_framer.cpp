#include "parser/stream_framer.hpp"

#include <algorithm>
#include <cstring>

#include "syntax/char_class.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

using namespace syntax;

namespace {

bool isVersionAt(std::string_view s, std::size_t i) noexcept {
    return s.size() >= i + 5 && iequals(s.substr(i, 4), "SIP/") && isDigit(s[i + 4]);
}

// Content-Length (or its compact form "l") in a header block; nullopt when absent, -1 when
// present but not a number.
std::optional<std::int64_t> contentLength(std::string_view block) noexcept {
    std::size_t pos = block.find('\n');  // skip the start line
    while (pos != std::string_view::npos && pos + 1 < block.size()) {
        const std::size_t begin = pos + 1;
        pos = block.find('\n', begin);
        const std::string_view line =
            block.substr(begin, (pos == std::string_view::npos ? block.size() : pos) - begin);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view name = trimLws(line.substr(0, colon));
        if (!iequals(name, "Content-Length") && !iequals(name, "l")) continue;
        auto v = parseUnsigned(trimLws(line.substr(colon + 1)), 0xFFFFFFFFu);
        return v ? static_cast<std::int64_t>(*v) : -1;
    }
    return std::nullopt;
}

}  // namespace

bool looksLikeStartLine(std::string_view line) noexcept {
    // No control characters anywhere (a NUL or bare CR means this is not a text start line).
    for (char ch : line) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
    }
    if (isVersionAt(line, 0)) {
        // Status-Line: SIP-Version SP 3DIGIT [SP Reason-Phrase]
        const std::size_t sp = line.find(' ');
        if (sp == std::string_view::npos || line.size() < sp + 4) return false;
        const std::string_view code = line.substr(sp + 1, 3);
        return allOf(code, kDigit) && (line.size() == sp + 4 || line[sp + 4] == ' ');
    }
    const std::size_t sp = line.find(' ');
    if (sp == std::string_view::npos || sp == 0 || !isTokenString(line.substr(0, sp))) return false;
    std::size_t last = line.size();
    while (last > 0 && isWsp(line[last - 1])) --last;  // trailing SP is an error, not a non-SIP
    last = line.rfind(' ', last - 1);
    return last != std::string_view::npos && last > sp && isVersionAt(line, last + 1);
}

void StreamFramer::push(std::string_view bytes) {
    if (m_start > 0 && m_start >= m_buf.size() / 2) {
        m_buf.erase(0, m_start);
        m_start = 0;
    }
    m_buf.append(bytes);
}

Frame StreamFramer::take(Frame::Kind kind, std::size_t length) {
    Frame f;
    f.kind = kind;
    f.streamOffset = m_consumed;
    f.length = length;
    if (kind == Frame::Kind::Message) f.bytes = makeBytes(pending().substr(0, length));
    m_start += length;
    m_consumed += length;
    m_scan = 0;
    m_headerEnd.reset();
    m_bodyLength.reset();
    if (m_start == m_buf.size()) {
        m_buf.clear();
        m_start = 0;
    }
    return f;
}

Frame StreamFramer::skip(std::size_t length, ErrorCode code, std::string message) {
    const std::uint64_t at = m_consumed;
    Frame f = take(Frame::Kind::Error, length);
    f.error =
        makeError(code, at, std::move(message) + " (" + std::to_string(length) + " bytes skipped)");
    return f;
}

void StreamFramer::lostBytes() {
    m_headerEnd.reset();
    m_bodyLength.reset();
    m_scan = 0;
    m_needSync = true;
    m_skipHeader = false;
    m_discard = 0;
    if (buffered() > 0)
        scheduleDiscard(buffered(), ErrorCode::Incomplete, "partial message before lost bytes");
}

void StreamFramer::scheduleDiscard(std::uint64_t bytes, ErrorCode code, std::string why) {
    m_discard = bytes;
    m_discardCode = code;
    m_discardWhy = std::move(why);
}

std::optional<Frame> StreamFramer::discard() {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_discard, buffered()));
    if (n == 0) return std::nullopt;
    m_discard -= n;
    return skip(n, m_discardCode, m_discardWhy);
}

// Drops bytes up to the next line that looks like a start line. A trailing partial line is
// kept: it may become a start line when more bytes arrive.
std::optional<Frame> StreamFramer::resync(ErrorCode code, std::string message) {
    const std::string_view p = pending();
    std::size_t lineBegin = 0;
    while (true) {
        const std::size_t nl = p.find('\n', lineBegin);
        if (nl == std::string_view::npos) break;
        std::string_view line = p.substr(lineBegin, nl - lineBegin);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (looksLikeStartLine(line)) {
            m_needSync = false;
            if (lineBegin == 0) return std::nullopt;
            return skip(lineBegin, code, std::move(message));
        }
        lineBegin = nl + 1;
    }
    if (lineBegin == 0) return std::nullopt;
    return skip(lineBegin, code, std::move(message));
}

std::optional<Frame> StreamFramer::headerSearch() {
    const std::string_view p = pending();
    // RFC 5626 §3.5.1: CRLF / CRLFCRLF keep-alives between messages.
    std::size_t crlf = 0;
    while (crlf < p.size() && (p[crlf] == '\r' || p[crlf] == '\n')) ++crlf;
    if (crlf > 0) return take(Frame::Kind::KeepAlive, crlf);
    const std::size_t firstNl = p.find('\n');
    if (firstNl != std::string_view::npos) {
        std::string_view first = p.substr(0, firstNl);
        if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
        if (!looksLikeStartLine(first)) {
            m_needSync = true;
            return resync(ErrorCode::BadStartLine, "bytes before a start line");
        }
    }
    // Find the empty line: "\n\r\n" or "\n\n", resuming where the last search stopped.
    std::size_t i = m_scan;
    while (true) {
        const void* nl = std::memchr(p.data() + i, '\n', p.size() - i);
        if (nl == nullptr) break;
        const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - p.data());
        if (at + 1 < p.size() && p[at + 1] == '\n') {
            m_headerEnd = at + 2;
            break;
        }
        if (at + 2 < p.size() && p[at + 1] == '\r' && p[at + 2] == '\n') {
            m_headerEnd = at + 3;
            break;
        }
        if (at + 2 >= p.size()) {  // the terminator may be split: look again from here
            i = at;
            break;
        }
        i = at + 1;
    }
    if (!m_headerEnd) {
        m_scan = i;
        if (p.size() > m_limits.maxHeaderBytes) {
            m_skipHeader = true;
            return skipHeaderRest();
        }
        return std::nullopt;
    }
    return std::nullopt;
}

// An oversized header section: drop bytes until its empty line (the last two bytes are kept
// in case the line ending is split), then resync on the next start line.
std::optional<Frame> StreamFramer::skipHeaderRest() {
    const std::string_view p = pending();
    std::size_t end = 0;
    for (std::size_t at = p.find('\n'); at != std::string_view::npos; at = p.find('\n', at + 1)) {
        if (at + 1 < p.size() && p[at + 1] == '\n')
            end = at + 2;
        else if (at + 2 < p.size() && p[at + 1] == '\r' && p[at + 2] == '\n')
            end = at + 3;
        if (end) break;
    }
    if (end) {
        m_skipHeader = false;
        m_needSync = true;
        return skip(end, ErrorCode::TooLarge, "header section exceeds the limit");
    }
    if (p.size() <= 2) return std::nullopt;
    return skip(p.size() - 2, ErrorCode::TooLarge, "header section exceeds the limit");
}

std::optional<Frame> StreamFramer::next() {
    if (m_discard > 0) return discard();
    if (m_skipHeader) return skipHeaderRest();
    if (m_needSync) {
        auto f = resync(ErrorCode::Incomplete, "bytes skipped to the next start line");
        if (m_needSync) return f;  // still no start line in sight
        if (f) return f;
    }
    if (buffered() == 0) return std::nullopt;
    if (!m_headerEnd) {
        if (auto f = headerSearch()) return f;
        if (!m_headerEnd) return std::nullopt;
        const auto cl = contentLength(pending().substr(0, *m_headerEnd));
        if (*m_headerEnd > m_limits.maxHeaderBytes) {
            // Same verdict as when the header arrives in pieces (headerSearch): drop the header
            // section, then resync on the next start line.
            m_needSync = true;
            return skip(*m_headerEnd, ErrorCode::TooLarge, "header section exceeds the limit");
        }
        if (cl && *cl < 0) {
            m_needSync = true;
            return skip(*m_headerEnd, ErrorCode::BadContentLength,
                        "Content-Length is not a number");
        }
        if (cl && static_cast<std::uint64_t>(*cl) > m_limits.maxBodyBytes) {
            // The length is known: drop exactly this message, header and body.
            scheduleDiscard(*m_headerEnd + static_cast<std::uint64_t>(*cl), ErrorCode::TooLarge,
                            "message body exceeds the limit");
            return discard();
        }
        // §18.3: a stream message without Content-Length has an empty body.
        m_bodyLength = cl ? static_cast<std::size_t>(*cl) : 0;
    }
    const std::size_t total = *m_headerEnd + *m_bodyLength;
    if (buffered() < total) return std::nullopt;
    return take(Frame::Kind::Message, total);
}

}  // namespace sipscope::stack
