#include "ladder_canvas.hpp"

#include <QContextMenuEvent>
#include <QFontMetricsF>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QPaintEvent>
#include <QToolTip>
#include <QWheelEvent>

namespace sipscope::gui {

namespace {

QString qs(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

}  // namespace

LadderCanvas::LadderCanvas(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    m_style = LadderStyle::fromPalette(palette());
}

void LadderCanvas::setLadder(const analyzer::LadderLayout* layout,
                             const analyzer::LadderInput* input, bool proportional) {
    m_layout = layout;
    m_input = input;
    m_proportional = proportional;
    m_selected = -1;
    relayout();
}

void LadderCanvas::relayout() {
    m_style = LadderStyle::fromPalette(palette());
    if (m_layout)
        m_geometry =
            LadderGeometry::compute(*m_layout, m_style, m_proportional,
                                    m_mediaVisible && m_input ? &m_input->streams : nullptr);
    else
        m_geometry = {};
    resize(sizeHint());
    updateGeometry();
    update();
}

void LadderCanvas::setMediaVisible(bool on) {
    if (on == m_mediaVisible) return;
    m_mediaVisible = on;
    relayout();
}

void LadderCanvas::setCursorTime(std::optional<std::int64_t> ns) {
    if (ns == m_cursorNs) return;
    const double before = cursorY();
    m_cursorNs = ns;
    const double after = cursorY();
    // Repaint only the bands of the old and the new line.
    for (const double y : {before, after})
        if (y >= 0) update(QRect(0, static_cast<int>(y * m_zoom) - 16, width(), 32));
}

double LadderCanvas::cursorY() const {
    if (!m_cursorNs || !m_layout || m_layout->rows.empty()) return -1;
    return m_geometry.yAt(*m_layout, *m_cursorNs);
}

void LadderCanvas::paintCursor(QPainter& p) const {
    const double y = cursorY();
    if (y < 0) return;
    const QColor c = m_style.anomaly;
    p.setPen(QPen(c, 1.5));
    p.drawLine(QPointF(m_geometry.margin, y), QPointF(m_geometry.width - m_geometry.margin, y));
    // The playing time in the time column, in seconds since the first message.
    const double seconds = static_cast<double>(*m_cursorNs - m_layout->rows.front().tsNs) / 1e9;
    const QString text = QStringLiteral("▶ %1%2 s")
                             .arg(seconds < 0 ? QStringLiteral("−") : QStringLiteral("+"))
                             .arg(std::abs(seconds), 0, 'f', 3);
    p.setFont(m_style.mono);
    const QFontMetricsF fm(m_style.mono);
    const QRectF box(m_geometry.margin, y - fm.height() / 2, fm.horizontalAdvance(text) + 8,
                     fm.height());
    p.setPen(Qt::NoPen);
    p.setBrush(c);
    p.drawRoundedRect(box, 3, 3);
    p.setPen(m_style.background);
    p.drawText(box, Qt::AlignCenter, text);
}

void LadderCanvas::setZoom(double zoom) {
    m_zoom = std::clamp(zoom, 0.25, 4.0);
    resize(sizeHint());
    updateGeometry();
    update();
}

QSize LadderCanvas::sizeHint() const {
    if (!m_layout) return {200, 100};
    return {static_cast<int>(std::ceil(m_geometry.width * m_zoom)),
            static_cast<int>(std::ceil(m_geometry.height * m_zoom))};
}

void LadderCanvas::selectRow(int row) {
    if (!m_layout || row < -1 || row >= static_cast<int>(m_layout->rows.size())) return;
    m_selected = row;
    update();
    emit rowSelected(row);
}

void LadderCanvas::paintEvent(QPaintEvent* event) {
    QPainter p(this);
    const QRectF clip(event->rect().x() / m_zoom, event->rect().y() / m_zoom,
                      event->rect().width() / m_zoom, event->rect().height() / m_zoom);
    p.scale(m_zoom, m_zoom);
    if (!m_layout || m_layout->rows.empty()) {
        p.fillRect(clip, m_style.background);
        p.setPen(m_style.dim);
        p.drawText(QRectF(0, 0, width() / m_zoom, height() / m_zoom), Qt::AlignCenter,
                   tr("Select a call to draw its ladder"));
        return;
    }
    paintLadder(p, *m_layout, m_geometry, m_style, m_selected, clip);
    paintCursor(p);
}

void LadderCanvas::mousePressEvent(QMouseEvent* event) {
    setFocus();
    if (!m_layout || event->button() != Qt::LeftButton) return;
    const int row = m_geometry.rowAt(event->position().y() / m_zoom);
    if (row >= 0) selectRow(row);
}

void LadderCanvas::keyPressEvent(QKeyEvent* event) {
    if (!m_layout || m_layout->rows.empty()) return QWidget::keyPressEvent(event);
    const int last = static_cast<int>(m_layout->rows.size()) - 1;
    switch (event->key()) {
        case Qt::Key_Down:
            selectRow(std::min(m_selected + 1, last));
            return;
        case Qt::Key_Up:
            selectRow(std::max(m_selected - 1, 0));
            return;
        case Qt::Key_Home:
            selectRow(0);
            return;
        case Qt::Key_End:
            selectRow(last);
            return;
        case Qt::Key_PageDown:
            selectRow(std::min(m_selected + 10, last));
            return;
        case Qt::Key_PageUp:
            selectRow(std::max(m_selected - 10, 0));
            return;
        default:
            QWidget::keyPressEvent(event);
    }
}

void LadderCanvas::wheelEvent(QWheelEvent* event) {
    if (event->modifiers() & Qt::ControlModifier) {
        emit zoomRequested(event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15);
        event->accept();
        return;
    }
    QWidget::wheelEvent(event);
}

void LadderCanvas::contextMenuEvent(QContextMenuEvent* event) {
    if (!m_layout) return;
    const int lane = m_geometry.laneAt(event->pos().x() / m_zoom);
    if (lane >= 0) emit laneMenuRequested(lane, event->globalPos());
}

void LadderCanvas::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) relayout();
    QWidget::changeEvent(event);
}

