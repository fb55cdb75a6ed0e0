// The call player (issue 9): mixing and aligning the two directions, the audio the store
// decodes for tests/data/media's calls (README.md there), playing without an audio device
// (the position and the cursor still move), and the main window's ladder cursor following it.

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <atomic>

#include "audio_mix.hpp"
#include "call_list_model.hpp"
#include "gui_test_util.hpp"
#include "ladder_canvas.hpp"
#include "ladder_panel.hpp"
#include "main_window.hpp"
#include "media_panel.hpp"
#include "media_player.hpp"
#include "store/importer.hpp"
#include "store/store_reader.hpp"

using namespace sipscope;
using sipscope::test::importInto;
using namespace sipscope::gui;

namespace {

const QString kMedia = QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/media");
const std::string kCall1 = "media-call-1@sipscope.test", kCall2 = "media-call-2@sipscope.test";
constexpr std::int64_t kStart = 1795643700100000000;  // media-call-1's first RTP packet

analyzer::store::StreamAudio tone(std::int64_t startNs, std::size_t n, std::int16_t level) {
    analyzer::store::StreamAudio a;
    a.ok = true;
    a.encoding = "PCMU";
    a.startNs = startNs;
    for (std::size_t i = 0; i < n; ++i)
        a.samples.push_back(static_cast<std::int16_t>(i % 2 ? level : -level));
    return a;
}

}  // namespace

class TestGuiPlayer : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void mixingAndAlignment();
    void decodedCallAudio();
    void playerWithoutDevice();
    void playerMovesLadderCursor();

  private:
    std::vector<MediaCallRef> refs(const std::string& callId);

    QTemporaryDir m_dir;
    std::string m_db;
};

void TestGuiPlayer::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_db = m_dir.filePath(QStringLiteral("player.sqlite")).toStdString();
    QVERIFY(importInto(m_db, kMedia + QStringLiteral("/rtp_calls.pcap")) > 0);
    QVERIFY(importInto(m_db, kMedia + QStringLiteral("/sipp_rtp.pcap")) > 0);
}

std::vector<MediaCallRef> TestGuiPlayer::refs(const std::string& callId) {
    analyzer::store::StoreReader reader(m_db);
    std::vector<MediaCallRef> out;
    for (const auto& c : reader.callsById(callId)) out.push_back({c.callId, c.captureId});
    return out;
}

