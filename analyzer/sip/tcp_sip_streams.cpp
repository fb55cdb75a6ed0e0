#include "sip/tcp_sip_streams.hpp"

#include "sip/stream_classifier.hpp"

#include <algorithm>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

#include "syntax/char_class.hpp"

namespace sipscope::analyzer {

using stack::ErrorCode;

const char* streamKindName(StreamKind k) noexcept {
    switch (k) {
        case StreamKind::Undecided:
            return "undecided";
        case StreamKind::Sip:
            return "sip";
        case StreamKind::WebSocket:
            return "websocket";
        case StreamKind::Tls:
            return "tls";
        case StreamKind::Other:
            return "other";
    }
    return "undecided";
}

struct TcpSipStreams::Dir {
    // Resync: SIP after lost or unknown bytes, looking for a start line before framing again.
    enum class Mode : std::uint8_t { Classify, Sip, Resync, HttpHeader, Ws, Tls, Ignore };
    struct Span {
        std::uint64_t begin;  // local offset of the first byte of a chunk
        std::uint64_t frame;
        std::int64_t tsNs;
    };

    explicit Dir(const TcpSipConfig& config) : framer(config.framer) {}

    Mode mode = Mode::Classify;
    bool midStream = false;  // bytes before this direction's first byte are unknown
    bool finished = false;
    bool client = false;              // WebSocket: the side that sent the GET (frames masked)
    std::string held;                 // Classify / Resync / HttpHeader: bytes not used yet
    std::uint64_t resyncFrom = 0;     // Resync: TCP offset of the first byte not framed
    std::uint64_t resyncSkipped = 0;  // Resync: bytes dropped from `held` so far
    bool resyncLongLine = false;      // Resync: inside a line too long to be a start line
    std::size_t classifyScanned = 0;  // Classify: bytes of `held` searched for a line end
    // Local offsets count the bytes received on this direction, gaps excluded. The TCP stream
    // offset of the current position is local + lost.
    std::uint64_t local = 0, lost = 0;
    std::uint64_t base = 0;      // local offset of the framer's / decoder's offset 0
    std::uint64_t gapFloor = 0;  // local offset of the last gap: no message may start before
    stack::StreamFramer framer;
    std::unique_ptr<WebSocketDecoder> ws;
    std::deque<Span> spans;            // chunks not wholly consumed yet, ascending
    std::vector<stack::Error> issues;  // for the next message
    std::uint64_t suppressed = 0;
    TlsCounter tls;

