// SIP message parsing: start line (RFC 3261 §7.1, §7.2, §25.1), header lines with folding and
// compact names (§7.3), and datagram body framing by Content-Length (§18.3).

#include <cstring>

#include "message/sip_message.hpp"
#include "syntax/byte_search.hpp"
#include "syntax/char_class.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

using namespace syntax;

class MessageParser {
  public:
    MessageParser(SipMessage& m, const ParseLimits& limits,
                  SipMessage::StreamPrefix* stream = nullptr)
        : m_msg(m), m_limits(limits), m_stream(stream) {}
    Result<bool> run();

  private:
    std::size_t lineEnd(std::size_t from, std::size_t& next) const noexcept;
    Result<bool> startLine(std::size_t begin, std::size_t end);
    Result<bool> requestLine(std::string_view line, std::size_t base);
    Result<bool> statusLine(std::string_view line, std::size_t base);
    std::size_t headerLines(std::size_t pos);
    // Inlined into the loop of headerLines(): most lines take this path, and a call per line
    // cost as much as the bookkeeping of the line itself.
    [[gnu::always_inline]] inline std::size_t simpleHeader(std::size_t pos);
    void addHeader(std::size_t begin, std::size_t end);
    void frameBody(std::size_t bodyStart);
    void error(ErrorCode c, std::size_t off, std::string msg, std::string hdr = {}) {
        m_msg.m_index->errors.push_back(makeError(c, off, std::move(msg), std::move(hdr)));
    }
    void issue(ErrorCode c, std::size_t off, std::string msg, std::string hdr = {}) {
        m_msg.m_index->issues.push_back(makeError(c, off, std::move(msg), std::move(hdr)));
    }

    SipMessage& m_msg;
    const ParseLimits& m_limits;
    SipMessage::StreamPrefix* m_stream;  // a stream buffer's prefix: see parseStreamPrefix()
    std::string_view m_d;
    bool m_lwsLine = false;  // a header line started with SP, HT or CR
};

// Returns the end of the line starting at `from` (before CR LF or LF) and sets `next` to the
// first byte after the terminator; a line without terminator ends at the end of the data.
inline std::size_t MessageParser::lineEnd(std::size_t from, std::size_t& next) const noexcept {
    const std::size_t pos = findByte(m_d, from, '\n');
    if (pos == m_d.size()) {
        next = m_d.size();
        return m_d.size();
    }
    next = pos + 1;
    return (pos > from && m_d[pos - 1] == '\r') ? pos - 1 : pos;
}

Result<bool> MessageParser::run() {
    m_d = m_msg.m_data;
    if (m_d.empty()) return makeError(ErrorCode::Empty, 0, "no bytes");
    if (m_d.size() > m_limits.maxMessageBytes)
        return makeError(ErrorCode::TooLarge, m_limits.maxMessageBytes, "message exceeds limit");
    std::size_t pos = 0;
    // RFC 3261 §7.5: CRLFs before the start line are ignored.
    while (pos < m_d.size() && (m_d[pos] == '\r' || m_d[pos] == '\n')) ++pos;
    if (pos == m_d.size()) return makeError(ErrorCode::Empty, 0, "only line breaks");
    if (pos > 0) issue(ErrorCode::LeadingWhitespace, 0, "line breaks before the start line");
    // The start line ends at CRLF, LF or a bare CR (tolerated and reported).
    std::size_t end = findByte(m_d, pos, '\n');
    if (const std::size_t cr = findByte(m_d.substr(0, end), pos, '\r'); cr < end) end = cr;
    std::size_t next = m_d.size();
    if (end == m_d.size()) {
        end = m_d.size();
    } else if (m_d[end] == '\r' && end + 1 < m_d.size() && m_d[end + 1] == '\n') {
        next = end + 2;
    } else {
        if (m_d[end] == '\r') issue(ErrorCode::Tolerated, end, "start line ends with a bare CR");
        next = end + 1;
    }
    auto sl = startLine(pos, end);
    if (!sl.ok()) return sl;
    frameBody(headerLines(next));
    m_msg.reindex();
    return true;
}

Result<bool> MessageParser::startLine(std::size_t begin, std::size_t end) {
    m_msg.m_index->startLine = m_d.substr(begin, end - begin);
    std::string_view line = m_msg.m_index->startLine;
    if (line.size() >= 4 && iequals(line.substr(0, 4), "SIP/")) return statusLine(line, begin);
    return requestLine(line, begin);
}

