#pragma once
// Running sipscope-cli from the CLI tests: exit code, stdout (as text and as NDJSON objects)
// and stderr.

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

namespace sipscope::test {

struct CliRun {
    int exitCode = -1;
    QList<QJsonObject> objects;  // one per NDJSON line (when the output is JSON)
    QByteArray out, err;
};

// `input` goes to standard input; `stdinFile` is connected to it instead when set.
inline CliRun runCli(const QStringList& args, const QByteArray& input = {},
                     const QString& stdinFile = {}) {
    QProcess p;
    if (!stdinFile.isEmpty()) p.setStandardInputFile(stdinFile);
    p.start(QStringLiteral(SIPSCOPE_CLI), args);
    p.waitForStarted();
    if (stdinFile.isEmpty()) {
        if (!input.isEmpty()) p.write(input);
        p.closeWriteChannel();
    }
    if (!p.waitForFinished(120000)) qFatal("sipscope-cli did not finish");
    CliRun r;
    r.exitCode = p.exitCode();
    r.err = p.readAllStandardError();
    r.out = p.readAllStandardOutput();
    for (const QByteArray& line : r.out.split('\n')) {
        if (line.isEmpty() || !line.startsWith('{')) continue;
        QJsonParseError e;
        const auto doc = QJsonDocument::fromJson(line, &e);
        if (e.error == QJsonParseError::NoError) r.objects.push_back(doc.object());
    }
    return r;
}

}  // namespace sipscope::test
