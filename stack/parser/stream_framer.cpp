#include "parser/stream_framer.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "parser/framing_lines.hpp"
#include "syntax/byte_search.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::stack {

using namespace syntax;
using framing::firstLineIsStartLine;
using framing::lineContentLength;
using framing::mayBeContentLength;

// True when no frame shares the chunk any more, so it may be written in place. The acquire
// fence orders our writes after the last reader's release of its reference (on any thread).
bool StreamFramer::ownsChunk() const noexcept {
    if (m_chunk.use_count() != 1) return false;
    std::atomic_thread_fence(std::memory_order_acquire);
    return true;
}

void StreamFramer::push(std::string_view bytes) {
    if (bytes.empty()) return;
    settleSegment();
    appendToChunk(bytes);
}

void StreamFramer::push(Bytes segment) {
    if (!segment || segment->empty()) return;
    settleSegment();
    m_segment = std::move(segment);
    m_segPos = 0;
}

// Before other bytes follow: what is left of the adopted segment moves into the chunk, so
// the chunk again holds everything buffered, in stream order.
void StreamFramer::settleSegment() {
    if (segmentLeft() > 0) appendToChunk(m_segment->substr(m_segPos));
    m_segment = {};
    m_segPos = 0;
    m_bridged = 0;
}

void StreamFramer::appendToChunk(std::string_view bytes) {
    if (!ownsChunk()) {
        // Frames still read the current chunk (or there is none): the unconsumed tail and the
        // new bytes start a fresh one. Until a frame is taken from it, it grows in place.
        auto fresh = std::make_shared<std::string>();
        fresh->reserve(chunkPending() + bytes.size());
        if (m_chunk) fresh->append(*m_chunk, m_start);
        fresh->append(bytes);
        m_chunk = std::move(fresh);
        m_start = 0;
        return;
    }
    if (m_start > 0 && m_start >= m_chunk->size() / 2) {
        m_chunk->erase(0, m_start);
        m_start = 0;
    }
    m_chunk->append(bytes);
}

// A message straddles the chunk and the adopted segment and framing needs more of it: the
// segment's next bytes are copied behind the chunk's (at least 4 KiB, doubling, so a long
// message is assembled in linear time). False when there is nothing to bridge.
bool StreamFramer::bridgeMore() {
    if (chunkPending() == 0 || segmentLeft() == 0) return false;
    const std::size_t n = std::min(segmentLeft(), std::max<std::size_t>(4096, chunkPending()));
    appendToChunk(m_segment->substr(m_segPos, n));
    m_segPos += n;
    m_bridged += n;
    return true;
}

Bytes StreamFramer::pendingSlice(std::size_t pos, std::size_t count) const {
    if (chunkPending() > 0) return Bytes(m_chunk, pending().substr(pos, count));
    return m_segment.slice(m_segPos + pos, count);
}

Frame StreamFramer::take(Frame::Kind kind, std::size_t length) {
    Frame f;
    take(f, kind, length);
    return f;
}

void StreamFramer::take(Frame& f, Frame::Kind kind, std::size_t length) {
    f.kind = kind;
    f.streamOffset = m_consumed;
    f.length = length;
    if (kind == Frame::Kind::Message) f.bytes = pendingSlice(0, length);
    m_consumed += length;
    m_scan = 0;
    m_contentLength.reset();
    m_headerEnd.reset();
    m_bodyLength.reset();
    if (chunkPending() == 0) {
        m_segPos += length;
        if (segmentLeft() == 0) m_segment = {};
        return;
    }
    m_start += length;
    if (chunkPending() <= m_bridged) {
        // Only copies of the segment's bytes are left in the chunk: framing goes on there.
        m_segPos -= chunkPending();
        m_start = m_chunk->size();
        m_bridged = 0;
    }
    if (m_start == m_chunk->size()) {
        if (ownsChunk()) {
            m_chunk->clear();  // keeps the capacity for the next push
        } else {
            m_chunk.reset();
        }
        m_start = 0;
    }
}

