#include "state_style.hpp"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace sipscope::gui {

using analyzer::CallState;

bool isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightness() < 128;
}

QColor stateColor(CallState state, const QPalette& palette) {
    const bool dark = isDark(palette);
    switch (state) {
        case CallState::Answered:
            return dark ? QColor(0x6f, 0xd0, 0x7c) : QColor(0x1b, 0x7f, 0x37);
        case CallState::Ringing:
        case CallState::InProgress:
            return dark ? QColor(0x7a, 0xb8, 0xff) : QColor(0x1f, 0x5f, 0xbf);
        case CallState::Busy:
            return dark ? QColor(0xff, 0xb8, 0x4d) : QColor(0xb3, 0x5c, 0x00);
        case CallState::Rejected:
        case CallState::Failed:
            return dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x1c, 0x28);
        case CallState::Cancelled:
            return dark ? QColor(0xb0, 0xb0, 0xb0) : QColor(0x60, 0x60, 0x60);
        case CallState::Timeout:
            return dark ? QColor(0xd2, 0xa8, 0xff) : QColor(0x7a, 0x2e, 0xb8);
    }
    return palette.color(QPalette::Text);
}

QString stateLabel(CallState state) {
    switch (state) {
        case CallState::InProgress:
            return QStringLiteral("In progress");
        case CallState::Ringing:
            return QStringLiteral("Ringing");
        case CallState::Answered:
            return QStringLiteral("Answered");
        case CallState::Busy:
            return QStringLiteral("Busy");
        case CallState::Rejected:
            return QStringLiteral("Rejected");
        case CallState::Cancelled:
            return QStringLiteral("Cancelled");
        case CallState::Timeout:
            return QStringLiteral("Timeout");
        case CallState::Failed:
            return QStringLiteral("Failed");
    }
    return {};
}

namespace {

// One glyph per state, drawn in a 16x16 box: check, bell-ish arcs, dots, cross, bar, slash,
// clock, exclamation mark.
void drawGlyph(QPainter& p, CallState state, const QColor& c) {
    QPen pen(c, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    switch (state) {
        case CallState::Answered: {
            QPainterPath path;
            path.moveTo(3, 8.5);
            path.lineTo(6.5, 12);
            path.lineTo(13, 4);
            p.drawPath(path);
            break;
        }
        case CallState::Ringing:
            p.drawArc(QRectF(2, 2, 12, 12), 30 * 16, 120 * 16);
            p.drawArc(QRectF(5, 5, 6, 6), 30 * 16, 120 * 16);
            p.setBrush(c);
            p.drawEllipse(QPointF(8, 11), 1.5, 1.5);
            break;
        case CallState::InProgress:
            p.setBrush(c);
            for (int i = 0; i < 3; ++i) p.drawEllipse(QPointF(3.5 + 4.5 * i, 8), 1.2, 1.2);
            break;
        case CallState::Busy:
            p.drawEllipse(QRectF(2, 2, 12, 12));
            p.drawLine(QPointF(5, 8), QPointF(11, 8));
            break;
        case CallState::Rejected:
            p.drawLine(QPointF(4, 4), QPointF(12, 12));
            p.drawLine(QPointF(12, 4), QPointF(4, 12));
            break;
        case CallState::Cancelled:
            p.drawEllipse(QRectF(2, 2, 12, 12));
            p.drawLine(QPointF(4.5, 11.5), QPointF(11.5, 4.5));
            break;
        case CallState::Timeout:
            p.drawEllipse(QRectF(2, 2, 12, 12));
            p.drawLine(QPointF(8, 8), QPointF(8, 4.5));
            p.drawLine(QPointF(8, 8), QPointF(10.5, 9.5));
            break;
        case CallState::Failed:
            p.drawLine(QPointF(8, 3), QPointF(8, 9.5));
            p.setBrush(c);
            p.drawEllipse(QPointF(8, 13), 1.2, 1.2);
            break;
    }
}

}  // namespace

QIcon stateIcon(CallState state, const QPalette& palette) {
    // Drawn once per state and palette kind: the call list asks for them on every repaint.
    static QIcon cache[2][static_cast<int>(CallState::Failed) + 1];
    QIcon& cached = cache[isDark(palette) ? 1 : 0][static_cast<int>(state)];
    if (!cached.isNull()) return cached;
    QIcon icon;
    for (int scale : {1, 2}) {
        QPixmap pm(16 * scale, 16 * scale);
        pm.setDevicePixelRatio(scale);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        drawGlyph(p, state, stateColor(state, palette));
        p.end();
        icon.addPixmap(pm);
    }
    cached = icon;
    return icon;
}

}  // namespace sipscope::gui
