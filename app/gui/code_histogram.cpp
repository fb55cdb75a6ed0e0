#include "code_histogram.hpp"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace sipscope::gui {

namespace {

constexpr int kMargin = 10;
constexpr int kMaxBarWidth = 56;

// Grid step of 1, 2 or 5 x 10^k giving about four lines up to `max`.
std::uint32_t gridStep(std::uint32_t max) {
    const double raw = std::max(1.0, max / 4.0);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) return static_cast<std::uint32_t>(m * magnitude);
    return static_cast<std::uint32_t>(10 * magnitude);
}

}  // namespace

CodeHistogram::CodeHistogram(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void CodeHistogram::setCounts(const std::map<int, std::uint32_t>& finalCodes,
                              std::uint32_t unanswered) {
    m_counts = finalCodes;
    m_unanswered = unanswered;
    updateGeometry();
    update();
}

QColor CodeHistogram::classColor(int code) const {
    const bool light = palette().color(QPalette::Base).lightness() >= 128;
    switch (code / 100) {
        case 2:
            return light ? QColor(0x2d, 0xa4, 0x4e) : QColor(0x3f, 0xb9, 0x50);
        case 3:
            return light ? QColor(0x09, 0x69, 0xda) : QColor(0x58, 0xa6, 0xff);
        case 4:
            return light ? QColor(0xe1, 0x6f, 0x24) : QColor(0xf0, 0x88, 0x3e);
        case 5:
            return light ? QColor(0xcf, 0x22, 0x2e) : QColor(0xf8, 0x51, 0x49);
        case 6:
            return light ? QColor(0x82, 0x50, 0xdf) : QColor(0xbc, 0x8c, 0xff);
        default:
            return light ? QColor(0x8c, 0x95, 0x9f) : QColor(0x6e, 0x76, 0x81);
    }
}

std::vector<CodeHistogram::Bar> CodeHistogram::bars() const {
    std::vector<Bar> out;
    for (const auto& [code, n] : m_counts) out.push_back({QString::number(code), n, code});
    if (m_unanswered > 0) out.push_back({tr("none"), m_unanswered, 0});
    return out;
}

QSize CodeHistogram::sizeHint() const {
    const int bars = static_cast<int>(m_counts.size()) + (m_unanswered ? 1 : 0);
    return {std::max(360, 60 + bars * (kMaxBarWidth + 16)), 220};
}

QSize CodeHistogram::minimumSizeHint() const {
    return {240, 150};
}

void CodeHistogram::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRect frame = rect().adjusted(0, 0, -1, -1);
    p.setPen(palette().color(QPalette::Mid));
    p.setBrush(palette().base());
    p.drawRoundedRect(frame, 4, 4);
    const QRect inner = frame.adjusted(kMargin, kMargin / 2, -kMargin, -kMargin / 2);
    const int legend = paintLegend(p, inner);
    const QRect plot = inner.adjusted(0, legend + 6, 0, 0);
    if (m_counts.empty() && m_unanswered == 0) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(plot, Qt::AlignCenter, tr("No final responses"));
        return;
    }
    paintBars(p, plot);
}

int CodeHistogram::paintLegend(QPainter& p, const QRect& area) const {
    const QFontMetrics fm(font());
    const int h = fm.height() + 4;
    QFont bold = font();
    bold.setBold(true);
    p.setFont(bold);
    p.setPen(palette().color(QPalette::Text));
    p.drawText(QRect(area.left(), area.top(), area.width(), h), Qt::AlignLeft | Qt::AlignVCenter,
               tr("Final responses"));
    p.setFont(font());
    // Right-aligned: class swatches with their totals.
    std::map<int, std::uint32_t> byClass;
    for (const auto& [code, n] : m_counts) byClass[code / 100] += n;
    std::vector<std::pair<int, std::uint32_t>> classes(byClass.begin(), byClass.end());
    if (m_unanswered) classes.emplace_back(0, m_unanswered);  // "none" last, as in the bars
    int x = area.right();
    for (auto it = classes.rbegin(); it != classes.rend(); ++it) {
        const QString text = it->first == 0 ? tr("none %1").arg(it->second)
                                            : tr("%1xx %2").arg(it->first).arg(it->second);
        const int w = fm.horizontalAdvance(text);
        x -= w;
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(x, area.top(), w, h), Qt::AlignVCenter, text);
        x -= fm.height() * 2 / 3 + 4;
        const int s = fm.height() * 2 / 3;
        p.setPen(Qt::NoPen);
        p.setBrush(classColor(it->first * 100));
        p.drawRoundedRect(QRect(x, area.top() + (h - s) / 2, s, s), 2, 2);
        x -= 14;
    }
    return h;
}

void CodeHistogram::paintBars(QPainter& p, const QRect& area) const {
    const auto list = bars();
    const QFontMetrics fm(font());
    std::uint32_t max = 1;
    for (const auto& b : list) max = std::max(max, b.count);
    const std::uint32_t step = gridStep(max);
    const std::uint32_t top = (max + step - 1) / step * step;
    const int axisWidth = fm.horizontalAdvance(QString::number(top)) + 6;
    const QRect plot = area.adjusted(axisWidth, fm.height() + 2, 0, -(fm.height() + 4));
    const auto yOf = [&](std::uint32_t v) {
        return plot.bottom() - static_cast<int>(std::lround(double(v) / top * plot.height()));
    };
    QColor grid = palette().color(QPalette::Text);
    grid.setAlpha(40);
    for (std::uint32_t v = 0; v <= top; v += step) {
        const int y = yOf(v);
        p.setPen(QPen(grid, 1, v == 0 ? Qt::SolidLine : Qt::DashLine));
        p.drawLine(plot.left(), y, plot.right(), y);
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(area.left(), y - fm.height() / 2, axisWidth - 6, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, QString::number(v));
    }
    const int slot = plot.width() / static_cast<int>(list.size());
    const int barWidth = std::clamp(slot * 3 / 5, 6, kMaxBarWidth);
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Bar& b = list[i];
        const int cx = plot.left() + slot * static_cast<int>(i) + slot / 2;
        const QRectF bar(cx - barWidth / 2.0, yOf(b.count), barWidth, plot.bottom() - yOf(b.count));
        QPainterPath path;
        path.addRoundedRect(bar.adjusted(0, 0, 0, 3), 3, 3);  // rounded top, square base
        p.save();
        p.setClipRect(QRectF(bar.left(), bar.top(), bar.width(), bar.height()));
        p.fillPath(path, classColor(b.code));
        p.restore();
        p.setPen(palette().color(QPalette::Text));
        p.drawText(
            QRect(cx - slot / 2, static_cast<int>(bar.top()) - fm.height() - 2, slot, fm.height()),
            Qt::AlignCenter, QString::number(b.count));
        p.drawText(QRect(cx - slot / 2, plot.bottom() + 3, slot, fm.height()), Qt::AlignCenter,
                   b.label);
    }
}

}  // namespace sipscope::gui

#include "moc_code_histogram.cpp"
