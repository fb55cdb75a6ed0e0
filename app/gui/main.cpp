// sipscope: the desktop app. `sipscope [--db LIB.sqlite] [FILE...]`; `--self-test` and
// `--screenshot` run without a user (packaging checks, README screenshots).

#include <unistd.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QImage>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>

#include "call_list_model.hpp"
#include "ladder_panel.hpp"
#include "main_window.hpp"
#include "settings_dialog.hpp"

namespace {

using sipscope::gui::MainWindow;

QString bundledExample() {
    const QStringList candidates = {
        QCoreApplication::applicationDirPath() +
            QStringLiteral("/../share/sipscope/examples/basic-calls.pcap"),
        QStringLiteral(SIPSCOPE_EXAMPLE_DIR "/basic-calls.pcap")};
    for (const QString& c : candidates)
        if (QFileInfo::exists(c)) return QFileInfo(c).absoluteFilePath();
    return {};
}

// Waits (event loop, bounded) for the window's import to finish.
bool waitForImport(MainWindow& w, int timeoutMs) {
    if (!w.importJob()->running()) return true;
    QEventLoop loop;
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&w, &MainWindow::importFinished, &loop, &QEventLoop::quit);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    timeout.start(timeoutMs);
    loop.exec();
    return !w.importJob()->running();
}

int selfTest() {
    QTemporaryDir dir;
    const QString example = bundledExample();
    if (example.isEmpty()) {
        std::fprintf(stderr, "sipscope --self-test: bundled example capture not found\n");
        return 1;
    }
    MainWindow w;
    w.setDatabase(dir.filePath(QStringLiteral("self-test.sqlite")));
    w.openFiles({example});
    if (!waitForImport(w, 120000)) {
        std::fprintf(stderr, "sipscope --self-test: import did not finish\n");
        return 1;
    }
    const int calls = w.callModel()->rowCount();
    if (calls == 0 || !w.selectCall(0)) {
        std::fprintf(stderr, "sipscope --self-test: no calls in %s\n", qPrintable(example));
        return 1;
    }
    const auto rows = w.ladder()->layout().rows.size();
    QString error;
    const QString png = dir.filePath(QStringLiteral("ladder.png"));
    if (rows == 0 || !w.ladder()->exportTo(png, &error) || QImage(png).isNull()) {
        std::fprintf(stderr, "sipscope --self-test: ladder failed %s\n", qPrintable(error));
        return 1;
    }
    std::printf("sipscope self-test: ok (%d calls, first ladder %zu messages, Qt %s, %s)\n", calls,
                rows, qVersion(), qPrintable(QGuiApplication::platformName()));
    return 0;
}

int screenshot(const QStringList& files, const QString& db, const QString& out, int select) {
    MainWindow w;
    w.resize(1500, 940);
    if (!db.isEmpty()) w.setDatabase(db);
    w.show();
    w.openFiles(files);
    if (!waitForImport(w, 300000)) return 1;
    w.selectCall(select);
    QCoreApplication::processEvents();
    if (!w.grab().save(out)) {
        std::fprintf(stderr, "sipscope: cannot write %s\n", qPrintable(out));
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("SipScope"));
    QApplication::setApplicationName(QStringLiteral("SipScope"));
    QApplication::setApplicationVersion(QStringLiteral(SIPSCOPE_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/sipscope.svg")));

    QCommandLineParser cli;
    cli.setApplicationDescription(QStringLiteral(
        "SipScope: SIP calls rebuilt from captures, drawn as ladders, kept in a database.\n"
        "Capture files are imported into the database (default: your library); databases open."));
    cli.addHelpOption();
    cli.addVersionOption();
    QCommandLineOption dbOpt(QStringLiteral("db"), QStringLiteral("Database to use."),
                             QStringLiteral("LIB.sqlite"));
    QCommandLineOption selfTestOpt(QStringLiteral("self-test"),
                                   QStringLiteral("Import the bundled example, draw and export a "
                                                  "ladder, print the result, exit (0 = ok)."));
    QCommandLineOption shotOpt(QStringLiteral("screenshot"),
                               QStringLiteral("Open FILEs, select a call, save the window as PNG."),
                               QStringLiteral("OUT.png"));
    QCommandLineOption selectOpt(QStringLiteral("select"),
                                 QStringLiteral("Row of the call --screenshot selects."),
                                 QStringLiteral("N"), QStringLiteral("0"));
    QCommandLineOption themeOpt(QStringLiteral("theme"),
                                QStringLiteral("Theme for this run: system, light or dark."),
                                QStringLiteral("THEME"));
    cli.addOptions({dbOpt, selfTestOpt, shotOpt, selectOpt, themeOpt});
    cli.addPositionalArgument(QStringLiteral("FILE"),
                              QStringLiteral("pcap, pcapng, .gz or .sqlite"),
                              QStringLiteral("[FILE...]"));
    cli.process(app);
    sipscope::gui::AppSettings appearance = sipscope::gui::AppSettings::load();
    if (cli.isSet(themeOpt)) appearance.theme = cli.value(themeOpt);
    sipscope::gui::applyAppearance(appearance);

    if (cli.isSet(selfTestOpt)) return selfTest();
    if (cli.isSet(shotOpt))
        return screenshot(cli.positionalArguments(), cli.value(dbOpt), cli.value(shotOpt),
                          cli.value(selectOpt).toInt());
    // Capturing needs privileges; the GUI never has them (sipscope-capture does).
    if (geteuid() == 0 && qEnvironmentVariableIntValue("SIPSCOPE_ALLOW_ROOT") != 1) {
        std::fprintf(stderr,
                     "sipscope: refusing to run as root; live capture goes through "
                     "sipscope-capture (set SIPSCOPE_ALLOW_ROOT=1 to override)\n");
        return 2;
    }
    MainWindow w;
    w.setDatabase(cli.isSet(dbOpt) ? cli.value(dbOpt) : MainWindow::defaultLibrary());
    w.show();
    if (!cli.positionalArguments().isEmpty()) w.openFiles(cli.positionalArguments());
    return app.exec();
}
