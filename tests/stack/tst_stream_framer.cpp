// Stream framer: same frames whatever the segmentation (every split position, byte by byte),
// CRLF keep-alives, garbage and lost bytes resynchronised, limits enforced.

#include <QtTest>

#include "message/message_builder.hpp"
#include "parser/stream_framer.hpp"
#include "test_util.hpp"

using namespace sipscope::stack;

namespace {

struct Seen {
    Frame::Kind kind;
    std::uint64_t offset;
    std::size_t length;
    std::string bytes;
    bool operator==(const Seen&) const = default;
};

bool sameErrors(const std::vector<Error>& a, const std::vector<Error>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].code != b[i].code || a[i].offset != b[i].offset || a[i].message != b[i].message)
            return false;
    return true;
}

// A message the framer parsed while framing it must be what parsing the frame's bytes gives.
void checkFramerParse(const Frame& fr) {
    if (!fr.message) return;
    const SipMessage& got = *fr.message;
    auto want = SipMessage::parse(fr.bytes);
    QVERIFY(want.ok());
    QCOMPARE(got.bytes(), fr.bytes.view());
    QCOMPARE(got.buffer().view(), fr.bytes.view());
    QCOMPARE(got.startLine(), want->startLine());
    QCOMPARE(got.headers().size(), want->headers().size());
    for (std::size_t i = 0; i < got.headers().size(); ++i) {
        const HeaderField &g = got.headers()[i], &w = want->headers()[i];
        QVERIFY(g.id == w.id && g.offset == w.offset && g.rawLength == w.rawLength &&
                g.name == w.name && g.value == w.value && g.malformed == w.malformed);
    }
    QCOMPARE(got.body(), want->body());
    QCOMPARE(got.bodyOffset(), want->bodyOffset());
    QVERIFY(sameErrors(got.errors(), want->errors()));
    QVERIFY(sameErrors(got.issues(), want->issues()));
}

void drain(StreamFramer& f, std::vector<Seen>& out) {
    for (int guard = 0; guard < 100000; ++guard) {
        auto fr = f.next();
        if (!fr) return;
        checkFramerParse(*fr);
        out.push_back({fr->kind, fr->streamOffset, fr->length, std::string(fr->bytes.view())});
    }
    qFatal("framer did not stop producing frames");
}

// Consecutive keep-alive or skip frames depend on how bytes arrived; merge them so that
// segmentations can be compared.
std::vector<Seen> merged(std::vector<Seen> in) {
    std::vector<Seen> out;
    for (auto& s : in) {
        if (!out.empty() && s.kind != Frame::Kind::Message && out.back().kind == s.kind &&
            out.back().offset + out.back().length == s.offset) {
            out.back().length += s.length;
            continue;
        }
        out.push_back(std::move(s));
    }
    return out;
}

// Whole: every message framed by parsing it where the parse can settle it (parseFirstBytes 0).
std::vector<Seen> frameWhole(std::string_view s, FramerLimits limits = {}) {
    limits.parseFirstBytes = 0;
    StreamFramer f(limits);
    std::vector<Seen> out;
    f.push(s);
    drain(f, out);
    return merged(std::move(out));
}

std::vector<Seen> frameSplit(std::string_view s, std::size_t at, FramerLimits limits = {}) {
    StreamFramer f(limits);
    std::vector<Seen> out;
    f.push(s.substr(0, at));
    drain(f, out);
    f.push(s.substr(at));
    drain(f, out);
    return merged(std::move(out));
}

std::string sample(int cseq, std::string_view body = {}) {
    return MessageBuilder::request("MESSAGE", "sip:b@example.com")
        .header("Via", "SIP/2.0/TCP h.example.com;branch=z9hG4bK" + std::to_string(cseq))
        .header("From", "<sip:a@example.com>;tag=1")
        .header("To", "<sip:b@example.com>")
        .header("Call-ID", "framer@test")
        .header("CSeq", std::to_string(cseq) + " MESSAGE")
        .header("Max-Forwards", "70")
        .body(body.empty() ? "" : "text/plain", body)
        .text();
}