void TestGuiPlayer::mixingAndAlignment() {
    // The callee starts 10 ms (80 frames at 8 kHz) after the caller and plays longer.
    const auto caller = tone(kStart, 400, 30000);
    const auto callee = tone(kStart + 10'000'000, 400, 10000);
    const MixedAudio stereo = mixAudio(caller, callee, MixMode::Stereo);
    QCOMPARE(stereo.channels, 2);
    QCOMPARE(stereo.startNs, kStart);
    QCOMPARE(stereo.frames(), std::size_t(480));
    for (std::size_t f = 0; f < stereo.frames(); ++f) {
        QCOMPARE(stereo.samples[f * 2], f < 400 ? caller.samples[f] : std::int16_t(0));
        QCOMPARE(stereo.samples[f * 2 + 1], f < 80 ? std::int16_t(0) : callee.samples[f - 80]);
    }
    // Mono adds both, saturating: 30000 + 10000 clips at 32767.
    const MixedAudio mono = mixAudio(caller, callee, MixMode::Mono);
    QCOMPARE(mono.channels, 1);
    QCOMPARE(mono.frames(), std::size_t(480));
    QCOMPARE(mono.samples[0], std::int16_t(-30000));
    QCOMPARE(mono.samples[81], std::int16_t(32767));
    QCOMPARE(mono.samples[80], std::int16_t(-32768));
    QCOMPARE(mono.samples[450], callee.samples[370]);
    // One direction alone starts where it starts.
    const MixedAudio calleeOnly = mixAudio(caller, callee, MixMode::CalleeOnly);
    QCOMPARE(calleeOnly.startNs, kStart + 10'000'000);
    QVERIFY(calleeOnly.samples == callee.samples);
    // A direction that could not be decoded is silence; nothing decodable is no audio.
    analyzer::store::StreamAudio failed;
    failed.error = "stream 3 is G729";
    const MixedAudio half = mixAudio(failed, callee, MixMode::Stereo);
    QCOMPARE(half.startNs, callee.startNs);
    QCOMPARE(half.samples[1], callee.samples[0]);
    QCOMPARE(half.samples[0], std::int16_t(0));
    QCOMPARE(mixAudio(failed, failed, MixMode::Mono).frames(), std::size_t(0));
    // Frames and capture time: 8 frames a millisecond, clamped to the audio.
    QCOMPARE(stereo.timeOfFrame(80), kStart + 10'000'000);
    QCOMPARE(stereo.frameAt(kStart + 25'000'000), std::size_t(200));
    QCOMPARE(stereo.frameAt(kStart - 1), std::size_t(0));
    QCOMPARE(stereo.frameAt(kStart + 1'000'000'000), stereo.frames());
    QCOMPARE(stereo.durationNs(), 60'000'000);
    QCOMPARE(stereo.bytesFrom(400).size(), qsizetype(80 * 2 * 2));
}

void TestGuiPlayer::decodedCallAudio() {
    MediaPanel panel;
    QSignalSpy audio(panel.player(), &MediaPlayer::audioLoaded);
    panel.load(QString::fromStdString(m_db), refs(kCall1), 0, 0, "192.0.2.10");
    QVERIFY(audio.wait(20000));
    const MixedAudio& mix = panel.player()->audio();
    QVERIFY2(mix.frames() > 0, qPrintable(panel.player()->statusText()));
    QCOMPARE(mix.channels, 2);
    // Both directions: 250 sequence numbers of 20 ms each from 100 and 110 ms (the caller's
    // 5 lost packets are silence of their length, so its timing holds).
    QCOMPARE(mix.startNs, kStart);
    QVERIFY2(std::abs(mix.durationNs() - 5'010'000'000) <= 20'000'000,
             qPrintable(QString::number(mix.durationNs())));
    // make_rtp_pcap.py sends μ-law 0xFF, which is silence: every decoded sample is 0.
    QVERIFY(std::all_of(mix.samples.begin(), mix.samples.end(), [](auto v) { return v == 0; }));
    QVERIFY(panel.player()->statusText().contains(QStringLiteral("caller 192.0.2.10:40000")));
    // SIPp's call: 101 PCMU packets each way (μ-law silence as well), the echo 0.1 ms later.
    panel.load(QString::fromStdString(m_db), refs("1-14478@127.0.0.1"), 0, 0, "127.0.0.1");
    QVERIFY(audio.wait(20000));
    const MixedAudio& sipp = panel.player()->audio();
    QCOMPARE(sipp.channels, 2);
    QVERIFY2(sipp.frames() >= 101 * 160 && sipp.frames() <= 101 * 160 + 8,
             qPrintable(QString::number(sipp.frames())));
    QCOMPARE(sipp.startNs, 1795670094204113000);
    // Call 2 has one direction (PCMA): it plays on the left, the right stays silent.
    panel.load(QString::fromStdString(m_db), refs(kCall2), 0, 0, "192.0.2.30");
    QVERIFY(audio.wait(20000));
    QCOMPARE(panel.player()->audio().channels, 2);
    QVERIFY(panel.player()->audio().frames() >= 100 * 160);
    // No G.711 at all: nothing to play, and the player says why.
    panel.load(QString::fromStdString(m_db), refs("media-call-3@sipscope.test"), 0, 0);
    QCOMPARE(panel.player()->audio().frames(), std::size_t(0));
    QVERIFY(!panel.player()->statusText().isEmpty());
}

void TestGuiPlayer::playerWithoutDevice() {
    MediaPlayer player;
    QSignalSpy cursor(&player, &MediaPlayer::cursorChanged);
    player.setAudio(tone(kStart, 8000 * 3, 1000), tone(kStart + 500'000'000, 8000 * 2, 1000));
    QCOMPARE(player.audio().durationNs(), 3'000'000'000);
    if (!player.hasOutputDevice())
        QVERIFY(player.statusText().contains(QStringLiteral("No audio output device")));
    player.seek(kStart + 1'250'000'000);
    QCOMPARE(player.positionNs(), kStart + 1'250'000'000);
    QCOMPARE(cursor.last().at(0).toLongLong(), kStart + 1'250'000'000);
    QVERIFY(cursor.last().at(1).toBool());
    QCOMPARE(player.timeText(), QStringLiteral("0:01.2 / 0:03.0"));
    // Playing (silently without a device) moves the position and the cursor on.
    player.play();
    QVERIFY(player.playing());
    QTRY_VERIFY_WITH_TIMEOUT(player.positionNs() > kStart + 1'400'000'000, 5000);
    player.pause();
    const std::int64_t paused = player.positionNs();
    QVERIFY(paused < kStart + 3'000'000'000);
    QTest::qWait(120);
    QCOMPARE(player.positionNs(), paused);
    QCOMPARE(cursor.last().at(0).toLongLong(), paused);
    // Another mix keeps the moment of the call.
    player.setMode(MixMode::CalleeOnly);
    QCOMPARE(player.audio().startNs, kStart + 500'000'000);
    QVERIFY(std::abs(player.positionNs() - paused) < 200'000);
    player.stop();
    QVERIFY(!cursor.last().at(1).toBool());
    QCOMPARE(player.positionNs(), player.audio().startNs);
}

void TestGuiPlayer::playerMovesLadderCursor() {
    MainWindow w;
    w.setDatabase(QString::fromStdString(m_db));
    auto* model = w.callModel();
    QSignalSpy query(model, &CallListModel::queryFinished);
    if (model->busy()) QVERIFY(query.wait(20000));
    int row = -1;
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->index(r, CallListModel::CallId).data().toString() ==
            QString::fromStdString(kCall1))
            row = r;
    QVERIFY(row >= 0);
    QSignalSpy audio(w.mediaPanel()->player(), &MediaPlayer::audioLoaded);
    QVERIFY(w.selectCall(row));
    QCOMPARE(w.ladder()->input().streams.size(), std::size_t(2));
    QCOMPARE(w.ladder()->canvas()->geometry().media.size(), std::size_t(2));
    QVERIFY(audio.wait(20000));
    QCOMPARE(w.mediaPanel()->model()->rowCount(), 2);
    auto* player = w.mediaPanel()->player();
    player->seek(kStart + 2'000'000'000);
    QCOMPARE(w.ladder()->canvas()->cursorTime().value_or(0), kStart + 2'000'000'000);
    const double y = w.ladder()->canvas()->cursorY();
    const auto& bars = w.ladder()->canvas()->geometry().media;
    QVERIFY(y > bars[0].bar.top() && y < bars[0].bar.bottom());
    // The dock is listed in the View menu and shows the panel beside the ladder.
    auto* dock = w.findChild<QDockWidget*>(QStringLiteral("media"));
    QVERIFY(dock && dock->widget() == w.mediaPanel());
    dock->show();
    w.resize(1500, 900);
    w.show();
    QApplication::processEvents();
    QVERIFY(w.grab().save(QDir::temp().filePath(QStringLiteral("sipscope-main-media.png"))));
    player->stop();
    QVERIFY(!w.ladder()->canvas()->cursorTime());
}

QTEST_MAIN(TestGuiPlayer)
#include "tst_gui_player.moc"