QString LadderCanvas::tooltipFor(int row) const {
    const auto& r = m_layout->rows[static_cast<std::size_t>(row)];
    const auto& m = m_input->messages[r.message];
    QString text = QStringLiteral("<b>%1</b><br>#%2 · %3 · %4<br>%5 → %6")
                       .arg(qs(r.label).toHtmlEscaped())
                       .arg(r.id)
                       .arg(qs(r.time).toHtmlEscaped(), qs(m.transport).toUpper(),
                            qs(m.src).toHtmlEscaped(), qs(m.dst).toHtmlEscaped());
    if (!r.detail.empty()) text += QStringLiteral("<br>SDP: %1").arg(qs(r.detail).toHtmlEscaped());
    if (r.retransmission)
        text += QStringLiteral("<br><i>retransmission of #%1</i>").arg(r.original);
    if (r.duplicate) text += QStringLiteral("<br><i>duplicate of #%1</i>").arg(r.original);
    for (const auto& a : r.anomalies)
        text += QStringLiteral("<br><span style='color:#d32f2f'>⚠ %1</span>")
                    .arg(qs(a).toHtmlEscaped());
    return text;
}

bool LadderCanvas::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip && m_layout) {
        auto* help = static_cast<QHelpEvent*>(event);
        const double y = help->pos().y() / m_zoom;
        if (m_geometry.inHeader(y)) {
            const int lane = m_geometry.laneAt(help->pos().x() / m_zoom);
            if (lane >= 0) {
                const auto& l = m_layout->lanes[static_cast<std::size_t>(lane)];
                QStringList eps;
                for (const auto& e : l.endpoints) eps << qs(e);
                QToolTip::showText(help->globalPos(),
                                   QStringLiteral("%1 (%2)\n%3\n%4\nRight-click: hide or merge")
                                       .arg(qs(l.name), qs(l.role), eps.join(QStringLiteral(", ")),
                                            qs(l.userAgent)),
                                   this);
                return true;
            }
        }
        const QPointF at(help->pos().x() / m_zoom, y);
        if (const int bar = m_geometry.mediaAt(at); bar >= 0 && m_input) {
            const auto& b = m_geometry.media[static_cast<std::size_t>(bar)];
            QToolTip::showText(help->globalPos(), streamTooltip(m_input->streams[b.stream]), this);
            return true;
        }
        const int row = m_geometry.rowAt(y);
        if (row >= 0)
            QToolTip::showText(help->globalPos(), tooltipFor(row), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

}  // namespace sipscope::gui
