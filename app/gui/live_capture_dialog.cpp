#include "live_capture_dialog.hpp"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sipscope::gui {

LiveCaptureDialog::LiveCaptureDialog(const QString& helper, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Live capture"));
    auto* v = new QVBoxLayout(this);
    v->addWidget(new QLabel(tr("Interfaces (opened by %1, which holds the capture privileges):")
                                .arg(QStringLiteral("sipscope-capture"))));
    m_interfaces = new QListWidget(this);
    m_interfaces->setMinimumHeight(140);
    v->addWidget(m_interfaces);
    m_listError = new QLabel(this);
    m_listError->setWordWrap(true);
    m_listError->setStyleSheet(QStringLiteral("color: #d32f2f"));
    m_listError->hide();
    v->addWidget(m_listError);
    auto* form = new QFormLayout;
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(QStringLiteral("udp port 5060 or tcp port 5060 or port 5061"));
    m_filter->setClearButtonEnabled(true);
    form->addRow(tr("Capture filter (BPF):"), m_filter);
    m_filterError = new QLabel(this);
    m_filterError->setStyleSheet(QStringLiteral("color: #d32f2f"));
    m_filterError->setWordWrap(true);
    form->addRow(QString(), m_filterError);
    m_snaplen = new QSpinBox(this);
    m_snaplen->setRange(64, 262144);
    m_snaplen->setValue(262144);
    m_snaplen->setSuffix(tr(" bytes"));
    form->addRow(tr("Snap length:"), m_snaplen);
    m_promisc = new QCheckBox(tr("Promiscuous mode"), this);
    m_promisc->setChecked(true);
    form->addRow(QString(), m_promisc);
    v->addLayout(form);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Start capture"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    v->addWidget(m_buttons);

    QList<CaptureInterface> list;
    QString error;
    if (helper.isEmpty()) {
        error = tr("sipscope-capture was not found beside sipscope or on PATH.");
    } else if (!listCaptureInterfaces(helper, list, &error)) {
        error = tr("Cannot list interfaces: %1").arg(error);
    }
    for (const auto& i : list) {
        QString text = i.name;
        if (!i.description.isEmpty()) text += QStringLiteral(" — ") + i.description;
        if (!i.addresses.isEmpty()) text += QStringLiteral("  (") + i.addresses + QLatin1Char(')');
        if (!i.up) text += tr("  [down]");
        auto* item = new QListWidgetItem(text, m_interfaces);
        item->setData(Qt::UserRole, i.name);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    if (!error.isEmpty()) {
        m_listError->setText(error);
        m_listError->show();
    }
    connect(m_interfaces, &QListWidget::itemChanged, this, &LiveCaptureDialog::validate);
    connect(m_filter, &QLineEdit::textChanged, this, &LiveCaptureDialog::validate);
    QSettings s;
    LiveCaptureOptions last;
    last.interfaces = s.value(QStringLiteral("capture/interfaces")).toStringList();
    last.filter = s.value(QStringLiteral("capture/filter")).toString();
    last.snaplen = s.value(QStringLiteral("capture/snaplen"), 262144).toInt();
    last.promiscuous = s.value(QStringLiteral("capture/promiscuous"), true).toBool();
    setOptions(last);
    connect(this, &QDialog::accepted, this, [this] {
        QSettings s;
        const auto o = options();
        s.setValue(QStringLiteral("capture/interfaces"), o.interfaces);
        s.setValue(QStringLiteral("capture/filter"), o.filter);
        s.setValue(QStringLiteral("capture/snaplen"), o.snaplen);
        s.setValue(QStringLiteral("capture/promiscuous"), o.promiscuous);
    });
    validate();
}

LiveCaptureOptions LiveCaptureDialog::options() const {
    LiveCaptureOptions o;
    for (int r = 0; r < m_interfaces->count(); ++r)
        if (m_interfaces->item(r)->checkState() == Qt::Checked)
            o.interfaces << m_interfaces->item(r)->data(Qt::UserRole).toString();
    o.filter = m_filter->text().trimmed();
    o.snaplen = m_snaplen->value();
    o.promiscuous = m_promisc->isChecked();
    return o;
}

void LiveCaptureDialog::setOptions(const LiveCaptureOptions& o) {
    for (int r = 0; r < m_interfaces->count(); ++r) {
        auto* item = m_interfaces->item(r);
        item->setCheckState(o.interfaces.contains(item->data(Qt::UserRole).toString())
                                ? Qt::Checked
                                : Qt::Unchecked);
    }
    m_filter->setText(o.filter);
    m_snaplen->setValue(o.snaplen);
    m_promisc->setChecked(o.promiscuous);
    validate();
}

QString LiveCaptureDialog::filterError() const {
    return m_filterError->text();
}

bool LiveCaptureDialog::canStart() const {
    return m_buttons->button(QDialogButtonBox::Ok)->isEnabled();
}

void LiveCaptureDialog::validate() {
    const QString error = checkCaptureFilter(m_filter->text());
    m_filterError->setText(error);
    m_filterError->setVisible(!error.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)
        ->setEnabled(error.isEmpty() && !options().interfaces.isEmpty());
}

}  // namespace sipscope::gui
