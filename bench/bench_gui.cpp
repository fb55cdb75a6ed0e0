// Desktop-app benchmark (issue 7 targets), offscreen:
//   1. opening a capture: time from the start of the import until the first calls are listed
//      (target < 1 s on a 500 MB capture), and the import rate;
//   2. scrolling the call list over 1 M calls a page at a time: the time of each repaint
//      (target: none above 16 ms);
//   3. laying out (and painting) the ladder of a 2,000-message call (target < 50 ms).
//   bench_gui [--size-mb N] [--calls N] [--skip-import]

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "call_list_model.hpp"
#include "call_table.hpp"
#include "import_job.hpp"
#include "ladder_painter.hpp"
#include "synthetic_capture.hpp"
#include "synthetic_store.hpp"

using namespace sipscope;

namespace {

double ms(const QElapsedTimer& t) {
    return static_cast<double>(t.nsecsElapsed()) / 1e6;
}

void benchOpen(const QTemporaryDir& dir, std::uint64_t mb) {
    const std::string pcap = dir.filePath("synthetic.pcap").toStdString();
    bench::SyntheticOptions so;
    so.targetBytes = mb << 20;
    so.usPerMessage = 2000;  // calls end while the file is read: a realistic call rate
    bench::SyntheticResult sr;
    if (!bench::writeSyntheticCapture(pcap, so, sr)) {
        std::fprintf(stderr, "bench_gui: cannot write %s\n", pcap.c_str());
        std::exit(1);
    }
    gui::ImportJob job;
    gui::CallListModel model;
    const QString db = dir.filePath("open.sqlite");
    double firstCallsMs = -1, doneMs = 0;
    QElapsedTimer t;
    QEventLoop loop;
    QTimer poll;  // what the window does while importing: append new calls every 50 ms here
    poll.setInterval(50);
    QObject::connect(&job, &gui::ImportJob::captureStarted, [&](const QString&, qint64 id) {
        model.openDatabase(db);
        model.setCaptures({id});
    });
    QObject::connect(&poll, &QTimer::timeout, [&] {
        if (model.reader() && model.appendNew() > 0 && firstCallsMs < 0) firstCallsMs = ms(t);
    });
    QObject::connect(&job, &gui::ImportJob::finished, [&] {
        doneMs = ms(t);
        loop.quit();
    });
    t.start();
    job.start(db, {QString::fromStdString(pcap)});
    poll.start();
    loop.exec();
    std::printf(
        "open %.0f MB capture (%llu SIP messages): first calls listed after %.0f ms, "
        "import done in %.1f s (%.0f msg/s)\n",
        static_cast<double>(sr.bytes) / 1048576.0, static_cast<unsigned long long>(sr.messages),
        firstCallsMs, doneMs / 1000, static_cast<double>(sr.messages) / (doneMs / 1000));
}

void benchScroll(const QTemporaryDir& dir, std::int64_t calls) {
    const QString db = dir.filePath("million.sqlite");
    QElapsedTimer t;
    t.start();
    test::writeSyntheticCalls(db.toStdString(), calls);
    const double genMs = ms(t);
    gui::CallListModel model;
    t.restart();
    model.openDatabase(db);
    const double openMs = ms(t);
    gui::CallTable table(&model);
    table.resize(1400, 700);
    table.show();
    QImage canvas(table.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
    std::vector<double> frames, cached;
    auto* bar = table.verticalScrollBar();
    const int step = std::max(1, bar->pageStep());
    table.viewport()->render(&canvas);                      // warm up fonts and styles
    for (int v = 0; v <= bar->maximum(); v += step * 97) {  // frames spread over the whole list
        t.restart();
        bar->setValue(v);
        table.viewport()->render(&canvas);
        frames.push_back(ms(t));
        t.restart();
        table.viewport()->render(&canvas);  // the same rows again: pages already fetched
        cached.push_back(ms(t));
    }
    std::sort(cached.begin(), cached.end());
    std::sort(frames.begin(), frames.end());
    const auto pct = [](const std::vector<double>& v, double p) {
        return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
    };
    std::printf(
        "scroll %lld calls: generated in %.1f s, list opened in %.0f ms; %zu frames "
        "jumping to new rows: median %.2f ms, p99 %.2f ms, max %.2f ms; repaint of rows "
        "already fetched: median %.2f ms, p99 %.2f ms, max %.2f ms\n",
        static_cast<long long>(calls), genMs / 1000, openMs, frames.size(), pct(frames, 0.5),
        pct(frames, 0.99), frames.back(), pct(cached, 0.5), pct(cached, 0.99), cached.back());
}

void benchLadder() {
    analyzer::LadderInput in;
    const char* eps[] = {"192.0.2.1:5060", "198.51.100.1:5060", "198.51.100.2:5060",
                         "192.0.2.2:5060"};
    for (int i = 0; i < 2000; ++i) {
        analyzer::LadderMessage m;
        m.id = static_cast<std::uint64_t>(i + 1);
        m.tsNs = 1'764'000'000'000'000'000 + static_cast<std::int64_t>(i) * 3'000'000;
        const int hop = i % 3;
        const bool back = (i / 3) % 2 == 1;
        m.src = eps[back ? hop + 1 : hop];
        m.dst = eps[back ? hop : hop + 1];
        m.method = back ? "" : (i % 7 ? "INFO" : "UPDATE");
        m.status = back ? 200 : 0;
        m.reason = "OK";
        m.cseqMethod = "INFO";
        m.leg = hop;
        if (i % 11 == 0) m.detail = "PCMU,PCMA 192.0.2.1:16000 sendrecv";
        in.messages.push_back(std::move(m));
    }
    {  // warm up: the first use of fonts loads the font database
        const auto warm = analyzer::layoutLadder(in, {});
        (void)gui::LadderGeometry::compute(warm, gui::LadderStyle::light(), false);
    }
    QElapsedTimer t;
    t.start();
    const auto layout = analyzer::layoutLadder(in, {});
    const double layoutMs = ms(t);
    t.restart();
    const auto style = gui::LadderStyle::light();
    const auto g = gui::LadderGeometry::compute(layout, style, false);
    const double geometryMs = ms(t);
    QImage image(1200, 900, QImage::Format_ARGB32_Premultiplied);
    t.restart();
    {
        QPainter p(&image);
        paintLadder(p, layout, g, style, 10, QRectF(0, 0, 1200, 900));
    }
    const double paintMs = ms(t);
    std::printf(
        "ladder of 2000 messages, 4 lanes: layout %.2f ms + geometry %.2f ms = %.2f ms; "
        "one screen painted in %.2f ms\n",
        layoutMs, geometryMs, layoutMs + geometryMs, paintMs);
}

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    std::uint64_t mb = 500;
    std::int64_t calls = 1'000'000;
    bool import = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--size-mb" && i + 1 < argc)
            mb = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--calls" && i + 1 < argc)
            calls = std::strtoll(argv[++i], nullptr, 10);
        else if (a == "--skip-import")
            import = false;
        else {
            std::fprintf(stderr, "usage: bench_gui [--size-mb N] [--calls N] [--skip-import]\n");
            return 2;
        }
    }
    QTemporaryDir dir;
    benchLadder();
    benchScroll(dir, calls);
    if (import) benchOpen(dir, mb);
    return 0;
}
