#pragma once
// TCP stream reassembly for the passive pipeline: segments in, per-direction in-order byte
// streams out (RFC 9293 §3.4 sequence numbers, §3.10.7 segment arrival). The caller decoded the
// IP and TCP headers; this class never sees packet bytes other than the TCP payload.
//
// * In-order segments are delivered straight from the caller's buffer (no copy, no allocation).
// * Out-of-order data is copied and held until the hole before it fills. Where bytes overlap,
//   the first-arrived copy wins and a differing later copy is reported through onConflict().
//   Bytes already delivered are not kept, so a retransmission of them is only counted.
// * A hole that never fills is skipped with onGap() when a buffer limit is hit, when no progress
//   was made for gapTimeoutNs (checked by expire()), and when the connection ends.
// * A connection first seen without its SYN starts at the first segment seen ("mid-stream");
//   data older than that is treated as retransmitted. Sequence numbers wrap (uint32 arithmetic).
// * Connections end on FIN in both directions, RST, idle timeout, eviction and flush().
//
// Time comes only from segment timestamps and expire(nowNs). Not thread-safe. The sink must
// not call back into the reassembler.

#include <cstdint>
#include <list>
#include <map>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/ip_address.hpp"

namespace sipscope::analyzer {

struct TcpSegment {
    static constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

    Endpoint src, dst;
    std::uint32_t seq = 0;
    std::uint8_t flags = 0;  // the TCP header's flag bits (kFin, kSyn, kRst, kAck)
    std::span<const std::uint8_t> payload;
    std::uint64_t frame = 0;
    std::int64_t tsNs = 0;
};

struct TcpLimits {
    std::size_t maxBufferedPerConnection = 1024 * 1024;  // out-of-order bytes, both directions
    std::size_t maxBufferedTotal = 64 * 1024 * 1024;     // out-of-order bytes, all connections
    std::size_t maxConnections = 100'000;                // the least recently active one goes
    std::int64_t idleTimeoutNs = 300'000'000'000;        // no segment for 5 min: connection ends
    std::int64_t gapTimeoutNs = 10'000'000'000;          // a hole not filled for 10 s is skipped
    std::int64_t closedLingerNs = 10'000'000'000;        // ended connections swallow stragglers
};

struct TcpStreamId {
    std::uint64_t connection = 0;  // 1-based, unique per reassembler, never reused
    std::uint8_t direction = 0;    // 0: client → server, 1: server → client
    Endpoint src, dst;
};

struct TcpConnectionInfo {
    std::uint64_t connection = 0;
    // The client sent the SYN (or is the destination of a SYN+ACK). Mid-stream connections:
    // the source of the first segment seen.
    Endpoint client, server;
    bool midStream = false;  // no SYN seen
    std::int64_t tsNs = 0;   // first segment
};

struct TcpChunk {
    std::uint64_t offset = 0;  // stream offset of bytes[0]: bytes since the SYN (or first seen)
    std::span<const std::uint8_t> bytes;
    std::uint64_t frame = 0;  // the segment that carried these bytes
    // When the bytes became in-order: the carrying segment's time, or later when they waited
    // for a hole to fill (the time of the segment that filled it). Never decreases within a
    // direction.
    std::int64_t tsNs = 0;
};

enum class TcpEnd : std::uint8_t {
    Fin,      // both directions sent FIN and all their data was delivered
    Rst,      // RFC 9293 §3.5.2
    Idle,     // no segment for idleTimeoutNs
    Evicted,  // maxConnections reached; this was the least recently active connection
    Reused,   // a new SYN with another initial sequence number on the same endpoints
    Flush,    // flush() at the end of the input
};
const char* tcpEndName(TcpEnd e) noexcept;

class TcpStreamSink {
  public:
    virtual ~TcpStreamSink() = default;
    virtual void onOpen(const TcpConnectionInfo& info) = 0;
    virtual void onData(const TcpStreamId& stream, const TcpChunk& chunk) = 0;
    // `lost` bytes starting at stream offset `offset` will never be delivered.
    virtual void onGap(const TcpStreamId& stream, std::uint64_t offset, std::uint64_t lost,
                       std::int64_t tsNs) = 0;
    // A later copy of bytes [offset, offset + length) differed from the first one (kept).
    virtual void onConflict(const TcpStreamId& stream, std::uint64_t offset, std::uint64_t length,
                            std::uint64_t frame) = 0;
    // The direction's FIN was reached: no more data in this direction.
    virtual void onFin(const TcpStreamId& stream) = 0;
    // Last event of a connection; everything buffered was delivered (with gaps) before it.
    virtual void onClose(std::uint64_t connection, TcpEnd reason) = 0;
};

struct TcpStats {
    std::uint64_t segments = 0;
    std::uint64_t connections = 0;
    std::uint64_t midStreamStarts = 0;
    std::uint64_t retransmissions = 0;   // segments whose payload was wholly held or delivered
    std::uint64_t overlapConflicts = 0;  // onConflict() calls
    std::uint64_t gaps = 0;
    std::uint64_t lostBytes = 0;
    std::uint64_t gapsForcedByLimit = 0;  // holes skipped because a buffer limit was reached
    std::uint64_t idleExpired = 0;
    std::uint64_t evicted = 0;
    std::uint64_t ignoredSegments = 0;  // after the connection ended, beyond FIN, no connection
    std::uint64_t bytesDelivered = 0;
};

class TcpReassembler {
  public:
    explicit TcpReassembler(TcpStreamSink& sink, TcpLimits limits = {});
    ~TcpReassembler();
    TcpReassembler(const TcpReassembler&) = delete;
    TcpReassembler& operator=(const TcpReassembler&) = delete;

