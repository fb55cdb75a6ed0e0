// libFuzzer target for StreamFramer (RFC 3261 §18.3 stream framing). The same stream pushed
// whole and pushed in input-derived chunks (copied or adopted) must give the same frames, frames
// must tile the stream without gaps or overlaps, and a capture gap (lostBytes) must never break the
// bookkeeping. An invariant that does not hold calls abort() so that libFuzzer keeps the input.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "parser/stream_framer.hpp"

using namespace sipscope::stack;

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

void check(bool condition, const char* what) {
    if (!condition) fail(what);
}

struct Record {
    Frame::Kind kind = Frame::Kind::Message;
    std::uint64_t offset = 0;
    std::size_t length = 0;
    std::string bytes;  // Message frames only
    bool operator==(const Record&) const = default;
};

bool sameErrors(const std::vector<Error>& a, const std::vector<Error>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].code != b[i].code || a[i].offset != b[i].offset) return false;
    return true;
}

// A message the framer parsed while framing it is what parsing the frame's bytes gives.
void checkParsed(const SipMessage& got, const Bytes& bytes) {
    auto want = SipMessage::parse(bytes);
    check(want.ok(), "the framer parsed a message that does not parse alone");
    if (!want.ok()) return;
    check(got.bytes() == *bytes && got.buffer().view() == *bytes, "parsed message bytes");
    check(got.headers().size() == want->headers().size(), "parsed message header count");
    for (std::size_t i = 0; i < got.headers().size() && i < want->headers().size(); ++i) {
        const HeaderField &g = got.headers()[i], &w = want->headers()[i];
        check(g.id == w.id && g.offset == w.offset && g.rawLength == w.rawLength &&
                  g.name == w.name && g.value == w.value,
              "parsed message header differs");
    }
    check(got.body() == want->body() && got.bodyOffset() == want->bodyOffset(),
          "parsed message body");
    check(sameErrors(got.errors(), want->errors()) && sameErrors(got.issues(), want->issues()),
          "parsed message errors or issues");
}

// Feeds one framer and checks the per-frame invariants as frames come out. m_stream keeps what
// was pushed so far, in stream order, so that Message bytes can be compared with it.
class Harness {
  public:
    explicit Harness(FramerLimits limits) : m_framer(limits) {}

    // adopt: pushed as a Bytes segment (framed in place), else copied into the framer.
    void push(std::string_view bytes, bool adopt = false) {
        m_stream.append(bytes);
        if (adopt) {
            m_framer.push(makeBytes(bytes));  // the framer holds the only reference
        } else {
            m_framer.push(bytes);
        }
        drain();
    }
    void lostBytes() {
        m_framer.lostBytes();
        drain();
    }

    const std::vector<Record>& records() const { return m_records; }

  private:
    void drain() {
        while (auto f = m_framer.next()) {
            check(f->length > 0, "empty frame (next() would loop forever)");
            check(f->streamOffset == m_end, "frames do not tile the stream");
            check(f->streamOffset + f->length <= m_stream.size(), "frame beyond the pushed bytes");
            Record r{f->kind, f->streamOffset, f->length, {}};
            if (f->kind == Frame::Kind::Message) {
                check(f->bytes != nullptr && f->bytes->size() == f->length,
                      "Message frame bytes differ from its length");
                check(*f->bytes == std::string_view(m_stream).substr(f->streamOffset, f->length),
                      "Message frame bytes are not the stream bytes");
                r.bytes = *f->bytes;
                if (f->message) checkParsed(*f->message, f->bytes);
            } else {
                check(f->bytes == nullptr || f->bytes->empty(), "non-Message frame with bytes");
            }
            if (f->kind == Frame::Kind::Error) {
                check(f->error.offset == f->streamOffset, "Error frame offset != stream offset");
            }
            m_end += f->length;
            m_records.push_back(std::move(r));
            check(m_records.size() <= m_stream.size(), "more frames than bytes");
        }
        check(m_framer.consumed() == m_end, "sum of frame lengths != consumed()");
        check(m_framer.consumed() + m_framer.buffered() == m_stream.size(),
              "consumed() + buffered() != bytes pushed");
    }

