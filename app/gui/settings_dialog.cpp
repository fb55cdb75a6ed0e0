#include "settings_dialog.hpp"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStyle>
#include <QStyleFactory>

namespace sipscope::gui {

AppSettings AppSettings::load() {
    QSettings s;
    AppSettings a;
    a.t1Ms = s.value(QStringLiteral("analysis/t1Ms"), a.t1Ms).toInt();
    a.t2Ms = s.value(QStringLiteral("analysis/t2Ms"), a.t2Ms).toInt();
    a.t4Ms = s.value(QStringLiteral("analysis/t4Ms"), a.t4Ms).toInt();
    a.b2buaWindowMs = s.value(QStringLiteral("analysis/b2buaWindowMs"), a.b2buaWindowMs).toInt();
    if (s.contains(QStringLiteral("analysis/sipPorts"))) {
        QList<quint16> ports;
        if (parsePortList(s.value(QStringLiteral("analysis/sipPorts")).toString(), ports, nullptr))
            a.sipPorts = ports;
    }
    a.theme = s.value(QStringLiteral("view/theme"), a.theme).toString();
    a.fontPoints = s.value(QStringLiteral("view/fontSize"), 0.0).toDouble();
    return a;
}

void AppSettings::save() const {
    QSettings s;
    s.setValue(QStringLiteral("analysis/t1Ms"), t1Ms);
    s.setValue(QStringLiteral("analysis/t2Ms"), t2Ms);
    s.setValue(QStringLiteral("analysis/t4Ms"), t4Ms);
    s.setValue(QStringLiteral("analysis/b2buaWindowMs"), b2buaWindowMs);
    QStringList ports;
    for (quint16 p : sipPorts) ports << QString::number(p);
    s.setValue(QStringLiteral("analysis/sipPorts"), ports.join(QStringLiteral(", ")));
    s.setValue(QStringLiteral("view/theme"), theme);
    s.setValue(QStringLiteral("view/fontSize"), fontPoints);
}

analyzer::store::ImportOptions AppSettings::importOptions() const {
    analyzer::store::ImportOptions o;
    auto& timers = o.tracker.observer.timers;
    timers.t1 = std::chrono::milliseconds(t1Ms);
    timers.t2 = std::chrono::milliseconds(t2Ms);
    timers.t4 = std::chrono::milliseconds(t4Ms);
    o.tracker.b2buaWindow = std::chrono::milliseconds(b2buaWindowMs);
    o.pipeline.sipPorts.assign(sipPorts.begin(), sipPorts.end());
    return o;
}

bool parsePortList(const QString& text, QList<quint16>& out, QString* error) {
    out.clear();
    for (const QString& part :
         text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
        bool ok = false;
        const uint port = part.toUInt(&ok);
        if (!ok || port == 0 || port > 65535) {
            if (error) *error = QObject::tr("'%1' is not a port (1-65535)").arg(part);
            return false;
        }
        if (!out.contains(static_cast<quint16>(port))) out << static_cast<quint16>(port);
    }
    return true;
}

void applyAppearance(const AppSettings& a) {
    static const QPalette systemPalette = QApplication::palette();
    static const QString systemStyle = QApplication::style()->name();
    if (a.theme == QLatin1String("dark")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette p;
        const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, window);
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, window);
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::ToolTipBase, base);
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::Highlight, QColor(0x3d, 0x6d, 0xb5));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::PlaceholderText, QColor(0x90, 0x90, 0x90));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
        QApplication::setPalette(p);
    } else if (a.theme == QLatin1String("light")) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
    } else {
        QApplication::setStyle(QStyleFactory::create(systemStyle));
        QApplication::setPalette(systemPalette);
    }
    static const double systemPoints = QApplication::font().pointSizeF();
    QFont f = QApplication::font();
    f.setPointSizeF(a.fontPoints > 0 ? a.fontPoints : systemPoints);
    QApplication::setFont(f);
}

