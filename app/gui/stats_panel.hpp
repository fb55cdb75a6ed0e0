#pragma once
// RFC 6076 metrics per peer over a set of captures (a table with a total row) and the final
// response codes as a histogram.

#include <QAbstractTableModel>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <vector>

#include "calls/peer_stats.hpp"

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace sipscope::gui {

class CodeHistogram;

class PeerStatsModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column {
        Peer,
        Sessions,
        Answered,
        Ser,
        Seer,
        Isa,
        Scr,
        MeanPdd,
        MeanSrd,
        Registrations,
        Ira,
        Retransmissions,
        Anomalies,
        ColumnCount
    };
    static constexpr int kSortRole = Qt::UserRole + 1;   // numbers (-1 when undefined)
    static constexpr int kTotalRole = Qt::UserRole + 2;  // true on the total row

    explicit PeerStatsModel(QObject* parent = nullptr);

    struct Loaded {
        analyzer::StatsAggregator stats;
        std::uint32_t exchanges = 0;  // stored calls read (every kind)
        QString error;                // why nothing could be read
    };
    // Aggregates the calls of `captureIds` (empty: all captures) through its own connection:
    // callable from any thread.
    static Loaded read(const QString& dbPath, const std::vector<std::int64_t>& captureIds);

    void load(const QString& dbPath, const std::vector<std::int64_t>& captureIds);
    void setStats(const analyzer::StatsAggregator& stats, const QString& error = {});
    QString errorString() const { return m_error; }

    // Rows are the peers by address, then the total.
    const analyzer::PeerStats& statsAt(int row) const;
    const analyzer::PeerStats& total() const { return m_total; }
    bool isTotalRow(int row) const { return row == static_cast<int>(m_peers.size()); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  private:
    QVariant value(const analyzer::PeerStats& s, int column) const;  // sort value

    std::vector<analyzer::PeerStats> m_peers;
    analyzer::PeerStats m_total;
    QString m_error;
};

class StatsPanel : public QWidget {
    Q_OBJECT
  public:
    explicit StatsPanel(QWidget* parent = nullptr);

    void load(const QString& dbPath, const std::vector<std::int64_t>& captureIds);
    // The same, read on a worker thread; loaded() tells when it is shown. A later load (either
    // kind) supersedes one still running.
    void loadInBackground(const QString& dbPath, const std::vector<std::int64_t>& captureIds);
    void setStats(const analyzer::StatsAggregator& stats, std::uint32_t exchanges);

    PeerStatsModel* model() const noexcept { return m_model; }
    QTableView* view() const noexcept { return m_view; }
    CodeHistogram* histogram() const noexcept { return m_histogram; }

  signals:
    void loaded();

  private:
    void showLoaded(const PeerStatsModel::Loaded& result);

    PeerStatsModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTableView* m_view = nullptr;
    CodeHistogram* m_histogram = nullptr;
    QLabel* m_summary = nullptr;
    quint64 m_generation = 0;  // of the latest load
};

}  // namespace sipscope::gui