// Well-formed 700-byte-body messages around awkward ones: folding, a line starting with LWS,
// no or a bad Content-Length, two of them, a body over a small limit, a bad line, garbage.
std::string awkwardStream() {
    const std::string filler = sample(1, std::string(700, 'f'));
    const std::vector<std::string> odd = {
        "MESSAGE sip:b@h SIP/2.0\r\nSubject: a\r\n Content-Length: 7\r\nContent-Length: 2\r\n"
        "\r\nab",
        "MESSAGE sip:b@h SIP/2.0\r\n Content-Length: 3\r\nCall-ID: x\r\n\r\nabc",
        "SIP/2.0 200\r\nX: y\r\n\rContent-Length: 1\r\n\r\n\r\nal",  // found by fuzz_framer
        "MESSAGE sip:b@h SIP/2.0\r\nCall-ID: no-length\r\n\r\n",
        "MESSAGE sip:b@h SIP/2.0\nL : 4\nCall-ID: compact\n\nwxyz",
        "MESSAGE sip:b@h SIP/2.0\r\nContent-Length: x\r\n\r\n",
        "MESSAGE sip:b@h SIP/2.0\r\nContent-Length: 5\r\nl: 9\r\n\r\n12345",
        "MESSAGE sip:b@h SIP/2.0\r\nContent-Length: 900\r\n\r\n" + std::string(900, 'b'),
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\nBad Line\r\nCSeq: 1 X\r\n"
        "Content-Length: 1\r\n\r\n!",
        "garbage\r\n",
    };
    std::string stream;
    for (const auto& m : odd) stream += filler + m;
    stream += filler;
    return stream;
}

}  // namespace

class TestStreamFramer : public QObject {
    Q_OBJECT
  private slots:
    void severalMessagesAndKeepAlives();
    void everySplitPositionGivesTheSameFrames();
    void corpusMessagesAtEverySplit();
    void garbageBeforeAStartLine();
    void lostBytesResync();
    void limits();
    void badContentLengthIsSkipped();
    void noContentLengthMeansEmptyBody();
    void contentLengthFormsAtEverySplit();
    void keptFramesSurviveLaterPushes();
    void parsedFramesMatchSearchedOnes();
    void adoptedSegmentsGiveTheSameFrames();
    void linesLongerThanTheHeaderLimit();
    void adoptedSegmentsAreFramedInPlace();
};

void TestStreamFramer::severalMessagesAndKeepAlives() {
    const std::string a = sample(1, "hello"), b = sample(2), c = sample(3, std::string(3000, 'x'));
    const std::string stream = "\r\n\r\n" + a + b + "\r\n" + c;
    const auto frames = frameWhole(stream);
    QCOMPARE(frames.size(), std::size_t(5));
    QCOMPARE(frames[0].kind, Frame::Kind::KeepAlive);
    QCOMPARE(frames[0].length, std::size_t(4));
    QCOMPARE(frames[1].bytes, a);
    QCOMPARE(frames[1].offset, std::uint64_t(4));
    QCOMPARE(frames[2].bytes, b);
    QCOMPARE(frames[3].kind, Frame::Kind::KeepAlive);
    QCOMPARE(frames[4].bytes, c);
    QCOMPARE(frames[4].offset, std::uint64_t(stream.size() - c.size()));
    auto parsed = SipMessage::parse(frames[4].bytes);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->body().size(), std::size_t(3000));
}

void TestStreamFramer::everySplitPositionGivesTheSameFrames() {
    const std::string stream =
        sample(1, "body one") + "\r\n\r\n" + sample(2) + sample(3, "x\r\n\r\ny");
    const auto whole = frameWhole(stream);
    QCOMPARE(whole.size(), std::size_t(4));
    for (std::size_t at = 0; at <= stream.size(); ++at) QVERIFY(frameSplit(stream, at) == whole);
    // Byte by byte.
    StreamFramer f;
    std::vector<Seen> out;
    for (char ch : stream) {
        f.push(std::string_view(&ch, 1));
        drain(f, out);
    }
    QVERIFY(merged(out) == whole);
    QCOMPARE(f.consumed(), std::uint64_t(stream.size()));
    QCOMPARE(f.buffered(), std::size_t(0));
}

void TestStreamFramer::corpusMessagesAtEverySplit() {
    const QString dir = sipscope::test::corpusDir();
    if (dir.isEmpty()) QSKIP("shared corpus not found (set SIPSCOPE_CORPUS_DIR)");
    int files = 0;
    for (const char* sub : {"rfc4475", "rfc5118"}) {
        for (const auto& row : sipscope::test::readTsv(dir + "/" + sub + "/EXPECTED.tsv")) {
            const std::string msg = sipscope::test::readFile(dir + "/" + sub + "/" + row[0]);
            const std::string stream = msg + "\r\n" + sample(9, "tail");
            const auto whole = frameWhole(stream);
            std::uint64_t covered = 0;
            for (const auto& fr : whole) covered += fr.length;
            QVERIFY(covered <= stream.size());
            for (std::size_t at = 0; at <= stream.size(); ++at)
                QVERIFY2(frameSplit(stream, at) == whole, qPrintable(row[0]));
            ++files;
        }
    }
    QCOMPARE(files, 61);
}

