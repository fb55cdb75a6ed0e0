#pragma once
// Live capture from the GUI, which never holds capture privileges: the privileged helper
// sipscope-capture (app/capture) writes pcapng into a named pipe that the normal import reads,
// so live calls go through the same pipeline and store as files do. Its statistics lines
// (stderr, JSON) give the received and dropped counters.

#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>

namespace sipscope::gui {

struct LiveCaptureOptions {
    QStringList interfaces;
    QString filter;  // BPF, empty: everything
    int snaplen = 262144;
    bool promiscuous = true;
};

struct CaptureInterface {
    QString name, description, addresses;
    bool loopback = false, up = false;
};

// Where sipscope-capture is: beside this program, in the build tree, or on PATH. Empty: none.
QString findCaptureHelper();
// The helper's interface list (`sipscope-capture --list`); false and `error` on failure.
bool listCaptureInterfaces(const QString& helper, QList<CaptureInterface>& out, QString* error);
// Empty when `filter` compiles (for Ethernet), otherwise libpcap's message.
QString checkCaptureFilter(const QString& filter);
// The helper's command line for these options, writing to `output`.
QStringList captureArguments(const LiveCaptureOptions& options, const QString& output);

class LiveCapture : public QObject {
    Q_OBJECT
  public:
    explicit LiveCapture(QObject* parent = nullptr);
    ~LiveCapture() override;  // stops the helper

    // Starts the helper writing into a new named pipe; fifoPath() is what to import.
    bool start(const QString& helper, const LiveCaptureOptions& options, QString* error);
    void stop();  // SIGTERM: the helper ends the pcapng stream cleanly
    bool running() const;
    QString fifoPath() const { return m_fifo; }
    quint64 received() const { return m_received; }
    quint64 dropped() const { return m_dropped; }

  signals:
    void statistics(quint64 received, quint64 dropped);
    void finished(int exitCode, const QString& messages);  // helper's non-statistics stderr

  private:
    void readStderr();
    void releaseReader();

    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess* m_process = nullptr;
    QString m_fifo, m_messages;
    QByteArray m_pending;
    quint64 m_received = 0, m_dropped = 0;
    QMap<QString, QPair<quint64, quint64>> m_perInterface;
};

}  // namespace sipscope::gui