Frame StreamFramer::skip(std::size_t length, ErrorCode code, std::string message) {
    const std::uint64_t at = m_consumed;
    Frame f = take(Frame::Kind::Error, length);
    f.error =
        makeError(code, at, std::move(message) + " (" + std::to_string(length) + " bytes skipped)");
    return f;
}

void StreamFramer::lostBytes() {
    m_headerEnd.reset();
    m_bodyLength.reset();
    m_contentLength.reset();
    m_scan = 0;
    m_needSync = true;
    m_inLongLine = false;
    m_skipHeader = false;
    m_discard = 0;
    if (buffered() > 0)
        scheduleDiscard(buffered(), ErrorCode::Incomplete, "partial message before lost bytes");
}

void StreamFramer::scheduleDiscard(std::uint64_t bytes, ErrorCode code, std::string why) {
    m_discard = bytes;
    m_discardCode = code;
    m_discardWhy = std::move(why);
}

std::optional<Frame> StreamFramer::discard() {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(m_discard, pending().size()));
    if (n == 0) return std::nullopt;
    m_discard -= n;
    return skip(n, m_discardCode, m_discardWhy);
}

// Drops bytes up to the next line that looks like a start line. A trailing partial line is
// kept: it may become a start line when more bytes arrive, unless it is already longer than a
// header section may be (then it and the rest of it up to its line feed are dropped).
std::optional<Frame> StreamFramer::resync(ErrorCode code, std::string message) {
    const std::string_view p = pending();
    const std::size_t maxLine = m_limits.maxHeaderBytes;
    std::size_t lineBegin = 0;
    if (m_inLongLine) {
        const std::size_t nl = p.find('\n');
        m_inLongLine = nl == std::string_view::npos;
        lineBegin = m_inLongLine ? p.size() : nl + 1;
    }
    while (true) {
        const std::size_t nl = p.find('\n', lineBegin);
        if (nl == std::string_view::npos) break;
        std::string_view line = p.substr(lineBegin, nl - lineBegin);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (nl - lineBegin <= maxLine && looksLikeStartLine(line)) {
            m_needSync = false;
            if (lineBegin == 0) return std::nullopt;
            return skip(lineBegin, code, std::move(message));
        }
        lineBegin = nl + 1;
    }
    if (p.size() - lineBegin > maxLine) {
        m_inLongLine = true;  // no start line: so long, it could not begin a header section
        lineBegin = p.size();
    }
    if (lineBegin == 0) return std::nullopt;
    return skip(lineBegin, code, std::move(message));
}

// The header search 16 bytes at a time (SSE2): each '\n' is tested with the two bytes after it,
// so the empty line ends the search, and only lines that may be Content-Length (starting with
// c, l or LWS) get the per-line check; a line per iteration costs a mispredicted branch. Same
// verdicts as the per-line loop in headerSearch(), which goes on from the returned line start.
std::size_t StreamFramer::scanBlocks(std::string_view p, std::size_t lineStart) {
#if defined(__SSE2__)
    const std::size_t first = lineStart > 0 ? lineStart - 1 : 0;
    const auto set = [](char c) { return _mm_set1_epi8(c); };
    std::size_t q = first;
    for (; q + 18 <= p.size(); q += 16) {
        const char* b = p.data() + q;
        const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b));
        const auto nl = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v0, set('\n'))));
        if (nl == 0) continue;
        const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 1));
        const __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 2));
        const __m128i crlf =
            _mm_and_si128(_mm_cmpeq_epi8(v1, set('\r')), _mm_cmpeq_epi8(v2, set('\n')));
        const unsigned ends = nl & static_cast<unsigned>(_mm_movemask_epi8(
                                       _mm_or_si128(_mm_cmpeq_epi8(v1, set('\n')), crlf)));
        if (!m_contentLength) {
            const __m128i lower = _mm_or_si128(v1, set(0x20));
            const __m128i name =
                _mm_or_si128(_mm_cmpeq_epi8(lower, set('c')), _mm_cmpeq_epi8(lower, set('l')));
            const __m128i lws = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v1, set(' ')), _mm_cmpeq_epi8(v1, set('\t'))),
                _mm_cmpeq_epi8(v1, set('\r')));
            unsigned cand = nl & static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(name, lws)));
            if (ends != 0) cand &= (1u << __builtin_ctz(ends)) - 1;  // lines before the end
            for (; cand != 0 && !m_contentLength; cand &= cand - 1) {
                const std::size_t s = q + static_cast<std::size_t>(__builtin_ctz(cand)) + 1;
                if (!mayBeContentLength(p, s)) continue;
                const std::size_t lf = findByte(p, s, '\n');
                if (lf == p.size()) return s;  // the line is not complete yet
                m_contentLength = lineContentLength(p.substr(s, lf - s));
            }
        }
        if (ends != 0) {
            const std::size_t e = q + static_cast<std::size_t>(__builtin_ctz(ends));
            m_headerEnd = e + (p[e + 1] == '\n' ? 2 : 3);
            return e + 1;
        }
    }
    // Every line whose '\n' lies before q was examined: resume at the line open at q.
    const std::size_t lastNl = q == first ? std::string_view::npos : p.substr(0, q).rfind('\n');
    return (lastNl == std::string_view::npos || lastNl + 1 < lineStart) ? lineStart : lastNl + 1;