    StreamFramer m_framer;
    std::string m_stream;
    std::uint64_t m_end = 0;
    std::vector<Record> m_records;
};

// Keep-alive runs and skipped bytes are reported as they become decidable, so a split stream
// may report one run as several frames; adjacent frames of those kinds are merged.
std::vector<Record> coalesce(const std::vector<Record>& in) {
    std::vector<Record> out;
    for (const auto& r : in) {
        if (!out.empty() && r.kind != Frame::Kind::Message && out.back().kind == r.kind) {
            out.back().length += r.length;
            continue;
        }
        out.push_back(r);
    }
    return out;
}

// Chunk sizes from a small generator seeded by the input: 1..(seed+1) bytes, or up to a few
// KiB when the seed is large, so both byte-by-byte and segment-like splits occur.
class Chunker {
  public:
    Chunker(std::uint8_t seed, std::size_t size)
        : m_state(0x9E3779B97F4A7C15ull ^ (seed * 0x100000001B3ull) ^ size),
          m_max(seed < 128 ? seed + 1u : (seed - 127u) * 32u) {}
    std::size_t next() {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 7;
        m_state ^= m_state << 17;
        return 1 + static_cast<std::size_t>(m_state % m_max);
    }
    bool adopt() const { return (m_state >> 40) & 1; }  // for the chunk next() just gave

  private:
    std::uint64_t m_state;
    std::size_t m_max;
};

void pushChunked(Harness& h, std::string_view input, std::uint8_t seed) {
    Chunker chunks(seed, input.size());
    for (std::size_t pos = 0; pos < input.size();) {
        const std::size_t n = std::min(chunks.next(), input.size() - pos);
        h.push(input.substr(pos, n), chunks.adopt());
        pos += n;
    }
}

// The whole input is framed by parsing wherever the parse can settle a message
// (parseFirstBytes 0); chunks mostly arrive smaller than the default threshold and are searched.
// Chunks are adopted (push(Bytes)) or copied at random, so the bridging of a message across
// adopted segments is compared too.
void compareWholeAndChunked(std::string_view input, FramerLimits limits) {
    FramerLimits parseFirst = limits;
    parseFirst.parseFirstBytes = 0;
    Harness whole(parseFirst);
    whole.push(input, input.size() % 2 == 0);
    Harness chunked(limits);
    pushChunked(chunked, input, static_cast<std::uint8_t>(input[0]));
    check(coalesce(whole.records()) == coalesce(chunked.records()),
          "whole and chunked streams give different frames");
}

// A capture gap at an input-derived point: bytes [cut, cut + gap) never arrive.
void lostBytesVariant(std::string_view input) {
    if (input.size() < 4) return;
    const auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(input[i]); };
    const std::size_t cut = ((b(1) << 8) | b(2)) % (input.size() + 1);
    const std::size_t gap = std::min<std::size_t>(b(3) % 64, input.size() - cut);
    Harness h(FramerLimits{512, 1024});
    pushChunked(h, input.substr(0, cut), b(0));
    h.lostBytes();
    const std::size_t resumeAt = h.records().size();
    const std::uint64_t gapOffset = cut;  // stream offset where the lost bytes would have been
    pushChunked(h, input.substr(cut + gap), static_cast<std::uint8_t>(b(0) ^ 0x5A));
    // "drop the partial message": nothing framed after the gap may start before it.
    for (std::size_t i = resumeAt; i < h.records().size(); ++i) {
        const Record& r = h.records()[i];
        if (r.kind == Frame::Kind::Message)
            check(r.offset >= gapOffset, "a Message framed across a capture gap");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    compareWholeAndChunked(input, FramerLimits{});
    compareWholeAndChunked(input, FramerLimits{512, 1024});
    lostBytesVariant(input);
    return 0;
}
