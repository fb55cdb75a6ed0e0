// RTP media in the GUI (issue 9): stream bars on the ladder (lanes, time spans, quality
// colours and labels, the Media toggle, exports, the cursor's time mapping), the media panel's
// table model (under QAbstractItemModelTester) and loss/jitter plot against the stored series.
// The player is tested in tst_gui_player.cpp. The streams come from
// tests/data/media/rtp_calls.pcap and sipp_rtp.pcap (their README.md and make_rtp_pcap.py give
// the figures asserted here). Grabs are saved under QDir::tempPath() for a look.

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QImage>
#include <QItemSelectionModel>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>

#include "audio_mix.hpp"
#include "call_list_model.hpp"
#include "calls/call_ladder.hpp"
#include "gui_test_util.hpp"
#include "ladder_canvas.hpp"
#include "ladder_export.hpp"
#include "ladder_media.hpp"
#include "ladder_panel.hpp"
#include "main_window.hpp"
#include "media_panel.hpp"
#include "media_player.hpp"
#include "media_plot.hpp"
#include "store/importer.hpp"
#include "store/store_reader.hpp"

using namespace sipscope;
using sipscope::test::grabBoth;
using sipscope::test::importInto;
using namespace sipscope::gui;

namespace {

const QString kMedia = QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/media");
const std::string kCall1 = "media-call-1@sipscope.test", kCall2 = "media-call-2@sipscope.test";

constexpr std::int64_t kStart = 1795643700100000000;

int laneOf(const analyzer::LadderLayout& layout, const std::string& endpoint) {
    for (std::size_t i = 0; i < layout.lanes.size(); ++i)
        for (const auto& e : layout.lanes[i].endpoints)
            if (e == endpoint) return static_cast<int>(i);
    return -1;
}

int rowOf(const analyzer::LadderLayout& layout, const std::string& label) {
    for (std::size_t i = 0; i < layout.rows.size(); ++i)
        if (layout.rows[i].label == label) return static_cast<int>(i);
    return -1;
}

}  // namespace

class TestGuiMedia : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void barsBetweenLanesOverTheirSpan();
    void barsInProportionalMode();
    void qualityColoursAndLabels();
    void laneFallbackByAddress();
    void mediaToggleAndExport();
    void cursorMapping();
    void panelModel();
    void plotEqualsStoredSeries();
    void panelBackgroundLoad();
    void grabs();

  private:
    analyzer::LadderInput ladderOf(const std::string& callId);
    std::vector<MediaCallRef> refs(const std::string& callId);

    QTemporaryDir m_dir;
    std::string m_db;
    std::int64_t m_rtp = 0, m_sipp = 0;
};

void TestGuiMedia::initTestCase() {
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QVERIFY(m_dir.isValid());
    m_db = m_dir.filePath(QStringLiteral("media.sqlite")).toStdString();
    m_rtp = importInto(m_db, kMedia + QStringLiteral("/rtp_calls.pcap"));
    m_sipp = importInto(m_db, kMedia + QStringLiteral("/sipp_rtp.pcap"));
    QVERIFY(m_rtp > 0 && m_sipp > 0);
}

std::vector<MediaCallRef> TestGuiMedia::refs(const std::string& callId) {
    analyzer::store::StoreReader reader(m_db);
    std::vector<MediaCallRef> out;
    for (const auto& c : reader.callsById(callId)) out.push_back({c.callId, c.captureId});
    return out;
}

// The ladder input as the main window builds it: messages, legs, anomalies and streams.
analyzer::LadderInput TestGuiMedia::ladderOf(const std::string& callId) {
    analyzer::store::StoreReader reader(m_db);
    const auto calls = reader.callsById(callId);
    if (calls.size() != 1) return {};
    auto messages = reader.messagesOf(calls[0]);
    analyzer::CallLadderInfo info;
    info.legHops = reader.legsOf(calls[0]);
    info.anomalies = reader.anomaliesOf(calls[0]);
    auto input = analyzer::buildCallLadder(messages, info);
    for (const auto& s : readCallStreams(reader.database(), refs(callId), false))
        input.streams.push_back(toLadderStream(s));
    return input;
}

