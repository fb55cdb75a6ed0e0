#pragma once
// Final response codes as bars: one bar per code, coloured by class (2xx ... 6xx), its count
// above it, and a legend with the total per class. Colours follow the palette's lightness.

#include <QColor>
#include <QWidget>
#include <cstdint>
#include <map>

namespace sipscope::gui {

class CodeHistogram : public QWidget {
    Q_OBJECT
  public:
    explicit CodeHistogram(QWidget* parent = nullptr);

    // `unanswered`: exchanges without any final response (timeouts, in progress), drawn last.
    void setCounts(const std::map<int, std::uint32_t>& finalCodes, std::uint32_t unanswered = 0);
    const std::map<int, std::uint32_t>& counts() const noexcept { return m_counts; }
    std::uint32_t unanswered() const noexcept { return m_unanswered; }

    // Colour of a code's class (0: no final response) on this widget's palette.
    QColor classColor(int code) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    struct Bar {
        QString label;
        std::uint32_t count = 0;
        int code = 0;
    };
    std::vector<Bar> bars() const;
    int paintLegend(QPainter& p, const QRect& area) const;  // returns its height
    void paintBars(QPainter& p, const QRect& area) const;

    std::map<int, std::uint32_t> m_counts;
    std::uint32_t m_unanswered = 0;
};

}  // namespace sipscope::gui