    std::uint64_t tcpOffset(std::uint64_t consumerOffset) const noexcept {
        return base + consumerOffset + lost;
    }
    // Forgets chunks that end at or before local offset `end`.
    void trim(std::uint64_t end) {
        while (spans.size() > 1 && spans[1].begin <= end) spans.pop_front();
    }
};

struct TcpSipStreams::Conn {
    explicit Conn(const TcpSipConfig& config) : dir{Dir(config), Dir(config)} {}
    StreamConnection info;
    Dir dir[2];
};

TcpSipStreams::TcpSipStreams(SipStreamSink& sink, TcpSipConfig config)
    : m_sink(sink), m_config(config), m_tcp(*this, config.tcp) {}

TcpSipStreams::~TcpSipStreams() = default;

void TcpSipStreams::onOpen(const TcpConnectionInfo& info) {
    auto c = std::make_unique<Conn>(m_config);
    c->info.connection = info.connection;
    c->info.client = info.client;
    c->info.server = info.server;
    c->info.midStream = info.midStream;
    c->info.firstTsNs = c->info.lastTsNs = info.tsNs;
    c->dir[0].midStream = c->dir[1].midStream = info.midStream;
    Conn& ref = *c;
    m_conns.emplace(info.connection, std::move(c));
    if (!m_config.detect) decide(ref, StreamKind::Sip);
}

void TcpSipStreams::onData(const TcpStreamId& stream, const TcpChunk& chunk) {
    Conn& c = *m_conns.at(stream.connection);
    const int dir = stream.direction;
    Dir& d = c.dir[dir];
    const std::string_view bytes(reinterpret_cast<const char*>(chunk.bytes.data()),
                                 chunk.bytes.size());
    c.info.bytes[dir] += bytes.size();
    c.info.lastTsNs = std::max(c.info.lastTsNs, chunk.tsNs);
    if (d.mode == Dir::Mode::Ignore || d.mode == Dir::Mode::Tls) {
        d.local += bytes.size();
        m_stats.otherBytes += bytes.size();
        if (d.mode == Dir::Mode::Tls) {
            const std::uint64_t before = d.tls.records;
            d.tls.scan(bytes);
            m_stats.tlsRecords += d.tls.records - before;
            c.info.tlsRecords[dir] = d.tls.records;
            c.info.tlsHandshakeRecords[dir] = d.tls.handshakes;
        }
        return;
    }
    if (d.spans.empty() || d.spans.back().frame != chunk.frame)
        d.spans.push_back(Dir::Span{d.local, chunk.frame, chunk.tsNs});
    else
        d.spans.back().tsNs = std::max(d.spans.back().tsNs, chunk.tsNs);
    d.local += bytes.size();
    switch (d.mode) {
        case Dir::Mode::Sip:
            d.framer.push(bytes);
            drainSip(c, dir);
            break;
        case Dir::Mode::Ws:
            d.ws->push(bytes);
            drainWs(c, dir);
            break;
        case Dir::Mode::Classify:
            d.held.append(bytes);
            classify(c, dir);
            break;
        case Dir::Mode::Resync:
            d.held.append(bytes);
            resync(c, dir);
            break;
        case Dir::Mode::HttpHeader:
            d.held.append(bytes);
            handshake(c, dir);
            break;
        case Dir::Mode::Tls:
        case Dir::Mode::Ignore:
            break;
    }
}

void TcpSipStreams::classify(Conn& c, int dir) {
    Dir& d = c.dir[dir];
    if (c.info.kind != StreamKind::Undecided) return enter(c, dir);
    const StreamKind k =
        classifyStart(d.held, d.midStream, m_config.classifyBytes, d.classifyScanned);
    if (k == StreamKind::Undecided) return;
    // RFC 7118 §4: the side that sent the upgrade request is the WebSocket client.
    if (k == StreamKind::WebSocket) d.client = true;
    decide(c, k);
}

void TcpSipStreams::decide(Conn& c, StreamKind kind) {
    c.info.kind = kind;
    switch (kind) {
        case StreamKind::Sip:
            ++m_stats.sipConnections;
            break;
        case StreamKind::WebSocket:
            ++m_stats.wsConnections;
            break;
        case StreamKind::Tls:
            ++m_stats.tlsConnections;
            break;
        case StreamKind::Other:
            ++m_stats.otherConnections;
            break;
        case StreamKind::Undecided:
            break;
    }
    m_sink.onClassified(c.info);
    enter(c, 0);
    enter(c, 1);
}

// Switches a direction to its connection's kind and hands it the bytes held so far.
void TcpSipStreams::enter(Conn& c, int dir) {
    Dir& d = c.dir[dir];
    if (d.mode != Dir::Mode::Classify) return;
    const bool finished = d.finished;
    d.finished = false;  // a direction that already ended is finished again after its bytes
    std::string held = std::move(d.held);
    d.held.clear();
    d.base = d.local - held.size();
    switch (c.info.kind) {
        case StreamKind::Sip:
            if (d.midStream) {  // unknown bytes came before: skip to the first start line
                d.mode = Dir::Mode::Resync;
                d.resyncFrom = d.base + d.lost;
                d.resyncSkipped = 0;
                d.held = std::move(held);
                resync(c, dir);
                break;
            }
            d.mode = Dir::Mode::Sip;
            d.framer.push(held);
            drainSip(c, dir);
            break;
        case StreamKind::WebSocket:
            d.mode = Dir::Mode::HttpHeader;
            d.held = std::move(held);
            handshake(c, dir);
            break;
        case StreamKind::Tls:
            d.mode = Dir::Mode::Tls;
            d.tls.scan(held);
            m_stats.tlsRecords += d.tls.records;
            c.info.tlsRecords[dir] = d.tls.records;
            c.info.tlsHandshakeRecords[dir] = d.tls.handshakes;
            m_stats.otherBytes += held.size();
            d.spans.clear();
            break;
        case StreamKind::Other:
        case StreamKind::Undecided:
            d.mode = Dir::Mode::Ignore;
            m_stats.otherBytes += held.size();
            d.spans.clear();
            break;
    }
    if (d.mode == Dir::Mode::Tls || d.mode == Dir::Mode::Ignore) {
        d.issues.clear();  // gaps seen while classifying concern no SIP
        d.suppressed = 0;
    }
    if (finished) finishDirection(c, dir);
}

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

void TcpSipStreams::addIssue(Dir& d, stack::Error e) {
    ++m_stats.issues;
    if (d.issues.size() >= m_config.maxPendingIssues) {
        ++d.suppressed;
        ++m_stats.suppressedIssues;
        return;
    }
    d.issues.push_back(std::move(e));
}

void TcpSipStreams::onGap(const TcpStreamId& stream, std::uint64_t offset, std::uint64_t lost,
                          std::int64_t tsNs) {
    (void)tsNs;
    Conn& c = *m_conns.at(stream.connection);
    Dir& d = c.dir[stream.direction];
    c.info.lostBytes[stream.direction] += lost;
    switch (d.mode) {
        case Dir::Mode::Ignore:
            break;
        case Dir::Mode::Tls:
            d.tls.lost = true;
            break;
        case Dir::Mode::Classify:
            if (!d.held.empty())
                addIssue(d,
                         stack::makeError(ErrorCode::Incomplete, d.local - d.held.size() + d.lost,
                                          "unfinished first line before lost bytes (" +
                                              std::to_string(d.held.size()) + " bytes skipped)"));
            m_stats.otherBytes += d.held.size();
            d.held.clear();
            d.classifyScanned = 0;
            d.midStream = true;
            break;
        case Dir::Mode::HttpHeader:
            d.held.clear();
            break;  // handled below
        case Dir::Mode::Sip:
            drainSip(c, stream.direction);
            d.framer.lostBytes();  // drops the partial message, reported by the next drain
            drainSip(c, stream.direction);
            break;
        case Dir::Mode::Resync:
            d.resyncSkipped += d.held.size();
            d.held.clear();
            d.resyncLongLine = false;
            break;
        case Dir::Mode::Ws:
            drainWs(c, stream.direction);
            d.ws->lostBytes();
            drainWs(c, stream.direction);
            break;
    }
    if (d.mode != Dir::Mode::Ignore && d.mode != Dir::Mode::Tls)
        addIssue(d,
                 stack::makeError(ErrorCode::Incomplete, offset,
                                  std::to_string(lost) + " bytes lost in the capture (TCP gap)"));
    d.lost += lost;
    d.gapFloor = d.local;
    if (d.mode == Dir::Mode::Sip) {  // RFC 3261 §18.3: framing resumes at the next start line
        d.mode = Dir::Mode::Resync;
        d.resyncFrom = d.local + d.lost;
        d.resyncSkipped = 0;
    }
    if (d.mode == Dir::Mode::HttpHeader) {
        d.mode = Dir::Mode::Ignore;
        finishDirection(c, stream.direction);
    }
}

void TcpSipStreams::onConflict(const TcpStreamId& stream, std::uint64_t offset,
                               std::uint64_t length, std::uint64_t frame) {
    Dir& d = m_conns.at(stream.connection)->dir[stream.direction];
    if (d.mode == Dir::Mode::Ignore || d.mode == Dir::Mode::Tls) return;
    addIssue(d, stack::makeError(ErrorCode::Tolerated, offset,
                                 std::to_string(length) + " retransmitted bytes in frame " +
                                     std::to_string(frame) +
                                     " differ from the first copy, which was kept"));
}

void TcpSipStreams::onFin(const TcpStreamId& stream) {
    finishDirection(*m_conns.at(stream.connection), stream.direction);
}

// The direction is over: what is left unfinished and every pending issue is reported.
void TcpSipStreams::finishDirection(Conn& c, int dir) {
    Dir& d = c.dir[dir];
    if (d.finished) return;
    d.finished = true;
    if (d.mode == Dir::Mode::Sip) {
        drainSip(c, dir);
        if (d.framer.buffered() > 0)
            addIssue(d, stack::makeError(ErrorCode::Incomplete, d.tcpOffset(d.framer.consumed()),
                                         "stream ended inside a message (" +
                                             std::to_string(d.framer.buffered()) +
                                             " bytes never completed)"));
    } else if (d.mode == Dir::Mode::Ws) {
        drainWs(c, dir);
        if (auto e = d.ws->finish()) {
            e->error.offset = d.tcpOffset(e->error.offset);
            addIssue(d, std::move(e->error));
        }
    } else if (d.mode == Dir::Mode::Resync && d.resyncSkipped + d.held.size() > 0) {
        addIssue(d, stack::makeError(ErrorCode::Incomplete, d.resyncFrom,
                                     "no start line found after lost bytes (" +
                                         std::to_string(d.resyncSkipped + d.held.size()) +
                                         " bytes skipped)"));
    } else if (d.mode == Dir::Mode::HttpHeader && !d.held.empty()) {
        addIssue(d, stack::makeError(ErrorCode::Incomplete, d.tcpOffset(0),
                                     "stream ended inside the WebSocket handshake", "WebSocket"));
    }
    if (d.issues.empty() && d.suppressed == 0) return;
    StreamIssueReport r;
    r.src = dir == 0 ? c.info.client : c.info.server;
    r.dst = dir == 0 ? c.info.server : c.info.client;
    r.transport = d.mode == Dir::Mode::Ws ? Transport::Ws : Transport::Tcp;
    r.connection = c.info.connection;
    r.direction = static_cast<std::uint8_t>(dir);
    for (const auto& s : d.spans) {
        r.frames.push_back(s.frame);
        r.tsNs = std::max(r.tsNs, s.tsNs);
    }
    std::sort(r.frames.begin(), r.frames.end());
    r.frames.erase(std::unique(r.frames.begin(), r.frames.end()), r.frames.end());
    if (r.tsNs == 0) r.tsNs = c.info.lastTsNs;
    if (d.suppressed > 0)
        d.issues.push_back(stack::makeError(ErrorCode::Tolerated, d.tcpOffset(0),
                                            std::to_string(d.suppressed) + " more issues"));
    d.suppressed = 0;
    r.issues = std::move(d.issues);
    d.issues = {};
    d.spans.clear();
    ++m_stats.issueReports;
    m_sink.onIssues(std::move(r));
}

void TcpSipStreams::onClose(std::uint64_t connection, TcpEnd reason) {
    const auto it = m_conns.find(connection);
    Conn& c = *it->second;
    finishDirection(c, 0);
    finishDirection(c, 1);
    if (c.info.kind == StreamKind::Undecided) {
        ++m_stats.undecidedConnections;
        m_stats.otherBytes += c.dir[0].held.size() + c.dir[1].held.size();
    }
    m_sink.onClosed(c.info, reason);
    m_conns.erase(it);
}

}  // namespace sipscope::analyzer
