// The ladder pane: lanes hidden and merged from the panel, time modes, time-proportional rows,
// find and keyboard navigation, and the exports (PNG at twice the size, SVG, PDF of the whole
// ladder) checked as files; a grab of the panel is saved for a look. The layout engine itself
// (lane order, forks, merge/hide, time labels) has golden tests in tests/analyzer/tst_ladder.

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QImage>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>

#include "ladder_canvas.hpp"
#include "ladder_export.hpp"
#include "ladder_panel.hpp"

using namespace sipscope;
using analyzer::LadderInput;
using analyzer::LadderMessage;

namespace {

constexpr std::int64_t kT0 = 1795643705166923000;  // 2026-11-25 21:55:05.166923 UTC
const std::string A = "192.0.2.10:5060", P = "198.51.100.1:5060", B1 = "192.0.2.20:5060",
                  B2 = "192.0.2.30:5060", P2 = "198.51.100.2:5060";

void add(LadderInput& in, double ms, const std::string& src, const std::string& dst,
         const std::string& label, bool rtx = false) {
    LadderMessage m;
    m.id = in.messages.size() + 1;
    m.tsNs = kT0 + static_cast<std::int64_t>(ms * 1e6);
    m.src = src;
    m.dst = dst;
    m.label = label;
    m.callId = "fork@example.com";
    m.transport = "udp";
    m.retransmission = rtx;
    if (rtx) m.original = 2;
    m.rawText = label + " sip:bob@example.com SIP/2.0\r\nCall-ID: fork@example.com\r\n\r\n";
    in.messages.push_back(m);
}

// A caller, a proxy with two addresses (P and P2) forking to two phones; one answers.
LadderInput forkedCall() {
    LadderInput in;
    in.nodes = {{A, "UA", "Linphone/5.2", ""},
                {P, "proxy", "Kamailio 5.6", ""},
                {B1, "UA", "Yealink", ""},
                {B2, "UA", "Snom", ""}};
    add(in, 0, A, P, "INVITE");
    add(in, 1, P, B1, "INVITE");
    add(in, 1.2, P2, B2, "INVITE");
    add(in, 30, B1, P, "180 Ringing (INVITE)");
    add(in, 31, B2, P2, "180 Ringing (INVITE)");
    add(in, 500, P, B1, "INVITE", true);
    add(in, 2000, B1, P, "200 OK (INVITE)");
    add(in, 2001, P, A, "200 OK (INVITE)");
    add(in, 2002, P2, B2, "CANCEL");
    in.messages.back().anomalies = {"late_cancel"};
    add(in, 2100, A, P, "ACK");
    return in;
}

}  // namespace

class TestGuiLadder : public QObject {
    Q_OBJECT
  private slots:
    void lanesHideMerge();
    void timeModesAndSpacing();
    void findAndKeyboard();
    void exports();
    void copyAndGrab();
};

void TestGuiLadder::lanesHideMerge() {
    gui::LadderPanel panel;
    panel.setInput(forkedCall());
    const auto& layout = panel.layout();
    QCOMPARE(layout.lanes.size(), std::size_t(5));  // A, P, B1, P2, B2 (P2 is its own address)
    QCOMPARE(layout.lanes[0].name, A);
    QCOMPARE(layout.rows.size(), std::size_t(10));
    QVERIFY(layout.anyRetransmission && layout.anyAnomaly);
    // Merge the proxy's second address into the proxy's lane: one lane, two addresses.
    int p2 = -1, p = -1;
    for (std::size_t i = 0; i < layout.lanes.size(); ++i) {
        if (layout.lanes[i].name == P2) p2 = static_cast<int>(i);
        if (layout.lanes[i].name == P) p = static_cast<int>(i);
    }
    QVERIFY(p >= 0 && p2 >= 0);
    panel.mergeLanes(p2, p);
    QCOMPARE(panel.layout().lanes.size(), std::size_t(4));
    bool merged = false;
    for (const auto& l : panel.layout().lanes) merged |= l.endpoints.size() == 2;
    QVERIFY(merged);
    QCOMPARE(panel.layout().rows.size(), std::size_t(10));
    // Hide a phone: its lane and its messages go, the merge stays.
    int b2 = -1;
    for (std::size_t i = 0; i < panel.layout().lanes.size(); ++i)
        if (panel.layout().lanes[i].name == B2) b2 = static_cast<int>(i);
    panel.hideLane(b2);
    QCOMPARE(panel.layout().lanes.size(), std::size_t(3));
    QCOMPARE(panel.layout().rows.size(), std::size_t(7));
    // The choices survive opening another call, until "show all lanes".
    panel.setInput(forkedCall());
    QCOMPARE(panel.layout().lanes.size(), std::size_t(3));
    panel.showAllLanes();
    QCOMPARE(panel.layout().lanes.size(), std::size_t(5));
}

void TestGuiLadder::timeModesAndSpacing() {
    gui::LadderPanel panel;
    panel.setInput(forkedCall());
    QCOMPARE(panel.layout().rows[1].time, std::string("+0.001"));
    auto* combo = panel.findChild<QComboBox*>();
    QVERIFY(combo);
    combo->setCurrentIndex(1);  // absolute
    QCOMPARE(panel.layout().rows[0].time, std::string("21:55:05.166"));
    combo->setCurrentIndex(2);  // delta
    QCOMPARE(panel.layout().rows[6].time, std::string("+1.500"));
    const double compactHeight = panel.canvas()->geometry().height;
    panel.setProportional(true);
    const auto& g = panel.canvas()->geometry();
    QVERIFY(g.height > compactHeight);
    // Rows 500 ms apart are further apart than rows 1 ms apart.
    QVERIFY(g.rowY(6) - g.rowY(5) > g.rowY(2) - g.rowY(1));
}

