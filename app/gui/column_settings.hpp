#pragma once
// The call list's columns in the Settings dialog: every column with a check box (shown or
// hidden), and the header columns (any header of the call's initial request) added or removed
// by name. The same choices the list's header menu offers, in one place.

#include <QList>
#include <QString>
#include <QWidget>

class QListWidget;
class QLineEdit;
class QPushButton;

namespace sipscope::gui {

struct ColumnSetting {
    QString name;
    bool visible = true;
    bool header = false;  // a header column (removable), not one of the fixed ones
    bool operator==(const ColumnSetting&) const = default;
};

class ColumnSettings : public QWidget {
    Q_OBJECT
  public:
    explicit ColumnSettings(QWidget* parent = nullptr);

    void setColumns(const QList<ColumnSetting>& columns);
    QList<ColumnSetting> columns() const;
    // Adds a header column by name (false when empty or already listed).
    bool addHeader(const QString& name);

  private:
    void updateButtons();

    QListWidget* m_list = nullptr;
    QLineEdit* m_header = nullptr;
    QPushButton *m_add = nullptr, *m_remove = nullptr;
};

}  // namespace sipscope::gui
