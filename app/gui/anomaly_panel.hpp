#pragma once
// The anomalies of a set of calls (protocol deviations the analyzer found: RFC section and text),
// filterable by code; double-clicking one asks for its call.

#include <QAbstractTableModel>
#include <QString>
#include <QWidget>
#include <cstdint>
#include <utility>
#include <vector>

#include "store/store_panels.hpp"

class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace sipscope::gui {

class AnomalyModel : public QAbstractTableModel {
    Q_OBJECT
  public:
    enum Column { Time, Code, Rfc, Text, CallId, Messages, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole + 1;     // raw values for sorting
    static constexpr int kCallRowRole = Qt::UserRole + 2;  // calls.id of the row's call

    explicit AnomalyModel(QObject* parent = nullptr);

    struct Loaded {
        std::vector<analyzer::store::PanelAnomaly> rows;
        QString error;  // why nothing could be read
    };
    // Reads the anomalies of `captureIds` (empty: all captures) through its own connection:
    // callable from any thread.
    static Loaded read(const QString& dbPath, const std::vector<std::int64_t>& captureIds);

    // read() + setLoaded(). On failure the model is empty and errorString() says why.
    void load(const QString& dbPath, const std::vector<std::int64_t>& captureIds);
    void setLoaded(Loaded loaded);
    void setAnomalies(std::vector<analyzer::store::PanelAnomaly> anomalies);
    QString errorString() const { return m_error; }

    const analyzer::store::PanelAnomaly& anomalyAt(int row) const { return m_rows.at(row); }
    qint64 callRowAt(int row) const { return m_rows.at(row).callRow; }
    int callCount() const;  // distinct calls
    // (code, anomalies) pairs, most frequent first.
    std::vector<std::pair<QString, int>> codeCounts() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

  private:
    std::vector<analyzer::store::PanelAnomaly> m_rows;
    QString m_error;
};

class AnomalyPanel : public QWidget {
    Q_OBJECT
  public:
    explicit AnomalyPanel(QWidget* parent = nullptr);

    void load(const QString& dbPath, const std::vector<std::int64_t>& captureIds);
    // The same, read on a worker thread; loaded() tells when it is shown. A later load (either
    // kind) supersedes one still running.
    void loadInBackground(const QString& dbPath, const std::vector<std::int64_t>& captureIds);
    void setCodeFilter(const QString& code);  // empty: every code
    QString codeFilter() const;

    AnomalyModel* model() const noexcept { return m_model; }
    QSortFilterProxyModel* proxy() const noexcept { return m_proxy; }
    QTableView* view() const noexcept { return m_view; }
    QComboBox* codeCombo() const noexcept { return m_codes; }

  signals:
    void callActivated(qint64 callRow);
    void loaded();

  protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

  private:
    void activate(const QModelIndex& index);
    void showLoaded(AnomalyModel::Loaded result);
    void refillCodes();
    void updateSummary();

    AnomalyModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
    QTableView* m_view = nullptr;
    QComboBox* m_codes = nullptr;
    QLabel* m_summary = nullptr;
    quint64 m_generation = 0;  // of the latest load
};

}  // namespace sipscope::gui
