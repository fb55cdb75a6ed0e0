// libFuzzer target for TcpSipStreams (TCP reassembly, SIP framing, WebSocket, classification).
// The input is a list of records, each a synthetic TCP segment or a clock advance:
//
//   byte 0  bit 0 direction (server → client), bit 1 SYN, bit 2 FIN, bit 3 RST, bit 4 ACK,
//           bits 5-6 connection (one of four port pairs), bit 7 "expire" instead of a segment
//   byte 1  sequence: bits 6-7 mode (0 next, 1 ahead by 8·n, 2 back by 8·n, 3 ahead by n·2^26),
//           bits 0-5 n
//   byte 2  time advance in 10 ms steps
//   byte 3-4 payload length (little endian, mod 1500), then the payload bytes
//
// Invariants: no crash or sanitizer report; buffered bytes and connections within the limits;
// every message has frames, ascending, of segments that were fed, and a time that was fed;
// SipMessage::parse never crashes on a framed message. The same records with every data
// segment split in two (same frame number and time; SYN and RST segments whole) must give the
// same messages, unless a buffer limit forced a gap (where it bites depends on segment sizes).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "message/sip_message.hpp"
#include "sip/tcp_sip_streams.hpp"

using namespace sipscope::analyzer;

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

void check(bool condition, const char* what) {
    if (!condition) fail(what);
}

constexpr std::int64_t kMs = 1'000'000;

struct Record {
    bool expire = false;
    bool fromServer = false;
    std::uint8_t flags = 0;
    int connection = 0;
    std::uint32_t seq = 0;
    std::int64_t ts = 0;
    std::string payload;
    std::uint64_t frame = 0;
};

std::vector<Record> parseRecords(const std::uint8_t* data, std::size_t size) {
    std::vector<Record> out;
    std::uint32_t next[4][2];
    for (int c = 0; c < 4; ++c)
        for (int d = 0; d < 2; ++d)
            next[c][d] = 0xFFFFFF00u + static_cast<std::uint32_t>(c * 0x1000 + d * 0x100000);
    std::int64_t ts = 0;
    std::size_t i = 0;
    while (i + 5 <= size && out.size() < 4096) {
        Record r;
        const std::uint8_t b0 = data[i], b1 = data[i + 1];
        ts += data[i + 2] * 10 * kMs;
        std::size_t len = (data[i + 3] | (data[i + 4] << 8)) % 1500;
        i += 5;
        len = std::min(len, size - i);
        r.ts = ts;
        r.frame = out.size() + 1;
        r.expire = b0 & 0x80;
        if (!r.expire) {
            r.fromServer = b0 & 1;
            r.flags = static_cast<std::uint8_t>(
                ((b0 & 2) ? TcpSegment::kSyn : 0) | ((b0 & 4) ? TcpSegment::kFin : 0) |
                ((b0 & 8) ? TcpSegment::kRst : 0) | ((b0 & 16) ? TcpSegment::kAck : 0));
            r.connection = (b0 >> 5) & 3;
            std::uint32_t& n = next[r.connection][r.fromServer];
            const std::uint32_t k = b1 & 0x3F;
            switch (b1 >> 6) {
                case 0:
                    r.seq = n;
                    break;
                case 1:
                    r.seq = n + 8 * k;
                    break;
                case 2:
                    r.seq = n - 8 * k;
                    break;
                default:
                    r.seq = n + (k << 26);
                    break;
            }
            r.payload.assign(reinterpret_cast<const char*>(data + i), len);
            i += len;
            n = r.seq + static_cast<std::uint32_t>(len) + ((r.flags & TcpSegment::kSyn) ? 1 : 0) +
                ((r.flags & TcpSegment::kFin) ? 1 : 0);
        }
        out.push_back(std::move(r));
    }
    return out;
}

struct Seen {
    std::string bytes;
    std::vector<std::uint64_t> frames;
    std::int64_t ts;
    std::uint64_t connection, offset;
    Transport transport;
    bool operator==(const Seen&) const = default;
};