    void add(const TcpSegment& segment);
    // Skips holes that waited longer than gapTimeoutNs, ends idle connections and forgets
    // ended ones after closedLingerNs.
    void expire(std::int64_t nowNs);
    // End of input: delivers everything held (with gaps) and ends every connection.
    void flush();

    const TcpStats& stats() const noexcept { return m_stats; }
    std::size_t connections() const noexcept { return m_index.size(); }
    std::size_t bufferedBytes() const noexcept { return m_buffered; }
    const TcpLimits& limits() const noexcept { return m_limits; }

  private:
    struct Pending {
        std::vector<std::uint8_t> bytes;
        std::uint64_t frame = 0;
        std::int64_t tsNs = 0;
    };
    struct Connection;
    struct StallRef {
        Connection* conn;
        int dir;
    };
    struct Direction {
        bool started = false;
        bool finKnown = false, finDone = false;
        std::uint32_t isn = 0;      // sequence number of stream offset 0
        std::uint32_t nextSeq = 0;  // next expected sequence number
        std::uint64_t offset = 0;   // stream offset of nextSeq
        std::uint64_t finOffset = 0;
        std::int64_t releaseTs = 0;            // last delivery time (keeps chunk times monotonic)
        std::int64_t lastTs = 0;               // last segment time
        std::map<std::uint64_t, Pending> ooo;  // held bytes by stream offset: disjoint, > offset
        std::size_t oooBytes = 0;
        std::int64_t stallSince = 0;  // when the current hole stopped progress
        bool stalled = false;
        std::list<StallRef>::iterator stallIt;
    };
    struct Key {
        Endpoint a, b;  // a < b
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };
    struct Connection {
        Key key;
        TcpConnectionInfo info;
        Direction dir[2];
        bool ended = false;
        std::int64_t lastTs = 0;
    };
    using Lru = std::list<Connection>;

    Lru::iterator connectionFor(const TcpSegment& s, int& dir);
    Lru::iterator open(const Key& key, const TcpSegment& s);
    void end(Lru::iterator it, TcpEnd reason, bool forget);
    void startDirection(Direction& d, std::uint32_t isn);
    void deliver(Connection& c, int dir, std::uint64_t offset, std::span<const std::uint8_t> bytes,
                 std::uint64_t frame, std::int64_t tsNs);
    void hold(Connection& c, int dir, std::uint64_t offset, std::span<const std::uint8_t> bytes,
              std::uint64_t frame, std::int64_t tsNs);
    void drain(Connection& c, int dir, std::int64_t tsNs);
    void skipHole(Connection& c, int dir, std::int64_t tsNs);
    void checkFin(Connection& c, int dir);
    void enforceLimits(Connection& c, int dir, std::int64_t tsNs);
    void updateStall(Connection& c, int dir, std::int64_t tsNs, bool progressed);
    void flushConnection(Connection& c);
    TcpStreamId streamId(const Connection& c, int dir) const noexcept;

    TcpStreamSink& m_sink;
    TcpLimits m_limits;
    Lru m_lru;  // least recently active first
    std::unordered_map<Key, Lru::iterator, KeyHash> m_index;
    std::list<StallRef> m_stalls;  // directions holding data, longest stalled first
    std::uint64_t m_nextId = 1;
    std::size_t m_buffered = 0;
    TcpStats m_stats;
};

}  // namespace sipscope::analyzer