#else
    return lineStart;
#endif
}

// The next message framed by parsing it, when the parse settles it the way headerSearch()
// would. Anything else goes the general way, which rescans from the start (a header section
// not complete yet, a line starting with LWS, Content-Length not a number or over the limit, a
// header section over the limit or with too many lines). A body not complete yet leaves the
// known lengths set for next() to wait on. Keep-alives and garbage go the general way too.
void StreamFramer::parsedFrame(std::optional<Frame>& out) {
    const std::string_view p = pending();
    if (p[0] == '\r' || p[0] == '\n' || firstLineIsStartLine(p, m_limits.maxHeaderBytes) != true)
        return;
    SipMessage::StreamPrefix prefix;
    const ParseLimits limits;
    auto parsed = SipMessage::parseStreamPrefix(pendingSlice(0, p.size()), limits, prefix);
    if (!parsed.ok() || !prefix.headerComplete || prefix.lwsLine ||
        parsed->headers().size() >= limits.maxHeaders || prefix.headerEnd > m_limits.maxHeaderBytes)
        return;
    const std::int64_t cl = prefix.contentLength.value_or(0);
    if (cl < 0 || static_cast<std::uint64_t>(cl) > m_limits.maxBodyBytes) return;
    m_contentLength = prefix.contentLength;
    m_headerEnd = prefix.headerEnd;
    m_bodyLength = static_cast<std::size_t>(cl);
    const std::size_t total = *m_headerEnd + *m_bodyLength;
    if (p.size() < total) return;  // next() waits for the body
    Frame& f = out.emplace();
    take(f, Frame::Kind::Message, total);
    f.message.emplace(std::move(*parsed));
}

std::optional<Frame> StreamFramer::headerSearch() {
    const std::string_view p = pending();
    // RFC 5626 §3.5.1: CRLF / CRLFCRLF keep-alives between messages.
    std::size_t crlf = 0;
    while (crlf < p.size() && (p[crlf] == '\r' || p[crlf] == '\n')) ++crlf;
    if (crlf > 0) return take(Frame::Kind::KeepAlive, crlf);
    if (firstLineIsStartLine(p, m_limits.maxHeaderBytes) == false) {
        m_needSync = true;
        return resync(ErrorCode::BadStartLine, "bytes before a start line");
    }
    // Find the empty line ("\r\n" or "\n" after a line end) one complete line at a time,
    // resuming at the first line not yet examined, and note the first Content-Length line.
    std::size_t i = scanBlocks(p, m_scan);
    while (!m_headerEnd) {
        const std::size_t at = findByte(p, i, '\n');
        if (at == p.size()) break;
        if (i > 0) {
            const std::size_t len = at - i;
            if (len == 0 || (len == 1 && p[i] == '\r')) {
                m_headerEnd = at + 1;
                break;
            }
            if (!m_contentLength) m_contentLength = lineContentLength(p.substr(i, len));
        }
        i = at + 1;
    }
    if (!m_headerEnd) {
        m_scan = i;
        if (p.size() > m_limits.maxHeaderBytes) {
            m_skipHeader = true;
            return skipHeaderRest();
        }
        return std::nullopt;
    }
    return std::nullopt;
}