class Sink : public SipStreamSink {
  public:
    Sink(const std::vector<Record>& records) : m_records(records) {}
    void onMessage(StreamMessage&& m) override {
        check(m.bytes && !m.bytes->empty(), "empty message");
        check(!m.frames.empty(), "message without frames");
        for (std::size_t i = 0; i < m.frames.size(); ++i) {
            check(m.frames[i] >= 1 && m.frames[i] <= m_records.size(), "unknown frame");
            check(!m_records[m.frames[i] - 1].expire, "frame of a clock advance");
            check(i == 0 || m.frames[i - 1] < m.frames[i], "frames not strictly ascending");
        }
        check(m.transport == Transport::Tcp || m.transport == Transport::Ws, "bad transport");
        check(m.src != m.dst, "src == dst");
        if (m.transport == Transport::Tcp) {
            const auto parsed = sipscope::stack::SipMessage::parse(m.bytes);
            (void)parsed.ok();
        }
        seen.push_back(
            {std::string(*m.bytes), m.frames, m.tsNs, m.connection, m.streamOffset, m.transport});
    }
    void onIssues(StreamIssueReport&& r) override {
        check(!r.issues.empty(), "empty issue report");
        check(std::is_sorted(r.frames.begin(), r.frames.end()), "report frames not ascending");
    }
    void onClassified(const StreamConnection& c) override {
        check(c.kind != StreamKind::Undecided, "classified as undecided");
    }
    std::vector<Seen> seen;

  private:
    const std::vector<Record>& m_records;
};

const Endpoint& endpoint(int connection, bool server) {
    static const auto make = [](std::uint8_t last, std::uint16_t port) {
        const std::uint8_t b[4] = {203, 0, 113, last};
        return Endpoint{IpAddress::v4(b), port};
    };
    static const Endpoint clients[4] = {make(1, 5060), make(1, 40000), make(3, 443), make(4, 1)};
    static const Endpoint servers[4] = {make(2, 5060), make(2, 5060), make(2, 443), make(4, 2)};
    return server ? servers[connection] : clients[connection];
}

TcpSegment toSegment(const Record& r, std::string_view payload, std::uint32_t seq,
                     std::uint8_t flags) {
    TcpSegment s;
    s.src = endpoint(r.connection, r.fromServer);
    s.dst = endpoint(r.connection, !r.fromServer);
    s.seq = seq;
    s.flags = flags;
    s.payload = {reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()};
    s.frame = r.frame;
    s.tsNs = r.ts;
    return s;
}

struct Run {
    std::vector<Seen> messages;
    std::uint64_t forced = 0;
};

Run run(const std::vector<Record>& records, const TcpSipConfig& config, bool split) {
    Sink sink(records);
    TcpSipStreams t(sink, config);
    for (const Record& r : records) {
        if (r.expire) {
            t.expire(r.ts);
        } else if (!split || r.payload.size() < 2 ||
                   (r.flags & (TcpSegment::kRst | TcpSegment::kSyn))) {
            // A SYN or RST decides about the whole segment (it may be refused): not split.
            t.add(toSegment(r, r.payload, r.seq, r.flags));
        } else {
            const std::size_t half = r.payload.size() / 2;
            const std::string_view p(r.payload);
            t.add(toSegment(r, p.substr(0, half), r.seq, r.flags & ~TcpSegment::kFin));
            t.add(toSegment(r, p.substr(half), r.seq + static_cast<std::uint32_t>(half), r.flags));
        }
        check(t.reassembler().bufferedBytes() <= config.tcp.maxBufferedTotal,
              "buffered bytes over the total limit");
        check(t.reassembler().connections() <= config.tcp.maxConnections, "too many connections");
        check(t.connections() <= t.reassembler().connections(), "stream state leaked");
    }
    t.flush();
    check(t.connections() == 0 && t.reassembler().connections() == 0, "state left after flush");
    check(t.reassembler().bufferedBytes() == 0, "bytes held after flush");
    return {std::move(sink.seen), t.tcpStats().gapsForcedByLimit};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<Record> records = parseRecords(data, size);
    if (records.empty()) return 0;

    TcpSipConfig roomy;
    roomy.tcp.gapTimeoutNs = 2000 * kMs;
    roomy.tcp.idleTimeoutNs = 20'000 * kMs;
    roomy.tcp.closedLingerNs = 1000 * kMs;
    roomy.framer.maxHeaderBytes = 4096;
    roomy.framer.maxBodyBytes = 8192;
    roomy.ws.maxMessageBytes = 8192;
    roomy.classifyBytes = 2048;
    const Run whole = run(records, roomy, false);
    const Run halves = run(records, roomy, true);
    if (whole.forced == 0 && halves.forced == 0)
        check(whole.messages == halves.messages, "splitting segments changed the messages");

    TcpSipConfig tight = roomy;
    tight.tcp.maxBufferedPerConnection = 300;
    tight.tcp.maxBufferedTotal = 500;
    tight.tcp.maxConnections = 2;
    tight.maxPendingIssues = 2;
    (void)run(records, tight, false);
    return 0;
}
