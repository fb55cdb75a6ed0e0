#pragma once
// Painting of the call list's cells. Qt's default delegate lays every cell's text out again on
// each repaint (style option, text layout, elision), which dominated scrolling over a million
// calls; this one keeps each distinct text's prepared layout (QStaticText) and width, and paints
// background, selection, icon and text itself. Colour is never the only cue: the state column
// keeps its icon (state_style.hpp).

#include <QFont>
#include <QHash>
#include <QStaticText>
#include <QStyledItemDelegate>

namespace sipscope::gui {

class CallRowDelegate : public QStyledItemDelegate {
    Q_OBJECT

  public:
    explicit CallRowDelegate(QObject* parent = nullptr);

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;

    // Prepared texts held (tests and the benchmark look at the cache).
    int cachedTexts() const { return static_cast<int>(m_texts.size() + m_elided.size()); }

  private:
    // The prepared layout of `text` no wider than `width` (elided at the right when needed).
    const QStaticText& prepared(const QString& text, const QFont& font, int width) const;

    mutable QFont m_font;
    mutable QHash<QString, QStaticText> m_texts;
    mutable QHash<QPair<QString, int>, QStaticText> m_elided;
};

}  // namespace sipscope::gui
