// libFuzzer target for WebSocketDecoder (RFC 6455 framing as used by RFC 7118) and the opening
// handshake parser. Byte 0 chooses the side (bit 0: client frames, masked) and small limits
// (bit 1); byte 1 seeds the chunk sizes; byte 2 places a capture gap; the rest is the stream.
// The stream decoded whole and in input-derived chunks must give the same events; events must
// cover the stream in order; a gap must never join bytes from both sides of it.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sip/websocket.hpp"

using namespace sipscope::analyzer;

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

void check(bool condition, const char* what) {
    if (!condition) fail(what);
}

struct Seen {
    WsEvent::Kind kind;
    WsOpcode opcode;
    std::string payload;
    std::uint64_t offset, end;
    std::uint32_t frames;
    std::size_t issues;
    sipscope::stack::ErrorCode code;
    bool operator==(const Seen&) const = default;
};

class Harness {
  public:
    Harness(bool fromClient, WsLimits limits) : m_decoder(fromClient, limits), m_limits(limits) {}

    void push(std::string_view bytes) {
        m_pushed += bytes.size();
        m_decoder.push(bytes);
        drain();
    }
    void lostBytes() {
        m_decoder.lostBytes();
        m_gapAt = m_pushed;
        drain();
    }
    void finish() {
        if (auto e = m_decoder.finish()) record(*e);
        check(!m_decoder.next(), "events after finish()");
    }
    const std::vector<Seen>& events() const { return m_events; }

  private:
    void drain() {
        for (std::size_t guard = 0; auto e = m_decoder.next(); ++guard) {
            check(guard <= m_pushed + 2, "more events than bytes");
            record(*e);
        }
        check(m_decoder.consumed() + m_decoder.buffered() == m_pushed, "bytes unaccounted for");
        check(m_decoder.neededFrom() <= m_decoder.consumed(), "neededFrom beyond consumed");
    }
    void record(const WsEvent& e) {
        check(e.offset <= e.end, "event ends before it starts");
        if (e.kind != WsEvent::Kind::Error) {
            // Control frames may sit between a message's fragments: each kind is in order.
            std::uint64_t& lastEnd =
                e.kind == WsEvent::Kind::Message ? m_lastMessageEnd : m_lastControlEnd;
            check(e.end <= m_pushed, "event beyond the pushed bytes");
            check(e.offset >= lastEnd, "events overlap");
            lastEnd = e.end;
            check(e.payload != nullptr, "event without payload");
        }
        if (e.kind == WsEvent::Kind::Message) {
            check(e.payload->size() <= m_limits.maxMessageBytes, "message over the limit");
            check(e.frames >= 1, "message without frames");
            check(e.payload->size() + 2 * e.frames <= e.end - e.offset,
                  "payload larger than frames");
            check(m_gapAt == 0 || e.offset >= m_gapAt || e.end <= m_gapAt,
                  "message across a capture gap");
        }
        if (e.kind == WsEvent::Kind::Control) check(e.payload->size() <= 125, "long control frame");
        if (e.kind == WsEvent::Kind::Error) check(e.error.offset == e.offset, "error offset");
        m_events.push_back({e.kind, e.opcode, std::string(*e.payload), e.offset, e.end, e.frames,
                            e.issues.size(), e.error.code});
    }

    WebSocketDecoder m_decoder;
    WsLimits m_limits;
    std::uint64_t m_pushed = 0, m_lastMessageEnd = 0, m_lastControlEnd = 0, m_gapAt = 0;
    std::vector<Seen> m_events;
};

void pushChunked(Harness& h, std::string_view input, std::uint8_t seed) {
    std::uint64_t state = 0x9E3779B97F4A7C15ull ^ (seed * 0x100000001B3ull) ^ input.size();
    const std::size_t max = seed < 128 ? seed + 1u : (seed - 127u) * 64u;
    for (std::size_t pos = 0; pos < input.size();) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        const std::size_t n = std::min<std::size_t>(1 + state % max, input.size() - pos);
        h.push(input.substr(pos, n));
        pos += n;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const bool fromClient = data[0] & 1;
    WsLimits limits;
    if (data[0] & 2) limits.maxMessageBytes = 64;
    const std::string_view stream(reinterpret_cast<const char*>(data + 3), size - 3);

    Harness whole(fromClient, limits);
    whole.push(stream);
    whole.finish();
    Harness chunked(fromClient, limits);
    pushChunked(chunked, stream, data[1]);
    chunked.finish();
    check(whole.events() == chunked.events(), "whole and chunked streams give different events");

    // A capture gap: bytes [cut, cut + 16) never arrive.
    const std::size_t cut = stream.size() * data[2] / 256;
    Harness gap(fromClient, limits);
    pushChunked(gap, stream.substr(0, cut), data[1]);
    gap.lostBytes();
    if (cut + 16 < stream.size()) pushChunked(gap, stream.substr(cut + 16), data[1] ^ 0x5A);
    gap.finish();

    WsHandshake h;
    if (parseWsHandshake(stream, h) == HandshakeParse::Done)
        check(h.length > 0 && h.length <= stream.size(), "handshake length");
    return 0;
}
