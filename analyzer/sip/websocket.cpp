#include "sip/websocket.hpp"

#include <algorithm>

#include "parser/stream_framer.hpp"
#include "syntax/char_class.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::analyzer {

using stack::ErrorCode;
using stack::syntax::iequals;
using stack::syntax::trimLws;

namespace {

constexpr std::size_t kResyncLineScan = 256;  // payload bytes searched for a SIP start line

// True when the comma-separated list `value` holds `token` (case-insensitive).
bool listHas(std::string_view value, std::string_view token) noexcept {
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        std::string_view item = trimLws(value.substr(0, comma));
        const std::size_t semi = item.find(';');  // extension parameters
        if (iequals(trimLws(item.substr(0, semi)), token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

bool prefixCompatible(std::string_view bytes, std::string_view word) noexcept {
    const std::size_t n = std::min(bytes.size(), word.size());
    return bytes.substr(0, n) == word.substr(0, n);
}

std::string_view lineAt(std::string_view block, std::size_t& pos) noexcept {
    const std::size_t nl = block.find('\n', pos);
    std::string_view line = block.substr(pos, nl - pos);
    pos = nl == std::string_view::npos ? block.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

}  // namespace

HandshakeParse parseWsHandshake(std::string_view bytes, WsHandshake& out,
                                std::size_t maxBytes) noexcept {
    if (!prefixCompatible(bytes, "GET ") && !prefixCompatible(bytes, "HTTP/"))
        return HandshakeParse::NotHttp;
    const std::string_view window = bytes.substr(0, maxBytes);
    std::size_t end = window.find("\r\n\r\n");
    end = end == std::string_view::npos ? end : end + 4;
    if (const std::size_t lf = window.find("\n\n"); lf != std::string_view::npos)
        end = std::min(end, lf + 2);
    if (end == std::string_view::npos)
        return bytes.size() >= maxBytes ? HandshakeParse::NotHttp : HandshakeParse::NeedMore;

    const std::string_view block = bytes.substr(0, end);
    out = WsHandshake{};
    out.length = end;
    std::size_t pos = 0;
    const std::string_view start = lineAt(block, pos);
    bool connectionUpgrade = false, upgradeWs = false;
    if (start.starts_with("GET ")) {  // RFC 6455 §4.1: GET Request-URI HTTP/1.1
        if (!start.ends_with(" HTTP/1.1")) return HandshakeParse::NotHttp;
        out.request = true;
    } else if (start.starts_with("HTTP/1.1 ") && start.size() >= 12) {
        auto code = stack::syntax::parseUnsigned(start.substr(9, 3), 999);
        if (!code) return HandshakeParse::NotHttp;
        out.status = static_cast<int>(*code);
    } else {
        return HandshakeParse::NotHttp;
    }
    while (pos < block.size()) {
        const std::string_view line = lineAt(block, pos);
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view name = trimLws(line.substr(0, colon));
        const std::string_view value = trimLws(line.substr(colon + 1));
        if (iequals(name, "Upgrade"))
            upgradeWs = upgradeWs || listHas(value, "websocket");
        else if (iequals(name, "Connection"))
            connectionUpgrade = connectionUpgrade || listHas(value, "upgrade");
        else if (iequals(name, "Sec-WebSocket-Protocol"))  // RFC 7118 §4.1: "sip"
            out.sipProtocol = out.sipProtocol || listHas(value, "sip");
        else if (iequals(name, "Sec-WebSocket-Extensions"))
            out.compressed = out.compressed || listHas(value, "permessage-deflate");
    }
    // RFC 6455 §4.2.2: the server accepts with 101 and Upgrade: websocket.
    out.upgrade = out.request ? (upgradeWs && connectionUpgrade) : (out.status == 101 && upgradeWs);
    return HandshakeParse::Done;
}

WebSocketDecoder::WebSocketDecoder(bool fromClient, WsLimits limits)
    : m_fromClient(fromClient), m_limits(limits) {}

void WebSocketDecoder::push(std::string_view bytes) {
    if (m_start > 0 && m_start >= m_buf.size() / 2) {
        m_buf.erase(0, m_start);
        m_start = 0;
    }
    m_buf.append(bytes);
}

void WebSocketDecoder::consume(std::size_t n) noexcept {
    m_start += n;
    m_consumed += n;
    if (m_start == m_buf.size()) {
        m_buf.clear();
        m_start = 0;
    }
}

WsEvent WebSocketDecoder::error(ErrorCode code, std::uint64_t offset, std::string why) const {
    WsEvent e;
    e.kind = WsEvent::Kind::Error;
    e.offset = offset;
    e.end = m_consumed;
    e.error = stack::makeError(code, offset, std::move(why), "WebSocket");
    return e;
}

WsEvent WebSocketDecoder::dropMessage(std::string why) {
    WsEvent e = error(ErrorCode::Incomplete, m_msgOffset,
                      std::move(why) + " (" + std::to_string(m_msg.size()) +
                          " payload bytes of an unfinished message dropped)");
    m_inMessage = m_skipMessage = false;
    m_msg.clear();
    m_msgIssues.clear();
    return e;
}

std::optional<WsEvent> WebSocketDecoder::next() {
    if (m_queued) {
        WsEvent e = std::move(*m_queued);
        m_queued.reset();
        return e;
    }
    while (true) {
        switch (m_state) {
            case State::Dead:
                consume(buffered());
                return std::nullopt;
            case State::Resync:
                if (auto e = resync()) return e;
                if (m_state == State::Resync) return std::nullopt;
                break;
            case State::Header:
                if (auto e = header()) return e;
                if (m_state == State::Header) return std::nullopt;
                break;
            case State::Payload:
                if (auto e = payload()) return e;
                if (m_state == State::Payload) return std::nullopt;
                break;
        }
    }
}

// RFC 6455 §5.2 base framing: FIN, RSV1-3, opcode; MASK, 7-bit length with 16/64-bit
// extensions; a 4-byte masking key when MASK is set.
std::optional<WsEvent> WebSocketDecoder::header() {
    const std::string_view p = pending();
    if (p.size() < 2) return std::nullopt;
    const auto b0 = static_cast<std::uint8_t>(p[0]), b1 = static_cast<std::uint8_t>(p[1]);
    const std::uint8_t len7 = b1 & 0x7F;
    const std::size_t extLen = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const std::size_t need = 2 + extLen + ((b1 & 0x80) ? 4 : 0);
    if (p.size() < need) return std::nullopt;

    Frame f;
    f.fin = b0 & 0x80;
    f.opcode = b0 & 0x0F;
    f.masked = b1 & 0x80;
    f.offset = m_consumed;
    f.length = len7;
    if (extLen > 0) {
        f.length = 0;
        for (std::size_t i = 0; i < extLen; ++i)
            f.length = (f.length << 8) | static_cast<std::uint8_t>(p[2 + i]);
    }
    if (f.masked)
        for (int i = 0; i < 4; ++i) f.mask[i] = static_cast<std::uint8_t>(p[2 + extLen + i]);
    f.rsv = b0 & 0x70;
    consume(need);
    if (extLen == 8 && (f.length >> 63) != 0) {
        m_state = State::Dead;  // no way to know where the next frame starts
        return error(ErrorCode::BadBody, f.offset,
                     "64-bit payload length with the most significant bit set (RFC 6455 §5.2); "
                     "the rest of the stream is not decoded");
    }
    std::vector<stack::Error> issues;
    if ((extLen == 2 && f.length < 126) || (extLen == 8 && f.length <= 0xFFFF))
        issues.push_back(stack::makeError(ErrorCode::Tolerated, f.offset,
                                          "payload length not in the minimal number of bytes "
                                          "(RFC 6455 §5.2)",
                                          "WebSocket"));
    if (f.masked != m_fromClient)
        issues.push_back(stack::makeError(ErrorCode::Tolerated, f.offset,
                                          m_fromClient ? "client frame not masked (RFC 6455 §5.1)"
                                                       : "server frame masked (RFC 6455 §5.1)",
                                          "WebSocket"));
    m_frame = f;
    m_state = State::Payload;
    return startFrame(std::move(issues));
}

// Decides what to do with the frame whose header was just read; an Error when it is dropped.
std::optional<WsEvent> WebSocketDecoder::startFrame(std::vector<stack::Error> issues) {
    Frame& f = m_frame;
    const auto skipFrom = [&](std::uint64_t from, ErrorCode code, std::string why) {
        f.use = Frame::Use::Skip;
        WsEvent e =
            error(code, from,
                  why + " (" + std::to_string(m_consumed - from + f.length) + " bytes skipped)");
        e.end = m_consumed + f.length;
        return e;
    };
    const auto skip = [&](ErrorCode code, std::string why) {
        return skipFrom(f.offset, code, std::move(why));
    };
    if (m_closeSeen) return skip(ErrorCode::BadBody, "frame after a Close frame (RFC 6455 §5.5.1)");
    if (f.opcode & 0x8) {  // RFC 6455 §5.5: control frames may sit between fragments
        if (f.opcode > 0xA)
            return skip(ErrorCode::BadBody, "reserved control opcode (RFC 6455 §5.2)");
        if (!f.fin || f.length > 125)
            return skip(ErrorCode::BadBody,
                        "control frame fragmented or longer than 125 bytes (RFC 6455 §5.5)");
        f.use = Frame::Use::Control;
        m_control.clear();
        return std::nullopt;
    }
    if (f.opcode > 0x2) return skip(ErrorCode::BadBody, "reserved data opcode (RFC 6455 §5.2)");
    std::optional<WsEvent> dropped;
    if (f.opcode != 0) {
        if (m_inMessage && !m_skipMessage)  // RFC 6455 §5.4: fragments are not interleaved
            dropped = dropMessage("new message before the previous one was finished");
        m_inMessage = true;
        m_skipMessage = false;
        m_msgOpcode = static_cast<WsOpcode>(f.opcode);
        m_msgOffset = f.offset;
        m_msgFrames = 0;
        m_msg.clear();
        m_msgIssues.clear();
    } else if (!m_inMessage) {
        return skip(ErrorCode::BadBody, "continuation frame without a message (RFC 6455 §5.4)");
    }
    f.ofMessage = true;
    ++m_msgFrames;
    f.use = Frame::Use::Skip;
    if (m_skipMessage) return dropped;  // the message was already reported as dropped
    m_msgIssues.insert(m_msgIssues.end(), issues.begin(), issues.end());
    std::optional<WsEvent> refused;
    if (f.rsv != 0)
        refused = skipFrom(m_msgOffset, ErrorCode::BadBody,
                           "RSV bits set: compressed (RFC 7692 permessage-deflate) or extension "
                           "frames are not decoded (RFC 6455 §5.2)");
    else if (m_msg.size() + f.length > m_limits.maxMessageBytes)
        refused = skipFrom(m_msgOffset, ErrorCode::TooLarge,
                           "WebSocket message larger than the limit of " +
                               std::to_string(m_limits.maxMessageBytes) +
                               " bytes; the whole message is dropped");
    if (refused) {
        m_skipMessage = true;
        m_msg.clear();
        m_msgIssues.clear();
        if (!dropped) return refused;
        m_queued = std::move(refused);
        return dropped;
    }
    f.use = Frame::Use::Message;
    return dropped;
}

std::optional<WsEvent> WebSocketDecoder::payload() {
    Frame& f = m_frame;
    const std::string_view p = pending();
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(f.length - f.done, p.size()));
    if (f.use != Frame::Use::Skip) {
        std::string& out = f.use == Frame::Use::Message ? m_msg : m_control;
        const std::size_t at = out.size();
        out.append(p.data(), n);
        if (f.masked)  // RFC 6455 §5.3: octet i is XORed with key octet i mod 4
            for (std::size_t i = 0; i < n; ++i)
                out[at + i] = static_cast<char>(out[at + i] ^ f.mask[(f.done + i) & 3]);
    }
    consume(n);
    f.done += n;
    if (f.done < f.length) return std::nullopt;
    m_state = State::Header;
    return frameDone();
}

std::optional<WsEvent> WebSocketDecoder::frameDone() {
    const Frame& f = m_frame;
    if (f.use == Frame::Use::Control) {
        WsEvent e;
        e.kind = WsEvent::Kind::Control;
        e.opcode = static_cast<WsOpcode>(f.opcode);
        e.payload = stack::makeBytes(m_control);
        e.offset = f.offset;
        e.end = m_consumed;
        if (e.opcode == WsOpcode::Close) m_closeSeen = true;
        return e;
    }
    if (!f.ofMessage || !f.fin) return std::nullopt;
    if (f.use == Frame::Use::Skip) {
        m_inMessage = m_skipMessage = false;
        m_msgIssues.clear();
        return std::nullopt;
    }
    WsEvent e;
    e.kind = WsEvent::Kind::Message;
    e.opcode = m_msgOpcode;
    e.payload = stack::adoptBytes(std::move(m_msg));
    e.offset = m_msgOffset;
    e.end = m_consumed;
    e.frames = m_msgFrames;
    e.issues = std::move(m_msgIssues);
    m_msg = {};
    m_msgIssues = {};
    m_inMessage = false;
    return e;
}

void WebSocketDecoder::lostBytes() {
    if (m_state == State::Dead) return;
    if (m_state == State::Resync) {  // still looking: the skipped region just grows
        consume(buffered());
        return;
    }
    const std::uint64_t end = m_consumed + buffered();
    std::uint64_t start = end;
    if (m_state == State::Payload && m_frame.use != Frame::Use::Skip) start = m_frame.offset;
    if (buffered() > 0) start = std::min(start, m_consumed);
    if (m_inMessage && !m_skipMessage) start = std::min(start, m_msgOffset);
    if (start < end) {
        m_queued = error(ErrorCode::Incomplete, start,
                         "unfinished frame or message before lost bytes (" +
                             std::to_string(end - start) + " bytes dropped)");
        m_queued->end = end;
    }
    consume(buffered());
    m_inMessage = m_skipMessage = false;
    m_msg.clear();
    m_msgIssues.clear();
    m_frame = Frame{};
    m_state = State::Resync;
    m_resyncFrom = m_consumed;
}

// 1: a data frame that starts a message whose payload begins with a SIP start line;
// 0: not one; -1: more bytes are needed to tell.
int WebSocketDecoder::candidate(std::string_view p) const noexcept {
    if (p.size() < 2) return -1;
    const auto b0 = static_cast<std::uint8_t>(p[0]), b1 = static_cast<std::uint8_t>(p[1]);
    if ((b0 & 0x70) != 0 || ((b0 & 0x0F) != 1 && (b0 & 0x0F) != 2)) return 0;
    if (static_cast<bool>(b1 & 0x80) != m_fromClient) return 0;
    const std::uint8_t len7 = b1 & 0x7F;
    const std::size_t extLen = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const std::size_t hdr = 2 + extLen + (m_fromClient ? 4 : 0);
    if (p.size() < hdr) return -1;
    std::uint64_t length = len7;
    if (extLen > 0) {
        length = 0;
        for (std::size_t i = 0; i < extLen; ++i)
            length = (length << 8) | static_cast<std::uint8_t>(p[2 + i]);
    }
    if (length == 0 || length > m_limits.maxMessageBytes) return 0;
    const std::size_t scan =
        static_cast<std::size_t>(std::min<std::uint64_t>(length, kResyncLineScan));
    const std::size_t have = std::min(scan, p.size() - hdr);
    char line[kResyncLineScan];
    for (std::size_t i = 0; i < have; ++i) {
        line[i] = p[hdr + i];
        if (m_fromClient) line[i] = static_cast<char>(line[i] ^ p[2 + extLen + (i & 3)]);
        if (line[i] != '\n') continue;
        std::string_view l(line, i);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        return stack::looksLikeStartLine(l) ? 1 : 0;
    }
    return have < scan ? -1 : 0;
}

std::optional<WsEvent> WebSocketDecoder::resync() {
    const std::string_view p = pending();
    for (std::size_t i = 0; i < p.size(); ++i) {
        const int c = candidate(p.substr(i));
        if (c == 0) continue;
        consume(i);
        if (c < 0) return std::nullopt;
        m_state = State::Header;
        if (m_consumed == m_resyncFrom) return std::nullopt;
        return error(ErrorCode::Incomplete, m_resyncFrom,
                     "resynchronised on a SIP message after lost bytes (" +
                         std::to_string(m_consumed - m_resyncFrom) + " bytes skipped)");
    }
    consume(p.size());
    return std::nullopt;
}

std::optional<WsEvent> WebSocketDecoder::finish() {
    if (m_queued) {
        WsEvent e = std::move(*m_queued);
        m_queued.reset();
        return e;
    }
    const std::uint64_t end = m_consumed + buffered();
    std::optional<WsEvent> e;
    if (m_state == State::Resync) {
        if (end > m_resyncFrom)
            e = error(ErrorCode::Incomplete, m_resyncFrom,
                      "no SIP message found after lost bytes (" +
                          std::to_string(end - m_resyncFrom) + " bytes skipped)");
    } else if (m_state != State::Dead) {
        std::uint64_t start = end;
        if (m_state == State::Payload && m_frame.use != Frame::Use::Skip) start = m_frame.offset;
        if (buffered() > 0) start = std::min(start, m_consumed);
        if (m_inMessage && !m_skipMessage) start = std::min(start, m_msgOffset);
        if (start < end)
            e = error(ErrorCode::Incomplete, start,
                      "stream ended inside a frame or message (" + std::to_string(end - start) +
                          " bytes unused)");
    }
    consume(buffered());
    m_state = State::Dead;
    if (e) e->end = end;
    return e;
}

}  // namespace sipscope::analyzer
