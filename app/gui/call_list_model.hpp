#pragma once
// The call list: a table model over the calls of a SipScope database (ARCHITECTURE.md "GUI").
// A query (filter, sort, capture scope, hidden kinds) runs on a worker thread and yields the
// matching row ids; the view then fetches only the rows it paints, a page at a time, so a
// million calls open and scroll without loading them. While a capture is importing,
// appendNew() adds the calls written since the last query at the end, and follows the calls
// still in progress (snapshots the importer rewrites in place): their rows are repainted, or
// leave or join the list when they stop or start matching the filter (call_list_follow.cpp).

#include <QAbstractTableModel>
#include <QFutureWatcher>
#include <QStringList>
#include <atomic>
#include <deque>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "store/call_query.hpp"
#include "store/store_reader.hpp"

namespace sipscope::gui {

class CallListModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column {
        Start,
        Duration,
        From,
        To,
        State,
        FinalCode,
        Pdd,
        Messages,
        Legs,
        Transport,
        Anomalies,
        UserAgent,
        CallId,
        Kind,
        FixedColumns  // header columns ("User-Agent", "X-CID" ...) follow
    };
    static constexpr int CallRowRole = Qt::UserRole + 1;  // qint64: the call's row id

    explicit CallListModel(QObject* parent = nullptr);
    ~CallListModel() override;

    // Opens the database read-only (throws nothing: false and `error` on failure) and runs the
    // query synchronously. An empty path closes it.
    bool openDatabase(const QString& path, QString* error = nullptr);
    QString databasePath() const { return m_path; }
    void setCaptures(std::vector<std::int64_t> captures);
    void setFilter(const analyzer::Filter& filter, bool usesHeaders);
    void setHiddenKinds(const QStringList& kinds);
    void addHeaderColumn(const QString& name);
    void removeHeaderColumn(const QString& name);
    QStringList headerColumns() const { return m_headerColumns; }

    void refresh();     // runs the query on a worker thread; queryFinished() when done
    void refreshNow();  // the same, synchronously
    int appendNew();    // adds calls written since the last query, follows those in progress;
                        // returns how many rows were added, changed or removed
    bool busy() const;  // a worker query is running
    std::uint64_t totalCalls();  // in the database, whatever the query

    qint64 callRowAt(int row) const;
    int rowOfCall(qint64 callRow) const;  // -1 when not listed
    std::optional<analyzer::store::StoredCall> callAt(int row) const;
    analyzer::store::StoreReader* reader() const { return m_reader.get(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    void sort(int column, Qt::SortOrder order) override;

  signals:
    void queryStarted();
    void queryFinished(int rows, qint64 milliseconds);
    void queryFailed(const QString& error);
    // Calls in progress (row ids) whose stored state changed since the last appendNew().
    void callsChanged(const QList<qint64>& callRows);

  private:
    struct Page {
        std::vector<analyzer::store::StoredCall> calls;
        std::vector<QStringList> headers;         // per call, per header column
        std::vector<std::vector<QVariant>> text;  // per call, per column: the display values,
                                                  // made once (repaints ask again and again)
    };
    // A call in progress (number 0) of a capture being imported: what it looked like when last
    // read, and whether the list shows it.
    struct Followed {
        std::string signature;
        std::int64_t capture = 0;
        bool listed = false;
    };
    struct Result {
        std::vector<std::int64_t> rows;
        std::unordered_map<std::int64_t, Followed> inProgress;
        std::int64_t lastRow = 0;
        qint64 ms = 0;
        int generation = 0;
        QString error;
    };
    static constexpr int kPageSize = 128;
    static constexpr std::size_t kMaxPages = 64;

    static Result runQuery(const QString& path, const analyzer::store::CallQuery& query,
                           int generation, const std::atomic<bool>& cancel);
    void applyResult(Result&& r);
    const Page* page(int row) const;
    QVariant display(const analyzer::store::StoredCall& c, const Page& p, int index,
                     int column) const;
    QVariant tooltip(const analyzer::store::StoredCall& c, int column) const;
    void cancelRunning();
    // call_list_follow.cpp
    static std::unordered_map<std::int64_t, Followed> inProgressOf(
        analyzer::store::StoreReader& reader, const std::vector<std::int64_t>& listed,
        std::int64_t after, std::int64_t upTo);
    int followChanges(QList<qint64>& changed);
    bool matchesQuery(std::int64_t callRow, std::int64_t capture);
    int rowFromEnd(std::int64_t callRow) const;
    void forgetPage(int row);

    QString m_path;
    std::unique_ptr<analyzer::store::StoreReader> m_reader;
    analyzer::store::CallQuery m_query;
    QStringList m_headerColumns;
    std::vector<std::int64_t> m_rows;
    std::int64_t m_lastRow = 0;
    int m_generation = 0;
    bool m_pending = false;  // a worker query whose result is not applied yet
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QFutureWatcher<Result>* m_watcher = nullptr;
    std::unordered_map<std::int64_t, Followed> m_inProgress;  // by call row id
    mutable std::unordered_map<int, Page> m_pages;
    mutable std::deque<int> m_pageOrder;
};

}  // namespace sipscope::gui
