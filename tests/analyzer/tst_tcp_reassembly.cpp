// TCP reassembly and SIP extraction (TcpReassembler + TcpSipStreams). A stream of SIP messages
// is cut into segments with seeded random sizes, reordered, duplicated, overlapped, cut short;
// every case compares the extracted messages, their frame lists and times with a model: each
// byte belongs to the first segment that carried it, and becomes available when every byte up
// to it did.

#include <QtTest>

#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "message/message_builder.hpp"
#include "sip/tcp_sip_streams.hpp"

using namespace sipscope::analyzer;
using sipscope::stack::MessageBuilder;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000 * kMs;

Endpoint ep(std::uint8_t last, std::uint16_t port) {
    const std::uint8_t b[4] = {10, 0, 0, last};
    return Endpoint{IpAddress::v4(b), port};
}

const Endpoint kClient = ep(1, 40000), kServer = ep(2, 5060);

std::string sipMessage(int n, std::size_t bodyLength) {
    std::string body;
    for (std::size_t i = 0; i < bodyLength; ++i) body += static_cast<char>('a' + (i + n) % 26);
    return MessageBuilder::request("MESSAGE", "sip:bob@example.com")
        .header("Via", "SIP/2.0/TCP client.example.com;branch=z9hG4bK" + std::to_string(n))
        .header("From", "<sip:alice@example.com>;tag=a" + std::to_string(n))
        .header("To", "<sip:bob@example.com>")
        .header("Call-ID", "tcp-" + std::to_string(n) + "@example.com")
        .header("CSeq", std::to_string(n) + " MESSAGE")
        .header("Max-Forwards", "70")
        .body(bodyLength ? "text/plain" : "", body)
        .text();
}

struct Range {
    std::uint64_t begin, end;
};

struct Stream {
    std::string bytes;
    std::vector<Range> messages;
};

Stream buildStream(int count, std::uint32_t seed, bool keepAlives = false) {
    std::mt19937 rng(seed);
    Stream s;
    for (int i = 0; i < count; ++i) {
        if (keepAlives && i % 3 == 1) s.bytes += "\r\n\r\n";  // RFC 5626 keep-alive
        const std::string m = sipMessage(i + 1, rng() % 600);
        s.messages.push_back({s.bytes.size(), s.bytes.size() + m.size()});
        s.bytes += m;
    }
    return s;
}

// One segment: [offset, offset + length) of a direction's stream, as it arrives.
struct Arrival {
    Arrival(std::uint64_t o, std::size_t n, std::uint64_t f = 0, std::int64_t t = 0)
        : offset(o), length(n), frame(f), ts(t) {}
    std::uint64_t offset;
    std::size_t length;
    std::uint64_t frame = 0;
    std::int64_t ts = 0;
    std::string data;  // empty: the stream's bytes
};

std::vector<Arrival> cut(std::size_t size, std::mt19937& rng, std::size_t maxSegment) {
    std::vector<Arrival> out;
    for (std::uint64_t pos = 0; pos < size;) {
        const std::size_t n = std::min<std::size_t>(1 + rng() % maxSegment, size - pos);
        out.push_back({pos, n});
        pos += n;
    }
    return out;
}

// Numbers the arrivals in their final order: frame = 100 + index, time = index ms.
void number(std::vector<Arrival>& a, std::uint64_t firstFrame = 100) {
    for (std::size_t i = 0; i < a.size(); ++i) {
        a[i].frame = firstFrame + i;
        a[i].ts = static_cast<std::int64_t>(firstFrame + i) * kMs;
    }
}

struct Expected {
    std::string bytes;
    std::vector<std::uint64_t> frames;
    std::int64_t ts;
};

// The model. `gapTs`: time at which holes are given up (flush/expire); bytes after a hole
// become available then.
std::vector<Expected> model(const Stream& s, const std::vector<Arrival>& arrivals,
                            std::int64_t gapTs = 0) {
    std::vector<std::int64_t> firstTs(s.bytes.size(), -1);
    std::vector<std::uint64_t> firstFrame(s.bytes.size(), 0);
    for (const auto& a : arrivals)
        for (std::uint64_t x = a.offset; x < a.offset + a.length && x < s.bytes.size(); ++x)
            if (firstTs[x] < 0) {
                firstTs[x] = a.ts;
                firstFrame[x] = a.frame;
            }
    std::vector<std::int64_t> release(s.bytes.size());
    std::int64_t running = 0;
    for (std::size_t x = 0; x < s.bytes.size(); ++x) {
        running = std::max(running, firstTs[x] < 0 ? gapTs : firstTs[x]);
        release[x] = running;
    }
    std::vector<Expected> out;
    for (const auto& m : s.messages) {
        bool complete = true;
        std::vector<std::uint64_t> frames;
        for (std::uint64_t x = m.begin; x < m.end; ++x) {
            if (firstTs[x] < 0)
                complete = false;
            else if (frames.empty() || frames.back() != firstFrame[x])
                frames.push_back(firstFrame[x]);
        }
        if (!complete) continue;
        std::sort(frames.begin(), frames.end());
        frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
        out.push_back({s.bytes.substr(m.begin, m.end - m.begin), frames, release[m.end - 1]});
    }
    return out;
}