void TestStreamFramer::garbageBeforeAStartLine() {
    const std::string msg = sample(5);
    const std::string stream = "junk line\r\nmore junk\r\n" + msg;
    const auto frames = frameWhole(stream);
    QCOMPARE(frames.size(), std::size_t(2));
    QCOMPARE(frames[0].kind, Frame::Kind::Error);
    QCOMPARE(frames[0].length, std::size_t(22));
    QCOMPARE(frames[1].bytes, msg);
    for (std::size_t at = 0; at <= stream.size(); ++at) QVERIFY(frameSplit(stream, at) == frames);
}

void TestStreamFramer::lostBytesResync() {
    const std::string a = sample(1, "0123456789"), b = sample(2);
    StreamFramer f;
    std::vector<Seen> out;
    f.push(a.substr(0, 40));  // the rest of `a` was lost in the capture
    drain(f, out);
    QVERIFY(out.empty());
    f.lostBytes();
    f.push(b);
    drain(f, out);
    QCOMPARE(out.size(), std::size_t(2));
    QCOMPARE(out[0].kind, Frame::Kind::Error);
    QCOMPARE(out[0].length, std::size_t(40));
    QCOMPARE(out[1].bytes, b);
}

void TestStreamFramer::limits() {
    FramerLimits small;
    small.maxHeaderBytes = 256;
    small.maxBodyBytes = 100;
    const std::string big = sample(1, std::string(500, 'b'));
    const std::string ok = sample(2);
    const auto frames = frameWhole(big + ok, small);
    QVERIFY(frames.size() >= 2);
    QCOMPARE(frames.front().kind, Frame::Kind::Error);
    QCOMPARE(frames.back().bytes, ok);
    std::string endless = "OPTIONS sip:x SIP/2.0\r\n";
    while (endless.size() < 1000) endless += "X-Filler: aaaaaaaaaaaaaaaaaaaa\r\n";
    const auto f2 = frameWhole(endless, small);
    QCOMPARE(f2.size(), std::size_t(1));
    QCOMPARE(f2[0].kind, Frame::Kind::Error);
}

void TestStreamFramer::badContentLengthIsSkipped() {
    std::string bad = sample(1);
    bad.replace(bad.find("Content-Length: 0"), 17, "Content-Length: -5");
    const std::string good = sample(2);
    const auto frames = frameWhole(bad + good);
    QCOMPARE(frames.size(), std::size_t(2));
    QCOMPARE(frames[0].kind, Frame::Kind::Error);
    QCOMPARE(frames[1].bytes, good);
}

void TestStreamFramer::noContentLengthMeansEmptyBody() {
    const std::string noCl = "OPTIONS sip:x@h SIP/2.0\r\nCall-ID: 1\r\n\r\n";
    const auto frames = frameWhole(noCl + sample(3));
    QCOMPARE(frames.size(), std::size_t(2));
    QCOMPARE(frames[0].bytes, noCl);
}

// The framer reads Content-Length while it searches for the empty line: compact and lower-case
// names, LWS before the colon, bare LF, look-alike names and a repeated header must frame the
// same whatever the split.
void TestStreamFramer::contentLengthFormsAtEverySplit() {
    const std::string a =
        "MESSAGE sip:b@h SIP/2.0\r\nCall-ID: 1\r\nl: 3\r\nCSeq: 1 MESSAGE\r\n\r\nabc";
    const std::string b =
        "MESSAGE sip:b@h SIP/2.0\ncontent-length : 2\nContent-Lengthy: 9\nLx: 7\n\nxy";
    const std::string c =
        "SIP/2.0 200 OK\r\nLong-Name: 1\r\nVia: SIP/2.0/TCP h\r\n"
        "Content-Length:   4\r\nContent-Length: 9\r\n\r\nwxyz";
    const std::string d =
        "OPTIONS sip:h SIP/2.0\r\nContent-Le: 7\r\nContact: <sip:c@h>\r\n"
        "CONTENT-LENGTH\t:\t2\r\nContent-Type: a/b\r\n\r\nok";
    const std::string stream = a + b + c + "\r\n" + a + d;
    const auto whole = frameWhole(stream);
    QCOMPARE(whole.size(), std::size_t(6));
    QCOMPARE(whole[5].bytes, d);
    QCOMPARE(whole[0].bytes, a);
    QCOMPARE(whole[1].bytes, b);
    QCOMPARE(whole[2].bytes, c);
    QCOMPARE(whole[3].kind, Frame::Kind::KeepAlive);
    QCOMPARE(whole[4].bytes, a);
    for (std::size_t at = 0; at <= stream.size(); ++at) QVERIFY(frameSplit(stream, at) == whole);
}

