#pragma once
// Helpers shared by the Qt Test executables: corpus location and file reading.

#include <QDir>
#include <QFile>
#include <QString>
#include <QStringList>

#include <string>
#include <vector>

namespace sipscope::test {

// The shared corpus folder, or an empty string when it is not present (tests then QSKIP).
inline QString corpusDir() {
    const QString dir = QStringLiteral(SIPSCOPE_CORPUS_DIR);
    return QDir(dir).exists() ? dir : QString();
}

inline std::string readFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray data = f.readAll();
    return std::string(data.constData(), static_cast<std::size_t>(data.size()));
}

struct TsvRow {
    QStringList cells;
};

// Rows of a TSV file without its header line.
inline std::vector<QStringList> readTsv(const QString& path) {
    std::vector<QStringList> rows;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return rows;
    bool header = true;
    while (!f.atEnd()) {
        const QString line = QString::fromUtf8(f.readLine()).trimmed();
        if (header) {
            header = false;
            continue;
        }
        if (!line.isEmpty()) rows.push_back(line.split(QLatin1Char('\t')));
    }
    return rows;
}

}  // namespace sipscope::test
