// Call audio from WAV files (`call --wav`, `listen --wav`): the RIFF reader on every accepted
// format and on truncated or lying files, the resampler's length and level, the G.711 decoders,
// the bundled example file, and a call on a ManualClock whose received RTP decodes back to the
// file's samples within G.711 quantisation.

#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <random>

#include "message/header_id.hpp"
#include "message/message_builder.hpp"
#include "transport/event_loop.hpp"
#include "transport/transport.hpp"
#include "ua/call_client.hpp"
#include "ua/media_description.hpp"
#include "ua/rtp_session.hpp"
#include "ua/wav_source.hpp"

using namespace sipscope::stack;
using namespace sipscope::stack::ua;
using namespace std::chrono_literals;
namespace net = sipscope::stack::net;

namespace {

using WavBytes = std::vector<std::uint8_t>;

void put16(WavBytes& b, int v) {
    b.push_back(static_cast<std::uint8_t>(v & 0xff));
    b.push_back(static_cast<std::uint8_t>((v >> 8) & 0xff));
}
void put32(WavBytes& b, std::uint32_t v) {
    put16(b, static_cast<int>(v & 0xffff));
    put16(b, static_cast<int>(v >> 16));
}
void chunk(WavBytes& b, const char* id, const WavBytes& body) {
    b.insert(b.end(), id, id + 4);
    put32(b, static_cast<std::uint32_t>(body.size()));
    b.insert(b.end(), body.begin(), body.end());
    if (body.size() & 1) b.push_back(0);
}
WavBytes fmtBody(int tag, int channels, int rate, int bits, bool extensible = false) {
    WavBytes f;
    put16(f, extensible ? 0xfffe : tag);
    put16(f, channels);
    put32(f, static_cast<std::uint32_t>(rate));
    put32(f, static_cast<std::uint32_t>(rate * channels * bits / 8));
    put16(f, channels * bits / 8);
    put16(f, bits);
    if (extensible) {
        put16(f, 22);
        put16(f, bits);
        put32(f, channels == 1 ? 4 : 3);
        put16(f, tag);  // SubFormat GUID, first two bytes
        for (int i = 0; i < 14; ++i) f.push_back(static_cast<std::uint8_t>(i));
    }
    return f;
}
WavBytes wav(const WavBytes& fmt, const WavBytes& data, bool listFirst = false) {
    WavBytes body{'W', 'A', 'V', 'E'};
    if (listFirst) chunk(body, "LIST", WavBytes{'I', 'N', 'F', 'O', 'x'});  // odd: padded
    chunk(body, "fmt ", fmt);
    chunk(body, "data", data);
    WavBytes out{'R', 'I', 'F', 'F'};
    put32(out, static_cast<std::uint32_t>(body.size()));
    out.insert(out.end(), body.begin(), body.end());
    return out;
}
WavBytes pcm16(const std::vector<int>& samples) {
    WavBytes b;
    for (int s : samples) put16(b, s);
    return b;
}
std::vector<int> sine(double hz, int rate, int count, double amplitude) {
    std::vector<int> out;
    for (int i = 0; i < count; ++i)
        out.push_back(
            static_cast<int>(std::lround(amplitude * std::sin(2 * M_PI * hz * i / rate))));
    return out;
}
double rms(const std::vector<std::int16_t>& s, std::size_t skip) {
    double sum = 0;
    for (std::size_t i = skip; i + skip < s.size(); ++i) sum += double(s[i]) * s[i];
    return std::sqrt(sum / double(s.size() - 2 * skip));
}
QString errorOf(const WavBytes& b) {
    auto r = parseWav(b);
    return r.ok() ? QString("ok") : QString::fromStdString(r.error().message);
}
// G.711 keeps 4 mantissa bits: the error grows with the magnitude.
bool withinG711(int decoded, int original) {
    return std::abs(decoded - original) <= 16 + std::abs(original) / 16;
}

SipMessage parse(const std::string& text) {
    auto m = SipMessage::parse(text);
    if (!m.ok()) qFatal("bad test message");
    return m.value();
}

struct Udp {
    Udp() {
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        const auto any = net::SockAddr::fromLiteral("127.0.0.1", 0);
        ::bind(fd, any.sa(), any.len());
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
        addr = net::SockAddr(reinterpret_cast<sockaddr*>(&ss), len);
    }
    ~Udp() { ::close(fd); }
    long read(std::string& out, net::SockAddr* from = nullptr) const {
        char buf[65536];
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        const long n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&ss), &len);
        if (n > 0) out.assign(buf, static_cast<std::size_t>(n));
        if (n > 0 && from) *from = net::SockAddr(reinterpret_cast<sockaddr*>(&ss), len);
        return n;
    }
    void send(const SipMessage& m, const net::SockAddr& to) const {
        const std::string bytes = m.encode();
        ::sendto(fd, bytes.data(), bytes.size(), 0, to.sa(), to.len());
    }
    int fd = -1;
    net::SockAddr addr;
};

}  // namespace