void TestGuiLadder::findAndKeyboard() {
    gui::LadderPanel panel;
    panel.setInput(forkedCall());
    QSignalSpy selected(&panel, &gui::LadderPanel::messageSelected);
    QVERIFY(panel.find(QStringLiteral("cancel")));
    QCOMPARE(panel.canvas()->selectedRow(), 8);
    QCOMPARE(selected.last().at(0).toInt(), 8);
    QVERIFY(panel.find(QStringLiteral("INVITE")));  // wraps around to the first match
    QCOMPARE(panel.canvas()->selectedRow(), 0);
    QVERIFY(!panel.find(QStringLiteral("no such text")));
    QTest::keyClick(panel.canvas(), Qt::Key_Down);
    QCOMPARE(panel.canvas()->selectedRow(), 1);
    QTest::keyClick(panel.canvas(), Qt::Key_End);
    QCOMPARE(panel.canvas()->selectedRow(), 9);
    QTest::keyClick(panel.canvas(), Qt::Key_Up);
    QCOMPARE(panel.canvas()->selectedRow(), 8);
    QVERIFY(panel.selectMessage(2));
    QCOMPARE(panel.canvas()->selectedRow(), 1);
    // A click on an arrow selects it.
    const auto& g = panel.canvas()->geometry();
    QTest::mouseClick(panel.canvas(), Qt::LeftButton, {},
                      QPoint(static_cast<int>(g.laneX[1] + 10), static_cast<int>(g.rowY(3))));
    QCOMPARE(panel.canvas()->selectedRow(), 3);
}

void TestGuiLadder::exports() {
    QTemporaryDir dir;
    gui::LadderPanel panel;
    panel.setInput(forkedCall());
    const auto g = gui::LadderGeometry::compute(panel.layout(), gui::LadderStyle::light(), false);
    // PNG: the whole ladder at twice its size, whatever the view shows.
    const QString png = dir.filePath("ladder.png");
    QVERIFY(panel.exportTo(png));
    const QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.width(), static_cast<int>(std::ceil(g.width * gui::kPngScale)));
    QCOMPARE(image.height(), static_cast<int>(std::ceil(g.height * gui::kPngScale)));
    QCOMPARE(image.pixelColor(1, 1), QColor(Qt::white));
    // SVG: a valid drawing of the ladder's size.
    const QString svg = dir.filePath("ladder.svg");
    QVERIFY(panel.exportTo(svg));
    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    QVERIFY(std::abs(renderer.viewBoxF().width() - g.width) < 0.01);
    QVERIFY(std::abs(renderer.viewBoxF().height() - g.height) < 0.01);
    QFile svgFile(svg);
    QVERIFY(svgFile.open(QIODevice::ReadOnly));
    QVERIFY(svgFile.readAll().contains("CANCEL"));
    // PDF: one page of exactly the ladder's size (points = px * 72 / 96).
    const QString pdf = dir.filePath("ladder.pdf");
    QVERIFY(panel.exportTo(pdf));
    QFile pdfFile(pdf);
    QVERIFY(pdfFile.open(QIODevice::ReadOnly));
    const QByteArray bytes = pdfFile.readAll();
    QVERIFY(bytes.startsWith("%PDF-"));
    QVERIFY(bytes.contains("/Type /Page"));
    const QRegularExpression box(QStringLiteral("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]"));
    const auto match = box.match(QString::fromLatin1(bytes));
    QVERIFY(match.hasMatch());
    QVERIFY(std::abs(match.captured(1).toDouble() - g.width * 0.75) < 1.5);
    QVERIFY(std::abs(match.captured(2).toDouble() - g.height * 0.75) < 1.5);
    // Unknown formats and unwritable paths are errors, not crashes.
    QString error;
    QVERIFY(!panel.exportTo(dir.filePath("ladder.bmpx"), &error));
    QVERIFY(error.contains(QStringLiteral("unknown format")));
    QVERIFY(!panel.exportTo(QStringLiteral("/nonexistent/dir/ladder.png"), &error));
}

void TestGuiLadder::copyAndGrab() {
    gui::LadderPanel panel;
    panel.resize(1100, 620);
    panel.setInput(forkedCall());
    const QString text = panel.asText();
    QVERIFY(text.contains(QStringLiteral("INVITE")));
    QVERIFY(text.contains(QStringLiteral("CANCEL")));
    const QString mermaid = panel.asMermaid();
    QVERIFY(mermaid.startsWith(QStringLiteral("sequenceDiagram")));
    panel.selectRow(6);
    panel.show();
    const QImage grab = panel.grab().toImage();
    QVERIFY(!grab.isNull());
    QVERIFY(grab.save(QDir::temp().filePath(QStringLiteral("sipscope-ladder-panel.png"))));
}

QTEST_MAIN(TestGuiLadder)
#include "tst_gui_ladder.moc"
