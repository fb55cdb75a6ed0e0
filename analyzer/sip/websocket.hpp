#pragma once
// SIP over WebSocket (RFC 7118) as a capture shows it: the HTTP/1.1 opening handshake
// (RFC 6455 §4) and then frames (RFC 6455 §5) in both directions. Each complete WebSocket
// message, text or binary, carries exactly one SIP message (RFC 7118 §5: no framing inside).
//
// WebSocketDecoder is a pure push decoder over one direction's bytes after the handshake:
// push(bytes), then next() until it returns nullopt. Events are the same however the bytes are
// split. Payload bytes are unmasked as they arrive; a frame is never held whole.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "message/sip_message.hpp"

namespace sipscope::analyzer {

// --- Opening handshake (RFC 6455 §4.1, §4.2.2; RFC 7118 §4) -------------------------------

struct WsHandshake {
    bool request = false;      // GET … HTTP/1.1 (client) or HTTP/1.1 status line (server)
    int status = 0;            // responses
    bool upgrade = false;      // Upgrade: websocket, and for requests Connection: Upgrade
    bool sipProtocol = false;  // Sec-WebSocket-Protocol lists (requests) or selects "sip"
    bool compressed = false;   // Sec-WebSocket-Extensions: permessage-deflate (RFC 7692)
    std::size_t length = 0;    // bytes of the header block, up to and including the empty line
};

enum class HandshakeParse { NeedMore, NotHttp, Done };

// Parses the HTTP header block at the start of `bytes`. NeedMore until the empty line arrived
// (or `maxBytes` were seen: then NotHttp).
HandshakeParse parseWsHandshake(std::string_view bytes, WsHandshake& out,
                                std::size_t maxBytes = 16 * 1024) noexcept;

// --- Framing (RFC 6455 §5.2) -------------------------------------------------------------

enum class WsOpcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

struct WsLimits {
    std::size_t maxMessageBytes = 4 * 1024 * 1024;  // a SIP message; larger ones are skipped
};

struct WsEvent {
    enum class Kind {
        Message,  // a complete text or binary message
        Control,  // ping, pong or close (RFC 6455 §5.5); payload is the frame's
        Error,    // bytes that could not be used; error says why, where and how many
    };
    Kind kind = Kind::Message;
    WsOpcode opcode = WsOpcode::Text;  // Message: of its first frame; Control: the frame's
    stack::Bytes payload;              // unmasked
    std::uint64_t offset = 0;          // stream offset of the first frame header
    std::uint64_t end = 0;             // stream offset just past the last payload byte
    std::uint32_t frames = 0;          // data frames of the message
    std::vector<stack::Error> issues;  // tolerated deviations (masking, length encoding)
    stack::Error error;                // Error only; offset is a stream offset
};

class WebSocketDecoder {
  public:
    // `fromClient`: frames written by the client, which must be masked, while the server's
    // must not be (RFC 6455 §5.1). A wrong mask is decoded anyway and reported as an issue.
    explicit WebSocketDecoder(bool fromClient, WsLimits limits = {});

    void push(std::string_view bytes);
    std::optional<WsEvent> next();
    // Bytes were lost after everything pushed so far: the frame in progress is dropped and
    // decoding resumes at the first frame header whose payload starts with a SIP start line.
    // Drain next() before calling it.
    void lostBytes();
    // End of the stream: an Error for a frame, message or resync left unfinished, if any.
    std::optional<WsEvent> finish();

    std::uint64_t consumed() const noexcept { return m_consumed; }
    // Stream offset of the first byte a later event may still cover: the start of a message
    // in progress (control frames may come between its fragments), else consumed().
    std::uint64_t neededFrom() const noexcept {
        return m_inMessage && !m_skipMessage ? m_msgOffset : m_consumed;
    }
    std::size_t buffered() const noexcept { return m_buf.size() - m_start; }
    bool closeSeen() const noexcept { return m_closeSeen; }

  private:
    enum class State { Header, Payload, Resync, Dead };
    struct Frame {
        bool fin = false;
        std::uint8_t opcode = 0;
        bool masked = false;
        std::uint8_t mask[4] = {};
        std::uint64_t length = 0;
        std::uint64_t done = 0;  // payload bytes consumed so far
        std::uint64_t offset = 0;
        std::uint8_t rsv = 0;
        bool ofMessage = false;  // a data frame of the current message
        enum class Use { Message, Control, Skip } use = Use::Skip;
    };

    std::string_view pending() const noexcept { return std::string_view(m_buf).substr(m_start); }
    void consume(std::size_t n) noexcept;
    std::optional<WsEvent> header();
    std::optional<WsEvent> startFrame(std::vector<stack::Error> issues);
    std::optional<WsEvent> payload();
    std::optional<WsEvent> frameDone();
    std::optional<WsEvent> resync();
    int candidate(std::string_view p) const noexcept;
    WsEvent error(stack::ErrorCode code, std::uint64_t offset, std::string why) const;
    WsEvent dropMessage(std::string why);

    bool m_fromClient;
    WsLimits m_limits;
    std::optional<WsEvent> m_queued;  // a second event produced by one frame header
    std::string m_buf;
    std::size_t m_start = 0;
    std::uint64_t m_consumed = 0;  // stream offset of m_start
    State m_state = State::Header;
    Frame m_frame;
    // The message being assembled from data frames.
    bool m_inMessage = false;
    bool m_skipMessage = false;  // its frames are dropped (over the limit, compressed)
    WsOpcode m_msgOpcode = WsOpcode::Text;
    std::uint64_t m_msgOffset = 0;
    std::uint32_t m_msgFrames = 0;
    std::string m_msg;
    std::vector<stack::Error> m_msgIssues;
    std::string m_control;
    bool m_closeSeen = false;
    std::uint64_t m_resyncFrom = 0;  // stream offset where resync started skipping
};

}  // namespace sipscope::analyzer
