#pragma once
// Loss and jitter over time of RTP streams, two stacked plots sharing one time axis (seconds
// since the call's first message, like the ladder's relative time column). Each stream has its
// own colour, dash and marker shape, named in a legend, so the two directions stay apart in
// light and dark palettes and in print.

#include <QPointF>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <optional>
#include <vector>

#include "media_model.hpp"

namespace sipscope::gui {

struct PlotSeries {
    QString name;                 // "192.0.2.10:40000 → 198.51.100.20:50000"
    std::vector<QPointF> loss;    // (Unix second, lost / expected in %) per stored second
    std::vector<QPointF> jitter;  // (Unix second, jitter ms at its end)

    static PlotSeries fromStream(const MediaStreamData& stream);
};

class MediaPlot : public QWidget {
    Q_OBJECT
  public:
    explicit MediaPlot(QWidget* parent = nullptr);

    // The time axis: from `originNs` (0 s, the call's first message) to `endNs`.
    void setTimeRange(std::int64_t originNs, std::int64_t endNs);
    void setSeries(std::vector<PlotSeries> series);
    const std::vector<PlotSeries>& series() const { return m_series; }
    std::int64_t originNs() const { return m_originNs; }
    // The playing position as a vertical line (nullopt: none).
    void setCursorTime(std::optional<std::int64_t> ns);

    QSize sizeHint() const override { return {520, 260}; }
    QSize minimumSizeHint() const override { return {240, 160}; }

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    void paintPlot(QPainter& p, const QRectF& area, bool loss, double yMax) const;
    double xOf(const QRectF& area, double unixSecond) const;

    std::vector<PlotSeries> m_series;
    std::int64_t m_originNs = 0, m_endNs = 0;
    std::optional<std::int64_t> m_cursorNs;
};

}  // namespace sipscope::gui
