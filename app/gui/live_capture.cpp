#include "live_capture.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include "capture/bpf_filter.hpp"

namespace sipscope::gui {

QString findCaptureHelper() {
    const QString dir = QCoreApplication::applicationDirPath();
    for (const QString& c : {dir + QStringLiteral("/sipscope-capture"),
                             dir + QStringLiteral("/../capture/sipscope-capture"),
                             dir + QStringLiteral("/../app/capture/sipscope-capture")})
        if (QFileInfo(c).isExecutable()) return QFileInfo(c).absoluteFilePath();
    return QStandardPaths::findExecutable(QStringLiteral("sipscope-capture"));
}

bool listCaptureInterfaces(const QString& helper, QList<CaptureInterface>& out, QString* error) {
    QProcess p;
    p.start(helper, {QStringLiteral("--list")});
    if (!p.waitForFinished(15000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        if (error) *error = QString::fromUtf8(p.readAllStandardError()).trimmed();
        if (error && error->isEmpty())
            *error = QObject::tr("%1 did not list interfaces").arg(helper);
        return false;
    }
    for (const QByteArray& line : p.readAllStandardOutput().split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.isEmpty()) continue;
        CaptureInterface i;
        i.name = o.value(QStringLiteral("name")).toString();
        i.description = o.value(QStringLiteral("description")).toString();
        QStringList addresses;
        for (const auto& a : o.value(QStringLiteral("addresses")).toArray())
            addresses << (a.isObject() ? a.toObject().value(QStringLiteral("address")).toString()
                                       : a.toString());
        addresses.removeAll(QString());
        i.addresses = addresses.join(QStringLiteral(", "));
        i.loopback = o.value(QStringLiteral("loopback")).toBool();
        i.up = o.value(QStringLiteral("up")).toBool();
        out.push_back(i);
    }
    return true;
}

QString checkCaptureFilter(const QString& filter) {
    if (filter.trimmed().isEmpty()) return {};
    analyzer::BpfFilter f;
    std::string error;
    if (f.compile(filter.toStdString(), error)) return {};
    return QString::fromStdString(error);
}

QStringList captureArguments(const LiveCaptureOptions& o, const QString& output) {
    QStringList args;
    for (const QString& i : o.interfaces) args << QStringLiteral("-i") << i;
    if (!o.filter.trimmed().isEmpty()) args << QStringLiteral("-f") << o.filter.trimmed();
    args << QStringLiteral("-s") << QString::number(o.snaplen);
    if (!o.promiscuous) args << QStringLiteral("--no-promisc");
    args << QStringLiteral("--stats-interval") << QStringLiteral("1");
    args << QStringLiteral("-w") << output;
    return args;
}

LiveCapture::LiveCapture(QObject* parent) : QObject(parent) {}

LiveCapture::~LiveCapture() {
    if (running()) {
        stop();
        m_process->waitForFinished(5000);
        if (running()) m_process->kill();
        m_process->waitForFinished(2000);
    }
    releaseReader();
}

void LiveCapture::releaseReader() {
    // A helper that ended before opening the pipe leaves its reader (the import) blocked in
    // open(): opening the write end once and closing it gives that reader an end of stream.
    if (m_fifo.isEmpty()) return;
    const QByteArray fifo = QFile::encodeName(m_fifo);
    if (const int fd = ::open(fifo.constData(), O_WRONLY | O_NONBLOCK); fd >= 0) ::close(fd);
}

bool LiveCapture::running() const {
    return m_process && m_process->state() != QProcess::NotRunning;
}

bool LiveCapture::start(const QString& helper, const LiveCaptureOptions& options, QString* error) {
    if (running()) return false;
    m_dir = std::make_unique<QTemporaryDir>();
    m_fifo = m_dir->filePath(QStringLiteral("live.pcapng"));
    if (::mkfifo(QFile::encodeName(m_fifo).constData(), 0600) != 0) {
        if (error) *error = tr("cannot create a pipe in %1").arg(m_dir->path());
        return false;
    }
    m_received = m_dropped = 0;
    m_perInterface.clear();
    m_messages.clear();
    delete m_process;
    m_process = new QProcess(this);
    connect(m_process, &QProcess::readyReadStandardError, this, &LiveCapture::readStderr);
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        readStderr();
        releaseReader();
        emit finished(status == QProcess::NormalExit ? code : 128, m_messages.trimmed());
    });
    m_process->start(helper, captureArguments(options, m_fifo));
    if (!m_process->waitForStarted(10000)) {
        if (error) *error = tr("cannot start %1: %2").arg(helper, m_process->errorString());
        return false;
    }
    return true;
}

void LiveCapture::stop() {
    if (running()) m_process->terminate();
}

void LiveCapture::readStderr() {
    m_pending += m_process->readAllStandardError();
    qsizetype nl;
    while ((nl = m_pending.indexOf('\n')) >= 0) {
        const QByteArray line = m_pending.left(nl).trimmed();
        m_pending.remove(0, nl + 1);
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.contains(QStringLiteral("interface"))) {
            m_perInterface[o.value(QStringLiteral("interface")).toString()] = {
                static_cast<quint64>(o.value(QStringLiteral("received")).toDouble()),
                static_cast<quint64>(o.value(QStringLiteral("dropped")).toDouble() +
                                     o.value(QStringLiteral("if_dropped")).toDouble())};
            m_received = m_dropped = 0;
            for (const auto& [r, d] : m_perInterface) {
                m_received += r;
                m_dropped += d;
            }
            emit statistics(m_received, m_dropped);
        } else if (!line.isEmpty()) {
            m_messages += QString::fromUtf8(line) + QLatin1Char('\n');
        }
    }
}

}  // namespace sipscope::gui
