#include "test_call_dialog.hpp"

#include <signal.h>

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>

#include "test_call_trace.hpp"

namespace sipscope::gui {

QString findCli() {
    const QString dir = QCoreApplication::applicationDirPath();
    for (const QString& c :
         {dir + QStringLiteral("/sipscope-cli"), dir + QStringLiteral("/../cli/sipscope-cli"),
          dir + QStringLiteral("/../app/cli/sipscope-cli")})
        if (QFileInfo(c).isExecutable()) return QFileInfo(c).absoluteFilePath();
    return QStandardPaths::findExecutable(QStringLiteral("sipscope-cli"));
}

QString checkTarget(const QString& target) {
    const QString t = target.trimmed();
    if (t.isEmpty()) return QObject::tr("enter the number or URI to call, e.g. sip:1000@pbx");
    if (!t.startsWith(QLatin1String("sip:"), Qt::CaseInsensitive) &&
        !t.startsWith(QLatin1String("sips:"), Qt::CaseInsensitive))
        return QObject::tr("the target must be a sip: or sips: URI");
    const qsizetype colon = t.indexOf(QLatin1Char(':'));
    const QString rest = t.mid(colon + 1);
    const QString host = rest.mid(rest.indexOf(QLatin1Char('@')) + 1);
    if (host.isEmpty() || host.startsWith(QLatin1Char(':')) || rest.contains(QLatin1Char(' ')))
        return QObject::tr("the URI has no host");
    return {};
}

QStringList testCallArguments(const TestCallOptions& o, const QString& dbPath) {
    QStringList a{QStringLiteral("call"), o.target.trimmed()};
    if (o.transport != QLatin1String("auto")) a << QStringLiteral("--transport") << o.transport;
    if (!o.from.trimmed().isEmpty()) a << QStringLiteral("--from") << o.from.trimmed();
    if (!o.authUser.isEmpty())
        a << QStringLiteral("--auth-user") << o.authUser << QStringLiteral("--password")
          << o.password;
    a << QStringLiteral("--codec") << o.codec;
    a << QStringLiteral("--duration") << QString::number(o.durationS);
    a << QStringLiteral("--timeout") << QString::number(o.timeoutS);
    if (!o.caFile.isEmpty()) a << QStringLiteral("--ca") << o.caFile;
    if (o.insecure) a << QStringLiteral("--insecure");
    // Each message as a JSON line on stderr while the call is up: the live ladder.
    a << QStringLiteral("--trace") << QStringLiteral("-");
    if (!dbPath.isEmpty()) a << QStringLiteral("--db") << dbPath;
    return a;
}

QString describeTestCall(const QJsonObject& r) {
    if (r.isEmpty()) return QObject::tr("the user agent ended without a result");
    QString text = r.value(QStringLiteral("result")).toString();
    if (!r.value(QStringLiteral("final_code")).isNull())
        text += QStringLiteral(" · %1 %2")
                    .arg(r.value(QStringLiteral("final_code")).toInt())
                    .arg(r.value(QStringLiteral("reason")).toString());
    if (!r.value(QStringLiteral("pdd_ms")).isNull())
        text += QObject::tr(" · PDD %1 ms")
                    .arg(r.value(QStringLiteral("pdd_ms")).toDouble(), 0, 'f', 0);
    const QJsonObject rtp = r.value(QStringLiteral("rtp")).toObject();
    if (!rtp.isEmpty() && r.value(QStringLiteral("result")).toString() == QLatin1String("answered"))
        text += QObject::tr(" · RTP sent %1, received %2, lost %3")
                    .arg(rtp.value(QStringLiteral("sent")).toInt())
                    .arg(rtp.value(QStringLiteral("received")).toInt())
                    .arg(rtp.value(QStringLiteral("lost")).toInt());
    if (r.value(QStringLiteral("one_way_audio")).toBool()) text += QObject::tr(" · ONE-WAY AUDIO");
    if (const QString e = r.value(QStringLiteral("error")).toString(); !e.isEmpty())
        text += QStringLiteral("\n") + e;
    return text;
}

TestCallDialog::TestCallDialog(const QString& dbPath, QWidget* parent)
    : QDialog(parent), m_db(dbPath) {
    setWindowTitle(tr("Test call"));
    m_trace = new TestCallTrace(this);
    connect(m_trace, &TestCallTrace::messagesAdded, this, &TestCallDialog::onProgress);
    setMinimumWidth(520);
    auto* v = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    m_target = new QLineEdit(this);
    m_target->setPlaceholderText(QStringLiteral("sip:1000@pbx.example.com"));
    form->addRow(tr("Call:"), m_target);
    m_transport = new QComboBox(this);
    m_transport->addItem(tr("As the URI says (UDP; TLS for sips:)"), QStringLiteral("auto"));
    for (const char* t : {"udp", "tcp", "tls"})
        m_transport->addItem(QString::fromLatin1(t).toUpper(), QString::fromLatin1(t));
    form->addRow(tr("Transport:"), m_transport);
    m_from = new QLineEdit(this);
    m_from->setPlaceholderText(tr("default: sip:sipscope@HOST, or AUTH_USER@HOST"));
    form->addRow(tr("From:"), m_from);
    m_user = new QLineEdit(this);
    form->addRow(tr("Auth user:"), m_user);
    m_password = new QLineEdit(this);
    m_password->setEchoMode(QLineEdit::Password);
    form->addRow(tr("Password:"), m_password);
    m_codec = new QComboBox(this);
    m_codec->addItem(QStringLiteral("PCMU (G.711 µ-law)"), QStringLiteral("pcmu"));
    m_codec->addItem(QStringLiteral("PCMA (G.711 A-law)"), QStringLiteral("pcma"));
    form->addRow(tr("Codec:"), m_codec);
    m_duration = new QSpinBox(this);
    m_duration->setRange(1, 3600);
    m_duration->setSuffix(tr(" s after the answer"));
    form->addRow(tr("Hang up:"), m_duration);
    m_timeout = new QSpinBox(this);
    m_timeout->setRange(1, 600);
    m_timeout->setSuffix(tr(" s without answer"));
    form->addRow(tr("Give up:"), m_timeout);
    m_ca = new QLineEdit(this);
    m_ca->setPlaceholderText(tr("TLS: CA certificates file (default: the system store)"));
    form->addRow(tr("CA file:"), m_ca);
    m_insecure = new QCheckBox(tr("Do not verify the TLS certificate"), this);
    form->addRow(QString(), m_insecure);
    v->addLayout(form);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setMinimumHeight(m_status->fontMetrics().height() * 3);
    v->addWidget(m_status);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_call = buttons->addButton(tr("Place call"), QDialogButtonBox::ActionRole);
    m_hangUp = buttons->addButton(tr("Hang up"), QDialogButtonBox::ActionRole);
    m_hangUp->setEnabled(false);
    connect(m_call, &QPushButton::clicked, this, &TestCallDialog::start);
    connect(m_hangUp, &QPushButton::clicked, this, &TestCallDialog::hangUp);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    v->addWidget(buttons);
    connect(m_target, &QLineEdit::textChanged, this, &TestCallDialog::validate);
    QSettings s;
    TestCallOptions last;
    last.target = s.value(QStringLiteral("testCall/target")).toString();
    last.transport = s.value(QStringLiteral("testCall/transport"), last.transport).toString();
    last.from = s.value(QStringLiteral("testCall/from")).toString();
    last.authUser = s.value(QStringLiteral("testCall/authUser")).toString();
    last.codec = s.value(QStringLiteral("testCall/codec"), last.codec).toString();
    last.durationS = s.value(QStringLiteral("testCall/duration"), last.durationS).toInt();
    last.timeoutS = s.value(QStringLiteral("testCall/timeout"), last.timeoutS).toInt();
    setOptions(last);
}

TestCallDialog::~TestCallDialog() {
    if (running()) {
        hangUp();
        if (!m_process->waitForFinished(10000)) m_process->kill();
        m_process->waitForFinished(2000);
    }
}

TestCallOptions TestCallDialog::options() const {
    TestCallOptions o;
    o.target = m_target->text().trimmed();
    o.transport = m_transport->currentData().toString();
    o.from = m_from->text();
    o.authUser = m_user->text();
    o.password = m_password->text();
    o.codec = m_codec->currentData().toString();
    o.durationS = m_duration->value();
    o.timeoutS = m_timeout->value();
    o.caFile = m_ca->text().trimmed();
    o.insecure = m_insecure->isChecked();
    return o;
}

void TestCallDialog::setOptions(const TestCallOptions& o) {
    m_target->setText(o.target);
    m_transport->setCurrentIndex(std::max(0, m_transport->findData(o.transport)));
    m_from->setText(o.from);
    m_user->setText(o.authUser);
    m_password->setText(o.password);
    m_codec->setCurrentIndex(std::max(0, m_codec->findData(o.codec)));
    m_duration->setValue(o.durationS);
    m_timeout->setValue(o.timeoutS);
    m_ca->setText(o.caFile);
    m_insecure->setChecked(o.insecure);
    validate();
}

bool TestCallDialog::running() const {
    return m_process && m_process->state() != QProcess::NotRunning;
}

QString TestCallDialog::statusText() const {
    return m_status->text();
}

void TestCallDialog::validate() {
    const QString why = checkTarget(m_target->text());
    m_call->setEnabled(why.isEmpty() && !running());
    if (!running()) m_status->setText(why);
}

bool TestCallDialog::start() {
    if (running() || !checkTarget(m_target->text()).isEmpty()) return false;
    const QString cli = findCli();
    if (cli.isEmpty()) {
        m_status->setText(tr("sipscope-cli was not found beside sipscope or on PATH"));
        return false;
    }
    const TestCallOptions o = options();
    QSettings s;
    s.setValue(QStringLiteral("testCall/target"), o.target);
    s.setValue(QStringLiteral("testCall/transport"), o.transport);
    s.setValue(QStringLiteral("testCall/from"), o.from);
    s.setValue(QStringLiteral("testCall/authUser"), o.authUser);
    s.setValue(QStringLiteral("testCall/codec"), o.codec);
    s.setValue(QStringLiteral("testCall/duration"), o.durationS);
    s.setValue(QStringLiteral("testCall/timeout"), o.timeoutS);
    delete m_process;
    m_process = new QProcess(this);
    connect(m_process, &QProcess::finished, this, &TestCallDialog::onFinished);
    connect(m_process, &QProcess::readyReadStandardError, this,
            [this] { m_trace->feed(m_process->readAllStandardError()); });
    m_trace->clear();
    m_process->start(cli, testCallArguments(o, m_db));
    if (!m_process->waitForStarted(10000)) {
        m_status->setText(tr("cannot start %1: %2").arg(cli, m_process->errorString()));
        return false;
    }
    m_status->setText(tr("Calling %1 …").arg(o.target));
    m_call->setEnabled(false);
    m_hangUp->setEnabled(true);
    emit started();
    return true;
}

void TestCallDialog::hangUp() {
    // The user agent answers SIGINT like Ctrl-C: CANCEL while ringing, BYE when answered.
    if (running()) ::kill(static_cast<pid_t>(m_process->processId()), SIGINT);
}

void TestCallDialog::onFinished() {
    QJsonObject result;
    for (const QByteArray& line : m_process->readAllStandardOutput().split('\n'))
        if (line.startsWith('{')) result = QJsonDocument::fromJson(line).object();
    QString text = describeTestCall(result);
    m_trace->feed(m_process->readAllStandardError());
    m_trace->finish();
    const QString err = m_trace->otherLines().join(QLatin1Char('\n')).trimmed();
    if (result.isEmpty() && !err.isEmpty()) text = err;
    m_status->setText(text);
    m_hangUp->setEnabled(false);
    validate();
    m_status->setText(text);
    emit finished(result);
}

void TestCallDialog::onProgress(int total) {
    m_status->setText(tr("Calling %1 … %2, the last: %3")
                          .arg(m_target->text().trimmed(), messageCount(total),
                               traceSummary(m_trace->messages().back())));
    emit progressed(total);
}

}  // namespace sipscope::gui