// Request-Line = Method SP Request-URI SP SIP-Version CRLF (RFC 3261 §25.1): exactly one SP
// between elements, none at the end (RFC 4475 §3.1.2.8-3.1.2.10).
Result<bool> MessageParser::requestLine(std::string_view line, std::size_t base) {
    const std::size_t sp1 = findByte(line, 0, ' ');
    const std::string_view method = line.substr(0, sp1);
    if (sp1 == line.size() || !isTokenString(method))
        return makeError(ErrorCode::BadStartLine, base, "not a SIP request or status line");
    std::size_t vEnd = line.size();
    while (vEnd > sp1 && isWsp(line[vEnd - 1])) --vEnd;
    const std::size_t sp2 = line.rfind(' ', vEnd - 1);
    const std::string_view version = line.substr(sp2 + 1, vEnd - sp2 - 1);
    if (sp2 == std::string_view::npos || sp2 <= sp1 || version.size() < 4 ||
        !iequals(version.substr(0, 4), "SIP/"))
        return makeError(ErrorCode::BadStartLine, base, "not a SIP request line");
    m_msg.m_index->isRequest = true;
    m_msg.m_index->method = method;
    m_msg.m_index->version = version;
    if (vEnd != line.size())
        error(ErrorCode::BadStartLine, base + vEnd, "whitespace after the SIP-Version");
    std::size_t uriBegin = sp1 + 1;
    if (uriBegin < sp2 && isWsp(line[uriBegin])) {
        error(ErrorCode::BadStartLine, base + uriBegin, "more than one SP after the method");
        while (uriBegin < sp2 && isWsp(line[uriBegin])) ++uriBegin;
    }
    std::size_t uriEnd = sp2;
    if (uriEnd > uriBegin && isWsp(line[uriEnd - 1])) {
        error(ErrorCode::BadStartLine, base + uriEnd - 1, "more than one SP before SIP-Version");
        while (uriEnd > uriBegin && isWsp(line[uriEnd - 1])) --uriEnd;
    }
    m_msg.m_index->requestUri = line.substr(uriBegin, uriEnd - uriBegin);
    if (!iequals(version, "SIP/2.0"))
        error(ErrorCode::BadVersion, base + sp2 + 1, "unsupported SIP-Version (505)");
    // The Request-URI grammar itself is checked by validate() (typed values are parsed when
    // asked for): the hot path only needs to know where it is.
    const std::string_view ruri = m_msg.m_index->requestUri;
    const std::size_t ws = findAnyOf(ruri, 0, ' ', '\t', ' ');
    if (ws != ruri.size())
        error(ErrorCode::BadRequestUri, base + uriBegin + ws, "whitespace inside the Request-URI");
    return true;
}

// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF; Status-Code = 3DIGIT.
Result<bool> MessageParser::statusLine(std::string_view line, std::size_t base) {
    m_msg.m_index->isRequest = false;
    const std::size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos)
        return makeError(ErrorCode::BadStartLine, base, "status line without a status code");
    m_msg.m_index->version = line.substr(0, sp1);
    if (!iequals(m_msg.m_index->version, "SIP/2.0"))
        error(ErrorCode::BadVersion, base, "unsupported SIP-Version (505)");
    const std::size_t codeBegin = sp1 + 1;
    std::size_t codeEnd = line.find(' ', codeBegin);
    if (codeEnd == std::string_view::npos) codeEnd = line.size();
    const std::string_view code = line.substr(codeBegin, codeEnd - codeBegin);
    if (code.size() != 3 || !allOf(code, kDigit) || code[0] == '0') {
        error(ErrorCode::BadStatusCode, base + codeBegin, "Status-Code must be 3 digits 100-699");
    } else {
        m_msg.m_index->status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
        if (*m_msg.m_index->status > 699)
            error(ErrorCode::BadStatusCode, base + codeBegin, "Status-Code above 699");
    }
    if (codeEnd == line.size()) {
        issue(ErrorCode::Tolerated, base + codeEnd, "no SP after the Status-Code");
    } else {
        m_msg.m_index->reason = line.substr(codeEnd + 1);
    }
    return true;
}

// The usual line shape, `token *WSP ":" value`, read in one pass: the name ends at the first
// ':' and the line end is searched from there on. Returns where the next line starts, or 0 when
// the line needs the general rules of headerLines()/addHeader() (which give the same result
// for this shape).
inline std::size_t MessageParser::simpleHeader(std::size_t pos) {
    const std::size_t n = m_d.size();
    const char* const d = m_d.data();
    const std::size_t colon = findAnyOf(m_d, pos, ':', '\n', '\r');
    if (colon == n || d[colon] != ':') return 0;
    std::size_t nameEnd = colon;
    while (nameEnd > pos && isWsp(d[nameEnd - 1])) --nameEnd;
    const std::string_view name(d + pos, nameEnd - pos);
    // A known name is a token (its letters and '-' differ from any non-token byte other than CR
    // in more than the case bit); only other names need the character check.
    const HeaderId id = lookupHeader(name);
    if (id == HeaderId::Unknown && !isTokenString(name)) return 0;
    std::size_t next = 0;
    std::size_t end = lineEnd(colon, next);
    while (next < n && isWsp(d[next])) {
        m_lwsLine = true;
        end = lineEnd(next, next);
    }
    HeaderField& h = m_msg.m_index->headers.emplace_back();
    h.id = id;
    h.offset = static_cast<std::uint32_t>(pos);
    h.rawLength = static_cast<std::uint32_t>(end - pos);
    h.name = name;
    h.value = trimLws(std::string_view(d + colon + 1, end - colon - 1));
    return next;
}

