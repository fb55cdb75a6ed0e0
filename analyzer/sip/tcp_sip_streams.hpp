#pragma once
// TCP segments in, SIP messages out: owns a TcpReassembler and, per direction, either a
// StreamFramer (SIP over TCP, RFC 3261 §18.3) or a WebSocketDecoder (SIP over WebSocket,
// RFC 7118). Each message carries every frame that held one of its bytes and the time its last
// byte became available.
//
// Connections are classified by their first bytes (detect = true): a SIP start line or CRLF
// keep-alive → SIP; an HTTP/1.1 GET upgrading to WebSocket with subprotocol "sip" → WebSocket;
// a TLS handshake record → TLS (records are counted, not decrypted); anything else → other,
// ignored and counted. A connection first seen mid-stream is SIP when a start line appears in
// its first classifyBytes bytes; the framer then resyncs on that line.
//
// Nothing is dropped silently: framing errors, gaps, conflicting retransmissions and skipped
// bytes become issues of the next message of their direction; issues that no message follows
// are handed over by onIssues() when the direction ends.

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/ip_address.hpp"
#include "core/result.hpp"
#include "message/sip_message.hpp"
#include "parser/stream_framer.hpp"
#include "reassembly/tcp_reassembler.hpp"
#include "sip/websocket.hpp"

namespace sipscope::analyzer {

struct StreamMessage {
    Endpoint src, dst;
    Transport transport = Transport::Tcp;  // Tcp or Ws
    std::vector<std::uint64_t> frames;     // frames that carried any of its bytes, ascending
    std::int64_t tsNs = 0;  // when its last byte became in-order (see TcpChunk::tsNs)
    stack::Bytes bytes;     // exactly the message (Ws: the unmasked WebSocket message)
    std::optional<stack::SipMessage> message;  // parsed by the framer when it was (else not yet)
    std::vector<stack::Error> issues;  // problems on its direction since the previous message;
                                       // offsets are TCP stream offsets of that direction
    std::uint64_t connection = 0;      // TcpStreamId::connection
    std::uint8_t direction = 0;        // 0: client → server
    std::uint64_t streamOffset = 0;    // TCP stream offset of its first byte (Ws: frame header)
};

// Issues of a direction that ended before another message could carry them.
struct StreamIssueReport {
    Endpoint src, dst;
    Transport transport = Transport::Tcp;
    std::uint64_t connection = 0;
    std::uint8_t direction = 0;
    std::vector<std::uint64_t> frames;  // frames of the bytes that were never used, ascending
    std::int64_t tsNs = 0;
    std::vector<stack::Error> issues;
};

enum class StreamKind : std::uint8_t { Undecided, Sip, WebSocket, Tls, Other };
const char* streamKindName(StreamKind k) noexcept;

struct StreamConnection {
    std::uint64_t connection = 0;
    Endpoint client, server;
    StreamKind kind = StreamKind::Undecided;
    bool midStream = false;
    bool wsCompressed = false;  // permessage-deflate negotiated: its messages are not decoded
    std::int64_t firstTsNs = 0, lastTsNs = 0;
    // Per direction, 0: client → server.
    std::uint64_t bytes[2] = {};
    std::uint64_t lostBytes[2] = {};
    std::uint64_t messages[2] = {};
    std::uint64_t tlsRecords[2] = {};  // RFC 8446 §5.1 records (TLS 1.0–1.3)
    std::uint64_t tlsHandshakeRecords[2] = {};
};

class SipStreamSink {
  public:
    virtual ~SipStreamSink() = default;
    virtual void onMessage(StreamMessage&& message) = 0;
    virtual void onIssues(StreamIssueReport&& report) = 0;
    // Once per connection, when its kind is decided (kind != Undecided).
    virtual void onClassified(const StreamConnection& c) { (void)c; }
    // Last call for a connection; kind may still be Undecided.
    virtual void onClosed(const StreamConnection& c, TcpEnd reason) {
        (void)c;
        (void)reason;
    }
};

struct TcpSipConfig {
    TcpLimits tcp;
    stack::FramerLimits framer;
    WsLimits ws;
    bool detect = true;                 // false: every connection is SIP over TCP
    std::size_t classifyBytes = 16384;  // undecided after this many bytes: other
    std::size_t maxPendingIssues = 64;  // per direction; more are counted in one issue
};

struct StreamStats {
    std::uint64_t sipConnections = 0, wsConnections = 0, tlsConnections = 0;
    std::uint64_t otherConnections = 0, undecidedConnections = 0;
    std::uint64_t messages = 0, wsMessages = 0, keepAlives = 0;
    std::uint64_t issues = 0, suppressedIssues = 0, issueReports = 0;
    std::uint64_t otherBytes = 0;  // bytes of connections not carrying SIP (TLS included)
    std::uint64_t tlsRecords = 0;
};

class TcpSipStreams : private TcpStreamSink {
  public:
    explicit TcpSipStreams(SipStreamSink& sink, TcpSipConfig config = {});
    ~TcpSipStreams() override;
    TcpSipStreams(const TcpSipStreams&) = delete;
    TcpSipStreams& operator=(const TcpSipStreams&) = delete;

    void add(const TcpSegment& segment) { m_tcp.add(segment); }
    void expire(std::int64_t nowNs) { m_tcp.expire(nowNs); }
    void flush() { m_tcp.flush(); }  // end of input: every connection ends

    const TcpStats& tcpStats() const noexcept { return m_tcp.stats(); }
    const StreamStats& stats() const noexcept { return m_stats; }
    std::size_t connections() const noexcept { return m_conns.size(); }
    const TcpReassembler& reassembler() const noexcept { return m_tcp; }

  private:
    struct Dir;
    struct Conn;

    void onOpen(const TcpConnectionInfo& info) override;
    void onData(const TcpStreamId& stream, const TcpChunk& chunk) override;
    void onGap(const TcpStreamId& stream, std::uint64_t offset, std::uint64_t lost,
               std::int64_t tsNs) override;
    void onConflict(const TcpStreamId& stream, std::uint64_t offset, std::uint64_t length,
                    std::uint64_t frame) override;
    void onFin(const TcpStreamId& stream) override;
    void onClose(std::uint64_t connection, TcpEnd reason) override;

    void classify(Conn& c, int dir);
    void decide(Conn& c, StreamKind kind);
    void enter(Conn& c, int dir);
    void handshake(Conn& c, int dir);
    void resync(Conn& c, int dir);
    void drainSip(Conn& c, int dir);
    void drainWs(Conn& c, int dir);
    void publish(Conn& c, int dir, std::uint64_t begin, std::uint64_t end, stack::Bytes bytes,
                 Transport transport, std::vector<stack::Error> extra,
                 std::optional<stack::SipMessage> message = std::nullopt);
    void finishDirection(Conn& c, int dir);
    void addIssue(Dir& d, stack::Error e);

    SipStreamSink& m_sink;
    TcpSipConfig m_config;
    TcpReassembler m_tcp;
    std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> m_conns;
    StreamStats m_stats;
};

}  // namespace sipscope::analyzer
