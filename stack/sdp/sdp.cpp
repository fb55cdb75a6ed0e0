#include "sdp/sdp.hpp"

#include <climits>

#include "sdp/sdp_fields.hpp"
#include "syntax/byte_search.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

namespace {

using sdp_detail::sdpError;

constexpr std::size_t kNpos = std::string_view::npos;

struct RawLine {
    std::string_view text;  // without its line ending
    std::size_t offset = 0;
};

// RFC 8866 §5 ends lines with CRLF but asks parsers to accept a bare LF; a missing final line
// ending is common when the body is cut by Content-Length, so the last line is yielded anyway.
class LineReader {
  public:
    explicit LineReader(std::string_view body, std::size_t from = 0) noexcept
        : m_body(body), m_pos(from) {}

    bool next(RawLine& line) noexcept {
        if (m_pos >= m_body.size()) return false;
        const std::size_t end = syntax::findByte(m_body, m_pos, '\n');
        line.offset = m_pos;
        line.text = m_body.substr(m_pos, end - m_pos);
        if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
        m_pos = end == m_body.size() ? end : end + 1;
        return true;
    }
    std::size_t pos() const noexcept { return m_pos; }

  private:
    std::string_view m_body;
    std::size_t m_pos;
};

struct SectionCounts {
    std::size_t attributes = 0;
    std::size_t rtpmaps = 0;
    std::size_t fmtps = 0;
};

// Counts the a= lines from `from` up to the next m= line, so that each section's vectors are
// allocated once instead of growing line by line.
SectionCounts countSection(std::string_view body, std::size_t from) noexcept {
    SectionCounts n;
    LineReader reader(body, from);
    for (RawLine line; reader.next(line);) {
        if (line.text.starts_with("m=")) break;
        if (!line.text.starts_with("a=")) continue;
        ++n.attributes;
        if (line.text.starts_with("a=rtpmap:")) ++n.rtpmaps;
        if (line.text.starts_with("a=fmtp:")) ++n.fmtps;
    }
    return n;
}

std::size_t countMediaLines(std::string_view body) noexcept {
    std::size_t n = body.starts_with("m=") ? 1 : 0;
    for (std::size_t p = body.find("\nm="); p != kNpos; p = body.find("\nm=", p + 1)) ++n;
    return n;
}

class SdpParser {
  public:
    explicit SdpParser(std::string_view body) noexcept : m_body(body) {}
    Result<SdpSession> run();

  private:
    std::optional<Error> onLine(char type, std::string_view value, std::size_t offset);
    std::optional<Error> onVersion(std::string_view value, std::size_t offset);
    std::optional<Error> onOrigin(std::string_view value, std::size_t offset);
    void onSessionName(std::string_view value, std::size_t offset);
    std::optional<Error> onConnection(std::string_view value, std::size_t offset);
    std::optional<Error> onMedia(std::string_view value, std::size_t offset);
    void onAttribute(std::string_view value, std::size_t offset);
    void onMediaAttribute(SdpMedia& m, const SdpAttribute& a, std::size_t offset);
    void keepLine(char type, std::string_view value, std::size_t offset);
    void issue(std::string_view text, std::size_t offset);
    SdpMedia* currentMedia() noexcept { return m_s.media.empty() ? nullptr : &m_s.media.back(); }

