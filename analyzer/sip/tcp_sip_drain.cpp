// TcpSipStreams, within one direction whose kind is decided: the WebSocket handshake, resync
// on a start line after unknown bytes, draining the stream framer and the WebSocket decoder, and
// publishing each message with its frames and issues.

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "sip/tcp_sip_state.hpp"

namespace sipscope::analyzer {

using stack::ErrorCode;

// RFC 6455 §4: the GET (client side) or the 101 response (server side), then frames.
void TcpSipStreams::handshake(Conn& c, int dir) {
    Dir& d = c.dir[dir];
    WsHandshake h;
    const HandshakeParse r = parseWsHandshake(d.held, h, m_config.classifyBytes);
    if (r == HandshakeParse::NeedMore) return;
    const std::uint64_t at = d.tcpOffset(0);
    const char* refused = nullptr;
    if (r == HandshakeParse::NotHttp)
        refused = "no HTTP handshake on a WebSocket connection";
    else if (h.request != d.client)
        refused = "unexpected HTTP message on a WebSocket connection";
    else if (!h.upgrade)
        refused = "WebSocket upgrade refused";
    if (refused != nullptr) {
        std::string why = refused;
        if (h.status != 0) why += " (HTTP status " + std::to_string(h.status) + ")";
        addIssue(d, stack::makeError(ErrorCode::BadStartLine, at,
                                     why + "; " + std::to_string(d.held.size()) + " bytes ignored",
                                     "WebSocket"));
        m_stats.otherBytes += d.held.size();
        d.held.clear();
        d.spans.clear();
        d.mode = Dir::Mode::Ignore;
        return finishDirection(c, dir);
    }
    if (h.compressed) c.info.wsCompressed = true;
    if (!h.request && !h.sipProtocol)  // RFC 7118 §4.1: the server selects "sip"
        addIssue(d,
                 stack::makeError(ErrorCode::Tolerated, at,
                                  "101 response without Sec-WebSocket-Protocol: sip", "WebSocket"));
    d.mode = Dir::Mode::Ws;
    d.ws = std::make_unique<WebSocketDecoder>(d.client, m_config.ws);
    d.base = d.local - d.held.size() + h.length;
    d.ws->push(std::string_view(d.held).substr(h.length));
    d.held = {};
    drainWs(c, dir);
}

// Drops whole lines until one holds a start line, then frames from it on. The framer's own
// resync would do the same on whole lines only (see startLineIn).
void TcpSipStreams::resync(Conn& c, int dir) {
    Dir& d = c.dir[dir];
    std::size_t pos = 0;
    for (std::size_t nl; (nl = d.held.find('\n', pos)) != std::string::npos; pos = nl + 1) {
        std::string_view line(d.held.data() + pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (std::exchange(d.resyncLongLine, false)) continue;  // its start was dropped
        // The same bound as the framer's (StreamFramer::resync): line feed at most this far in.
        if (nl - pos > m_config.framer.maxHeaderBytes) continue;
        const std::size_t at = startLineIn(line);
        if (at == std::string_view::npos) continue;
        const std::size_t skip = pos + at;
        d.resyncSkipped += skip;
        if (d.resyncSkipped > 0)
            addIssue(d, stack::makeError(ErrorCode::Incomplete, d.resyncFrom,
                                         "stream resynchronised on a start line (" +
                                             std::to_string(d.resyncSkipped) + " bytes skipped)"));
        // The framer was drained after its lostBytes(): the next byte it gets is `skip`.
        d.base = d.local - d.held.size() + skip - d.framer.consumed();
        d.mode = Dir::Mode::Sip;
        d.framer.push(std::string_view(d.held).substr(skip));
        d.held = {};
        return drainSip(c, dir);
    }
    // Lines without a start line are gone for good. A partial line longer than a header
    // section may be is dropped too (and the rest of it when it ends): whatever the
    // segmentation, such a line is never a start line.
    if (d.held.size() - pos > m_config.framer.maxHeaderBytes) {
        pos = d.held.size();
        d.resyncLongLine = true;
    }
    d.resyncSkipped += pos;
    d.held.erase(0, pos);
}

void TcpSipStreams::drainSip(Conn& c, int dir) {
    Dir& d = c.dir[dir];
    while (auto f = d.framer.next()) {
        const std::uint64_t begin = d.base + f->streamOffset, end = begin + f->length;
        switch (f->kind) {
            case stack::Frame::Kind::KeepAlive:
                ++m_stats.keepAlives;
                break;
            case stack::Frame::Kind::Error:
                f->error.offset = d.tcpOffset(f->streamOffset);
                addIssue(d, std::move(f->error));
                break;
            case stack::Frame::Kind::Message:
                if (begin < d.gapFloor) {  // defensive: the framer must not join across a gap
                    addIssue(d,
                             stack::makeError(ErrorCode::Incomplete, d.tcpOffset(f->streamOffset),
                                              "message spans a capture gap; dropped"));
                    break;
                }
                publish(c, dir, begin, end, std::move(f->bytes), Transport::Tcp, {},
                        std::move(f->message));
                break;
        }
        d.trim(end);
    }
}

void TcpSipStreams::drainWs(Conn& c, int dir) {
    Dir& d = c.dir[dir];
    while (auto e = d.ws->next()) {
        const std::uint64_t begin = d.base + e->offset, end = d.base + e->end;
        const auto rebase = [&](stack::Error err) {
            err.offset = d.tcpOffset(err.offset);
            return err;
        };
        switch (e->kind) {
            case WsEvent::Kind::Control:
                break;  // ping, pong, close: nothing for SIP
            case WsEvent::Kind::Error:
                addIssue(d, rebase(std::move(e->error)));
                break;
            case WsEvent::Kind::Message: {
                // Clients send RFC 5626 §3.5.1 CRLF keep-alives in WebSocket messages too;
                // an empty message carries no SIP either.
                if (e->payload->find_first_not_of("\r\n") == std::string::npos) {
                    ++m_stats.keepAlives;
                    break;
                }
                if (begin < d.gapFloor) {  // defensive: the decoder drops them at gaps
                    addIssue(d, stack::makeError(ErrorCode::Incomplete, begin + d.lost,
                                                 "message spans a capture gap; dropped"));
                    break;
                }
                std::vector<stack::Error> extra;
                for (auto& i : e->issues) extra.push_back(rebase(std::move(i)));
                ++m_stats.wsMessages;
                publish(c, dir, begin, end, std::move(e->payload), Transport::Ws, std::move(extra));
                break;
            }
        }
        d.trim(d.base + d.ws->neededFrom());
    }
}

void TcpSipStreams::publish(Conn& c, int dir, std::uint64_t begin, std::uint64_t end,
                            stack::Bytes bytes, Transport transport,
                            std::vector<stack::Error> extra,
                            std::optional<stack::SipMessage> message) {
    Dir& d = c.dir[dir];
    StreamMessage m;
    m.src = dir == 0 ? c.info.client : c.info.server;
    m.dst = dir == 0 ? c.info.server : c.info.client;
    m.transport = transport;
    m.connection = c.info.connection;
    m.direction = static_cast<std::uint8_t>(dir);
    m.streamOffset = begin + d.lost;
    for (std::size_t i = 0; i < d.spans.size() && d.spans[i].begin < end; ++i) {
        const std::uint64_t spanEnd = i + 1 < d.spans.size() ? d.spans[i + 1].begin : d.local;
        if (spanEnd <= begin) continue;
        m.frames.push_back(d.spans[i].frame);
        m.tsNs = std::max(m.tsNs, d.spans[i].tsNs);
    }
    if (!std::is_sorted(m.frames.begin(), m.frames.end()))
        std::sort(m.frames.begin(), m.frames.end());
    m.frames.erase(std::unique(m.frames.begin(), m.frames.end()), m.frames.end());
    m.bytes = std::move(bytes);
    m.message = std::move(message);
    // Issues before this message's end are its own; later ones (a conflicting retransmission
    // of bytes still held) wait for the message that holds them.
    const std::uint64_t endTcp = end + d.lost;
    const auto mine = std::stable_partition(
        d.issues.begin(), d.issues.end(), [&](const stack::Error& e) { return e.offset < endTcp; });
    m.issues.assign(std::make_move_iterator(d.issues.begin()), std::make_move_iterator(mine));
    d.issues.erase(d.issues.begin(), mine);
    if (d.suppressed > 0) {
        m.issues.push_back(stack::makeError(ErrorCode::Tolerated, m.streamOffset,
                                            std::to_string(d.suppressed) + " more issues"));
        d.suppressed = 0;
    }
    m.issues.insert(m.issues.end(), std::make_move_iterator(extra.begin()),
                    std::make_move_iterator(extra.end()));
    ++m_stats.messages;
    ++c.info.messages[dir];
    m_sink.onMessage(std::move(m));
}

}  // namespace sipscope::analyzer
