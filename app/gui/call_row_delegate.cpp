#include "call_row_delegate.hpp"

#include <QAbstractItemView>
#include <QApplication>
#include <QIcon>
#include <QPainter>

namespace sipscope::gui {

namespace {

constexpr int kMargin = 4;         // left/right text margin inside a cell
constexpr int kMaxCached = 40000;  // distinct texts kept before the cache starts over

QStaticText staticText(const QString& text, const QFont& font) {
    QStaticText s(text);
    s.setTextFormat(Qt::PlainText);
    s.setPerformanceHint(QStaticText::AggressiveCaching);
    s.prepare(QTransform(), font);
    return s;
}

}  // namespace

CallRowDelegate::CallRowDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

const QStaticText& CallRowDelegate::prepared(const QString& text, const QFont& font,
                                             int width) const {
    if (font != m_font || m_texts.size() + m_elided.size() > kMaxCached) {
        m_font = font;
        m_texts.clear();
        m_elided.clear();
    }
    auto it = m_texts.find(text);
    if (it == m_texts.end()) it = m_texts.insert(text, staticText(text, font));
    if (it->size().width() <= width) return *it;
    const QPair<QString, int> key(text, width);
    auto e = m_elided.find(key);
    if (e == m_elided.end()) {
        const QString elided = QFontMetrics(font).elidedText(text, Qt::ElideRight, width);
        e = m_elided.insert(key, staticText(elided, font));
    }
    return *e;
}

void CallRowDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                            const QModelIndex& index) const {
    const QModelIndex& i = index;
    const QPalette& pal = option.palette;
    const bool selected = option.state & QStyle::State_Selected;
    const bool active = option.state & QStyle::State_Active;
    const QPalette::ColorGroup group = active ? QPalette::Active : QPalette::Inactive;
    painter->save();
    if (selected) {
        painter->fillRect(option.rect, pal.brush(group, QPalette::Highlight));
    } else if (option.features & QStyleOptionViewItem::Alternate) {
        painter->fillRect(option.rect, pal.brush(group, QPalette::AlternateBase));
    }
    QRect r = option.rect.adjusted(kMargin, 0, -kMargin, 0);
    const QVariant decoration = i.data(Qt::DecorationRole);
    if (decoration.canConvert<QIcon>()) {
        const int side = std::min(r.height() - 2, 16);
        const QIcon icon = qvariant_cast<QIcon>(decoration);
        icon.paint(painter, QRect(r.left(), r.top() + (r.height() - side) / 2, side, side));
        r.setLeft(r.left() + side + kMargin);
    }
    const QString text = i.data(Qt::DisplayRole).toString();
    if (!text.isEmpty() && r.width() > 0) {
        QColor color = pal.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
        if (!selected) {
            const QVariant fg = i.data(Qt::ForegroundRole);
            if (fg.canConvert<QColor>())
                color = qvariant_cast<QColor>(fg);
            else if (fg.canConvert<QBrush>())
                color = qvariant_cast<QBrush>(fg).color();
        }
        const QStaticText& s = prepared(text, option.font, r.width());
        const auto align = Qt::Alignment(i.data(Qt::TextAlignmentRole).toInt());
        const qreal x = (align & Qt::AlignRight) ? r.right() + 1 - s.size().width() : r.left();
        const qreal y = r.top() + (r.height() - s.size().height()) / 2;
        painter->setFont(option.font);
        painter->setPen(color);
        painter->drawStaticText(QPointF(x, y), s);
    }
    if (option.state & QStyle::State_HasFocus) {
        // The keyboard's cell: a thin outline in the highlight colour (not colour-only: the
        // row is also selected).
        painter->setPen(QPen(pal.color(group, QPalette::Highlight).darker(130), 1, Qt::DotLine));
        painter->drawRect(option.rect.adjusted(0, 0, -1, -1));
    }
    painter->restore();
}

}  // namespace sipscope::gui
