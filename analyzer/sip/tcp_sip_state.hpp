#pragma once
// The per-connection state of TcpSipStreams (tcp_sip_streams.hpp), shared by its two source
// files: tcp_sip_streams.cpp (connections, classification, gaps, the end of a direction) and
// tcp_sip_drain.cpp (framing SIP, WebSocket and resynchronisation within a direction).

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "sip/stream_classifier.hpp"
#include "sip/tcp_sip_streams.hpp"
#include "sip/websocket.hpp"

namespace sipscope::analyzer {

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

}  // namespace sipscope::analyzer