// An oversized header section: drop bytes until its empty line (the last two bytes are kept
// in case the line ending is split), then resync on the next start line.
std::optional<Frame> StreamFramer::skipHeaderRest() {
    const std::string_view p = pending();
    std::size_t end = 0;
    for (std::size_t at = p.find('\n'); at != std::string_view::npos; at = p.find('\n', at + 1)) {
        if (at + 1 < p.size() && p[at + 1] == '\n')
            end = at + 2;
        else if (at + 2 < p.size() && p[at + 1] == '\r' && p[at + 2] == '\n')
            end = at + 3;
        if (end) break;
    }
    if (end) {
        m_skipHeader = false;
        m_needSync = true;
        return skip(end, ErrorCode::TooLarge, "header section exceeds the limit");
    }
    if (p.size() <= 2) return std::nullopt;
    return skip(p.size() - 2, ErrorCode::TooLarge, "header section exceeds the limit");
}

std::optional<Frame> StreamFramer::next() {
    std::optional<Frame> f;  // filled in place: a parsed frame is not moved on the way out
    nextInView(f);
    while (!f && bridgeMore()) nextInView(f);  // try again with the bytes bridged
    return f;
}

void StreamFramer::nextInView(std::optional<Frame>& out) {
    if (m_discard > 0) {
        out = discard();
        return;
    }
    if (m_skipHeader) {
        out = skipHeaderRest();
        return;
    }
    if (m_needSync) {
        out = resync(ErrorCode::Incomplete, "bytes skipped to the next start line");
        if (m_needSync || out) return;  // still no start line in sight, or bytes skipped
    }
    if (pending().empty()) return;
    if (!m_headerEnd && m_scan == 0 && pending().size() >= m_limits.parseFirstBytes) {
        parsedFrame(out);
        if (out) return;
    }
    if (!m_headerEnd) {
        out = headerSearch();
        if (out || !m_headerEnd) return;
        out = checkedHeader();
        if (out || !m_bodyLength) return;
    }
    const std::size_t total = *m_headerEnd + *m_bodyLength;
    if (pending().size() >= total) take(out.emplace(), Frame::Kind::Message, total);
}

// The header section just found: an error frame when it is over the limit or its
// Content-Length is unusable, else the body length is set.
std::optional<Frame> StreamFramer::checkedHeader() {
    const auto cl = m_contentLength;
    if (*m_headerEnd > m_limits.maxHeaderBytes) {
        // Same verdict as when the header arrives in pieces (headerSearch): drop the header
        // section, then resync on the next start line.
        m_needSync = true;
        return skip(*m_headerEnd, ErrorCode::TooLarge, "header section exceeds the limit");
    }
    if (cl && *cl < 0) {
        m_needSync = true;
        return skip(*m_headerEnd, ErrorCode::BadContentLength, "Content-Length is not a number");
    }
    if (cl && static_cast<std::uint64_t>(*cl) > m_limits.maxBodyBytes) {
        // The length is known: drop exactly this message, header and body.
        scheduleDiscard(*m_headerEnd + static_cast<std::uint64_t>(*cl), ErrorCode::TooLarge,
                        "message body exceeds the limit");
        return discard();
    }
    // §18.3: a stream message without Content-Length has an empty body.
    m_bodyLength = cl ? static_cast<std::size_t>(*cl) : 0;
    return std::nullopt;
}

}  // namespace sipscope::stack
