#include "ladder_painter.hpp"

#include <QFontDatabase>
#include <QFontMetricsF>
#include <QObject>
#include <QPainterPath>
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "state_style.hpp"

namespace sipscope::gui {

using analyzer::LadderLayout;
using analyzer::LadderRow;

namespace {

QString qs(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

constexpr double kArrowHead = 7;
constexpr double kSelfLoop = 28;
constexpr double kHeaderLine = 14;

LadderStyle withFonts(LadderStyle s) {
    s.font = QFont(QStringLiteral("DejaVu Sans"));
    s.font.setPixelSize(12);
    s.small = s.font;
    s.small.setPixelSize(10);
    s.mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    s.mono.setPixelSize(11);
    s.bold = s.mono;
    s.bold.setBold(true);
    return s;
}

}  // namespace

LadderStyle LadderStyle::light() {
    LadderStyle s;
    s.background = Qt::white;
    s.text = QColor(0x22, 0x22, 0x22);
    s.dim = QColor(0x8c, 0x8c, 0x8c);
    s.lane = QColor(0xb5, 0xbc, 0xc8);
    s.headerFill = QColor(0xf4, 0xf6, 0xfa);
    s.headerBorder = QColor(0x8a, 0x94, 0xa6);
    s.forkColor = QColor(0xc9, 0x8a, 0x1a);
    s.selection = QColor(0xff, 0xe9, 0x9e);
    s.anomaly = QColor(0xd3, 0x2f, 0x2f);
    s.labelBackground = QColor(255, 255, 255, 220);
    s.legs = {QColor(0x1f, 0x4e, 0x9a), QColor(0x1b, 0x7a, 0x3a), QColor(0x8a, 0x4b, 0x08),
              QColor(0x6a, 0x1b, 0x9a)};
    return withFonts(s);
}

LadderStyle LadderStyle::fromPalette(const QPalette& palette) {
    if (!isDark(palette)) {
        LadderStyle s = light();
        s.background = palette.color(QPalette::Base);
        return s;
    }
    LadderStyle s;
    s.background = palette.color(QPalette::Base);
    s.text = palette.color(QPalette::Text);
    s.dim = QColor(0x90, 0x90, 0x90);
    s.lane = QColor(0x5a, 0x62, 0x70);
    s.headerFill = QColor(0x2c, 0x33, 0x3d);
    s.headerBorder = QColor(0x70, 0x7a, 0x8c);
    s.forkColor = QColor(0xe0, 0xa8, 0x40);
    s.selection = QColor(0x4a, 0x40, 0x10);
    s.anomaly = QColor(0xff, 0x6b, 0x6b);
    s.labelBackground = s.background;
    s.labelBackground.setAlpha(220);
    s.legs = {QColor(0x7a, 0xb8, 0xff), QColor(0x6f, 0xd0, 0x7c), QColor(0xff, 0xb8, 0x4d),
              QColor(0xd2, 0xa8, 0xff)};
    s.dark = true;
    return withFonts(s);
}

LadderGeometry LadderGeometry::compute(const LadderLayout& layout, const LadderStyle& style,
                                       bool proportional,
                                       const std::vector<analyzer::LadderStream>* streams) {
    const bool withMedia = streams && !streams->empty() && !layout.rows.empty();
    LadderGeometry g;
    const QFontMetricsF fm(style.font), mono(style.mono), small(style.small);
    // Times are monospaced: the longest text is the widest.
    std::size_t timeChars = 12;  // "00:00:00.000"
    for (const auto& r : layout.rows) timeChars = std::max(timeChars, r.time.size());
    const double timeW =
        mono.horizontalAdvance(QString(static_cast<qsizetype>(timeChars), QLatin1Char('0')));
    g.timeWidth = timeW + 16;
    double spacing = 170;
    for (const auto& r : layout.rows) {
        const double span =
            r.self ? 1.0 : std::max<double>(1, std::abs(double(r.to) - double(r.from)));
        const double w =
            std::max(fm.horizontalAdvance(qs(r.label)), small.horizontalAdvance(qs(r.detail)));
        spacing = std::max(spacing, w / span + 36);
    }
    for (const auto& l : layout.lanes)
        spacing = std::max(spacing, mono.horizontalAdvance(qs(l.name)) + 24);
    // Wide enough for typical labels; a rare long one (a reason phrase with a slogan) is cut
    // with an ellipsis rather than spreading every lane (the tooltip shows it whole).
    g.laneSpacing = std::min(spacing, 280.0);
    if (withMedia) {
        // A stream's label sits between its lanes beside its bar: widen the lanes to fit it.
        double media = 0;
        for (const auto& st : *streams)
            media = std::max(media, small.horizontalAdvance(streamLabel(st, true)) + 48);
        g.laneSpacing = std::max(g.laneSpacing, std::min(media, 380.0));
    }
    g.headerTop = g.margin + (layout.forks.empty() ? 0 : 18);
    g.headerHeight = kHeaderLine * 3 + 10;
    g.rowsTop = g.headerTop + g.headerHeight + 28;
    const double x0 = g.margin + g.timeWidth + g.laneSpacing / 2;
    for (std::size_t i = 0; i < layout.lanes.size(); ++i)
        g.laneX.push_back(x0 + static_cast<double>(i) * g.laneSpacing);
    analyzer::LadderSpacing sp;
    sp.proportional = proportional;
    if (withMedia) sp.extraGap = mediaGaps(layout, *streams);
    g.rows = analyzer::ladderRowPositions(layout, sp);
    for (std::size_t i = 0; i < g.rows.y.size(); ++i) g.rowYs.push_back(g.rowY(i));
    if (withMedia) g.media = placeStreamBars(layout, *streams, g.laneX, g.rowYs, style.small);
    g.width =
        x0 +
        static_cast<double>(std::max<std::size_t>(layout.lanes.size(), 1) - 1) * g.laneSpacing +
        g.laneSpacing / 2 + kSelfLoop + g.margin;
    g.height = g.rowsTop + g.rows.height + 24;
    return g;
}

int LadderGeometry::rowAt(double y) const {
    int best = -1;
    double bestD = 18;
    for (std::size_t i = 0; i < rows.y.size(); ++i) {
        const double d = std::abs(rowY(i) - 6 - y);
        if (d < bestD) bestD = d, best = static_cast<int>(i);
    }
    return best;
}

int LadderGeometry::mediaAt(QPointF pos) const {
    for (std::size_t i = 0; i < media.size(); ++i)
        if (media[i].bar.adjusted(-2, 0, 2, 0).contains(pos) || media[i].label.contains(pos))
            return static_cast<int>(i);
    return -1;
}

int LadderGeometry::laneAt(double x) const {
    for (std::size_t i = 0; i < laneX.size(); ++i)
        if (std::abs(laneX[i] - x) <= laneSpacing / 2) return static_cast<int>(i);
    return -1;
}

namespace {

void paintHeaders(QPainter& p, const LadderLayout& layout, const LadderGeometry& g,
                  const LadderStyle& s) {
    const QFontMetricsF mono(s.mono), small(s.small);
    const double w = g.laneSpacing - 16;
    for (std::size_t i = 0; i < layout.lanes.size(); ++i) {
        const auto& lane = layout.lanes[i];
        const QRectF box(g.laneX[i] - w / 2, g.headerTop, w, g.headerHeight);
        p.setPen(QPen(lane.fork >= 0 ? s.forkColor : s.headerBorder, 1));
        p.setBrush(s.headerFill);
        p.drawRoundedRect(box, 4, 4);
        p.setPen(s.text);
        p.setFont(s.bold);
        p.drawText(QRectF(box.left() + 4, box.top() + 4, w - 8, kHeaderLine), Qt::AlignCenter,
                   mono.elidedText(qs(lane.name), Qt::ElideMiddle, w - 8));
        p.setFont(s.small);
        QString role = qs(lane.role.empty() ? std::string("UA") : lane.role);
        if (lane.endpoints.size() > 1)
            role += QStringLiteral(" · %1 addresses").arg(lane.endpoints.size());
        p.drawText(QRectF(box.left() + 4, box.top() + 4 + kHeaderLine, w - 8, kHeaderLine),
                   Qt::AlignCenter, role);
        p.setPen(s.dim);
        p.drawText(QRectF(box.left() + 4, box.top() + 4 + 2 * kHeaderLine, w - 8, kHeaderLine),
                   Qt::AlignCenter, small.elidedText(qs(lane.userAgent), Qt::ElideRight, w - 8));
    }
    for (const auto& f : layout.forks) {
        const double left = g.laneX[f.first] - (g.laneSpacing - 16) / 2;
        const double right = g.laneX[f.last] + (g.laneSpacing - 16) / 2;
        const double y = g.headerTop - 8;
        p.setPen(QPen(s.forkColor, 1.5));
        p.drawLine(QPointF(left, y + 6), QPointF(left, y));
        p.drawLine(QPointF(left, y), QPointF(right, y));
        p.drawLine(QPointF(right, y), QPointF(right, y + 6));
        p.setFont(s.small);
        p.drawText(QRectF(left, y - 14, right - left, 12), Qt::AlignCenter,
                   QStringLiteral("fork from %1").arg(qs(layout.lanes[f.proxy].name)));
    }
}

void paintArrowHead(QPainter& p, QPointF tip, double direction, const QColor& c) {
    QPainterPath head;
    head.moveTo(tip);
    head.lineTo(tip.x() - direction * kArrowHead, tip.y() - kArrowHead / 2);
    head.lineTo(tip.x() - direction * kArrowHead, tip.y() + kArrowHead / 2);
    head.closeSubpath();
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    p.drawPath(head);
}

void paintLabel(QPainter& p, const QFont& font, const QString& text, QPointF centre,
                const LadderStyle& s, const QColor& color, double maxWidth) {
    const QFontMetricsF fm(font);
    const QString t = fm.elidedText(text, Qt::ElideRight, maxWidth);
    const double w = fm.horizontalAdvance(t);
    const QRectF r(centre.x() - w / 2 - 3, centre.y() - fm.ascent(), w + 6, fm.height());
    p.setPen(Qt::NoPen);
    p.setBrush(s.labelBackground);
    p.drawRect(r);
    p.setFont(font);
    p.setPen(color);
    p.drawText(QPointF(centre.x() - w / 2, centre.y()), t);
}

void paintRow(QPainter& p, const LadderLayout& layout, const LadderGeometry& g,
              const LadderStyle& base, std::size_t i, bool selected) {
    LadderStyle s = base;
    if (selected) s.labelBackground = s.selection;
    const LadderRow& r = layout.rows[i];
    const double y = g.rowY(i);
    if (selected) {
        p.setPen(Qt::NoPen);
        p.setBrush(s.selection);
        p.drawRect(QRectF(g.margin, y - 22, g.width - 2 * g.margin, r.detail.empty() ? 30 : 42));
    }
    p.setFont(s.mono);
    p.setPen(s.dim);
    p.drawText(QPointF(g.margin + 2, y + 4), qs(r.time));
    const bool faded = r.retransmission || r.duplicate;
    QColor c = faded ? s.dim : s.legs[static_cast<std::size_t>(r.leg) % s.legs.size()];
    QPen pen(c, faded ? 1.2 : 1.6);
    if (r.retransmission) pen.setDashPattern({6, 4});
    if (r.duplicate) pen.setDashPattern({2, 3});
    const double x1 = g.laneX[r.from], x2 = g.laneX[r.to];
    QString label = qs(r.label);
    if (r.retransmission) label = QStringLiteral("↻ %1 (rtx of #%2)").arg(label).arg(r.original);
    if (r.duplicate) label = QStringLiteral("%1 (duplicate of #%2)").arg(label).arg(r.original);
    p.setBrush(Qt::NoBrush);
    p.setPen(pen);
    if (r.self) {
        QPainterPath loop;
        loop.moveTo(x1, y - 8);
        loop.lineTo(x1 + kSelfLoop, y - 8);
        loop.lineTo(x1 + kSelfLoop, y + 4);
        loop.lineTo(x1 + kArrowHead, y + 4);
        p.drawPath(loop);
        paintArrowHead(p, QPointF(x1, y + 4), -1, c);
        paintLabel(p, s.font, label, QPointF(x1 + kSelfLoop + 40, y - 10), s,
                   faded ? s.dim : s.text, g.laneSpacing);
    } else {
        const double dir = x2 > x1 ? 1 : -1;
        p.drawLine(QPointF(x1, y), QPointF(x2 - dir * kArrowHead, y));
        paintArrowHead(p, QPointF(x2, y), dir, c);
        const double span = std::abs(x2 - x1);
        paintLabel(p, s.font, label, QPointF((x1 + x2) / 2, y - 5), s, faded ? s.dim : s.text,
                   span - 12);
        if (!r.detail.empty())
            paintLabel(p, s.small, qs(r.detail), QPointF((x1 + x2) / 2, y + 13), s, s.dim,
                       span - 12);
    }
    if (!r.anomalies.empty()) {
        const QPointF at(x1 + (x2 >= x1 ? 12 : -12), y - 10);
        p.setPen(Qt::NoPen);
        p.setBrush(s.anomaly);
        p.drawEllipse(at, 6, 6);
        p.setPen(Qt::white);
        QFont f = s.small;
        f.setBold(true);
        p.setFont(f);
        p.drawText(QRectF(at.x() - 6, at.y() - 6, 12, 12), Qt::AlignCenter, QStringLiteral("!"));
    }
}

void paintMedia(QPainter& p, const LadderGeometry& g, const LadderStyle& s) {
    const QFontMetricsF fm(s.small);
    for (const auto& b : g.media) {
        const QColor c = mediaQualityColor(b.quality, s.dark);
        QColor fill = c;
        fill.setAlpha(170);
        p.setPen(QPen(c, 1));
        p.setBrush(fill);
        p.drawRoundedRect(b.bar, 2, 2);
        p.setPen(Qt::NoPen);
        p.setBrush(s.labelBackground);
        p.drawRoundedRect(b.label, 2, 2);
        p.setPen(QPen(c, 1));
        p.setBrush(Qt::NoBrush);
        p.drawLine(b.label.bottomLeft(), b.label.bottomRight());
        p.setFont(s.small);
        p.setPen(s.text);
        p.drawText(b.label, Qt::AlignCenter, b.text);
    }
    // The legend: each quality's colour with its symbol and name.
    p.setFont(s.small);
    double x = g.width - g.margin;
    const double y = g.rowsTop - 14;
    for (const MediaQuality q : {MediaQuality::Bad, MediaQuality::Degraded, MediaQuality::Good}) {
        const QString t = QStringLiteral("%1 %2").arg(mediaQualitySymbol(q), mediaQualityName(q));
        x -= fm.horizontalAdvance(t);
        p.setPen(s.text);
        p.drawText(QPointF(x, y), t);
        x -= 12;
        p.setPen(Qt::NoPen);
        p.setBrush(mediaQualityColor(q, s.dark));
        p.drawRoundedRect(QRectF(x, y - 9, 8, 10), 2, 2);
        x -= 12;
    }
    const QString caption = QObject::tr("RTP:");
    x -= fm.horizontalAdvance(caption);
    p.setPen(s.dim);
    p.drawText(QPointF(x, y), caption);
}

}  // namespace

void paintLadder(QPainter& p, const LadderLayout& layout, const LadderGeometry& g,
                 const LadderStyle& s, int selected, const QRectF& clip) {
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.fillRect(clip, s.background);
    paintHeaders(p, layout, g, s);
    p.setPen(QPen(s.lane, 1, Qt::DashLine));
    const double top = g.headerTop + g.headerHeight, bottom = g.height - 8;
    for (double x : g.laneX) p.drawLine(QPointF(x, top), QPointF(x, bottom));
    p.setPen(s.dim);
    p.setFont(s.small);
    p.drawText(QPointF(g.margin + 2, g.rowsTop - 14), qs(layout.timeCaption));
    if (!g.media.empty()) paintMedia(p, g, s);
    for (std::size_t i = 0; i < layout.rows.size(); ++i) {
        const double y = g.rowY(i);
        if (y + 30 < clip.top() || y - 30 > clip.bottom()) continue;
        if (g.rows.gapCapped.size() > i && g.rows.gapCapped[i]) {
            p.setPen(QPen(s.dim, 1, Qt::DotLine));
            p.drawLine(QPointF(g.margin, y - 24), QPointF(g.width - g.margin, y - 24));
        }
        paintRow(p, layout, g, s, i, static_cast<int>(i) == selected);
    }
    p.restore();
}

}  // namespace sipscope::gui
