#pragma once
// The media dock: the RTP streams of the selected call(s) in a table, the loss/jitter plot of
// the selected streams (all of them when none is selected), and the player of the call's G.711
// audio. Streams are read on a worker thread; a later load supersedes one still running.

#include <QWidget>
#include <cstdint>
#include <vector>

#include "ladder/ladder.hpp"
#include "media_model.hpp"

class QLabel;
class QTableView;

namespace sipscope::gui {

class MediaPlot;
class MediaPlayer;

class MediaPanel : public QWidget {
    Q_OBJECT
  public:
    explicit MediaPanel(QWidget* parent = nullptr);

    // The streams of `calls`; the plot's time axis runs from `originNs` (the ladder's first
    // message) to `endNs` or the last stream's end. `callerIp`: the caller's address, whose
    // stream the player puts on the left channel.
    void load(const QString& dbPath, const std::vector<MediaCallRef>& calls, std::int64_t originNs,
              std::int64_t endNs, const std::string& callerIp = {});
    void loadInBackground(const QString& dbPath, const std::vector<MediaCallRef>& calls,
                          std::int64_t originNs, std::int64_t endNs,
                          const std::string& callerIp = {});
    // loadInBackground() for the calls drawn by `ladder`: the plot's time axis is the ladder's
    // (first to last message), the caller is whoever sent the first message.
    void loadForLadder(const QString& dbPath, const std::vector<MediaCallRef>& calls,
                       const analyzer::LadderInput& ladder);
    void clear();

    MediaStreamModel* model() const noexcept { return m_model; }
    QTableView* view() const noexcept { return m_view; }
    MediaPlot* plot() const noexcept { return m_plot; }
    MediaPlayer* player() const noexcept { return m_player; }
    QString statusText() const;  // the summary line, or why nothing could be read

  signals:
    void loaded();

  private:
    struct Request {
        QString dbPath;
        std::int64_t originNs = 0, endNs = 0;
        std::string callerIp;
    };
    void show(const Request& request, MediaLoad result);
    void updatePlot();
    QString summary() const;

    MediaStreamModel* m_model = nullptr;
    QTableView* m_view = nullptr;
    MediaPlot* m_plot = nullptr;
    MediaPlayer* m_player = nullptr;
    QLabel* m_summary = nullptr;
    quint64 m_generation = 0;
};

}  // namespace sipscope::gui
