#pragma once
// Imports capture files into a database on a worker thread (never the GUI thread): progress
// with messages/s, cancel, and the capture id as soon as it exists so the call list can show
// the calls of the capture while it is still being read. Signals arrive on the GUI thread.

#include <QObject>
#include <QStringList>
#include <atomic>
#include <thread>

#include "store/importer.hpp"

namespace sipscope::gui {

struct ImportReport {
    QString path, status, error;  // status: complete, incomplete, damaged, error, skipped
    qint64 captureId = 0;
    quint64 messages = 0, calls = 0;
};

class ImportJob : public QObject {
    Q_OBJECT
  public:
    explicit ImportJob(QObject* parent = nullptr);
    ~ImportJob() override;  // cancels and waits

    // False when a job is running. Creates the database when missing.
    bool start(const QString& dbPath, const QStringList& files);
    void setOptions(const analyzer::store::ImportOptions& options) { m_options = options; }
    void cancel();
    bool running() const { return m_running.load(); }
    void wait();  // blocks until the worker ended (tests, shutdown)

  signals:
    void captureStarted(const QString& path, qint64 captureId);
    // bytes/total (total 0 when unknown, e.g. compressed input), messages per second so far.
    void progress(qint64 captureId, quint64 bytes, quint64 total, quint64 messages,
                  double messagesPerSecond);
    void fileFinished(const sipscope::gui::ImportReport& report);
    void finished(bool cancelled);

  private:
    void run(QString dbPath, QStringList files, analyzer::store::ImportOptions options);

    analyzer::store::ImportOptions m_options;
    std::thread m_thread;
    std::atomic<bool> m_cancel{false}, m_running{false};
};

}  // namespace sipscope::gui

Q_DECLARE_METATYPE(sipscope::gui::ImportReport)