SettingsDialog::SettingsDialog(const AppSettings& current, QWidget* parent)
    : QDialog(parent), m_base(current) {
    setWindowTitle(tr("Settings"));
    auto* form = m_form = new QFormLayout(this);
    auto spin = [this](int value, int min, int max, const QString& suffix) {
        auto* s = new QSpinBox(this);
        s->setRange(min, max);
        s->setValue(value);
        s->setSuffix(suffix);
        return s;
    };
    form->addRow(new QLabel(tr("<b>Analysis</b> (used by the next import)")));
    m_t1 = spin(current.t1Ms, 10, 10000, tr(" ms"));
    m_t1->setToolTip(
        tr("RFC 3261 T1: round-trip estimate; retransmission schedules and "
           "timeouts (64·T1) derive from it"));
    form->addRow(tr("T1:"), m_t1);
    m_t2 = spin(current.t2Ms, 100, 60000, tr(" ms"));
    form->addRow(tr("T2:"), m_t2);
    m_t4 = spin(current.t4Ms, 100, 60000, tr(" ms"));
    form->addRow(tr("T4:"), m_t4);
    m_b2bua = spin(current.b2buaWindowMs, 0, 60000, tr(" ms"));
    m_b2bua->setToolTip(
        tr("Legs of a B2BUA without correlation headers are tied when the next "
           "INVITE leaves within this time (0: off)"));
    form->addRow(tr("B2BUA window:"), m_b2bua);
    QStringList ports;
    for (quint16 p : current.sipPorts) ports << QString::number(p);
    m_ports = new QLineEdit(ports.join(QStringLiteral(", ")), this);
    m_ports->setToolTip(
        tr("Ports where TLS counts as SIP over TLS; SIP in clear text is "
           "recognised on any port by its content"));
    form->addRow(tr("SIP ports:"), m_ports);
    m_portsError = new QLabel(this);
    m_portsError->setStyleSheet(QStringLiteral("color: #d32f2f"));
    form->addRow(QString(), m_portsError);
    form->addRow(new QLabel(tr("<b>Appearance</b>")));
    m_theme = new QComboBox(this);
    m_theme->addItem(tr("Follow the system"), QStringLiteral("system"));
    m_theme->addItem(tr("Light"), QStringLiteral("light"));
    m_theme->addItem(tr("Dark"), QStringLiteral("dark"));
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(current.theme)));
    form->addRow(tr("Theme:"), m_theme);
    m_font = spin(static_cast<int>(current.fontPoints), 0, 28, tr(" pt"));
    m_font->setSpecialValueText(tr("System default"));
    form->addRow(tr("Font size:"), m_font);
    auto* buttons = new QDialogButtonBox(
        QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                const AppSettings d;
                m_t1->setValue(d.t1Ms);
                m_t2->setValue(d.t2Ms);
                m_t4->setValue(d.t4Ms);
                m_b2bua->setValue(d.b2buaWindowMs);
                m_ports->setText(QStringLiteral("5060, 5061, 5080"));
                m_theme->setCurrentIndex(0);
                m_font->setValue(0);
            });
    form->addRow(buttons);
    connect(m_ports, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    connect(this, &QDialog::accepted, this, [this] { settings().save(); });
    m_okButton = buttons->button(QDialogButtonBox::Ok);
    validate();
}

void SettingsDialog::setColumns(const QList<ColumnSetting>& columns) {
    if (!m_columns) {
        m_columns = new ColumnSettings(this);
        // Before the button row, the last one.
        const int at = m_form->rowCount() - 1;
        m_form->insertRow(at, new QLabel(tr("<b>Call list columns</b>")));
        m_form->insertRow(at + 1, m_columns);
    }
    m_columns->setColumns(columns);
}

QList<ColumnSetting> SettingsDialog::columns() const {
    return m_columns ? m_columns->columns() : QList<ColumnSetting>();
}

QString SettingsDialog::portsError() const {
    return m_portsError->text();
}

void SettingsDialog::validate() {
    QList<quint16> ports;
    QString error;
    const bool ok = parsePortList(m_ports->text(), ports, &error);
    m_portsError->setText(ok ? QString() : error);
    m_portsError->setVisible(!ok);
    m_okButton->setEnabled(ok);
}

AppSettings SettingsDialog::settings() const {
    AppSettings a = m_base;
    a.t1Ms = m_t1->value();
    a.t2Ms = m_t2->value();
    a.t4Ms = m_t4->value();
    a.b2buaWindowMs = m_b2bua->value();
    parsePortList(m_ports->text(), a.sipPorts, nullptr);
    a.theme = m_theme->currentData().toString();
    a.fontPoints = m_font->value();
    return a;
}

}  // namespace sipscope::gui
