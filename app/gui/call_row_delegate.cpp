#include "call_row_delegate.hpp"

#include <QAbstractItemView>
#include <QApplication>
#include <QIcon>
#include <QPaintDevice>
#include <QPainter>
#include <algorithm>

namespace sipscope::gui {

namespace {

constexpr int kMargin = 4;  // left/right text margin inside a cell
constexpr qsizetype kMaxIcons = 64;

QStaticText staticText(const QString& text, const QFont& font) {
    QStaticText s(text);
    s.setTextFormat(Qt::PlainText);
    s.setPerformanceHint(QStaticText::AggressiveCaching);
    s.prepare(QTransform(), font);
    return s;
}

QColor foreground(const QVariant& fg, const QColor& otherwise) {
    if (fg.userType() == QMetaType::QColor) return qvariant_cast<QColor>(fg);
    if (fg.canConvert<QBrush>()) return qvariant_cast<QBrush>(fg).color();
    return otherwise;
}

}  // namespace

CallRowDelegate::CallRowDelegate(QObject* parent) : QStyledItemDelegate(parent) {}

int CallRowDelegate::cachedTexts() const {
    return static_cast<int>(m_texts.size());
}

const CallRowDelegate::Prepared& CallRowDelegate::lookup(const Key& key, const QFont& font) const {
    if (font != m_font) {
        m_font = font;
        m_texts.clear();
        m_order.clear();
    }
    if (auto it = m_texts.constFind(key); it != m_texts.cend()) {
        it->used = true;
        return *it;
    }
    while (m_texts.size() >= kMaxTexts && !m_order.empty()) {
        auto oldest = m_texts.find(m_order.front());
        m_order.pop_front();
        if (oldest == m_texts.end()) continue;
        if (!oldest->used) {
            m_texts.erase(oldest);
            break;
        }
        oldest->used = false;
        m_order.push_back(oldest.key());
    }
    Prepared p;
    const QString shown = key.width < 0
                              ? key.text
                              : QFontMetrics(font).elidedText(key.text, Qt::ElideRight, key.width);
    p.text = staticText(shown, font);
    p.width = p.text.size().width();
    m_order.push_back(key);
    return *m_texts.insert(key, std::move(p));
}

const CallRowDelegate::Prepared& CallRowDelegate::prepared(const QString& text, const QFont& font,
                                                           int width) const {
    const Prepared& whole = lookup({text, -1}, font);
    if (whole.width <= width) return whole;
    return lookup({text, width}, font);  // `whole` may be gone: not used past this line
}

const QPixmap& CallRowDelegate::iconPixmap(const QIcon& icon, int side, qreal dpr) const {
    const QPair<qint64, int> key(icon.cacheKey(), side * 64 + qRound(dpr * 8));
    if (auto it = m_icons.constFind(key); it != m_icons.cend()) return *it;
    if (m_icons.size() >= kMaxIcons) m_icons.clear();
    return *m_icons.insert(key, icon.pixmap(QSize(side, side), dpr));
}

void CallRowDelegate::paintText(QPainter* painter, const QStyleOptionViewItem& option,
                                const QModelIndex& index, const QRect& room, bool selected) const {
    const QString text = index.data(Qt::DisplayRole).toString();
    if (text.isEmpty() || room.width() <= 0) return;
    const QPalette::ColorGroup group =
        option.state & QStyle::State_Active ? QPalette::Active : QPalette::Inactive;
    const QColor color = selected ? option.palette.color(group, QPalette::HighlightedText)
                                  : foreground(index.data(Qt::ForegroundRole),
                                               option.palette.color(group, QPalette::Text));
    const Prepared& s = prepared(text, option.font, room.width());
    const auto align = Qt::Alignment(index.data(Qt::TextAlignmentRole).toInt());
    const qreal x = (align & Qt::AlignRight) ? room.right() + 1 - s.width : room.left();
    const qreal y = room.top() + (room.height() - s.text.size().height()) / 2;
    // QPainter::setFont resolves the font against the device on every call; the static text
    // is laid out again when the painter's font differs from the one it was prepared with.
    if (painter->font() != option.font) painter->setFont(option.font);
    if (painter->pen().color() != color || painter->pen().style() != Qt::SolidLine)
        painter->setPen(color);
    painter->drawStaticText(QPointF(x, y), s.text);
}

// The painter's pen and font are left as the last cell set them (the view sets its own before
// drawing anything else), which spares a save()/restore() pair per cell.
void CallRowDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                            const QModelIndex& index) const {
    const QPalette& pal = option.palette;
    const bool selected = option.state & QStyle::State_Selected;
    const QPalette::ColorGroup group =
        option.state & QStyle::State_Active ? QPalette::Active : QPalette::Inactive;
    if (selected) {
        painter->fillRect(option.rect, pal.brush(group, QPalette::Highlight));
    } else if (option.features & QStyleOptionViewItem::Alternate) {
        painter->fillRect(option.rect, pal.brush(group, QPalette::AlternateBase));
    }
    QRect room = option.rect.adjusted(kMargin, 0, -kMargin, 0);
    if (const QVariant decoration = index.data(Qt::DecorationRole);
        decoration.isValid() && decoration.canConvert<QIcon>()) {
        const int side = std::min(room.height() - 2, 16);
        const qreal dpr = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
        const QPixmap& pixmap = iconPixmap(qvariant_cast<QIcon>(decoration), side, dpr);
        painter->drawPixmap(QRect(room.left(), room.top() + (room.height() - side) / 2, side, side),
                            pixmap);
        room.setLeft(room.left() + side + kMargin);
    }
    paintText(painter, option, index, room, selected);
    if (option.state & QStyle::State_HasFocus) {
        // The keyboard's cell: a thin outline in the highlight colour (not colour-only: the
        // row is also selected).
        painter->save();
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(pal.color(group, QPalette::Highlight).darker(130), 1, Qt::DotLine));
        painter->drawRect(option.rect.adjusted(0, 0, -1, -1));
        painter->restore();
    }
}

}  // namespace sipscope::gui
