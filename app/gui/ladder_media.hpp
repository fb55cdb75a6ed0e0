#pragma once
// RTP streams on the ladder: which lanes a stream runs between, where its bar and label go on
// the ladder's time axis, and how its quality reads (a colour and, never alone, a symbol and
// the figures). The painter draws what placeStreamBars() computes, for the screen and exports.

#include <QColor>
#include <QFont>
#include <QRectF>
#include <QString>
#include <cstdint>
#include <vector>

#include "ladder/ladder_layout.hpp"

namespace sipscope::gui {

enum class MediaQuality { Good, Degraded, Bad };

// Bad: MOS below 3.1, 5 % loss or more, or one-way audio. Degraded: MOS below 4.0, 1 % loss
// or more, or any other problem the analyzer reported. Good otherwise.
MediaQuality mediaQuality(const analyzer::LadderStream& s);
QString mediaQualityName(MediaQuality q);    // "good", "degraded", "bad"
QString mediaQualitySymbol(MediaQuality q);  // ✓ ⚠ ✖
QColor mediaQualityColor(MediaQuality q, bool dark);

// "PCMU 1,502 pkts 0.3% loss MOS 4.3" (MOS left out when unknown, e.g. telephone-event).
QString streamFigures(const analyzer::LadderStream& s);
QString streamTooltip(const analyzer::LadderStream& s);  // rich text, every figure

// The lane drawing media address ip:port: the lane that announced it in an SDP (a row's
// detail), else the first lane with an endpoint of that IP other than `avoid`, else any lane
// of that IP; -1 when no lane has it.
int mediaLane(const analyzer::LadderLayout& layout, const std::string& ip, std::uint16_t port,
              int avoid = -1);

// Ladder time → y (unscaled canvas coordinates): interpolated between the rows around `ns`
// (compact and time-proportional alike, since proportional gaps are capped), a little beyond
// the first and last row outside them.
double ladderTimeToY(const analyzer::LadderLayout& layout, const std::vector<double>& rowY,
                     std::int64_t ns);
// The inverse, for the player's cursor: the time drawn at y (clamped to the rows' times).
std::int64_t ladderYToTime(const analyzer::LadderLayout& layout, const std::vector<double>& rowY,
                           double y);

// Room to add above each row (LadderSpacing::extraGap) for the labels of the streams that
// start in the gap before it.
std::vector<double> mediaGaps(const analyzer::LadderLayout& layout,
                              const std::vector<analyzer::LadderStream>& streams);

struct StreamBar {
    std::size_t stream = 0;  // index in the streams given
    std::size_t from = 0, to = 0;
    bool rightward = true;
    MediaQuality quality = MediaQuality::Good;
    QRectF bar, label;
    QString text;  // the label: symbol, figures and an arrow towards the receiver
};

inline constexpr double kStreamLabelStep = 15;

// Bars next to the sending lane (a stream and its reverse sit on either side of the gap),
// shifted aside when streams of the same lane overlap in time, from ladderTimeToY(start) to
// ladderTimeToY(end) over the rows at `rowY`; labels beside the bar's start, never over each
// other or the next row's label. Streams whose lanes are unknown are left out.
std::vector<StreamBar> placeStreamBars(const analyzer::LadderLayout& layout,
                                       const std::vector<analyzer::LadderStream>& streams,
                                       const std::vector<double>& laneX,
                                       const std::vector<double>& rowY, const QFont& font);

QString streamLabel(const analyzer::LadderStream& s, bool rightward);

}  // namespace sipscope::gui
