// TcpSipStreams: connections, their classification, gaps and conflicts, and the end of a
// direction. Framing within a direction is in tcp_sip_drain.cpp.

#include "sip/tcp_sip_streams.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "sip/tcp_sip_state.hpp"

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
