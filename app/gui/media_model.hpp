#pragma once
// The RTP streams of the shown calls as the GUI reads them from the store: the streams with
// their per-second loss/jitter series (read through a connection of their own, so any thread
// can), their ladder form, and the media panel's table model.

#include <QAbstractTableModel>
#include <QString>
#include <cstdint>
#include <string>
#include <vector>

#include "ladder/ladder.hpp"
#include "store/media_rows.hpp"

namespace sipscope::gui {

// One call of the selection: its Call-ID in its capture.
struct MediaCallRef {
    std::string callId;
    std::int64_t captureId = 0;
};

struct MediaStreamData {
    analyzer::store::StoredStream stored;
    QString codec;  // "PCMU", "telephone-event", "PT 96"
    std::vector<analyzer::MediaSecond> series;
};

struct MediaLoad {
    std::vector<MediaStreamData> streams;  // in capture and start order
    QString error;                         // why nothing could be read
};

// The stored streams of `calls` (each only from its own capture); `withSeries` reads their
// per-second series too.
std::vector<MediaStreamData> readCallStreams(analyzer::sql::Database& db,
                                             const std::vector<MediaCallRef>& calls,
                                             bool withSeries);
// The same from the database file, through its own read-only connection.
MediaLoad readCallMedia(const QString& dbPath, const std::vector<MediaCallRef>& calls);

analyzer::LadderStream toLadderStream(const MediaStreamData& s);
QString streamDirection(const analyzer::store::MediaStreamRow& r);  // "a:1 → b:2"

class MediaStreamModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column {
        Direction,
        Ssrc,
        Codec,
        Packets,
        Lost,
        LossPct,
        Jitter,
        MaxDelta,
        Mos,
        Problems,
        ColumnCount
    };
    static constexpr int kSortRole = Qt::UserRole + 1;  // raw numbers for sorting

    explicit MediaStreamModel(QObject* parent = nullptr);

    void setStreams(std::vector<MediaStreamData> streams);
    const std::vector<MediaStreamData>& streams() const { return m_rows; }
    const MediaStreamData& streamAt(int row) const {
        return m_rows.at(static_cast<std::size_t>(row));
    }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  private:
    QVariant display(const MediaStreamData& s, int column) const;
    std::vector<MediaStreamData> m_rows;
};

}  // namespace sipscope::gui
