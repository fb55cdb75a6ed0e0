#pragma once
// Paints a ladder layout (analyzer/ladder) with QPainter: the screen view and the PNG/PDF/SVG
// exports share this one painter, so an export looks exactly like the view, only whole.
// Geometry (where lanes and rows are) is computed once per layout, zoom is a painter scale.

#include <QColor>
#include <QFont>
#include <QPainter>
#include <QPalette>
#include <vector>

#include "ladder/ladder_layout.hpp"
#include "ladder_media.hpp"

namespace sipscope::gui {

struct LadderStyle {
    QColor background, text, dim, lane, headerFill, headerBorder, forkColor, selection, anomaly,
        labelBackground;
    std::vector<QColor> legs;  // arrow colour per leg (cycled)
    QFont font, small, mono, bold;
    bool dark = false;  // media quality colours follow it

    static LadderStyle fromPalette(const QPalette& palette);
    static LadderStyle light();  // exports: dark text on white, whatever the theme
};

struct LadderGeometry {
    double margin = 12, timeWidth = 0, laneSpacing = 0, headerTop = 0, headerHeight = 0,
           rowsTop = 0, width = 0, height = 0;
    std::vector<double> laneX;
    analyzer::LadderRowPositions rows;
    std::vector<double> rowYs;     // rowY() of every row
    std::vector<StreamBar> media;  // RTP stream bars, when streams were given

    // `streams`: the RTP streams to draw as bars (nullptr or empty: none); the layout
    // reserves room for their labels and lanes widen to fit them.
    static LadderGeometry compute(const analyzer::LadderLayout& layout, const LadderStyle& style,
                                  bool proportional,
                                  const std::vector<analyzer::LadderStream>* streams = nullptr);
    double rowY(std::size_t row) const { return rowsTop + rows.y[row]; }
    double yAt(const analyzer::LadderLayout& layout, std::int64_t ns) const {
        return ladderTimeToY(layout, rowYs, ns);
    }
    int mediaAt(QPointF pos) const;  // index in `media` of the bar or label at pos, or -1
    int rowAt(double y) const;       // nearest row within reach, or -1
    int laneAt(double x) const;      // nearest lane, or -1
    bool inHeader(double y) const { return y < rowsTop - 8; }
};

// `selected`: row index to highlight, or -1. `clip` (unscaled) limits what is drawn. The
// geometry's media bars are drawn under the arrows, with a legend beside the time caption.
void paintLadder(QPainter& p, const analyzer::LadderLayout& layout, const LadderGeometry& g,
                 const LadderStyle& style, int selected, const QRectF& clip);

}  // namespace sipscope::gui
