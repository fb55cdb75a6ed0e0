#include "media_plot.hpp"

#include <QFontMetricsF>
#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

#include "state_style.hpp"

namespace sipscope::gui {

namespace {

constexpr double kLeft = 48, kRight = 14, kTop = 6, kLegendLine = 16, kGap = 22;

QColor seriesColor(std::size_t i, bool dark) {
    static const QColor kLight[] = {QColor(0x1f, 0x5f, 0xbf), QColor(0xd0, 0x5a, 0x00),
                                    QColor(0x1b, 0x7a, 0x3a), QColor(0x8e, 0x24, 0xaa)};
    static const QColor kDark[] = {QColor(0x6c, 0xb4, 0xff), QColor(0xff, 0xa0, 0x4d),
                                   QColor(0x6f, 0xd0, 0x7c), QColor(0xd8, 0x9c, 0xff)};
    return dark ? kDark[i % 4] : kLight[i % 4];
}

Qt::PenStyle seriesDash(std::size_t i) {
    return i % 2 == 0 ? Qt::SolidLine : Qt::DashLine;
}

// Circle for even series, square for odd: the directions differ in shape as well as colour.
void marker(QPainter& p, QPointF at, std::size_t i) {
    if (i % 2 == 0)
        p.drawEllipse(at, 2.5, 2.5);
    else
        p.drawRect(QRectF(at.x() - 2.5, at.y() - 2.5, 5, 5));
}

// A round upper bound: 1, 2 or 5 times a power of ten, at least `floor`.
double niceMax(double value, double floor) {
    const double v = std::max(value, floor);
    const double p = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= v) return m * p;
    return 10 * p;
}

}  // namespace

PlotSeries PlotSeries::fromStream(const MediaStreamData& stream) {
    PlotSeries s;
    s.name = streamDirection(stream.stored.row);
    for (const auto& sec : stream.series) {
        const double x = static_cast<double>(sec.second);
        const double loss = sec.expected > 0 ? 100.0 * sec.lost / sec.expected : 0.0;
        s.loss.emplace_back(x, loss);
        s.jitter.emplace_back(x, sec.jitterMs);
    }
    return s;
}

MediaPlot::MediaPlot(QWidget* parent) : QWidget(parent) {
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

void MediaPlot::setTimeRange(std::int64_t originNs, std::int64_t endNs) {
    m_originNs = originNs;
    m_endNs = std::max(endNs, originNs + 1'000'000'000);
    update();
}

void MediaPlot::setSeries(std::vector<PlotSeries> series) {
    m_series = std::move(series);
    update();
}

void MediaPlot::setCursorTime(std::optional<std::int64_t> ns) {
    if (ns == m_cursorNs) return;
    m_cursorNs = ns;
    update();
}

double MediaPlot::xOf(const QRectF& area, double unixSecond) const {
    const double origin = static_cast<double>(m_originNs) / 1e9;
    const double span = static_cast<double>(m_endNs - m_originNs) / 1e9;
    return area.left() + (unixSecond - origin) / span * area.width();
}

void MediaPlot::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette& pal = palette();
    const bool dark = isDark(pal);
    p.setFont(font());
    const QFontMetricsF fm(font());
    if (m_series.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter,
                   tr("No RTP stream selected: pick streams in the table above"));
        return;
    }
    // Legend: one line per stream with its line style and marker.
    double y = kTop + fm.ascent();
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        const QColor c = seriesColor(i, dark);
        p.setPen(QPen(c, 2, seriesDash(i)));
        p.drawLine(QPointF(kLeft, y - fm.ascent() / 3), QPointF(kLeft + 26, y - fm.ascent() / 3));
        p.setBrush(c);
        marker(p, QPointF(kLeft + 13, y - fm.ascent() / 3), i);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QPointF(kLeft + 34, y), m_series[i].name);
        y += kLegendLine;
    }
    double lossMax = 0, jitterMax = 0;
    for (const auto& s : m_series) {
        for (const auto& pt : s.loss) lossMax = std::max(lossMax, pt.y());
        for (const auto& pt : s.jitter) jitterMax = std::max(jitterMax, pt.y());
    }
    const double top = y - fm.ascent() + 8;
    // Each plot has a title line above it; the time axis has its labels and caption below.
    const double below = 8 + 2 * fm.height();
    const double plotH = std::max(30.0, (height() - top - 2 * fm.height() - kGap - below) / 2);
    const double w = width() - kLeft - kRight;
    const QRectF lossArea(kLeft, top + fm.height(), w, plotH);
    const QRectF jitterArea(kLeft, lossArea.bottom() + kGap + fm.height(), w, plotH);
    paintPlot(p, lossArea, true, niceMax(lossMax * 1.1, 5));
    paintPlot(p, jitterArea, false, niceMax(jitterMax * 1.1, 2));
    // The shared time axis under the lower plot.
    p.setPen(pal.color(QPalette::Text));
    const double span = static_cast<double>(m_endNs - m_originNs) / 1e9;
    const double step = niceMax(span / 6, 0.1);
    for (double t = 0; t <= span + 1e-9; t += step) {
        const double x = jitterArea.left() + t / span * jitterArea.width();
        p.drawLine(QPointF(x, jitterArea.bottom()), QPointF(x, jitterArea.bottom() + 4));
        const QString label = QString::number(t, 'f', step < 1 ? 1 : 0);
        p.drawText(
            QPointF(x - fm.horizontalAdvance(label) / 2, jitterArea.bottom() + 4 + fm.ascent()),
            label);
    }
    const QString caption = tr("seconds since the call's first message");
    p.setPen(pal.color(QPalette::PlaceholderText));
    p.drawText(QPointF(jitterArea.right() - fm.horizontalAdvance(caption),
                       jitterArea.bottom() + 6 + fm.height() + fm.ascent()),
               caption);
}

