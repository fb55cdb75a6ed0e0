#pragma once
// The ladder drawn at its full size inside a scroll area: selection (click, Up/Down), hover
// tooltips, Ctrl+wheel zoom, and a context menu on lane headers (hide, merge) that the panel
// turns into layout options.

#include <QWidget>
#include <optional>

#include "ladder_painter.hpp"

namespace sipscope::gui {

class LadderCanvas : public QWidget {
    Q_OBJECT
  public:
    explicit LadderCanvas(QWidget* parent = nullptr);

    // Both stay owned by the caller and must outlive the next setLadder().
    void setLadder(const analyzer::LadderLayout* layout, const analyzer::LadderInput* input,
                   bool proportional);
    void setZoom(double zoom);
    double zoom() const { return m_zoom; }
    int selectedRow() const { return m_selected; }
    void selectRow(int row);  // -1: none
    const LadderGeometry& geometry() const { return m_geometry; }
    // RTP stream bars (the input's streams) shown or not.
    void setMediaVisible(bool on);
    bool mediaVisible() const { return m_mediaVisible; }
    // The player's position: a line across the ladder at that time; nullopt hides it.
    void setCursorTime(std::optional<std::int64_t> ns);
    std::optional<std::int64_t> cursorTime() const { return m_cursorNs; }
    double cursorY() const;  // unscaled, where the cursor line is drawn
    QSize sizeHint() const override;

  signals:
    void rowSelected(int row);
    void laneMenuRequested(int lane, const QPoint& globalPos);
    void zoomRequested(double factor);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    bool event(QEvent* event) override;
    void changeEvent(QEvent* event) override;

  private:
    QString tooltipFor(int row) const;
    void paintCursor(QPainter& p) const;
    void relayout();

    const analyzer::LadderLayout* m_layout = nullptr;
    const analyzer::LadderInput* m_input = nullptr;
    bool m_proportional = false;
    double m_zoom = 1.0;
    int m_selected = -1;
    bool m_mediaVisible = true;
    std::optional<std::int64_t> m_cursorNs;
    LadderStyle m_style;
    LadderGeometry m_geometry;
};

}  // namespace sipscope::gui