class TestUaWav : public QObject {
    Q_OBJECT

  private slots:
    void g711DecodersInvertTheEncoders() {
        for (int code = 0; code < 256; ++code) {
            const auto c = static_cast<std::uint8_t>(code);
            QCOMPARE(int(linearToAlaw(alawToLinear(c))), code);
            // µ-law has two zeros (0x7f, 0xff); the encoder writes 0xff.
            if (ulawToLinear(c) != 0) QCOMPARE(int(linearToUlaw(ulawToLinear(c))), code);
        }
        QVERIFY(withinG711(ulawToLinear(linearToUlaw(1000)), 1000));
        QVERIFY(withinG711(alawToLinear(linearToAlaw(-20000)), -20000));
    }

    void pcm8kMono() {
        auto r = parseWav(wav(fmtBody(kWavPcm, 1, 8000, 16), pcm16({0, 100, -100, 32767, -32768})));
        QVERIFY(r.ok());
        QCOMPARE(r.value().samples, (std::vector<std::int16_t>{0, 100, -100, 32767, -32768}));
        QCOMPARE(QString::fromStdString(describeWavFormat(r.value().format)),
                 QString("16-bit PCM, 1 channel, 8000 Hz"));
    }

    void stereoIsMixedDown() {
        auto r =
            parseWav(wav(fmtBody(kWavPcm, 2, 8000, 16), pcm16({1000, 3000, -32768, -32768}), true));
        QVERIFY2(r.ok(), qPrintable(errorOf(wav(fmtBody(kWavPcm, 2, 8000, 16), {}))));
        QCOMPARE(r.value().samples, (std::vector<std::int16_t>{2000, -32768}));
    }

    void g711Files() {
        WavBytes ulaw, alaw;
        for (int s : {0, 500, -500, 12000, -30000}) {
            ulaw.push_back(linearToUlaw(static_cast<std::int16_t>(s)));
            alaw.push_back(linearToAlaw(static_cast<std::int16_t>(s)));
        }
        auto u = parseWav(wav(fmtBody(kWavUlaw, 1, 8000, 8), ulaw));
        auto a = parseWav(wav(fmtBody(kWavAlaw, 1, 8000, 8, true), alaw));  // extensible
        QVERIFY(u.ok() && a.ok());
        QCOMPARE(u.value().samples.size(), std::size_t{5});
        QCOMPARE(a.value().format.formatTag, kWavAlaw);
        const int want[] = {0, 500, -500, 12000, -30000};
        for (int i = 0; i < 5; ++i) {
            QVERIFY(withinG711(u.value().samples[i], want[i]));
            QVERIFY(withinG711(a.value().samples[i], want[i]));
            QCOMPARE(linearToUlaw(u.value().samples[i]), ulaw[i]);  // re-encodes to the same code
        }
    }

    void resampledRates_data() {
        QTest::addColumn<int>("rate");
        QTest::addColumn<int>("channels");
        QTest::newRow("16000 mono") << 16000 << 1;
        QTest::newRow("44100 stereo") << 44100 << 2;
        QTest::newRow("48000 mono") << 48000 << 1;
    }
    void resampledRates() {
        QFETCH(int, rate);
        QFETCH(int, channels);
        // One second of a 1 kHz tone at amplitude 10000, both channels alike.
        std::vector<int> frames;
        for (int s : sine(1000, rate, rate, 10000))
            for (int c = 0; c < channels; ++c) frames.push_back(s);
        auto r = parseWav(wav(fmtBody(kWavPcm, channels, rate, 16), pcm16(frames)));
        QVERIFY(r.ok());
        const auto& out = r.value().samples;
        QVERIFY2(std::abs(int(out.size()) - 8000) <= 1, qPrintable(QString::number(out.size())));
        const double level = rms(out, 100);
        QVERIFY2(std::abs(level - 10000 / std::sqrt(2.0)) < 0.05 * 7071,
                 qPrintable(QString::number(level)));
        // Still a 1 kHz tone: one period is 8 samples at 8 kHz.
        double diff = 0;
        for (std::size_t i = 100; i + 108 < out.size(); ++i) diff += std::abs(out[i] - out[i + 8]);
        QVERIFY2(diff / double(out.size() - 208) < 300, qPrintable(QString::number(diff)));
    }

