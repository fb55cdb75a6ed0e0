#pragma once
// The call list's view: a QTableView over CallListModel with uniform row heights (a million
// rows scroll without measuring them), sorting by clicking a column, and a header context menu
// to show/hide/reorder columns and to add a column for any header of the initial request
// (e.g. X-CID, P-Asserted-Identity). The layout is saved and restored with QSettings. Cells are
// painted by CallRowDelegate alone (no style panel under each cell), so a repaint stays well
// under a frame (bench_gui).

#include <QTableView>

#include "column_settings.hpp"

namespace sipscope::gui {

class CallListModel;

class CallTable : public QTableView {
    Q_OBJECT
  public:
    explicit CallTable(CallListModel* model, QWidget* parent = nullptr);

    void saveLayout() const;  // to QSettings
    void restoreLayout();     // from QSettings (header columns too)
    void addHeaderColumn(const QString& name);
    // The columns in display order with their visibility, for the Settings dialog, and
    // applying its choice (header columns added/removed by name).
    QList<ColumnSetting> columnSettings() const;
    void applyColumnSettings(const QList<ColumnSetting>& columns);
    std::vector<qint64> selectedCallRows() const;

  signals:
    void callsSelected(const std::vector<qint64>& callRows);

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    void headerMenu(const QPoint& pos);

    CallListModel* m_model;
    std::vector<qint64> m_keep;  // selected calls across a model reset
};

}  // namespace sipscope::gui