// A message frame is a slice of the framer's buffer: frames kept while more bytes arrive must
// keep their bytes, whether the framer grows its buffer in place (no frame kept) or starts a
// new one (frames still read the old one).
void TestStreamFramer::keptFramesSurviveLaterPushes() {
    std::vector<std::string> want;
    std::string stream;
    for (int i = 0; i < 60; ++i) {
        want.push_back(
            sample(i + 1, std::string(static_cast<std::size_t>(i * 37 % 900), 'a' + i % 26)));
        stream += want.back();
        if (i % 7 == 0) stream += "\r\n";
    }
    const std::size_t pieces[] = {1, 7, 100, 1500, 5000, 65536, 3};
    StreamFramer f;
    std::vector<Frame> kept;
    std::size_t pos = 0, n = 0;
    for (int round = 0; pos < stream.size(); ++round) {
        const std::size_t len = std::min(pieces[round % 7], stream.size() - pos);
        f.push(std::string_view(stream).substr(pos, len));
        pos += len;
        for (int guard = 0; guard < 1000; ++guard) {
            auto fr = f.next();
            if (!fr) break;
            if (fr->kind != Frame::Kind::Message) continue;
            QCOMPARE(std::string(*fr->bytes), want[n]);
            if (n++ % 3 != 0) kept.push_back(std::move(*fr));  // every third is dropped at once
        }
    }
    QCOMPARE(n, want.size());
    std::size_t k = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (i % 3 == 0) continue;
        QCOMPARE(std::string(*kept[k].bytes), want[i]);
        auto parsed = SipMessage::parse(kept[k++].bytes);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->bytes().size(), want[i].size());
    }
}

// With a whole message buffered the framer frames it by parsing it; byte by byte it searches
// the header. Both must give the same frames (and the parse the same message), including the
// cases the parse leaves to the search: folding, a line starting with LWS, no or a bad
// Content-Length, two of them, a body over the limit.
void TestStreamFramer::parsedFramesMatchSearchedOnes() {
    const std::string stream = awkwardStream();
    const std::size_t oddCount = 10;
    for (const FramerLimits limits : {FramerLimits{}, FramerLimits{64 * 1024, 800, 0}}) {
        StreamFramer whole(limits);
        std::vector<Seen> parsedWay;
        whole.push(stream);
        std::size_t parsedFrames = 0;
        for (int guard = 0; guard < 1000; ++guard) {
            auto fr = whole.next();
            if (!fr) break;
            checkFramerParse(*fr);
            parsedFrames += fr->message ? 1 : 0;
            parsedWay.push_back(
                {fr->kind, fr->streamOffset, fr->length, std::string(fr->bytes.view())});
        }
        QVERIFY(parsedFrames >= oddCount);  // the fillers at least
        StreamFramer bytewise(limits);
        std::vector<Seen> searchedWay;
        for (char ch : stream) {
            bytewise.push(std::string_view(&ch, 1));
            drain(bytewise, searchedWay);
        }
        QVERIFY(merged(parsedWay) == merged(searchedWay));
    }
}

// A line longer than a header section may be is never a start line, decided as soon as that
// many bytes are buffered: the frames do not depend on where the stream was split, and a
// stream without line feeds is not buffered without bound.
void TestStreamFramer::linesLongerThanTheHeaderLimit() {
    const FramerLimits small{512, 1024};
    const std::string longStart = "MESSAGE sip:" + std::string(600, 'u') + "@h SIP/2.0\r\n";
    const std::string stream = sample(1) + std::string(700, 'g') + "\r\n" + sample(2) + longStart +
                               "Content-Length: 0\r\n\r\n" + sample(3) + std::string(900, 'n') +
                               sample(4);
    const std::vector<Seen> want = frameWhole(stream, small);
    for (std::size_t at = 0; at <= stream.size(); at += 7)
        QVERIFY2(frameSplit(stream, at, small) == want, qPrintable(QString::number(at)));
    StreamFramer bytewise(small);
    std::vector<Seen> got;
    for (char ch : stream) {
        bytewise.push(std::string_view(&ch, 1));
        drain(bytewise, got);
    }
    QVERIFY(merged(got) == want);
    std::size_t messages = 0;
    for (const Seen& s : want) messages += s.kind == Frame::Kind::Message ? 1 : 0;
    QCOMPARE(messages, std::size_t{3});  // samples 1, 2 and 3; 4 follows 900 bytes of no line end
    StreamFramer f(small);
    std::vector<Seen> skipped;
    std::size_t most = 0;
    for (int i = 0; i < 100; ++i) {
        f.push(std::string(1000, 'x'));
        drain(f, skipped);
        most = std::max(most, f.buffered());
    }
    QVERIFY2(most <= small.maxHeaderBytes, qPrintable(QString::number(most)));
    f.push("\r\n" + sample(5));
    drain(f, skipped);
    QCOMPARE(skipped.back().kind, Frame::Kind::Message);
    QCOMPARE(skipped.back().bytes, sample(5));
}