    void toneAboveNyquistIsFiltered() {
        // 6 kHz cannot exist at 8 kHz: without the low-pass it would alias to 2 kHz at full level.
        const auto out = resampleTo8k(
            [] {
                std::vector<std::int16_t> s;
                for (int v : sine(6000, 48000, 48000, 10000))
                    s.push_back(static_cast<std::int16_t>(v));
                return s;
            }(),
            48000);
        QCOMPARE(out.size(), std::size_t{8000});
        QVERIFY2(rms(out, 100) < 700, qPrintable(QString::number(rms(out, 100))));
    }

    void badFilesGiveErrorsWithOffsets() {
        const WavBytes good = wav(fmtBody(kWavPcm, 1, 8000, 16), pcm16({1, 2, 3, 4}));
        QVERIFY(errorOf({}).contains("shorter than a RIFF header"));
        WavBytes notRiff = good;
        notRiff[0] = 'X';
        QVERIFY(errorOf(notRiff).contains("not a RIFF WAVE file (byte 0)"));
        // The data chunk (at byte 36) claims more than the file holds.
        WavBytes lying = good;
        lying[40] = 0xff;
        QVERIFY2(errorOf(lying).contains("chunk 'data' declares 255 bytes but 8 remain (byte 36)"),
                 qPrintable(errorOf(lying)));
        WavBytes hugeFmt = good;
        hugeFmt[16] = hugeFmt[17] = hugeFmt[18] = hugeFmt[19] = 0xff;
        QVERIFY(errorOf(hugeFmt).contains("chunk 'fmt ' declares 4294967295 bytes"));
        QVERIFY(errorOf(wav({1, 0, 1, 0}, {})).contains("fmt chunk shorter than 16 bytes"));
        QVERIFY(errorOf(wav(fmtBody(kWavPcm, 1, 8000, 16), {})).contains("holds no samples"));
        WavBytes noData{'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'};
        chunk(noData, "fmt ", fmtBody(kWavPcm, 1, 8000, 16));
        QVERIFY(errorOf(noData).contains("no data chunk"));
        WavBytes dataFirst{'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'A', 'V', 'E'};
        chunk(dataFirst, "data", pcm16({1}));
        QVERIFY(errorOf(dataFirst).contains("data chunk before fmt chunk"));
        // Formats we cannot send name themselves.
        QVERIFY(
            errorOf(wav(fmtBody(kWavPcm, 1, 8000, 8), {1, 2})).contains("8-bit PCM, 1 channel"));
        QVERIFY(errorOf(wav(fmtBody(3, 1, 8000, 32), {0, 0, 0, 0})).contains("32-bit IEEE float"));
        QVERIFY(errorOf(wav(fmtBody(kWavUlaw, 1, 16000, 8), {1}))
                    .contains("µ-law, 1 channel, 16000 Hz"));
        QVERIFY(
            errorOf(wav(fmtBody(kWavPcm, 3, 8000, 16), pcm16({1, 2, 3}))).contains("3 channels"));
        QVERIFY(errorOf(wav(fmtBody(kWavPcm, 1, 4000, 16), pcm16({1}))).contains("4000 Hz"));
        QVERIFY(errorOf(wav(fmtBody(0x55, 1, 8000, 0), {1})).contains("format tag 85"));
    }

    void everyTruncationIsSafe() {
        const WavBytes good =
            wav(fmtBody(kWavPcm, 2, 44100, 16, true), pcm16(sine(440, 44100, 400, 9000)), true);
        QVERIFY(parseWav(good).ok());
        for (std::size_t n = 0; n < good.size(); ++n) {
            auto r = parseWav(std::span(good.data(), n));
            if (!r.ok()) QVERIFY(r.error().offset <= n);
        }
    }

    void bundledMelody() {
        auto r = loadWav(SIPSCOPE_SOURCE_DIR "/resources/audio/melody.wav");
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
        QCOMPARE(r.value().format.sampleRate, 8000);
        QCOMPARE(r.value().format.channels, 1);
        QCOMPARE(r.value().samples.size(), std::size_t{32000});  // 4 s
        QVERIFY(rms(r.value().samples, 0) > 5000);
        auto missing = loadWav("/nonexistent/x.wav");
        QVERIFY(!missing.ok() && missing.error().message.find("/nonexistent/x.wav") == 0);
    }

    void callSendsTheFile_data() {
        QTest::addColumn<int>("payload");
        QTest::newRow("PCMU") << kPcmu;
        QTest::newRow("PCMA") << kPcma;
    }
    void callSendsTheFile() {
        QFETCH(int, payload);
        auto audio = loadWav(SIPSCOPE_SOURCE_DIR "/resources/audio/melody.wav");
        QVERIFY(audio.ok());
        const auto samples =
            std::make_shared<const std::vector<std::int16_t>>(audio.value().samples);
        ManualClock clock;
        net::EventLoop loop([&] { return clock.now(); });
        net::TransportLayer transport(loop);
        std::string error;
        QVERIFY(transport.openUdp(net::SockAddr::fromLiteral("127.0.0.1", 0), error));
        SipEndpoint endpoint(loop, transport, TimerConfig{},
                             [rng = std::mt19937_64(3)]() mutable { return rng(); });
        Udp sip, rtp;  // the scripted callee and where its SDP says to send RTP
        CallOptions o;
        o.targetUri = "sip:bob@" + sip.addr.hostPort();
        o.fromUri = "sip:alice@127.0.0.1";
        o.target = Target{net::Protocol::Udp, sip.addr, {}};
        o.duration = 1000ms;
        o.codecs = {payload};
        o.audio = samples;
        CallClient call(endpoint, o);
        endpoint.onRequest = [&](const ServerRequest& r) { call.onRequest(r); };
        call.start();
        LocalMedia answer;
        answer.address = "127.0.0.1";
        answer.port = rtp.addr.port();
        answer.payloads = {payload};
        answer.telephoneEvent = false;
        int packets = 0, checked = 0, bad = 0;
        for (int ms = 0; ms < 3000 && !call.done(); ++ms) {
            loop.runOnce(0ms);
            std::string bytes;
            net::SockAddr from;
            while (sip.read(bytes, &from) > 0) {
                const SipMessage m = parse(bytes);
                if (m.isResponse() || m.method() == "ACK") continue;
                auto resp = makeResponse(m, 200, {}, "callee");
                if (m.method() == "INVITE") {
                    resp.value().setHeader(HeaderId::Contact,
                                           "<sip:bob@" + sip.addr.hostPort() + ">");
                    resp.value().setHeader(HeaderId::ContentType, "application/sdp");
                    resp.value().setBody(buildSdp(answer));
                }
                sip.send(resp.value(), from);
            }
            while (rtp.read(bytes) > 0) {
                ++packets;
                QCOMPARE(bytes.size(), std::size_t{12 + 160});
                QCOMPARE(int(bytes[1]) & 0x7f, payload);
                const std::uint32_t ts = std::uint32_t(std::uint8_t(bytes[4])) << 24 |
                                         std::uint32_t(std::uint8_t(bytes[5])) << 16 |
                                         std::uint32_t(std::uint8_t(bytes[6])) << 8 |
                                         std::uint8_t(bytes[7]);
                for (std::size_t i = 0; i < 160; ++i) {
                    const auto code = static_cast<std::uint8_t>(bytes[12 + i]);
                    const int got = payload == kPcmu ? ulawToLinear(code) : alawToLinear(code);
                    const int want = (*samples)[(ts + i) % samples->size()];
                    ++checked;
                    if (!withinG711(got, want)) ++bad;
                }
            }
            clock.advanceBy(1ms);
        }
        QVERIFY(call.done());
        QCOMPARE(QString::fromStdString(call.report().result), QString("answered"));
        QVERIFY2(packets >= 49, qPrintable(QString::number(packets)));
        QCOMPARE(checked, packets * 160);
        QCOMPARE(bad, 0);
    }
};

QTEST_GUILESS_MAIN(TestUaWav)
#include "tst_ua_wav.moc"
