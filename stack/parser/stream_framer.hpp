#pragma once
// Resumable framing of SIP messages on a byte stream (TCP, TLS, WebSocket payloads):
// push(bytes) and then next() until it says it needs more. RFC 3261 §18.3: on streams the
// Content-Length header decides where a message ends. CRLF keep-alives between messages
// (RFC 5626 §3.5.1) are reported as such. Garbage or a lost segment makes the framer resync on
// the next line that looks like a start line; every skipped byte is reported.
// The same framer serves the active transports and passive TCP reassembly.
//
// Messages are framed identically however the stream is segmented. Runs of keep-alive CRLFs and
// of skipped bytes may be reported as several consecutive frames depending on arrival.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "message/sip_message.hpp"
#include "parser/framing_lines.hpp"

namespace sipscope::stack {

struct FramerLimits {
    std::size_t maxHeaderBytes = 64 * 1024;
    std::size_t maxBodyBytes = 16 * 1024 * 1024;
    // With this many bytes buffered the next message is most likely whole: it is framed by
    // parsing it (one pass over the header, Frame::message) instead of by a header search and
    // a parse by the caller. With fewer, messages often span pushes and a partial parse would
    // be wasted. The frames are the same either way. SIZE_MAX: never.
    std::size_t parseFirstBytes = 2048;
};

struct Frame {
    enum class Kind { Message, KeepAlive, Error };
    Kind kind = Kind::Message;
    Bytes bytes;                     // Message: exactly the message bytes (a slice of the
                                     // framer's chunk: keep it, not the frame, if retained)
    std::uint64_t streamOffset = 0;  // stream position of the first byte of this frame
    std::size_t length = 0;          // bytes of the stream this frame covers
    Error error;                     // Error: what was wrong (offset = stream offset)
    // Message: the message parsed, when the framer framed it by parsing it (a whole message
    // in the buffer); the same as SipMessage::parse(bytes). Otherwise the caller parses.
    std::optional<SipMessage> message;

    // Message: the message parsed, the framer's parse when it made one (moved out) or a parse
    // of the bytes now.
    Result<SipMessage> parse() {
        if (message) return std::move(*message);
        return SipMessage::parse(bytes);
    }
};

class StreamFramer {
  public:
    explicit StreamFramer(FramerLimits limits = {}) : m_limits(limits) {}

    // The bytes are copied into the framer's chunk.
    void push(std::string_view bytes);
    // The segment is adopted, not copied: messages wholly inside it are framed in place and
    // handed out as slices of it. Only a message that straddles segments is assembled in the
    // chunk (the tail before it, then the segment's first bytes as framing needs them).
    void push(Bytes segment);
    // The next complete frame, or nullopt when more bytes are needed.
    std::optional<Frame> next();
    // Bytes were lost (a capture gap) after everything pushed so far: the buffered partial
    // message is dropped (reported by next()) and framing resyncs on the next start line.
    // Drain next() before calling it.
    void lostBytes();

    std::size_t buffered() const noexcept { return chunkPending() + segmentLeft(); }
    std::uint64_t consumed() const noexcept { return m_consumed; }

  private:
    std::size_t chunkPending() const noexcept { return m_chunk ? m_chunk->size() - m_start : 0; }
    std::size_t segmentLeft() const noexcept {
        return m_segment ? m_segment->size() - m_segPos : 0;
    }
    // The bytes being framed: the chunk's unconsumed bytes while it has any, else the rest of
    // the adopted segment. Framing state (m_scan, m_headerEnd, ...) is relative to its start.
    std::string_view pending() const noexcept {
        if (chunkPending() > 0) return std::string_view(*m_chunk).substr(m_start);
        return m_segment ? m_segment->substr(m_segPos) : std::string_view();
    }
    // pending().substr(pos, count) kept alive by its owner.
    Bytes pendingSlice(std::size_t pos, std::size_t count) const;
    void nextInView(std::optional<Frame>& out);
    std::optional<Frame> checkedHeader();
    bool bridgeMore();
    void appendToChunk(std::string_view bytes);
    void settleSegment();
    bool ownsChunk() const noexcept;
    Frame take(Frame::Kind kind, std::size_t length);
    void take(Frame& f, Frame::Kind kind, std::size_t length);
    Frame skip(std::size_t length, ErrorCode code, std::string message);
    std::optional<Frame> resync(ErrorCode code, std::string message);
    std::optional<Frame> headerSearch();
    void parsedFrame(std::optional<Frame>& out);
    std::size_t scanBlocks(std::string_view p, std::size_t lineStart);
    std::optional<Frame> discard();
    std::optional<Frame> skipHeaderRest();
    void scheduleDiscard(std::uint64_t bytes, ErrorCode code, std::string why);

    FramerLimits m_limits;
    // The bytes being framed. A message frame is a slice of it (no copy), so while frames
    // still share it the chunk is never written again: new bytes go to a fresh chunk.
    std::shared_ptr<std::string> m_chunk;
    std::size_t m_start = 0;  // first unconsumed byte in m_chunk
    // The adopted segment, read from m_segPos on. The chunk's last m_bridged bytes are copies
    // of the segment's bytes before m_segPos: once framing has consumed the chunk up to them,
    // they are given back and framing goes on in the segment itself.
    Bytes m_segment;
    std::size_t m_segPos = 0;
    std::size_t m_bridged = 0;
    std::size_t m_scan = 0;        // line start where the header search resumes (from m_start)
    std::uint64_t m_consumed = 0;  // stream offset of m_start
    std::optional<std::size_t> m_headerEnd, m_bodyLength;
    std::optional<std::int64_t> m_contentLength;  // first Content-Length seen; -1: not a number
    bool m_needSync = false;                      // skip to the next start line before framing
    bool m_inLongLine = false;    // resync is dropping a line too long to be a start line
    bool m_skipHeader = false;    // inside an oversized header section
    std::uint64_t m_discard = 0;  // bytes still to drop (an oversized body, a partial message)
    ErrorCode m_discardCode = ErrorCode::Ok;
    std::string m_discardWhy;
};

}  // namespace sipscope::stack