class Collector : public SipStreamSink {
  public:
    void onMessage(StreamMessage&& m) override { messages.push_back(std::move(m)); }
    void onIssues(StreamIssueReport&& r) override { reports.push_back(std::move(r)); }
    void onClassified(const StreamConnection& c) override { classified.push_back(c); }
    void onClosed(const StreamConnection& c, TcpEnd reason) override {
        closed.push_back(c);
        reasons.push_back(reason);
    }
    std::vector<StreamMessage> messages;
    std::vector<StreamIssueReport> reports;
    std::vector<StreamConnection> classified, closed;
    std::vector<TcpEnd> reasons;
};

TcpSegment segment(bool fromClient, std::uint32_t seq, std::uint8_t flags, std::string_view data,
                   std::uint64_t frame, std::int64_t ts) {
    TcpSegment s;
    s.src = fromClient ? kClient : kServer;
    s.dst = fromClient ? kServer : kClient;
    s.seq = seq;
    s.flags = flags;
    s.payload = {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()};
    s.frame = frame;
    s.tsNs = ts;
    return s;
}

constexpr std::uint8_t kAck = TcpSegment::kAck;

// SYN, SYN+ACK (frames 1, 2) for a client stream starting at `isn` + 1.
// The raw reassembler's events as text: D<offset>+<bytes>@<frame>, G<offset>+<lost>, F, C:<end>.
struct LogSink : TcpStreamSink {
    void onOpen(const TcpConnectionInfo&) override {}
    void onData(const TcpStreamId&, const TcpChunk& c) override {
        log += "D" + std::to_string(c.offset) + "+" + std::to_string(c.bytes.size()) + "@" +
               std::to_string(c.frame) + " ";
        lastPtr = c.bytes.data();
    }
    void onGap(const TcpStreamId&, std::uint64_t o, std::uint64_t n, std::int64_t) override {
        log += "G" + std::to_string(o) + "+" + std::to_string(n) + " ";
    }
    void onConflict(const TcpStreamId&, std::uint64_t, std::uint64_t, std::uint64_t) override {}
    void onFin(const TcpStreamId&) override { log += "F "; }
    void onClose(std::uint64_t, TcpEnd e) override { log += std::string("C:") + tcpEndName(e); }
    std::string log;
    const std::uint8_t* lastPtr = nullptr;
};

void handshake(TcpSipStreams& t, std::uint32_t clientIsn, std::uint32_t serverIsn = 7000) {
    t.add(segment(true, clientIsn, TcpSegment::kSyn, {}, 1, 1 * kMs));
    t.add(segment(false, serverIsn, TcpSegment::kSyn | kAck, {}, 2, 2 * kMs));
}

void send(TcpSipStreams& t, const Stream& s, const std::vector<Arrival>& arrivals,
          std::uint32_t isn, bool fromClient = true) {
    for (const auto& a : arrivals) {
        const std::string_view data = a.data.empty()
                                          ? std::string_view(s.bytes).substr(a.offset, a.length)
                                          : std::string_view(a.data);
        t.add(segment(fromClient, static_cast<std::uint32_t>(isn + 1 + a.offset), kAck, data,
                      a.frame, a.ts));
    }
}

bool sameMessages(const std::vector<StreamMessage>& got, const std::vector<Expected>& want) {
    if (got.size() != want.size()) {
        qWarning("got %zu messages, want %zu", got.size(), want.size());
        return false;
    }
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (*got[i].bytes != want[i].bytes) {
            qWarning("message %zu: bytes differ:\n%s\n---- want\n%s", i,
                     std::string(*got[i].bytes).c_str(), want[i].bytes.c_str());
            for (const auto& e : got[i].issues)
                qWarning("issue @%zu %s", e.offset, e.message.c_str());
            return false;
        }
        if (got[i].frames != want[i].frames) {
            QString g, w;
            for (auto f : got[i].frames) g += QString::number(f) + ' ';
            for (auto f : want[i].frames) w += QString::number(f) + ' ';
            qWarning("message %zu: frames [%s] want [%s]", i, qPrintable(g), qPrintable(w));
            return false;
        }
        if (got[i].tsNs != want[i].ts) {
            qWarning("message %zu: ts %lld want %lld", i, static_cast<long long>(got[i].tsNs),
                     static_cast<long long>(want[i].ts));
            return false;
        }
        if (!std::is_sorted(got[i].frames.begin(), got[i].frames.end())) return false;
    }
    return true;
}

std::size_t issueCount(const std::vector<StreamMessage>& ms) {
    std::size_t n = 0;
    for (const auto& m : ms) n += m.issues.size();
    return n;
}

