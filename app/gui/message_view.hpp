#pragma once
// One SIP message: a caption, the raw bytes (coloured, malformed parts underlined with the
// parser's explanation as tooltip) and the decoded structure as a tree (start line, headers with
// their typed parts, SDP body, errors). Selecting a tree item selects its bytes in the raw view.

#include <QByteArray>
#include <QString>
#include <QWidget>

#include "sip_highlighter.hpp"

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QSplitter;
class QModelIndex;
class QStandardItemModel;
class QTreeView;

namespace sipscope::gui {

class MessageView : public QWidget {
    Q_OBJECT
  public:
    // Field-column data of the tree model: the byte range [start, end) of the message the item came
    // from.
    static constexpr int kByteStartRole = Qt::UserRole + 1;
    static constexpr int kByteEndRole = Qt::UserRole + 2;

    explicit MessageView(QWidget* parent = nullptr);

    void showMessage(const QByteArray& raw, const QString& caption);
    void clear();

    void setLineWrap(bool wrap);
    bool lineWrap() const;

    // Character position in rawView()'s document of a byte offset of the shown message.
    int characterPosition(qsizetype byteOffset) const;
    QPlainTextEdit* rawView() const noexcept { return m_raw; }
    QTreeView* decodedTree() const noexcept { return m_tree; }
    QStandardItemModel* decodedModel() const noexcept { return m_model; }
    SipHighlighter* highlighter() const noexcept { return m_highlighter; }

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    void selectBytesOf(const QModelIndex& index);
    void resetTree();

    QLabel* m_caption = nullptr;
    QLabel* m_summary = nullptr;
    QCheckBox* m_wrap = nullptr;
    QSplitter* m_splitter = nullptr;
    QPlainTextEdit* m_raw = nullptr;
    QTreeView* m_tree = nullptr;
    QStandardItemModel* m_model = nullptr;
    SipHighlighter* m_highlighter = nullptr;
    MessageText m_text;
};

}  // namespace sipscope::gui