// Segments pushed as Bytes (adopted) and as copies, in any mix and size, give the frames of
// the whole stream, also around lost bytes; the segments may be gone once pushed.
void TestStreamFramer::adoptedSegmentsGiveTheSameFrames() {
    const std::string stream = awkwardStream() + "\r\n\r\n" + sample(2, std::string(9000, 'z'));
    const std::vector<std::vector<std::size_t>> patterns = {
        {1, 7, 100, 1500, 5000, 65536, 3}, {4095, 4097}, {1}, {stream.size()}, {777, 2}};
    for (const FramerLimits limits : {FramerLimits{}, FramerLimits{64 * 1024, 800, 0}}) {
        const std::vector<Seen> want = frameWhole(stream, limits);
        for (const auto& sizes : patterns) {
            for (int copyEvery : {0, 2, 3}) {  // 0: every segment adopted
                StreamFramer f(limits);
                std::vector<Seen> got;
                std::size_t pos = 0;
                for (std::size_t round = 0; pos < stream.size(); ++round) {
                    const std::size_t len =
                        std::min(sizes[round % sizes.size()], stream.size() - pos);
                    const std::string_view piece = std::string_view(stream).substr(pos, len);
                    if (copyEvery != 0 && round % static_cast<std::size_t>(copyEvery) == 0)
                        f.push(piece);
                    else
                        f.push(makeBytes(piece));  // the only reference is the framer's
                    pos += len;
                    drain(f, got);
                }
                QCOMPARE(f.buffered(), std::size_t{0});
                QVERIFY2(merged(std::move(got)) == want,
                         qPrintable(QString("pattern of %1 sizes, copy every %2")
                                        .arg(sizes.size())
                                        .arg(copyEvery)));
            }
        }
    }
    // Lost bytes in the middle of an adopted segment's partial message: the same resync as
    // with copied bytes.
    const std::string a = sample(1) + sample(2).substr(0, 40), b = "tail\r\n" + sample(3);
    std::vector<Seen> copied, adopted;
    StreamFramer fc, fa;
    fc.push(std::string_view(a));
    fa.push(makeBytes(a));
    drain(fc, copied);
    drain(fa, adopted);
    fc.lostBytes();
    fa.lostBytes();
    fc.push(std::string_view(b));
    fa.push(makeBytes(b));
    drain(fc, copied);
    drain(fa, adopted);
    QCOMPARE(adopted.size(), std::size_t{4});  // message, dropped partial, skipped, message
    QVERIFY(merged(adopted) == merged(copied));
}

// Messages wholly inside an adopted segment are slices of it (no copy); only those that
// straddle two segments are assembled in the framer's own chunk.
void TestStreamFramer::adoptedSegmentsAreFramedInPlace() {
    std::string stream;
    std::size_t messages = 0;
    for (; stream.size() < 300 * 1024; ++messages)
        stream += sample(static_cast<int>(messages + 1), std::string(messages * 13 % 1100, 'q'));
    constexpr std::size_t kSegment = 64 * 1024;
    StreamFramer f;
    std::size_t framed = 0, inPlace = 0, segments = 0;
    for (std::size_t pos = 0; pos < stream.size(); pos += kSegment, ++segments) {
        const Bytes seg = makeBytes(std::string_view(stream).substr(pos, kSegment));
        f.push(seg);
        while (auto fr = f.next()) {
            QCOMPARE(fr->kind, Frame::Kind::Message);
            ++framed;
            const char* d = fr->bytes->data();
            inPlace += d >= seg->data() && d + fr->bytes->size() <= seg->data() + seg->size();
        }
    }
    QCOMPARE(framed, messages);
    QCOMPARE(inPlace, messages - (segments - 1));  // one straddles each segment boundary
}

QTEST_APPLESS_MAIN(TestStreamFramer)
#include "tst_stream_framer.moc"
