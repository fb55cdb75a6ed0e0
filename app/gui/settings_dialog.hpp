#pragma once
// Preferences: the analysis timers (T1, T2, T4) and extra SIP ports used by the next import,
// the B2BUA correlation window, the theme (system, light or dark) and the font size. Stored
// with QSettings; importOptions() turns them into what the importer takes.

#include <QDialog>

#include "column_settings.hpp"
#include "store/importer.hpp"

class QComboBox;
class QLineEdit;
class QSpinBox;
class QLabel;
class QPushButton;
class QFormLayout;

namespace sipscope::gui {

struct AppSettings {
    int t1Ms = 500, t2Ms = 4000, t4Ms = 5000, b2buaWindowMs = 2000;
    QList<quint16> sipPorts{5060, 5061, 5080};
    QString theme = QStringLiteral("system");  // system, light, dark
    double fontPoints = 0;                     // 0: the system default

    static AppSettings load();
    void save() const;
    analyzer::store::ImportOptions importOptions() const;
};

// Parses "5060, 5061 5080": false and `error` for anything that is not a port.
bool parsePortList(const QString& text, QList<quint16>& out, QString* error);
// Applies the theme and font to the application (Fusion with a dark palette for "dark").
void applyAppearance(const AppSettings& settings);

class SettingsDialog : public QDialog {
    Q_OBJECT
  public:
    explicit SettingsDialog(const AppSettings& current, QWidget* parent = nullptr);
    AppSettings settings() const;  // valid when accepted
    QString portsError() const;
    QLineEdit* portsEdit() const { return m_ports; }
    // Adds the call list's columns to the dialog (the main window's list; none in tests that
    // do not need them). After accept, columns() holds the user's choice.
    void setColumns(const QList<ColumnSetting>& columns);
    QList<ColumnSetting> columns() const;
    ColumnSettings* columnEditor() const { return m_columns; }

  private:
    void validate();

    QSpinBox *m_t1 = nullptr, *m_t2 = nullptr, *m_t4 = nullptr, *m_b2bua = nullptr;
    QSpinBox* m_font = nullptr;
    QLineEdit* m_ports = nullptr;
    QLabel* m_portsError = nullptr;
    QComboBox* m_theme = nullptr;
    QPushButton* m_okButton = nullptr;
    QFormLayout* m_form = nullptr;
    ColumnSettings* m_columns = nullptr;
    AppSettings m_base;
};

}  // namespace sipscope::gui
