#include "import_job.hpp"

#include <QElapsedTimer>
#include <QMetaObject>

#include "store/importer.hpp"

namespace sipscope::gui {

ImportJob::ImportJob(QObject* parent) : QObject(parent) {
    qRegisterMetaType<ImportReport>();
}

ImportJob::~ImportJob() {
    cancel();
    wait();
}

bool ImportJob::start(const QString& dbPath, const QStringList& files) {
    if (m_running.load()) return false;
    wait();
    m_cancel = false;
    m_running = true;
    m_thread =
        std::thread([this, dbPath, files, options = m_options] { run(dbPath, files, options); });
    return true;
}

void ImportJob::cancel() {
    m_cancel = true;
}

void ImportJob::wait() {
    if (m_thread.joinable()) m_thread.join();
}

void ImportJob::run(QString dbPath, QStringList files, analyzer::store::ImportOptions options) {
    bool cancelled = false;
    try {
        analyzer::store::StoreWriter writer(dbPath.toStdString());
        analyzer::store::Importer importer(writer, options);
        for (const QString& file : files) {
            if (m_cancel.load()) {
                cancelled = true;
                break;
            }
            QElapsedTimer clock;
            clock.start();
            qint64 announced = 0;
            auto report = importer.importFile(
                file.toStdString(),
                [&](const analyzer::store::ImportProgress& p) {
                    if (p.captureId != announced) {
                        announced = p.captureId;
                        emit captureStarted(file, p.captureId);
                    }
                    const double s = std::max<double>(clock.elapsed(), 1) / 1000.0;
                    emit progress(p.captureId, p.bytesRead, p.totalBytes.value_or(0), p.messages,
                                  static_cast<double>(p.messages) / s);
                },
                m_cancel);
            ImportReport r;
            r.path = file;
            r.status =
                report.skipped ? QStringLiteral("skipped") : QString::fromStdString(report.status);
            r.error = QString::fromStdString(report.error);
            r.captureId = report.captureId;
            r.messages = report.messages;
            r.calls = report.calls;
            if (report.skipped && report.captureId) emit captureStarted(file, report.captureId);
            emit fileFinished(r);
            if (report.status == "incomplete") cancelled = true;
        }
    } catch (const analyzer::sql::Error& e) {
        ImportReport r;
        r.path = dbPath;
        r.status = QStringLiteral("error");
        r.error = QString::fromStdString(e.message);
        emit fileFinished(r);
    }
    m_running = false;
    emit finished(cancelled || m_cancel.load());
}

}  // namespace sipscope::gui