bool anyIssueContains(const std::vector<StreamMessage>& ms, const std::string& text) {
    for (const auto& m : ms)
        for (const auto& i : m.issues)
            if (i.message.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

class TestTcpReassembly : public QObject {
    Q_OBJECT
  private slots:
    void inOrderRandomSegmentation_data() {
        QTest::addColumn<std::uint32_t>("seed");
        QTest::addColumn<int>("maxSegment");
        for (std::uint32_t seed : {1u, 2u, 3u, 42u, 1234u})
            for (int maxSegment : {1, 7, 100, 1460, 9000})
                QTest::addRow("seed %u max %d", seed, maxSegment) << seed << maxSegment;
    }
    void inOrderRandomSegmentation() {
        QFETCH(std::uint32_t, seed);
        QFETCH(int, maxSegment);
        const Stream s = buildStream(12, seed, true);
        std::mt19937 rng(seed * 7919);
        auto arrivals = cut(s.bytes.size(), rng, static_cast<std::size_t>(maxSegment));
        number(arrivals);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 1000);
        send(t, s, arrivals, 1000);
        QVERIFY(sameMessages(out.messages, model(s, arrivals)));
        QCOMPARE(issueCount(out.messages), std::size_t{0});
        QCOMPARE(t.stats().keepAlives > 0, true);
        QCOMPARE(out.classified.size(), std::size_t{1});
        QCOMPARE(out.classified[0].kind, StreamKind::Sip);
        QCOMPARE(out.messages[0].src, kClient);
        QCOMPARE(out.messages[0].dst, kServer);
        QCOMPARE(out.messages[0].transport, Transport::Tcp);
        QCOMPARE(t.reassembler().bufferedBytes(), std::size_t{0});
    }

    void reorderedDuplicatedOverlapping_data() {
        QTest::addColumn<std::uint32_t>("seed");
        for (std::uint32_t seed : {5u, 6u, 7u, 8u, 99u, 2024u})
            QTest::addRow("seed %u", seed) << seed;
    }
    void reorderedDuplicatedOverlapping() {
        QFETCH(std::uint32_t, seed);
        const Stream s = buildStream(10, seed);
        std::mt19937 rng(seed);
        auto arrivals = cut(s.bytes.size(), rng, 300);
        // Local reordering, retransmissions of earlier segments, and re-segmented overlaps.
        for (std::size_t i = 0; i + 1 < arrivals.size(); ++i)
            if (rng() % 3 == 0)
                std::swap(
                    arrivals[i],
                    arrivals[i + 1 + rng() % std::min<std::size_t>(3, arrivals.size() - i - 1)]);
        const std::size_t n = arrivals.size();
        for (std::size_t k = 0; k < n / 4; ++k) {
            const Arrival dup = arrivals[rng() % n];
            arrivals.insert(arrivals.begin() + static_cast<std::ptrdiff_t>(rng() % arrivals.size()),
                            dup);
            Arrival wide = arrivals[rng() % n];
            const std::uint64_t back = std::min<std::uint64_t>(wide.offset, rng() % 50);
            wide.offset -= back;
            wide.length = std::min<std::size_t>(wide.length + back + rng() % 50,
                                                s.bytes.size() - wide.offset);
            arrivals.insert(arrivals.begin() + static_cast<std::ptrdiff_t>(rng() % arrivals.size()),
                            wide);
        }
        number(arrivals);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 5000);
        send(t, s, arrivals, 5000);
        QVERIFY(sameMessages(out.messages, model(s, arrivals)));
        QCOMPARE(out.messages.size(), s.messages.size());
        QCOMPARE(issueCount(out.messages), std::size_t{0});
        QVERIFY(t.tcpStats().retransmissions > 0);
        QCOMPARE(t.tcpStats().overlapConflicts, std::uint64_t{0});
        QCOMPARE(t.reassembler().bufferedBytes(), std::size_t{0});
    }

    void overlapWithDifferentDataKeepsFirst() {
        const Stream s = buildStream(2, 11);
        const std::uint64_t m1 = s.messages[1].begin;
        // Message 2 arrives before the end of message 1; then a forged copy of its start.
        std::vector<Arrival> arrivals = {{0, m1 - 10}, {m1, s.bytes.size() - m1}};
        Arrival forged{m1 - 10, 30};
        forged.data = s.bytes.substr(m1 - 10, 30);
        forged.data[15] = 'X';  // inside message 2's first line: the held copy wins
        arrivals.push_back(forged);
        number(arrivals);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 1);
        send(t, s, arrivals, 1);
        auto want = model(s, arrivals);
        QVERIFY(sameMessages(out.messages, want));
        QCOMPARE(t.tcpStats().overlapConflicts, std::uint64_t{1});
        QCOMPARE(out.messages[1].issues.size(), std::size_t{1});
        QVERIFY(out.messages[1].issues[0].message.find("differ from the first copy") !=
                std::string::npos);
        QCOMPARE(out.messages[1].issues[0].offset, std::size_t(m1));
        QCOMPARE(out.messages[0].frames, (std::vector<std::uint64_t>{100, 102}));
        QCOMPARE(out.messages[1].frames, (std::vector<std::uint64_t>{101}));
    }

    void droppedSegmentIsAGap_data() {
        QTest::addColumn<std::uint32_t>("seed");
        QTest::addColumn<bool>("byExpire");
        for (std::uint32_t seed : {21u, 22u, 23u, 24u}) {
            QTest::addRow("flush %u", seed) << seed << false;
            QTest::addRow("expire %u", seed) << seed << true;
        }
    }
    void droppedSegmentIsAGap() {
        QFETCH(std::uint32_t, seed);
        QFETCH(bool, byExpire);
        const Stream s = buildStream(8, seed);
        std::mt19937 rng(seed);
        auto all = cut(s.bytes.size(), rng, 200);
        const std::size_t dropIndex = all.size() / 2;
        const Arrival dropped = all[dropIndex];
        all.erase(all.begin() + static_cast<std::ptrdiff_t>(dropIndex));
        number(all);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 300);
        send(t, s, all, 300);
        const std::int64_t last = all.back().ts;
        if (byExpire) {
            // The hole stalls progress from the arrival of the segment after it.
            const std::int64_t since = all[dropIndex].ts, timeout = TcpLimits{}.gapTimeoutNs;
            t.expire(since + timeout);
            QCOMPARE(t.tcpStats().gaps, std::uint64_t{0});
            t.expire(since + timeout + 1);
        } else {
            t.flush();
        }
        QCOMPARE(t.tcpStats().gaps, std::uint64_t{1});
        QCOMPARE(t.tcpStats().lostBytes, std::uint64_t{dropped.length});
        QVERIFY(sameMessages(out.messages, model(s, all, last)));
        // Every message not touched by the hole came out.
        std::size_t touched = 0;
        for (const auto& m : s.messages)
            if (m.begin < dropped.offset + dropped.length && dropped.offset < m.end) ++touched;
        QCOMPARE(out.messages.size(), s.messages.size() - touched);
        const std::string lost = std::to_string(dropped.length) + " bytes lost in the capture";
        bool found = anyIssueContains(out.messages, lost);
        for (const auto& r : out.reports)
            for (const auto& i : r.issues)
                found = found || i.message.find(lost) != std::string::npos;
        QVERIFY2(found, "the gap is reported with its exact size");
        if (!byExpire) {
            QCOMPARE(out.closed.size(), std::size_t{1});
            QCOMPARE(out.closed[0].lostBytes[0], std::uint64_t{dropped.length});
        }
    }

    void bufferLimitForcesGap() {
        const Stream s = buildStream(30, 77);
        std::mt19937 rng(77);
        auto all = cut(s.bytes.size(), rng, 100);
        const Arrival dropped = all[3];
        all.erase(all.begin() + 3);
        number(all);
        TcpSipConfig config;
        config.tcp.maxBufferedPerConnection = 2000;
        Collector out;
        TcpSipStreams t(out, config);
        handshake(t, 9);
        send(t, s, all, 9);
        // The hole is given up as soon as more than 2000 bytes wait behind it.
        QCOMPARE(t.tcpStats().gaps, std::uint64_t{1});
        QCOMPARE(t.tcpStats().gapsForcedByLimit, std::uint64_t{1});
        QCOMPARE(t.tcpStats().lostBytes, std::uint64_t{dropped.length});
        QVERIFY(t.reassembler().bufferedBytes() == 0);
        // Bytes after the hole waited for the segment that overflowed the limit.
        std::uint64_t held = 0;
        std::int64_t releaseTs = 0;
        for (std::size_t i = 3; i < all.size(); ++i) {
            held += all[i].length;
            if (held > 2000) {
                releaseTs = all[i].ts;
                break;
            }
        }
        auto want = model(s, all, releaseTs);
        QVERIFY(sameMessages(out.messages, want));
    }

    void midStreamStartResyncs() {
        const Stream s = buildStream(6, 31);
        std::mt19937 rng(31);
        auto all = cut(s.bytes.size(), rng, 150);
        // The capture starts inside message 2: no SYN, the first segment seen defines the start.
        std::size_t first = 0;
        while (all[first].offset < s.messages[1].begin + 20) ++first;
        std::vector<Arrival> seen(all.begin() + static_cast<std::ptrdiff_t>(first), all.end());
        number(seen);
        Collector out;
        TcpSipStreams t(out);
        send(t, s, seen, 123456);
        QCOMPARE(t.tcpStats().midStreamStarts, std::uint64_t{1});
        QCOMPARE(out.classified.size(), std::size_t{1});
        QCOMPARE(out.classified[0].kind, StreamKind::Sip);
        QVERIFY(out.classified[0].midStream);
        std::vector<Arrival> model_arrivals = seen;
        auto want = model(s, model_arrivals);
        QVERIFY(sameMessages(out.messages, want));
        QCOMPARE(out.messages.size(), s.messages.size() - 2);
        // The bytes before message 3 were skipped, and said so with their exact count.
        const std::uint64_t skipped = s.messages[2].begin - seen[0].offset;
        QCOMPARE(out.messages[0].issues.size(), std::size_t{1});
        QVERIFY(out.messages[0].issues[0].message.find(std::to_string(skipped) +
                                                       " bytes skipped") != std::string::npos);
        QCOMPARE(out.messages[0].streamOffset, skipped);
    }

    void sequenceWraparound_data() {
        QTest::addColumn<std::uint32_t>("isn");
        QTest::newRow("wrap in message 2") << std::uint32_t(0xFFFFFFFFu - 700);
        QTest::newRow("syn at max") << std::uint32_t(0xFFFFFFFFu);
        QTest::newRow("data at max") << std::uint32_t(0xFFFFFFFEu);
    }
    void sequenceWraparound() {
        QFETCH(std::uint32_t, isn);
        const Stream s = buildStream(6, 3);
        std::mt19937 rng(3);
        auto all = cut(s.bytes.size(), rng, 97);
        std::swap(all[4], all[6]);  // reordering across the wrap too
        std::swap(all[8], all[9]);
        number(all);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, isn);
        send(t, s, all, isn);
        QVERIFY(sameMessages(out.messages, model(s, all)));
        QCOMPARE(out.messages.size(), s.messages.size());
        QCOMPARE(issueCount(out.messages), std::size_t{0});
    }

    void severalMessagesInOneSegment() {
        const Stream s = buildStream(5, 8);
        std::vector<Arrival> all = {{0, s.bytes.size()}};
        number(all);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 10);
        send(t, s, all, 10);
        QVERIFY(sameMessages(out.messages, model(s, all)));
        for (const auto& m : out.messages) QCOMPARE(m.frames, std::vector<std::uint64_t>{100});
    }

    void oneMessageAcrossManySegments() {
        const Stream s = buildStream(1, 9);
        std::vector<Arrival> all;
        for (std::uint64_t i = 0; i < s.bytes.size(); ++i) all.push_back({i, 1});
        number(all);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 10);
        send(t, s, all, 10);
        QVERIFY(sameMessages(out.messages, model(s, all)));
        QCOMPARE(out.messages[0].frames.size(), s.bytes.size());
        QCOMPARE(out.messages[0].tsNs, all.back().ts);
    }

    void bothDirections() {
        const Stream req = buildStream(3, 40), resp = buildStream(3, 41);
        std::vector<Arrival> a = {{0, req.bytes.size()}}, b = {{0, resp.bytes.size()}};
        number(a, 10);
        number(b, 20);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 100, 900);
        send(t, req, a, 100, true);
        send(t, resp, b, 900, false);
        QCOMPARE(out.messages.size(), std::size_t{6});
        QCOMPARE(out.messages[3].src, kServer);
        QCOMPARE(out.messages[3].direction, std::uint8_t{1});
        QCOMPARE(*out.messages[3].bytes, resp.bytes.substr(0, resp.messages[0].end));
        QCOMPARE(out.messages[3].frames, std::vector<std::uint64_t>{20});
    }

    void finClosesAndReportsPartialMessage() {
        const Stream s = buildStream(2, 50);
        const std::uint64_t cutAt = s.messages[1].begin + 40;
        std::vector<Arrival> all = {{0, cutAt}};
        number(all);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 0);
        send(t, s, all, 0);
        t.add(segment(true, static_cast<std::uint32_t>(1 + cutAt), TcpSegment::kFin | kAck, {}, 200,
                      200 * kMs));
        t.add(segment(false, 7001, TcpSegment::kFin | kAck, {}, 201, 201 * kMs));
        QCOMPARE(out.messages.size(), std::size_t{1});
        QCOMPARE(out.reports.size(), std::size_t{1});
        QCOMPARE(out.reports[0].issues.size(), std::size_t{1});
        QVERIFY(out.reports[0].issues[0].message.find("40 bytes never completed") !=
                std::string::npos);
        QCOMPARE(out.reports[0].frames, std::vector<std::uint64_t>{100});
        QCOMPARE(out.reasons, std::vector<TcpEnd>{TcpEnd::Fin});
        QCOMPARE(t.connections(), std::size_t{0});
        // A late retransmission does not reopen the connection.
        t.add(segment(true, 1, kAck, std::string_view(s.bytes).substr(0, 10), 202, 202 * kMs));
        QCOMPARE(t.reassembler().connections(), std::size_t{1});  // lingering, ended
        QCOMPARE(out.closed.size(), std::size_t{1});
        QCOMPARE(t.tcpStats().ignoredSegments, std::uint64_t{1});
    }

    void finBeforeHoleWaitsForData() {
        const Stream s = buildStream(2, 51);
        std::vector<Arrival> all = {{0, 100}, {100, s.bytes.size() - 100}};
        number(all);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 0);
        send(t, s, {all[1]}, 0);
        t.add(segment(true, static_cast<std::uint32_t>(1 + s.bytes.size()), TcpSegment::kFin | kAck,
                      {}, 150, 150 * kMs));
        t.add(segment(false, 7001, TcpSegment::kFin | kAck, {}, 151, 151 * kMs));
        QCOMPARE(out.closed.size(), std::size_t{0});
        send(t, s, {all[0]}, 0);
        QCOMPARE(out.messages.size(), std::size_t{2});
        QCOMPARE(out.reasons, std::vector<TcpEnd>{TcpEnd::Fin});
        QVERIFY(sameMessages(out.messages, model(s, all)));
    }

    void rstEndsConnection() {
        const Stream s = buildStream(2, 52);
        std::vector<Arrival> all = {{0, s.messages[0].end}, {s.messages[1].begin + 30, 20}};
        number(all);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 0);
        send(t, s, all, 0);
        t.add(segment(false, 7001, TcpSegment::kRst, {}, 300, 300 * kMs));
        QCOMPARE(out.messages.size(), std::size_t{1});
        QCOMPARE(out.reasons, std::vector<TcpEnd>{TcpEnd::Rst});
        QCOMPARE(t.tcpStats().gaps, std::uint64_t{1});  // the held bytes were given up
        QCOMPARE(out.reports.size(), std::size_t{1});
        QVERIFY(out.reports[0].issues[0].message.find("30 bytes lost") != std::string::npos);
        // Data after the RST is not stream data.
        send(t, s, {{s.messages[1].begin, 10, 301, 301 * kMs}}, 0);
        QCOMPARE(out.messages.size(), std::size_t{1});
    }

    void idleExpiry() {
        const Stream s = buildStream(2, 53);
        std::vector<Arrival> all = {{0, s.messages[1].begin + 5}};
        number(all);
        TcpSipConfig config;
        config.tcp.idleTimeoutNs = 60 * kSecond;
        Collector out;
        TcpSipStreams t(out, config);
        handshake(t, 0);
        send(t, s, all, 0);
        t.expire(all[0].ts + 60 * kSecond);
        QCOMPARE(out.closed.size(), std::size_t{0});
        t.expire(all[0].ts + 60 * kSecond + 1);
        QCOMPARE(out.reasons, std::vector<TcpEnd>{TcpEnd::Idle});
        QCOMPARE(t.tcpStats().idleExpired, std::uint64_t{1});
        QCOMPARE(out.reports.size(), std::size_t{1});
        QVERIFY(out.reports[0].issues[0].message.find("5 bytes never completed") !=
                std::string::npos);
        QCOMPARE(t.connections(), std::size_t{0});
    }

    void portReuseOpensNewConnection() {
        const Stream s = buildStream(1, 54);
        std::vector<Arrival> all = {{0, s.bytes.size()}};
        number(all);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 0);
        send(t, s, all, 0);
        handshake(t, 50000);
        send(t, s, all, 50000);
        QCOMPARE(out.messages.size(), std::size_t{2});
        QCOMPARE(out.reasons, std::vector<TcpEnd>{TcpEnd::Reused});
        QVERIFY(out.messages[0].connection != out.messages[1].connection);
    }

    void connectionLimitEvictsLeastRecent() {
        TcpSipConfig config;
        config.tcp.maxConnections = 2;
        Collector out;
        TcpSipStreams t(out, config);
        const std::string m = sipMessage(1, 10);
        for (std::uint16_t port = 1; port <= 3; ++port) {
            TcpSegment seg = segment(true, 1, kAck, m, port, port * kMs);
            seg.src.port = port;
            t.add(seg);
        }
        QCOMPARE(out.messages.size(), std::size_t{3});
        QCOMPARE(out.reasons, std::vector<TcpEnd>{TcpEnd::Evicted});
        QCOMPARE(out.closed[0].client.port, std::uint16_t{1});
        QCOMPARE(t.connections(), std::size_t{2});
    }

    void tlsIsCountedNotParsed() {
        // A ClientHello record, then two application-data records split across segments.
        std::string c = std::string("\x16\x03\x01\x00\x05", 5) + "hello";
        std::string app = std::string("\x17\x03\x03\x00\x03", 5) + "abc";
        c += app + app;
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 0);
        t.add(segment(true, 1, kAck, std::string_view(c).substr(0, 12), 3, 3 * kMs));
        t.add(segment(true, 13, kAck, std::string_view(c).substr(12), 4, 4 * kMs));
        t.flush();
        QCOMPARE(out.classified[0].kind, StreamKind::Tls);
        QCOMPARE(out.closed[0].tlsRecords[0], std::uint64_t{3});
        QCOMPARE(out.closed[0].tlsHandshakeRecords[0], std::uint64_t{1});
        QCOMPARE(out.messages.size(), std::size_t{0});
        QCOMPARE(out.reports.size(), std::size_t{0});
        QCOMPARE(t.stats().tlsConnections, std::uint64_t{1});
    }

    void otherProtocolIgnoredQuietly() {
        const std::string http = "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n";
        const std::string binary("\x00\x01\x02garbage\r\nINVITE sip:x SIP/2.0\r\n", 34);
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 0);
        t.add(segment(true, 1, kAck, http, 3, 3 * kMs));
        TcpSegment syn = segment(true, 50, TcpSegment::kSyn, {}, 4, 4 * kMs);
        TcpSegment other = segment(true, 51, kAck, binary, 5, 5 * kMs);
        syn.src.port = other.src.port = 999;
        t.add(syn);
        t.add(other);
        t.flush();
        QCOMPARE(out.classified.size(), std::size_t{2});
        QCOMPARE(out.classified[0].kind, StreamKind::Other);
        QCOMPARE(out.classified[1].kind, StreamKind::Other);
        QCOMPARE(out.messages.size(), std::size_t{0});
        QCOMPARE(out.reports.size(), std::size_t{0});
        QCOMPARE(t.stats().otherConnections, std::uint64_t{2});
        QCOMPARE(t.stats().issues, std::uint64_t{0});
        QCOMPARE(t.stats().otherBytes, std::uint64_t{http.size() + binary.size()});
    }

    void detectionOffTreatsEverythingAsSip() {
        TcpSipConfig config;
        config.detect = false;
        Collector out;
        TcpSipStreams t(out, config);
        const std::string junk = "junk\r\n" + sipMessage(1, 0);
        t.add(segment(true, 1, kAck, junk, 3, 3 * kMs));
        QCOMPARE(out.messages.size(), std::size_t{1});
        QCOMPARE(out.messages[0].issues.size(), std::size_t{1});  // the skipped "junk" line
    }

    void resyncFindsStartLinesGluedToABody() {
        // Bodies need not end with CRLF, so after lost bytes the next start line may share a
        // line with the previous body's tail. A glued request line would be taken whole (method
        // "…tailMESSAGE"); a glued status line not at all. Both are found where they start.
        const std::string first = MessageBuilder::request("MESSAGE", "sip:b@example.com")
                                      .header("Call-ID", "glue")
                                      .header("CSeq", "1 MESSAGE")
                                      .body("text/plain", "no line end here")
                                      .text();
        const std::string response = MessageBuilder::response(200)
                                         .header("Call-ID", "glue")
                                         .header("CSeq", "1 MESSAGE")
                                         .body("text/plain", "tail")
                                         .text();
        const std::string request = sipMessage(2, 0);
        const std::string stream = first + response + request;
        Collector out;
        TcpSipStreams t(out);
        handshake(t, 0);
        const std::size_t lostAt = 20, resumeAt = first.size() - 5;  // "here" + glued line
        t.add(segment(true, 1, kAck, std::string_view(stream).substr(0, lostAt), 3, 3 * kMs));
        t.add(segment(true, static_cast<std::uint32_t>(1 + resumeAt), kAck,
                      std::string_view(stream).substr(resumeAt), 4, 4 * kMs));
        t.flush();
        QCOMPARE(out.messages.size(), std::size_t{2});
        QCOMPARE(*out.messages[0].bytes, response);
        QCOMPARE(*out.messages[1].bytes, request);
        QCOMPARE(out.messages[0].streamOffset, std::uint64_t{first.size()});
        QCOMPARE(out.messages[0].frames, std::vector<std::uint64_t>{4});
        // Issues: the partial first line before the gap, the gap, the 5 bytes skipped after it.
        QCOMPARE(out.messages[0].issues.size(), std::size_t{3});
        QCOMPARE(out.messages[0].issues[0].offset, std::size_t{0});
        QVERIFY(out.messages[0].issues[0].message.find("20 bytes skipped") != std::string::npos);
        QVERIFY(out.messages[0].issues[1].message.find(std::to_string(resumeAt - lostAt) +
                                                       " bytes lost") != std::string::npos);
        QCOMPARE(out.messages[0].issues[2].offset, std::size_t{resumeAt});
        QVERIFY(out.messages[0].issues[2].message.find("5 bytes skipped") != std::string::npos);
    }

    void contradictingSynIsIgnored() {
        // Regression (fuzz_tcp_streams): a SYN+ACK whose sequence number contradicts the
        // started direction is dropped whole, payload included.
        Collector out;
        TcpSipStreams t(out);
        const std::string m = sipMessage(1, 0);
        t.add(segment(true, 500, kAck, m, 1, 1 * kMs));
        t.add(segment(true, 9000, TcpSegment::kSyn | kAck, m, 2, 2 * kMs));
        t.flush();
        QCOMPARE(out.messages.size(), std::size_t{1});
        QCOMPARE(out.messages[0].frames, std::vector<std::uint64_t>{1});
        QCOMPARE(t.tcpStats().ignoredSegments, std::uint64_t{1});
        QCOMPARE(t.tcpStats().gaps, std::uint64_t{0});
    }

    void reassemblerChunksAndGaps() {
        // The raw reassembler: chunk offsets, frames, gap offsets; in-order data is delivered
        // from the caller's buffer.
        LogSink sink;
        TcpReassembler r(sink);
        const std::string data(100, 'x');
        r.add(segment(true, 10, TcpSegment::kSyn, {}, 1, 0));
        const TcpSegment first =
            segment(true, 11, kAck, std::string_view(data).substr(0, 10), 2, 0);
        r.add(first);
        QCOMPARE(sink.lastPtr, first.payload.data());
        r.add(segment(true, 41, kAck, std::string_view(data).substr(30, 10), 3, 0));
        r.add(segment(true, 31, kAck, std::string_view(data).substr(20, 5), 4, 0));
        r.add(segment(true, 61, kAck | TcpSegment::kFin, std::string_view(data).substr(50, 10), 5,
                      0));
        r.flush();
        QCOMPARE(QString::fromStdString(sink.log),
                 QStringLiteral("D0+10@2 G10+10 D20+5@4 G25+5 D30+10@3 G40+10 D50+10@5 C:flush"));
    }

    void dataBeyondTheWindowIsDropped() {
        // RFC 7323 §2.3: nothing lies more than 2^30 bytes ahead of the stream position (here
        // stuck at a hole at offset 10). A segment across that edge keeps the bytes before it,
        // whether it comes whole or in halves (2^31 ahead, sequence numbers would read as
        // behind: the verdict used to depend on where a segment started).
        const std::string data(20, 'y');
        const std::uint32_t edge = 21 + (1u << 30);  // sequence number of offset 2^30 + 10
        std::string logs[2];
        for (int halves = 0; halves < 2; ++halves) {
            LogSink sink;
            TcpReassembler r(sink);
            r.add(segment(true, 10, TcpSegment::kSyn, {}, 1, 0));
            r.add(segment(true, 11, kAck, std::string_view(data).substr(0, 10), 2, 0));
            r.add(segment(true, 30, kAck, std::string_view(data).substr(0, 4), 3, 0));  // hole
            const std::string_view across = std::string_view(data).substr(0, 12);
            if (halves) {
                r.add(segment(true, edge - 6, kAck, across.substr(0, 6), 4, 0));
                r.add(segment(true, edge, kAck | TcpSegment::kFin, across.substr(6), 4, 0));
            } else {
                r.add(segment(true, edge - 6, kAck | TcpSegment::kFin, across, 4, 0));
            }
            r.add(segment(true, edge + (1u << 30), kAck, across, 5, 0));  // 2^31 ahead
            r.flush();
            logs[halves] = sink.log;
        }
        QCOMPARE(QString::fromStdString(logs[1]), QString::fromStdString(logs[0]));
        QCOMPARE(QString::fromStdString(logs[0]),
                 QStringLiteral("D0+10@2 G10+9 D19+4@3 G23+1073741805 D1073741828+6@4 C:flush"));
    }

    void throughputInOrder() {
        // The common case: in-order segments of several messages each.
        Stream s = buildStream(200, 60);
        std::mt19937 rng(60);
        auto arrivals = cut(s.bytes.size(), rng, 1460);
        struct Count : SipStreamSink {
            void onMessage(StreamMessage&& m) override { n += m.frames.size() > 0; }
            void onIssues(StreamIssueReport&&) override {}
            std::size_t n = 0;
        } count;
        TcpSipStreams t(count);
        handshake(t, 0);
        const int rounds = qEnvironmentVariableIntValue("SIPSCOPE_TCP_ROUNDS") > 0
                               ? qEnvironmentVariableIntValue("SIPSCOPE_TCP_ROUNDS")
                               : 100;
        const std::clock_t start = std::clock();  // CPU time: other jobs share the machine
        std::uint32_t seq = 1;
        std::uint64_t frame = 10;
        for (int round = 0; round < rounds; ++round) {
            for (const auto& a : arrivals) {
                t.add(segment(true, seq, kAck, std::string_view(s.bytes).substr(a.offset, a.length),
                              frame++, 0));
                seq += static_cast<std::uint32_t>(a.length);
            }
        }
        const double seconds = static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
        QCOMPARE(count.n, std::size_t{200} * static_cast<std::size_t>(rounds));
        qInfo("%.0f messages/s, %.0f MB/s (CPU time)", static_cast<double>(count.n) / seconds,
              rounds * static_cast<double>(s.bytes.size()) / seconds / 1e6);
    }
};

QTEST_APPLESS_MAIN(TestTcpReassembly)
#include "tst_tcp_reassembly.moc"
