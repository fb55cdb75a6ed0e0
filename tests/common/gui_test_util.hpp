#pragma once
// What the GUI tests share: importing a capture into a database, a dark palette, and grabs of a
// widget in the light and the dark palette (saved under QDir::tempPath() to be looked at).

#include <QApplication>
#include <QColor>
#include <QDir>
#include <QPalette>
#include <QSize>
#include <QStyle>
#include <QWidget>
#include <QtTest>
#include <cstdint>
#include <string>

#include "store_test_util.hpp"

namespace sipscope::test {

// The capture id of `file` imported into `db` (0 when it was not imported).
inline std::int64_t importInto(const std::string& db, const QString& file) {
    return importCapture(db, file.toStdString()).captureId;
}

inline QPalette darkPalette() {
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x31));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Base, QColor(0x1e, 0x1f, 0x22));
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
    p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0xa0, 0xa6));
    p.setColor(QPalette::Button, QColor(0x34, 0x37, 0x3b));
    p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x5f, 0xa8));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Mid, QColor(0x50, 0x53, 0x58));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Light, QColor(0x48, 0x4b, 0x50));
    return p;
}

// Saves `w` as <tmp>/sipscope-<name>-light.png and -dark.png.
inline void grabBoth(QWidget& w, const QString& name, QSize size) {
    w.resize(size);
    w.show();
    for (const bool dark : {false, true}) {
        w.setPalette(dark ? darkPalette() : QApplication::style()->standardPalette());
        QApplication::processEvents();
        const QString path =
            QDir(QDir::tempPath())
                .filePath(QStringLiteral("sipscope-%1-%2.png")
                              .arg(name, dark ? QStringLiteral("dark") : QStringLiteral("light")));
        QVERIFY2(w.grab().save(path), qPrintable(path));
    }
    w.setPalette(QApplication::style()->standardPalette());
}

}  // namespace sipscope::test