void TestGuiMedia::barsBetweenLanesOverTheirSpan() {
    LadderPanel panel;
    panel.setInput(ladderOf(kCall1));
    const auto& layout = panel.layout();
    const auto& g = panel.canvas()->geometry();
    QCOMPARE(panel.input().streams.size(), std::size_t(2));
    QCOMPARE(g.media.size(), std::size_t(2));
    const int a = laneOf(layout, "192.0.2.10:5060"), b = laneOf(layout, "198.51.100.20:5060");
    QVERIFY(a >= 0 && b >= 0 && a != b);
    const int ack = rowOf(layout, "ACK"), bye = rowOf(layout, "BYE");
    QVERIFY(ack >= 0 && bye > ack);
    for (const auto& bar : g.media) {
        const auto& s = panel.input().streams[bar.stream];
        const bool fromCaller = s.srcIp == "192.0.2.10";
        QCOMPARE(static_cast<int>(bar.from), fromCaller ? a : b);
        QCOMPARE(static_cast<int>(bar.to), fromCaller ? b : a);
        // Between the two lanes, beside the sender's.
        const double left = std::min(g.laneX[bar.from], g.laneX[bar.to]);
        const double right = std::max(g.laneX[bar.from], g.laneX[bar.to]);
        QVERIFY(bar.bar.left() > left && bar.bar.right() < right);
        QVERIFY(std::abs(bar.bar.center().x() - g.laneX[bar.from]) <
                std::abs(bar.bar.center().x() - g.laneX[bar.to]));
        QVERIFY(bar.label.left() > left && bar.label.right() < right);
        // Its span: the packets' times interpolated between the ACK and BYE rows around them.
        const auto& ackRow = layout.rows[static_cast<std::size_t>(ack)];
        const auto& byeRow = layout.rows[static_cast<std::size_t>(bye)];
        QVERIFY(s.startNs > ackRow.tsNs && s.endNs < byeRow.tsNs);
        const auto yOf = [&](std::int64_t ns) {
            const double f = static_cast<double>(ns - ackRow.tsNs) /
                             static_cast<double>(byeRow.tsNs - ackRow.tsNs);
            return g.rowY(static_cast<std::size_t>(ack)) +
                   f * (g.rowY(static_cast<std::size_t>(bye)) -
                        g.rowY(static_cast<std::size_t>(ack)));
        };
        QVERIFY(std::abs(bar.bar.top() - yOf(s.startNs)) < 0.01);
        QVERIFY(std::abs(bar.bar.bottom() - yOf(s.endNs)) < 0.01);
    }
    // Room was made for the two labels between ACK and BYE; they do not overlap.
    QVERIFY(g.rowY(static_cast<std::size_t>(bye)) - g.rowY(static_cast<std::size_t>(ack)) >
            34 + 2 * kStreamLabelStep);
    QVERIFY(!g.media[0].label.intersects(g.media[1].label));
}

void TestGuiMedia::barsInProportionalMode() {
    LadderPanel panel;
    panel.setInput(ladderOf(kCall1));
    const double compactHeight = panel.canvas()->geometry().height;
    panel.setProportional(true);
    const auto& g = panel.canvas()->geometry();
    QVERIFY(g.height > compactHeight);
    QCOMPARE(g.media.size(), std::size_t(2));
    for (const auto& bar : g.media) {
        const auto& s = panel.input().streams[bar.stream];
        QVERIFY(std::abs(bar.bar.top() - g.yAt(panel.layout(), s.startNs)) < 0.01);
        QVERIFY(std::abs(bar.bar.bottom() - g.yAt(panel.layout(), s.endNs)) < 0.01);
        QVERIFY(bar.bar.height() > 100);  // 5 s of audio, spaced by time (gap capped)
    }
}

