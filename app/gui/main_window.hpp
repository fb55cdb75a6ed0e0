#pragma once
// The main window: filter bar and call list on top, the ladder of the selected calls and the
// selected message below, anomaly and statistics panels as docks. Capture files are imported
// into the current database (by default the user's library) on a worker thread while their
// calls already appear; databases open directly.

#include <QJsonObject>
#include <QMainWindow>
#include <vector>

#include "import_job.hpp"
#include "live_capture.hpp"
#include "store/store_reader.hpp"

class QLabel;
class QProgressBar;
class QPushButton;
class QTimer;
class QMenu;

namespace sipscope::gui {

class CallListModel;
class CallTable;
class FilterBar;
class LadderPanel;
class MessageView;
class AnomalyPanel;
class StatsPanel;
class MediaPanel;
class TestCallDialog;
class TestCallTrace;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    static QString defaultLibrary();        // <AppData>/library.sqlite
    void setDatabase(const QString& path);  // where imports go; shows its calls
    QString database() const { return m_db; }
    void openFiles(const QStringList& files);  // captures are imported, databases opened

    CallListModel* callModel() const { return m_model; }
    CallTable* callTable() const { return m_table; }
    LadderPanel* ladder() const { return m_ladder; }
    MediaPanel* mediaPanel() const { return m_media; }
    MessageView* messageView() const { return m_message; }
    FilterBar* filterBar() const { return m_filter; }
    ImportJob* importJob() const { return m_import; }
    bool selectCall(int row);  // selects and draws it; false when out of range
    // Live capture through sipscope-capture into the current database (calls stream in).
    bool startLiveCapture(const LiveCaptureOptions& options, QString* error = nullptr);
    void stopLiveCapture();
    LiveCapture* liveCapture() const { return m_live; }

    // After a test call: the database is listed whole and the call selected.
    void showTestCall(const QJsonObject& result);
    // Follows the dialog's calls: each one's ladder grows as it runs, then showTestCall().
    void attachTestCall(TestCallDialog* dialog);

  signals:
    void importFinished();
    void ladderShown(int messages);

  protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

  private:
    void buildCentral();
    void buildDocks();
    void connectViews();
    void connectJobs();
    void buildMenus();
    static void changeFont(int delta);
    void buildStatusBar();
    void openDialog();
    void liveCaptureDialog();
    void testCallDialog();
    void openDatabaseDialog();
    void addRecent(const QString& path);
    void updateRecentMenu();
    // main_window_ladder.cpp. `follow`: the same calls again, grown; the view stays as it is.
    void showCalls(const std::vector<qint64>& callRows, bool follow = false);
    void showMessage(int inputIndex);
    void startImport(const QStringList& files);
    void onImportFinished(bool cancelled);
    void updateCount();
    void reloadPanels();
    void showLiveTestCall(const TestCallTrace& trace);

    QString m_db;
    std::vector<std::int64_t> m_scope;  // capture ids shown; empty: the whole database
    CallListModel* m_model = nullptr;
    CallTable* m_table = nullptr;
    FilterBar* m_filter = nullptr;
    LadderPanel* m_ladder = nullptr;
    MessageView* m_message = nullptr;
    AnomalyPanel* m_anomalies = nullptr;
    StatsPanel* m_stats = nullptr;
    MediaPanel* m_media = nullptr;
    ImportJob* m_import = nullptr;
    LiveCapture* m_live = nullptr;
    QTimer* m_liveTimer = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_rate = nullptr;
    QLabel* m_count = nullptr;
    QPushButton* m_cancel = nullptr;
    QMenu* m_recent = nullptr;
    QLabel* m_testCallBanner = nullptr;  // shown while the ladder is a running test call
    std::vector<analyzer::store::StoredMessage> m_shownMessages;  // by ladder input index
    std::vector<qint64> m_shownCalls;                             // call rows in the ladder
};

}  // namespace sipscope::gui