    std::string_view m_body;
    std::size_t m_nextLine = 0;  // offset of the line after the current one
    SdpSession m_s;
    char m_prevType = 0;
    bool m_hasOrigin = false;
    bool m_hasName = false;
    bool m_hasTiming = false;
    bool m_reportedBlank = false;
};

Result<SdpSession> SdpParser::run() {
    if (m_body.empty()) return sdpError(0, "empty SDP body");
    m_s.media.reserve(countMediaLines(m_body));
    const SectionCounts counts = countSection(m_body, 0);
    m_s.attributes.reserve(counts.attributes);

    LineReader reader(m_body);
    for (RawLine line; reader.next(line);) {
        if (line.text.empty()) {
            if (!m_reportedBlank) issue("blank line ignored", line.offset);
            m_reportedBlank = true;
            continue;
        }
        // RFC 8866 §5: <type>=<value>, the type being exactly one case-significant letter.
        if (line.text.size() < 2 || line.text[1] != '=') {
            if (line.text.find('=') == kNpos) {
                return sdpError(line.offset, "SDP line has no '=' (RFC 8866 §5)");
            }
            return sdpError(line.offset,
                            "SDP type must be a single letter before '=' (RFC 8866 §5)");
        }
        const char type = line.text[0];
        if (type < 'a' || type > 'z') {
            return sdpError(line.offset, "SDP type must be a lowercase letter (RFC 8866 §5)");
        }
        if (m_prevType == 0 && type != 'v') {
            return sdpError(line.offset, "SDP must start with a v= line (RFC 8866 §5.1)");
        }
        m_nextLine = reader.pos();
        if (auto e = onLine(type, line.text.substr(2), line.offset)) return std::move(*e);
        m_prevType = type;
    }
    if (m_prevType == 0) return sdpError(0, "SDP has no v= line (RFC 8866 §5.1)");
    if (!m_hasOrigin) issue("missing o= line (RFC 8866 §5.2)", m_body.size());
    if (!m_hasName) issue("missing s= line (RFC 8866 §5.3)", m_body.size());
    if (!m_hasTiming) issue("missing t= line (RFC 8866 §5.9)", m_body.size());
    return std::move(m_s);
}

std::optional<Error> SdpParser::onLine(char type, std::string_view value, std::size_t offset) {
    switch (type) {
        case 'v':
            return onVersion(value, offset);
        case 'o':
            return onOrigin(value, offset);
        case 'c':
            return onConnection(value, offset);
        case 'm':
            return onMedia(value, offset);
        case 's':
            onSessionName(value, offset);
            break;
        case 'a':
            onAttribute(value, offset);
            break;
        case 't':
            m_hasTiming = true;
            keepLine(type, value, offset);
            break;
        case 'i':
        case 'u':
        case 'e':
        case 'p':
        case 'b':
        case 'r':
        case 'z':
        case 'k':
            keepLine(type, value, offset);
            break;
        default:
            // RFC 8866 §5 lets a parser ignore or reject a description with an unknown type
            // letter; an analyzer learns more from ignoring just the line.
            issue("unknown SDP line type ignored (RFC 8866 §5)", offset);
            keepLine(type, value, offset);
            break;
    }
    return std::nullopt;
}

std::optional<Error> SdpParser::onVersion(std::string_view value, std::size_t offset) {
    if (m_prevType != 0) {
        // A second v= starts a second session description, which a SIP body cannot carry.
        return sdpError(offset, "second v= line in one SDP body (RFC 8866 §5)");
    }
    const auto v = syntax::parseUnsigned(value, INT_MAX);
    if (!v) return sdpError(offset + 2, "v= must be a number (RFC 8866 §5.1)");
    m_s.version = static_cast<int>(*v);
    if (m_s.version != 0) issue("SDP version other than 0 (RFC 8866 §5.1)", offset);
    return std::nullopt;
}

std::optional<Error> SdpParser::onOrigin(std::string_view value, std::size_t offset) {
    if (m_hasOrigin) {
        issue("duplicate o= line ignored", offset);
        keepLine('o', value, offset);
        return std::nullopt;
    }
    // RFC 8866 §5: o= must directly follow v=; accepting it elsewhere keeps the session id.
    if (m_prevType != 'v') issue("o= line out of order (RFC 8866 §5)", offset);
    auto origin = sdp_detail::parseOrigin(value, offset + 2);
    if (!origin) return std::move(origin).error();
    m_s.origin = *origin;
    m_hasOrigin = true;
    return std::nullopt;
}

void SdpParser::onSessionName(std::string_view value, std::size_t offset) {
    if (m_hasName) {
        issue("duplicate s= line ignored", offset);
        keepLine('s', value, offset);
        return;
    }
    const bool inOrder = m_prevType == 'o' || (m_prevType == 'v' && !m_hasOrigin);
    if (!inOrder) issue("s= line out of order (RFC 8866 §5)", offset);
    // RFC 8866 §5.3: s= text is 1*byte; "s= " or "s=-" stand for "no name".
    if (value.empty()) issue("empty s= line (RFC 8866 §5.3)", offset);
    m_s.sessionName = value;
    m_hasName = true;
}

std::optional<Error> SdpParser::onConnection(std::string_view value, std::size_t offset) {
    auto c = sdp_detail::parseConnection(value, offset + 2);
    if (!c) return std::move(c).error();
    SdpMedia* m = currentMedia();
    std::optional<SdpConnection>& slot = m ? m->connection : m_s.connection;
    if (!slot) {
        slot = *c;
    } else {
        // RFC 8866 §5.7 allows several media-level c= lines (layered multicast); keep the extra
        // ones as plain lines. At session level there is at most one.
        if (!m) issue("duplicate session-level c= line ignored (RFC 8866 §5.7)", offset);
        keepLine('c', value, offset);
    }
    return std::nullopt;
}

std::optional<Error> SdpParser::onMedia(std::string_view value, std::size_t offset) {
    auto parsed = sdp_detail::parseMediaLine(value, offset + 2);
    if (!parsed) return std::move(parsed).error();
    SdpMedia& m = m_s.media.emplace_back(std::move(*parsed));
    m.offset = offset;
    if (m.formats.empty()) issue("m= line without formats (RFC 8866 §5.14)", offset);
    const SectionCounts counts = countSection(m_body, m_nextLine);
    m.attributes.reserve(counts.attributes);
    m.rtpmaps.reserve(counts.rtpmaps);
    m.fmtps.reserve(counts.fmtps);
    return std::nullopt;
}

void SdpParser::onAttribute(std::string_view value, std::size_t offset) {
    // RFC 8866 §5.13: a=<attribute-name>[:<attribute-value>]. Trailing blanks are dropped so that
    // "a=sendonly " still reads as the flag some stacks meant.
    value = sdp_detail::trimTrailingWsp(value);
    SdpAttribute a;
    const std::size_t colon = value.find(':');
    a.name = value.substr(0, colon);
    if (colon != kNpos) {
        a.value = value.substr(colon + 1);
        a.hasValue = true;
    }
    if (a.name.empty()) issue("a= line without an attribute name", offset);
    SdpMedia* m = currentMedia();
    (m ? m->attributes : m_s.attributes).push_back(a);
    if (const auto d = sdp_detail::directionFromName(a.name)) {
        std::optional<SdpDirection>& slot = m ? m->direction : m_s.direction;
        if (slot && *slot != *d) issue("conflicting direction attributes, the last wins", offset);
        slot = d;
        return;
    }
    if (m) onMediaAttribute(*m, a, offset);
}

void SdpParser::onMediaAttribute(SdpMedia& m, const SdpAttribute& a, std::size_t offset) {
    if (syntax::iequals(a.name, "rtpmap")) {
        if (const auto r = sdp_detail::parseRtpmap(a.value)) {
            m.rtpmaps.push_back(*r);
        } else {
            issue("malformed a=rtpmap ignored (RFC 8866 §6.6)", offset);
        }
    } else if (syntax::iequals(a.name, "fmtp")) {
        if (const auto f = sdp_detail::parseFmtp(a.value)) {
            m.fmtps.push_back(*f);
        } else {
            issue("malformed a=fmtp ignored (RFC 8866 §6.15)", offset);
        }
    } else if (syntax::iequals(a.name, "rtcp")) {
        if (const auto r = sdp_detail::parseRtcp(a.value)) {
            m.rtcpPort = r->port;
            m.rtcpNetType = r->netType;
            m.rtcpAddrType = r->addrType;
            m.rtcpAddress = r->address;
        } else {
            issue("malformed a=rtcp ignored (RFC 3605 §2.1)", offset);
        }
    } else if (syntax::iequals(a.name, "rtcp-mux")) {
        m.rtcpMux = true;
    }
}

void SdpParser::keepLine(char type, std::string_view value, std::size_t offset) {
    SdpMedia* m = currentMedia();
    (m ? m->otherLines : m_s.otherLines).push_back(SdpLine{type, value, offset});
}

void SdpParser::issue(std::string_view text, std::size_t offset) {
    std::string s(text);
    s += " at offset ";
    s += std::to_string(offset);
    m_s.issues.push_back(std::move(s));
}

}  // namespace

Result<SdpSession> parseSdp(std::string_view body) {
    return SdpParser(body).run();
}

}  // namespace sipscope::stack
