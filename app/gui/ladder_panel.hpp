#pragma once
// The ladder pane: a toolbar (time column mode, compact or time-proportional rows, zoom, find,
// export PNG/SVG/PDF, copy as text or Mermaid, show hidden lanes) over the scrolling canvas.
// Lanes are hidden or merged from their header's context menu; those choices stay while other
// calls are opened, so an SBC's merged addresses stay merged.

#include <QWidget>

#include "ladder/ladder_layout.hpp"

class QComboBox;
class QLineEdit;
class QScrollArea;
class QToolBar;
class QToolButton;
class QLabel;

namespace sipscope::gui {

class LadderCanvas;

class LadderPanel : public QWidget {
    Q_OBJECT
  public:
    explicit LadderPanel(QWidget* parent = nullptr);

    void setInput(analyzer::LadderInput input);
    // The same calls again, grown (a call in progress): zoom, scrolling, selection and lane
    // choices stay as the user left them.
    void updateInput(analyzer::LadderInput input);
    void clear();
    const analyzer::LadderInput& input() const { return m_input; }
    const analyzer::LadderLayout& layout() const { return m_layout; }
    analyzer::LadderOptions& options() { return m_options; }
    void relayout();  // after options() changed
    void fitWidth();  // zoom out a ladder wider than the pane (not below 60 %)
    bool proportional() const { return m_proportional; }
    void setProportional(bool on);
    // The "Media" toggle: RTP stream bars on the ladder and in exports.
    void setMediaVisible(bool on);
    bool mediaVisible() const;
    LadderCanvas* canvas() const { return m_canvas; }

    bool exportTo(const QString& path, QString* error = nullptr) const;
    QString asText() const;
    QString asMermaid() const;
    bool selectMessage(std::uint64_t id);
    void selectRow(int row);         // by layout row
    bool find(const QString& text);  // next row after the selection whose text contains it

    void hideLane(int lane);
    void mergeLanes(int lane, int into);
    void showAllLanes();

  signals:
    // The selected arrow's message (index in input().messages), or -1 when none.
    void messageSelected(int inputIndex);

  private:
    void buildToolbar(QToolBar* bar);
    void laneMenu(int lane, const QPoint& globalPos);
    void exportDialog();
    void onRowSelected(int row);

    analyzer::LadderInput m_input;
    analyzer::LadderOptions m_options;
    analyzer::LadderLayout m_layout;
    bool m_proportional = false;
    LadderCanvas* m_canvas = nullptr;
    QScrollArea* m_scroll = nullptr;
    QComboBox* m_timeMode = nullptr;
    QLineEdit* m_find = nullptr;
    QLabel* m_summary = nullptr;
    QToolButton* m_media = nullptr;
};

}  // namespace sipscope::gui
