#include "media_panel.hpp"

#include <QFutureWatcher>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

#include "media_player.hpp"
#include "media_plot.hpp"

namespace sipscope::gui {

namespace {

bool isG711(const MediaStreamData& s) {
    return s.codec == QLatin1String("PCMU") || s.codec == QLatin1String("PCMA");
}

// The G.711 stream with the most packets among those `accept` takes, or -1.
template <class Accept>
int busiest(const std::vector<MediaStreamData>& streams, Accept accept) {
    int best = -1;
    for (std::size_t i = 0; i < streams.size(); ++i)
        if (isG711(streams[i]) && accept(streams[i].stored.row) &&
            (best < 0 || streams[i].stored.row.packets >
                             streams[static_cast<std::size_t>(best)].stored.row.packets))
            best = static_cast<int>(i);
    return best;
}

// The two directions to play: the caller's stream (sent from the caller's address, else the
// busiest) and its reverse (to the caller's port, else from the other side's address).
std::pair<int, int> playedPair(const std::vector<MediaStreamData>& streams,
                               const std::string& callerIp) {
    using Row = analyzer::store::MediaStreamRow;
    int caller = busiest(streams, [&](const Row& r) { return r.src == callerIp; });
    if (caller < 0) caller = busiest(streams, [](const Row&) { return true; });
    if (caller < 0) return {-1, -1};
    const Row& c = streams[static_cast<std::size_t>(caller)].stored.row;
    int callee = busiest(streams, [&](const Row& r) {
        return r.src == c.dst && r.sport == c.dport && r.dst == c.src && r.dport == c.sport;
    });
    if (callee < 0) callee = busiest(streams, [&](const Row& r) { return r.src == c.dst; });
    return {caller, callee};
}

}  // namespace

MediaPanel::MediaPanel(QWidget* parent) : QWidget(parent) {
    m_model = new MediaStreamModel(this);
    m_summary = new QLabel(this);
    m_summary->setTextFormat(Qt::PlainText);
    m_view = new QTableView(this);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MediaPanel::updatePlot);
    m_plot = new MediaPlot(this);
    m_player = new MediaPlayer(this);
    connect(m_player, &MediaPlayer::cursorChanged, this, [this](qint64 ns, bool visible) {
        m_plot->setCursorTime(visible ? std::optional<std::int64_t>(ns) : std::nullopt);
    });
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_view);
    split->addWidget(m_plot);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);
    layout->addWidget(m_player);
    clear();
}

void MediaPanel::clear() {
    ++m_generation;
    show({}, {});
}

void MediaPanel::load(const QString& dbPath, const std::vector<MediaCallRef>& calls,
                      std::int64_t originNs, std::int64_t endNs, const std::string& callerIp) {
    ++m_generation;
    show({dbPath, originNs, endNs, callerIp}, readCallMedia(dbPath, calls));
}

void MediaPanel::loadInBackground(const QString& dbPath, const std::vector<MediaCallRef>& calls,
                                  std::int64_t originNs, std::int64_t endNs,
                                  const std::string& callerIp) {
    const quint64 generation = ++m_generation;
    const Request request{dbPath, originNs, endNs, callerIp};
    auto* watcher = new QFutureWatcher<MediaLoad>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, request] {
        watcher->deleteLater();
        if (generation == m_generation) show(request, watcher->result());
    });
    watcher->setFuture(QtConcurrent::run([dbPath, calls] { return readCallMedia(dbPath, calls); }));
}

void MediaPanel::loadForLadder(const QString& dbPath, const std::vector<MediaCallRef>& calls,
                               const analyzer::LadderInput& ladder) {
    std::int64_t first = 0, last = 0;
    std::string callerIp;
    for (const auto& m : ladder.messages) {
        if (first == 0 || m.tsNs < first) {
            first = m.tsNs;
            callerIp = m.src.substr(0, m.src.rfind(':'));
        }
        last = std::max(last, m.tsNs);
    }
    if (!callerIp.empty() && callerIp.front() == '[')  // "[2001:db8::1]"
        callerIp = callerIp.substr(1, callerIp.size() - 2);
    loadInBackground(dbPath, calls, first, last, callerIp);
}

void MediaPanel::show(const Request& request, MediaLoad result) {
    std::int64_t end = request.endNs;
    for (const auto& s : result.streams) {
        end = std::max(end, s.stored.row.endNs);
        if (!s.series.empty())  // the plot draws a second's value at its middle
            end = std::max(end, (s.series.back().second + 1) * 1'000'000'000);
    }
    const QString error = result.error;
    m_model->setStreams(std::move(result.streams));
    m_plot->setTimeRange(request.originNs, end);
    for (int c = 0; c < MediaStreamModel::Problems; ++c) m_view->resizeColumnToContents(c);
    updatePlot();
    const auto& streams = m_model->streams();
    const auto [caller, callee] = playedPair(streams, request.callerIp);
    const auto choice = [&](int i) {
        if (i < 0) return PlayerStream{};
        const auto& s = streams[static_cast<std::size_t>(i)];
        return PlayerStream{s.stored.id, streamDirection(s.stored.row)};
    };
    m_player->setTimeOrigin(request.originNs);
    if (caller >= 0 && !request.dbPath.isEmpty())
        m_player->setStreams(request.dbPath, choice(caller), choice(callee));
    else
        m_player->clear(streams.empty() ? tr("Select a call with G.711 audio to play it")
                                        : tr("No G.711 (PCMU/PCMA) stream to play in this call"));
    if (!error.isEmpty())
        m_summary->setText(error);
    else
        m_summary->setText(summary());
    emit loaded();
}

QString MediaPanel::statusText() const {
    return m_summary->text();
}

QString MediaPanel::summary() const {
    const int n = m_model->rowCount();
    if (n == 0) return tr("No RTP streams in the selected call");
    return (n == 1 ? tr("1 RTP stream") : tr("%1 RTP streams").arg(n)) +
           tr(" · select rows to plot only those");
}

void MediaPanel::updatePlot() {
    std::vector<int> rows;
    for (const QModelIndex& i : m_view->selectionModel()->selectedRows()) rows.push_back(i.row());
    std::sort(rows.begin(), rows.end());
    if (rows.empty())
        for (int r = 0; r < m_model->rowCount(); ++r) rows.push_back(r);
    std::vector<PlotSeries> series;
    for (int r : rows) series.push_back(PlotSeries::fromStream(m_model->streamAt(r)));
    m_plot->setSeries(std::move(series));
}

}  // namespace sipscope::gui
