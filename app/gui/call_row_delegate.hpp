#pragma once
// Painting of the call list's cells. Qt's default delegate lays every cell's text out again on
// each repaint (style option, text layout, elision, style primitives), which dominated scrolling
// over a million calls; this one keeps each distinct text's prepared layout (QStaticText) and
// each icon's pixmap, and paints background, selection, icon and text itself. Colour is never the
// only cue: the state column keeps its icon (state_style.hpp).

#include <QFont>
#include <QHash>
#include <QPixmap>
#include <QStaticText>
#include <QStyledItemDelegate>
#include <deque>

namespace sipscope::gui {

class CallRowDelegate : public QStyledItemDelegate {
    Q_OBJECT

  public:
    explicit CallRowDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;

    // Prepared texts held (tests look at the cache), at most kMaxTexts: several screens of
    // cells, so scrolling back a few pages finds its texts prepared, in a few megabytes.
    static constexpr int kMaxTexts = 8192;
    int cachedTexts() const;

  private:
    // Texts recently drawn, at most kMaxTexts. Scrolling a million calls shows new Call-IDs and
    // times on every page, so the cache turns over all the time: it evicts one text per text
    // added (second chance: a text drawn since its last turn goes round again), never a large
    // batch at once, which would stall the frame that frees it.
    struct Prepared {
        QStaticText text;
        qreal width = 0;
        mutable bool used = false;
    };
    struct Key {
        QString text;
        int width;  // the cell's room for an elided text; -1 for the whole text
        friend bool operator==(const Key& a, const Key& b) {
            return a.width == b.width && a.text == b.text;
        }
        friend size_t qHash(const Key& k, size_t seed = 0) {
            return qHashMulti(seed, k.text, k.width);
        }
    };

    // The prepared layout of `text` no wider than `width` (elided at the right when needed).
    const Prepared& prepared(const QString& text, const QFont& font, int width) const;
    const Prepared& lookup(const Key& key, const QFont& font) const;
    const QPixmap& iconPixmap(const QIcon& icon, int side, qreal dpr) const;
    void paintText(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index,
                   const QRect& room, bool selected) const;

    mutable QFont m_font;
    mutable QHash<Key, Prepared> m_texts;
    mutable std::deque<Key> m_order;                     // eviction order
    mutable QHash<QPair<qint64, int>, QPixmap> m_icons;  // by icon, side and pixel ratio
};

}  // namespace sipscope::gui