// Header lines up to the empty line; returns where the body starts.
std::size_t MessageParser::headerLines(std::size_t pos) {
    while (pos < m_d.size()) {
        if (m_msg.m_index->headers.size() < m_limits.maxHeaders) {
            if (const std::size_t next = simpleHeader(pos)) {
                pos = next;
                continue;
            }
        }
        std::size_t next = 0;
        std::size_t end = lineEnd(pos, next);
        if (end == pos) {  // the empty line
            if (m_stream) m_stream->headerComplete = true;
            return next;
        }
        // RFC 3261 §7.3.1: a line starting with SP/HT continues the previous one.
        if (isLws(m_d[pos])) m_lwsLine = true;  // as the framer's Content-Length rules see it
        while (next < m_d.size() && isWsp(m_d[next])) {
            m_lwsLine = true;
            end = lineEnd(next, next);
        }
        if (m_msg.m_index->headers.size() >= m_limits.maxHeaders) {
            error(ErrorCode::TooLarge, pos, "too many header lines");
            return m_d.size();
        }
        addHeader(pos, end);
        pos = next;
    }
    issue(ErrorCode::HeadersNotTerminated, m_d.size(), "no empty line after the headers");
    return m_d.size();
}

void MessageParser::addHeader(std::size_t begin, std::size_t end) {
    HeaderField h;
    h.offset = static_cast<std::uint32_t>(begin);
    h.rawLength = static_cast<std::uint32_t>(end - begin);
    const std::string_view line = m_d.substr(begin, end - begin);
    const std::size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? line : line.substr(0, colon);
    while (!name.empty() && isLws(name.back())) name.remove_suffix(1);
    if (colon == std::string_view::npos || !isTokenString(name)) {
        h.malformed = true;
        h.value = line;
        error(ErrorCode::BadHeaderLine, begin,
              colon == std::string_view::npos ? "header line without ':'"
                                              : "header name is not a token");
    } else {
        h.name = name;
        h.value = trimLws(line.substr(colon + 1));
        h.id = lookupHeader(name);
    }
    m_msg.m_index->headers.push_back(h);
}

// Body framing of a datagram (RFC 3261 §18.3): Content-Length decides; without it the body
// runs to the end of the datagram.
void MessageParser::frameBody(std::size_t bodyStart) {
    const std::size_t avail = m_d.size() - bodyStart;
    const HeaderField* cl = nullptr;
    for (const auto& h : m_msg.m_index->headers)
        if (h.id == HeaderId::ContentLength) {
            cl = &h;
            break;
        }
    std::size_t len = avail;
    const auto v = cl ? parseUnsigned(cl->value, 0xFFFFFFFFu) : std::nullopt;
    if (m_stream) {
        m_stream->lwsLine = m_lwsLine;
        m_stream->headerEnd = bodyStart;
        if (cl != nullptr) m_stream->contentLength = v ? static_cast<std::int64_t>(*v) : -1;
        if (cl == nullptr) len = 0;  // §18.3: on a stream, no Content-Length means no body
    }
    if (cl == nullptr) {
        if (len > 0) issue(ErrorCode::NoContentLength, bodyStart, "body framed by datagram end");
    } else if (!v) {
        error(ErrorCode::BadContentLength, cl->offset, "Content-Length is not a decimal number",
              std::string(cl->name));
    } else if (*v > avail) {
        error(ErrorCode::BodyTruncated, m_d.size(),
              "Content-Length " + std::to_string(*v) + " exceeds the " + std::to_string(avail) +
                  " bytes present",
              std::string(cl->name));
    } else {
        len = static_cast<std::size_t>(*v);
        if (len < avail && !m_stream)
            issue(ErrorCode::TrailingData, bodyStart + len,
                  std::to_string(avail - len) + " octets after the body ignored");
    }
    m_msg.m_index->bodyOffset = bodyStart;
    m_msg.m_index->body = m_d.substr(bodyStart, len);
    m_msg.m_data = m_d.substr(0, bodyStart + len);
}

Result<SipMessage> SipMessage::parse(Bytes bytes, const ParseLimits& limits) {
    SipMessage m;
    m.m_buffer = std::move(bytes);
    m.m_data = m.m_buffer ? std::string_view(*m.m_buffer) : std::string_view();
    m.m_index = std::make_shared<SipMessage::Index>();
    MessageParser p(m, limits);
    auto r = p.run();
    if (!r.ok()) return std::move(r).error();
    return m;
}

Result<SipMessage> SipMessage::parseStreamPrefix(Bytes bytes, const ParseLimits& limits,
                                                 StreamPrefix& prefix) {
    prefix = {};
    SipMessage m;
    m.m_buffer = std::move(bytes);
    m.m_data = *m.m_buffer;
    m.m_index = std::make_shared<SipMessage::Index>();
    MessageParser p(m, limits, &prefix);
    auto r = p.run();
    if (!r.ok()) return std::move(r).error();
    m.m_buffer.shrink(m.m_data.size());
    return m;
}

}  // namespace sipscope::stack