void TestGuiMedia::qualityColoursAndLabels() {
    LadderPanel panel;
    panel.setInput(ladderOf(kCall1));
    const auto& g = panel.canvas()->geometry();
    QStringList labels;
    for (const auto& bar : g.media) labels << bar.text;
    // A→B lost 5 of 250 (2 %) with sequence errors: degraded; B→A is clean: good.
    QVERIFY2(labels.contains(QStringLiteral("⚠ PCMU 246 pkts 2.0% loss MOS 4.2 →")),
             qPrintable(labels.join(QLatin1Char('|'))));
    QVERIFY2(labels.contains(QStringLiteral("← ✓ PCMU 250 pkts 0.0% loss MOS 4.4")),
             qPrintable(labels.join(QLatin1Char('|'))));
    for (const auto& bar : g.media) {
        const auto& s = panel.input().streams[bar.stream];
        QCOMPARE(bar.quality, s.ssrc == 0x11111111u ? MediaQuality::Degraded : MediaQuality::Good);
    }
    // Call 2 is one-way and in a codec the SDP did not offer: bad.
    const auto call2 = ladderOf(kCall2);
    QCOMPARE(call2.streams.size(), std::size_t(1));
    QCOMPARE(mediaQuality(call2.streams[0]), MediaQuality::Bad);
    QVERIFY(streamTooltip(call2.streams[0]).contains(QStringLiteral("one way audio")));
    QVERIFY(streamTooltip(call2.streams[0]).contains(QStringLiteral("SSRC 0x44444444")));
    // Three distinct colours in each palette, each named with its symbol in the legend.
    for (const bool dark : {false, true}) {
        const QColor good = mediaQualityColor(MediaQuality::Good, dark);
        const QColor degraded = mediaQualityColor(MediaQuality::Degraded, dark);
        const QColor bad = mediaQualityColor(MediaQuality::Bad, dark);
        QVERIFY(good != degraded && degraded != bad && good != bad);
    }
    analyzer::LadderStream dtmf;
    dtmf.codec = "telephone-event";
    dtmf.packets = 1502;
    dtmf.lossPct = 0.25;
    QCOMPARE(streamFigures(dtmf), QStringLiteral("telephone-event 1,502 pkts 0.3% loss"));
}

void TestGuiMedia::laneFallbackByAddress() {
    // SIPp on loopback: every lane is 127.0.0.1, so the SDPs decide which lane sends what.
    const auto input = ladderOf("1-14478@127.0.0.1");
    QCOMPARE(input.streams.size(), std::size_t(4));
    const auto layout = analyzer::layoutLadder(input, {});
    QCOMPARE(layout.lanes.size(), std::size_t(2));
    const int invite = rowOf(layout, "INVITE");
    QVERIFY(invite >= 0);
    const auto caller = static_cast<int>(layout.rows[static_cast<std::size_t>(invite)].from);
    const std::string offer = layout.rows[static_cast<std::size_t>(invite)].detail;
    for (const auto& s : input.streams) {
        const int from = mediaLane(layout, s.srcIp, s.srcPort);
        const int to = mediaLane(layout, s.dstIp, s.dstPort, from);
        QVERIFY(from >= 0 && to >= 0 && from != to);
        const bool announcedByCaller =
            offer.find(":" + std::to_string(s.srcPort) + " ") != std::string::npos;
        QCOMPARE(from == caller, announcedByCaller);
    }
    // No SDP names the address: the first lane of that IP, another one for the other side.
    analyzer::LadderInput plain;
    analyzer::LadderMessage m;
    m.src = "192.0.2.1:5060";
    m.dst = "192.0.2.2:5060";
    m.label = "INVITE";
    plain.messages = {m};
    const auto small = analyzer::layoutLadder(plain, {});
    QCOMPARE(mediaLane(small, "192.0.2.2", 4000), 1);
    QCOMPARE(mediaLane(small, "192.0.2.1", 4002, 1), 0);
    QCOMPARE(mediaLane(small, "203.0.113.9", 4000), -1);
}

void TestGuiMedia::mediaToggleAndExport() {
    QTemporaryDir dir;
    LadderPanel panel;
    panel.setInput(ladderOf(kCall1));
    QVERIFY(panel.mediaVisible());
    const double withBars = panel.canvas()->geometry().height;
    panel.setMediaVisible(false);
    QVERIFY(panel.canvas()->geometry().media.empty());
    QVERIFY(panel.canvas()->geometry().height < withBars);  // no room kept for labels
    const QString hiddenSvg = dir.filePath(QStringLiteral("hidden.svg"));
    QVERIFY(panel.exportTo(hiddenSvg));
    QFile hidden(hiddenSvg);
    QVERIFY(hidden.open(QIODevice::ReadOnly));
    QVERIFY(!hidden.readAll().contains("246 pkts"));
    panel.setMediaVisible(true);
    QCOMPARE(panel.canvas()->geometry().media.size(), std::size_t(2));
    // SVG and PDF: the labels are in the drawing; PNG: the bar in its quality colour.
    const QString svg = dir.filePath(QStringLiteral("media.svg"));
    QVERIFY(panel.exportTo(svg));
    QFile svgFile(svg);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    const QByteArray svgText = svgFile.readAll();
    QVERIFY(svgText.contains("246 pkts"));
    QVERIFY(svgText.contains("250 pkts"));
    QVERIFY(panel.exportTo(dir.filePath(QStringLiteral("media.pdf"))));
    QVERIFY(QFileInfo(dir.filePath(QStringLiteral("media.pdf"))).size() > 1000);
    const QString png = dir.filePath(QStringLiteral("media.png"));
    QVERIFY(panel.exportTo(png));
    const QImage image(png);
    const auto g = LadderGeometry::compute(panel.layout(), LadderStyle::light(), false,
                                           &panel.input().streams);
    for (const auto& bar : g.media) {
        const QPointF c = bar.bar.center() * kPngScale;
        const QColor pixel = image.pixelColor(c.toPoint());
        const QColor expected = mediaQualityColor(bar.quality, false);
        // The bar is the quality colour at 170/255 over white.
        const auto near = [](int channel, int colour) {
            return std::abs(channel - (colour * 170 + 255 * 85) / 255) <= 6;
        };
        QVERIFY2(near(pixel.red(), expected.red()) && near(pixel.green(), expected.green()) &&
                     near(pixel.blue(), expected.blue()),
                 qPrintable(pixel.name()));
    }
}

