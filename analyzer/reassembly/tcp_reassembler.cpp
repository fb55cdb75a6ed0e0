#include "reassembly/tcp_reassembler.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>

namespace sipscope::analyzer {

const char* tcpEndName(TcpEnd e) noexcept {
    switch (e) {
        case TcpEnd::Fin:
            return "fin";
        case TcpEnd::Rst:
            return "rst";
        case TcpEnd::Idle:
            return "idle";
        case TcpEnd::Evicted:
            return "evicted";
        case TcpEnd::Reused:
            return "reused";
        case TcpEnd::Flush:
            return "flush";
    }
    return "fin";
}

namespace {

constexpr std::int64_t kMaxWindow = std::int64_t{1} << 30;

// Hashed once per segment: word loads and a multiply mix instead of a byte loop.
std::uint64_t mixEndpoint(const Endpoint& e, std::uint64_t h) noexcept {
    std::uint64_t w[2];
    std::memcpy(w, e.ip.bytes.data(), sizeof w);
    h = (h ^ w[0]) * 0x9E3779B97F4A7C15ull;
    h = (h ^ w[1]) * 0x9E3779B97F4A7C15ull;
    h = (h ^ (std::uint64_t{e.port} << 8 | e.ip.version)) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

}  // namespace

std::size_t TcpReassembler::KeyHash::operator()(const Key& k) const noexcept {
    return mixEndpoint(k.b, mixEndpoint(k.a, 0x243F6A8885A308D3ull));
}

TcpReassembler::TcpReassembler(TcpStreamSink& sink, TcpLimits limits)
    : m_sink(sink), m_limits(limits) {}

TcpReassembler::~TcpReassembler() = default;

TcpStreamId TcpReassembler::streamId(const Connection& c, int dir) const noexcept {
    return dir == 0 ? TcpStreamId{c.info.connection, 0, c.info.client, c.info.server}
                    : TcpStreamId{c.info.connection, 1, c.info.server, c.info.client};
}

void TcpReassembler::add(const TcpSegment& s) {
    ++m_stats.segments;
    int dir = 0;
    const auto lru = connectionFor(s, dir);
    if (lru == m_lru.end()) {
        ++m_stats.ignoredSegments;
        return;
    }
    Connection* c = &*lru;
    const bool syn = s.flags & TcpSegment::kSyn, fin = s.flags & TcpSegment::kFin;
    m_lru.splice(m_lru.end(), m_lru, lru);
    c->lastTs = std::max(c->lastTs, s.tsNs);
    Direction& d = c->dir[dir];
    d.lastTs = std::max(d.lastTs, s.tsNs);
    if (s.flags & TcpSegment::kRst) {  // RFC 9293 §3.10.7.4: the connection is gone
        end(lru, TcpEnd::Rst, false);
        return;
    }
    // RFC 9293 §3.4: the SYN occupies one sequence number; data starts after it.
    if (!d.started) startDirection(d, syn ? s.seq + 1 : s.seq);
    const std::uint32_t seq = syn ? s.seq + 1 : s.seq;
    std::int64_t begin = static_cast<std::int64_t>(d.offset) +
                         static_cast<std::int32_t>(seq - d.nextSeq);  // wraps correctly
    std::span<const std::uint8_t> p = s.payload;
    // RFC 7323 §2.3: no window exceeds 2^30 bytes, and sequence numbers 2^31 apart cannot be
    // told ahead from behind: bytes further ahead than the window are dropped, byte by byte, so
    // that what is kept never depends on how the sender cut its segments. A FIN beyond goes too.
    const std::int64_t windowEnd = static_cast<std::int64_t>(d.offset) + kMaxWindow;
    const bool beyond = begin + std::ssize(p) > windowEnd;
    if (beyond) {
        p = p.first(static_cast<std::size_t>(
            std::clamp<std::int64_t>(windowEnd - begin, 0, std::ssize(p))));
        if (p.empty()) ++m_stats.ignoredSegments;
    }
    if (fin && !beyond && !d.finKnown) {
        const std::int64_t finAt = begin + static_cast<std::int64_t>(p.size());
        if (finAt >= static_cast<std::int64_t>(d.offset)) {
            d.finKnown = true;
            d.finOffset = static_cast<std::uint64_t>(finAt);
        }
    }
    if (d.finKnown && !p.empty()) {  // nothing is sent after FIN (RFC 9293 §3.10.7.4)
        const auto finAt = static_cast<std::int64_t>(d.finOffset);
        const auto keep =
            std::max<std::int64_t>(0, std::min<std::int64_t>(finAt - begin, std::ssize(p)));
        if (keep == 0) ++m_stats.ignoredSegments;
        p = p.first(static_cast<std::size_t>(keep));
    }
    if (!p.empty()) {
        const auto offset = static_cast<std::int64_t>(d.offset);
        if (begin + std::ssize(p) <= offset) {
            ++m_stats.retransmissions;  // wholly delivered already
        } else {
            if (begin < offset) {
                p = p.subspan(static_cast<std::size_t>(offset - begin));
                begin = offset;
            }
            if (begin == offset && d.ooo.empty()) {
                deliver(*c, dir, d.offset, p, s.frame, s.tsNs);  // the common case: no copy
            } else {
                hold(*c, dir, static_cast<std::uint64_t>(begin), p, s.frame, s.tsNs);
                drain(*c, dir, s.tsNs);
                enforceLimits(*c, dir, s.tsNs);
            }
        }
    }
    checkFin(*c, dir);
}

// The connection the segment belongs to, opened when needed; m_lru.end() to ignore the segment.
TcpReassembler::Lru::iterator TcpReassembler::connectionFor(const TcpSegment& s, int& dir) {
    const bool syn = s.flags & TcpSegment::kSyn, ack = s.flags & TcpSegment::kAck;
    const Key key = s.src < s.dst ? Key{s.src, s.dst} : Key{s.dst, s.src};
    auto found = m_index.find(key);
    if (found != m_index.end()) {
        Connection& c = *found->second;
        dir = s.src == c.info.client ? 0 : 1;
        const Direction& d = c.dir[dir];
        const bool otherIsn = syn && d.started && d.isn != s.seq + 1;
        if (syn && !ack && (c.ended || otherIsn)) {
            // The endpoints were reused for a new connection (RFC 9293 §3.10.7.3 TIME-WAIT).
            end(found->second, TcpEnd::Reused, true);
        } else if (c.ended || otherIsn) {
            return m_lru.end();  // stragglers of an ended connection, or a contradicting SYN+ACK
        } else {
            return found->second;
        }
    }
    // Only a SYN or data opens a connection: a stray ACK, FIN or RST carries nothing to show.
    if ((s.flags & TcpSegment::kRst) || (!syn && s.payload.empty())) return m_lru.end();
    const auto it = open(key, s);
    dir = s.src == it->info.client ? 0 : 1;
    return it;
}

TcpReassembler::Lru::iterator TcpReassembler::open(const Key& key, const TcpSegment& s) {
    while (!m_lru.empty() && m_index.size() >= std::max<std::size_t>(m_limits.maxConnections, 1)) {
        if (!m_lru.front().ended) ++m_stats.evicted;
        end(m_lru.begin(), TcpEnd::Evicted, true);
    }
    const bool syn = s.flags & TcpSegment::kSyn, ack = s.flags & TcpSegment::kAck;
    Connection& c = m_lru.emplace_back();
    c.key = key;
    c.info.connection = m_nextId++;
    // A SYN+ACK comes from the server; without any SYN the first sender is taken as client.
    const bool fromServer = syn && ack;
    c.info.client = fromServer ? s.dst : s.src;
    c.info.server = fromServer ? s.src : s.dst;
    c.info.midStream = !syn;
    c.info.tsNs = s.tsNs;
    c.lastTs = s.tsNs;
    m_index.emplace(key, std::prev(m_lru.end()));
    ++m_stats.connections;
    if (!syn) ++m_stats.midStreamStarts;
    m_sink.onOpen(c.info);
    return std::prev(m_lru.end());
}

void TcpReassembler::startDirection(Direction& d, std::uint32_t isn) {
    d.started = true;
    d.isn = isn;
    d.nextSeq = isn;
}

void TcpReassembler::deliver(Connection& c, int dir, std::uint64_t offset,
                             std::span<const std::uint8_t> bytes, std::uint64_t frame,
                             std::int64_t tsNs) {
    Direction& d = c.dir[dir];
    d.releaseTs = std::max(d.releaseTs, tsNs);
    d.offset += bytes.size();
    d.nextSeq += static_cast<std::uint32_t>(bytes.size());
    m_stats.bytesDelivered += bytes.size();
    m_sink.onData(streamId(c, dir), TcpChunk{offset, bytes, frame, d.releaseTs});
}

// Copies the bytes of [offset, offset + size) not held yet; compares the ones that are.
void TcpReassembler::hold(Connection& c, int dir, std::uint64_t offset,
                          std::span<const std::uint8_t> bytes, std::uint64_t frame,
                          std::int64_t tsNs) {
    Direction& d = c.dir[dir];
    const std::uint64_t end = offset + bytes.size();
    bool added = false;
    const auto insert = [&](std::uint64_t from, std::uint64_t to) {
        const auto* p = bytes.data() + (from - offset);
        d.ooo.emplace(from, Pending{std::vector<std::uint8_t>(p, p + (to - from)), frame, tsNs});
        d.oooBytes += to - from;
        m_buffered += to - from;
        added = true;
    };
    auto it = d.ooo.upper_bound(offset);
    if (it != d.ooo.begin() && std::prev(it)->first + std::prev(it)->second.bytes.size() > offset)
        --it;
    std::uint64_t pos = offset;
    for (; it != d.ooo.end() && it->first < end; ++it) {
        const std::uint64_t heldEnd = it->first + it->second.bytes.size();
        if (pos < it->first) insert(pos, it->first);
        const std::uint64_t a = std::max(offset, it->first), b = std::min(end, heldEnd);
        if (std::memcmp(it->second.bytes.data() + (a - it->first), bytes.data() + (a - offset),
                        b - a) != 0) {
            ++m_stats.overlapConflicts;
            m_sink.onConflict(streamId(c, dir), a, b - a, frame);
        }
        pos = std::max(pos, b);
    }
    if (pos < end) insert(pos, end);
    if (!added) ++m_stats.retransmissions;
}

void TcpReassembler::drain(Connection& c, int dir, std::int64_t tsNs) {
    Direction& d = c.dir[dir];
    const std::uint64_t before = d.offset;
    while (!d.ooo.empty() && d.ooo.begin()->first == d.offset) {
        auto node = d.ooo.extract(d.ooo.begin());
        Pending& p = node.mapped();
        d.oooBytes -= p.bytes.size();
        m_buffered -= p.bytes.size();
        deliver(c, dir, d.offset, p.bytes, p.frame, std::max(p.tsNs, tsNs));
    }
    updateStall(c, dir, tsNs, d.offset != before);
}

// Gives up on the first hole: reports it and delivers what follows up to the next hole.
void TcpReassembler::skipHole(Connection& c, int dir, std::int64_t tsNs) {
    Direction& d = c.dir[dir];
    if (d.ooo.empty()) return;
    const std::uint64_t lost = d.ooo.begin()->first - d.offset;
    d.releaseTs = std::max(d.releaseTs, tsNs);
    ++m_stats.gaps;
    m_stats.lostBytes += lost;
    m_sink.onGap(streamId(c, dir), d.offset, lost, d.releaseTs);
    d.offset += lost;
    d.nextSeq += static_cast<std::uint32_t>(lost);
    drain(c, dir, tsNs);
}

// The direction holding more (or the one that grew) gives up its first hole until both the
// per-connection and the global limit hold again. Each step frees at least one held piece.
void TcpReassembler::enforceLimits(Connection& c, int dir, std::int64_t tsNs) {
    const auto step = [&](int victim) {
        ++m_stats.gapsForcedByLimit;
        skipHole(c, victim, victim == dir ? tsNs : c.dir[victim].lastTs);
    };
    while (c.dir[0].oooBytes + c.dir[1].oooBytes > m_limits.maxBufferedPerConnection)
        step(c.dir[dir].oooBytes >= c.dir[1 - dir].oooBytes ? dir : 1 - dir);
    while (m_buffered > m_limits.maxBufferedTotal) {
        if (!c.dir[dir].ooo.empty())
            step(dir);
        else if (!c.dir[1 - dir].ooo.empty())
            step(1 - dir);
        else
            break;  // held by other connections, all within the limit before this segment
    }
    checkFin(c, 1 - dir);
}

// Directions holding data are listed by when their progress stopped: a hole's wait starts
// when data first queued behind it, and restarts whenever the stream moves on.
void TcpReassembler::updateStall(Connection& c, int dir, std::int64_t tsNs, bool progressed) {
    Direction& d = c.dir[dir];
    if (d.ooo.empty()) {
        if (d.stalled) m_stalls.erase(d.stallIt);
        d.stalled = false;
        return;
    }
    if (!d.stalled) {
        d.stallIt = m_stalls.insert(m_stalls.end(), StallRef{&c, dir});
        d.stalled = true;
        d.stallSince = tsNs;
    } else if (progressed && tsNs > d.stallSince) {
        d.stallSince = tsNs;
        m_stalls.splice(m_stalls.end(), m_stalls, d.stallIt);
    }
}

void TcpReassembler::checkFin(Connection& c, int dir) {
    Direction& d = c.dir[dir];
    if (c.ended || !d.finKnown || d.finDone || d.offset < d.finOffset || !d.ooo.empty()) return;
    d.finDone = true;
    m_sink.onFin(streamId(c, dir));
    if (c.dir[1 - dir].finDone) end(m_index.find(c.key)->second, TcpEnd::Fin, false);
}

void TcpReassembler::flushConnection(Connection& c) {
    for (int dir = 0; dir < 2; ++dir) {
        Direction& d = c.dir[dir];
        while (!d.ooo.empty()) skipHole(c, dir, std::max(d.lastTs, d.releaseTs));
    }
}

// Ends a connection (delivering what it held) and, with `forget`, removes it. An ended
// connection that is kept swallows late segments until closedLingerNs.
void TcpReassembler::end(Lru::iterator it, TcpEnd reason, bool forget) {
    Connection& c = *it;
    if (!c.ended) {
        flushConnection(c);
        c.ended = true;
        m_sink.onClose(c.info.connection, reason);
    }
    if (forget) {
        m_index.erase(c.key);
        m_lru.erase(it);
    }
}

void TcpReassembler::expire(std::int64_t nowNs) {
    while (!m_stalls.empty()) {
        const StallRef ref = m_stalls.front();
        Direction& d = ref.conn->dir[ref.dir];
        if (nowNs - d.stallSince <= m_limits.gapTimeoutNs) break;
        skipHole(*ref.conn, ref.dir, std::max(d.lastTs, d.releaseTs));
        checkFin(*ref.conn, ref.dir);
    }
    for (auto it = m_lru.begin(); it != m_lru.end();) {
        const Connection& c = *it;
        const std::int64_t timeout = c.ended ? m_limits.closedLingerNs : m_limits.idleTimeoutNs;
        if (nowNs - c.lastTs <= timeout) break;
        const auto next = std::next(it);
        if (!c.ended) ++m_stats.idleExpired;
        end(it, TcpEnd::Idle, true);
        it = next;
    }
}

void TcpReassembler::flush() {
    while (!m_lru.empty()) end(m_lru.begin(), TcpEnd::Flush, true);
}

}  // namespace sipscope::analyzer