void MediaPlot::paintPlot(QPainter& p, const QRectF& area, bool loss, double yMax) const {
    const QPalette& pal = palette();
    const bool dark = isDark(pal);
    const QFontMetricsF fm(font());
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QPointF(area.left(), area.top() - 4),
               loss ? tr("Loss % per second") : tr("Jitter (ms) at the end of each second"));
    QColor grid = pal.color(QPalette::Text);
    grid.setAlpha(50);
    for (int k = 0; k <= 4; ++k) {
        const double gy = area.bottom() - area.height() * k / 4;
        p.setPen(QPen(grid, 1, k == 0 ? Qt::SolidLine : Qt::DotLine));
        p.drawLine(QPointF(area.left(), gy), QPointF(area.right(), gy));
        if (k % 2 == 0) {
            const QString label = QString::number(yMax * k / 4, 'g', 3);
            p.setPen(pal.color(QPalette::Text));
            p.drawText(QPointF(area.left() - 6 - fm.horizontalAdvance(label), gy + fm.ascent() / 3),
                       label);
        }
    }
    p.setPen(QPen(grid, 1));
    p.drawLine(area.topLeft(), area.bottomLeft());
    p.save();
    p.setClipRect(area.adjusted(-4, -4, 4, 4));
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        const auto& points = loss ? m_series[i].loss : m_series[i].jitter;
        const QColor c = seriesColor(i, dark);
        QPainterPath path;
        std::vector<QPointF> at;
        for (const auto& pt : points) {
            // A second's value is drawn at its middle.
            const QPointF q(xOf(area, pt.x() + 0.5),
                            area.bottom() - std::min(pt.y(), yMax) / yMax * area.height());
            at.push_back(q);
            if (path.elementCount() == 0)
                path.moveTo(q);
            else
                path.lineTo(q);
        }
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(c, 1.8, seriesDash(i)));
        p.drawPath(path);
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        for (const auto& q : at) marker(p, q, i);
    }
    if (m_cursorNs) {
        const double x = xOf(area, static_cast<double>(*m_cursorNs) / 1e9);
        p.setPen(QPen(dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xd3, 0x2f, 0x2f), 1.5));
        p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
    }
    p.restore();
}

}  // namespace sipscope::gui