void TestGuiMedia::cursorMapping() {
    LadderPanel panel;
    panel.setInput(ladderOf(kCall1));
    auto* canvas = panel.canvas();
    const auto& layout = panel.layout();
    const auto& g = canvas->geometry();
    QCOMPARE(canvas->cursorY(), -1.0);
    // At a message's time the cursor is on its arrow; between, interpolated; round trip.
    for (std::size_t i = 0; i < layout.rows.size(); ++i) {
        canvas->setCursorTime(layout.rows[i].tsNs);
        if (i + 1 < layout.rows.size() && layout.rows[i + 1].tsNs == layout.rows[i].tsNs) continue;
        QVERIFY(std::abs(canvas->cursorY() - g.rowY(i)) < 0.01);
    }
    const auto& s = panel.input().streams[0];
    const std::int64_t mid = s.startNs + (s.endNs - s.startNs) / 2;
    canvas->setCursorTime(mid);
    QVERIFY(canvas->cursorY() > g.media[0].bar.top() &&
            canvas->cursorY() < g.media[0].bar.bottom());
    const std::int64_t back = ladderYToTime(layout, g.rowYs, canvas->cursorY());
    QVERIFY(std::abs(back - mid) < 1'000'000);  // within 1 ms
    canvas->setCursorTime(std::nullopt);
    QCOMPARE(canvas->cursorY(), -1.0);
}

void TestGuiMedia::panelModel() {
    MediaPanel panel;
    QAbstractItemModelTester tester(panel.model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    panel.load(QString::fromStdString(m_db), refs(kCall1), 0, 0);
    auto* model = panel.model();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->columnCount(), int(MediaStreamModel::ColumnCount));
    const auto text = [&](int row, int column) {
        return model->index(row, column).data().toString();
    };
    int ab = text(0, MediaStreamModel::Ssrc) == QStringLiteral("0x11111111") ? 0 : 1;
    QCOMPARE(text(ab, MediaStreamModel::Direction),
             QStringLiteral("192.0.2.10:40000 → 198.51.100.20:50000"));
    QCOMPARE(text(ab, MediaStreamModel::Codec), QStringLiteral("PCMU"));
    QCOMPARE(text(ab, MediaStreamModel::Packets), QStringLiteral("246"));
    QCOMPARE(text(ab, MediaStreamModel::Lost), QStringLiteral("5"));
    QCOMPARE(text(ab, MediaStreamModel::LossPct), QStringLiteral("2.00"));
    QCOMPARE(text(ab, MediaStreamModel::MaxDelta), QStringLiteral("60.0"));
    QCOMPARE(text(ab, MediaStreamModel::Mos), QStringLiteral("⚠ 4.21"));
    QCOMPARE(text(ab, MediaStreamModel::Problems), QStringLiteral("loss, seq_errors"));
    QCOMPARE(text(1 - ab, MediaStreamModel::Ssrc), QStringLiteral("0x22222222"));
    QCOMPARE(text(1 - ab, MediaStreamModel::Mos), QStringLiteral("✓ 4.39"));
    QCOMPARE(
        model->index(ab, MediaStreamModel::Lost).data(MediaStreamModel::kSortRole).toULongLong(),
        5ull);
    // DTMF-only streams (SIPp's digit) have no MOS and are named by their events.
    panel.load(QString::fromStdString(m_db), refs("1-14478@127.0.0.1"), 0, 0);
    QCOMPARE(model->rowCount(), 4);
    int events = 0;
    for (int r = 0; r < 4; ++r)
        if (text(r, MediaStreamModel::Codec) == QStringLiteral("telephone-event")) {
            ++events;
            QCOMPARE(text(r, MediaStreamModel::Mos), QStringLiteral("⚠ –"));
        }
    QCOMPARE(events, 2);
    panel.clear();
    QCOMPARE(model->rowCount(), 0);
}

