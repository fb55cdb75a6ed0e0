#pragma once
// "Live capture" dialog: interfaces as the privileged helper lists them, a BPF filter checked
// while it is typed (libpcap's own message under the field), snap length and promiscuous mode.

#include <QDialog>

#include "live_capture.hpp"

class QDialogButtonBox;
class QCheckBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;

namespace sipscope::gui {

class LiveCaptureDialog : public QDialog {
    Q_OBJECT
  public:
    // Lists the interfaces through `helper`; an error is shown in the dialog.
    explicit LiveCaptureDialog(const QString& helper, QWidget* parent = nullptr);

    LiveCaptureOptions options() const;
    void setOptions(const LiveCaptureOptions& options);
    QListWidget* interfaceList() const { return m_interfaces; }
    QLineEdit* filterEdit() const { return m_filter; }
    QString filterError() const;
    bool canStart() const;  // an interface is checked and the filter compiles

  private:
    void validate();

    QListWidget* m_interfaces = nullptr;
    QLineEdit* m_filter = nullptr;
    QLabel* m_filterError = nullptr;
    QLabel* m_listError = nullptr;
    QSpinBox* m_snaplen = nullptr;
    QCheckBox* m_promisc = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
};

}  // namespace sipscope::gui
