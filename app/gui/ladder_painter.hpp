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

namespace sipscope::gui {

struct LadderStyle {
    QColor background, text, dim, lane, headerFill, headerBorder, forkColor, selection, anomaly,
        labelBackground;
    std::vector<QColor> legs;  // arrow colour per leg (cycled)
    QFont font, small, mono, bold;

    static LadderStyle fromPalette(const QPalette& palette);
    static LadderStyle light();  // exports: dark text on white, whatever the theme
};

struct LadderGeometry {
    double margin = 12, timeWidth = 0, laneSpacing = 0, headerTop = 0, headerHeight = 0,
           rowsTop = 0, width = 0, height = 0;
    std::vector<double> laneX;
    analyzer::LadderRowPositions rows;

    static LadderGeometry compute(const analyzer::LadderLayout& layout, const LadderStyle& style,
                                  bool proportional);
    double rowY(std::size_t row) const { return rowsTop + rows.y[row]; }
    int rowAt(double y) const;   // nearest row within reach, or -1
    int laneAt(double x) const;  // nearest lane, or -1
    bool inHeader(double y) const { return y < rowsTop - 8; }
};

// `selected`: row index to highlight, or -1. `clip` (unscaled) limits what is drawn.
void paintLadder(QPainter& p, const analyzer::LadderLayout& layout, const LadderGeometry& g,
                 const LadderStyle& style, int selected, const QRectF& clip);

}  // namespace sipscope::gui