void TestGuiMedia::plotEqualsStoredSeries() {
    MediaPanel panel;
    const auto calls = refs(kCall1);
    panel.load(QString::fromStdString(m_db), calls, 1795643700000000000, 1795643705200000000);
    QCOMPARE(panel.plot()->series().size(), std::size_t(2));  // none selected: all
    QCOMPARE(panel.plot()->originNs(), 1795643700000000000);
    analyzer::sql::Database db(m_db, analyzer::sql::Database::Mode::ReadOnly);
    for (int row = 0; row < 2; ++row) {
        panel.view()->selectionModel()->select(
            panel.model()->index(row, 0),
            QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(panel.plot()->series().size(), std::size_t(1));
        const auto& plotted = panel.plot()->series()[0];
        const auto& stream = panel.model()->streamAt(row);
        QCOMPARE(plotted.name, streamDirection(stream.stored.row));
        const auto stored = analyzer::store::readMediaSeries(db, stream.stored.id);
        QVERIFY(!stored.empty());
        QCOMPARE(plotted.loss.size(), stored.size());
        QCOMPARE(plotted.jitter.size(), stored.size());
        std::uint32_t lost = 0;
        for (std::size_t i = 0; i < stored.size(); ++i) {
            QCOMPARE(plotted.loss[i].x(), static_cast<double>(stored[i].second));
            QCOMPARE(plotted.jitter[i].x(), static_cast<double>(stored[i].second));
            QCOMPARE(plotted.loss[i].y(),
                     stored[i].expected ? 100.0 * stored[i].lost / stored[i].expected : 0.0);
            QCOMPARE(plotted.jitter[i].y(), stored[i].jitterMs);
            lost += stored[i].lost;
        }
        QCOMPARE(lost, stream.stored.row.ssrc == 0x11111111u ? 5u : 0u);
    }
    panel.view()->selectAll();
    QCOMPARE(panel.plot()->series().size(), std::size_t(2));
}

void TestGuiMedia::panelBackgroundLoad() {
    MediaPanel panel;
    QSignalSpy loaded(&panel, &MediaPanel::loaded);
    panel.loadInBackground(QString::fromStdString(m_db), refs(kCall2), 0, 0);
    panel.loadInBackground(QString::fromStdString(m_db), refs(kCall1), 0, 0);
    QVERIFY(loaded.wait(20000));
    QCOMPARE(loaded.count(), 1);  // the first load was superseded
    QCOMPARE(panel.model()->rowCount(), 2);
    panel.loadInBackground(m_dir.filePath(QStringLiteral("missing/none.sqlite")), refs(kCall1), 0,
                           0);
    QVERIFY(loaded.wait(20000));
    QCOMPARE(panel.model()->rowCount(), 0);
    QVERIFY(panel.statusText().contains(QStringLiteral("none.sqlite")));
}

void TestGuiMedia::grabs() {
    LadderPanel ladder;
    ladder.resize(900, 560);
    ladder.setInput(ladderOf(kCall1));
    grabBoth(ladder, QStringLiteral("ladder-media"), {900, 560});
    ladder.setInput(ladderOf("1-14478@127.0.0.1"));
    grabBoth(ladder, QStringLiteral("ladder-media-sipp"), {900, 560});
    MediaPanel panel;
    const auto input = ladderOf(kCall1);
    std::int64_t first = input.messages.front().tsNs, last = first;
    for (const auto& m : input.messages) {
        first = std::min(first, m.tsNs);
        last = std::max(last, m.tsNs);
    }
    QSignalSpy audio(panel.player(), &MediaPlayer::audioLoaded);
    panel.load(QString::fromStdString(m_db), refs(kCall1), first, last, "192.0.2.10");
    QVERIFY(audio.wait(20000));
    panel.player()->seek(kStart + 2'600'000'000);
    grabBoth(panel, QStringLiteral("media-panel"), {900, 680});
    ladder.setInput(ladderOf(kCall1));
    ladder.canvas()->setCursorTime(kStart + 2'600'000'000);
    grabBoth(ladder, QStringLiteral("ladder-media-cursor"), {900, 560});
}

QTEST_MAIN(TestGuiMedia)
#include "tst_gui_media.moc"
