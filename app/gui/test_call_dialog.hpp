#pragma once
// "Test call" dialog: places a call with the stack's user agent (sipscope-cli call, which holds
// the sockets and timers) recording every message into the window's database, then shows the
// outcome (result, code, delays, RTP, one-way audio, the exact error for DNS, TLS, timeouts or
// authentication) and hands the Call-ID to the window, which lists and draws it like any call.
// While the call is up, the user agent's --trace lines feed trace(), the call's ladder so far.

#include <QDialog>
#include <QJsonObject>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProcess;
class QPushButton;
class QSpinBox;

namespace sipscope::gui {

class TestCallTrace;

struct TestCallOptions {
    QString target, from, authUser, password, caFile;
    QString transport = QStringLiteral("auto");  // auto, udp, tcp, tls
    QString codec = QStringLiteral("pcmu");
    int durationS = 5, timeoutS = 30;
    bool insecure = false;
};

// Where sipscope-cli is: beside this program, in the build tree, or on PATH. Empty: none.
QString findCli();
// Empty when the target is a usable sip:/sips: URI, else why not.
QString checkTarget(const QString& target);
QStringList testCallArguments(const TestCallOptions& options, const QString& dbPath);
// One line for the outcome JSON of `sipscope-cli call`.
QString describeTestCall(const QJsonObject& result);

class TestCallDialog : public QDialog {
    Q_OBJECT
  public:
    TestCallDialog(const QString& dbPath, QWidget* parent = nullptr);
    ~TestCallDialog() override;

    TestCallOptions options() const;
    void setOptions(const TestCallOptions& options);
    bool start();   // places the call; false (and the reason shown) when it cannot
    void hangUp();  // CANCEL or BYE (the user agent's SIGINT handling)
    bool running() const;
    QString statusText() const;
    const TestCallTrace& trace() const { return *m_trace; }

  signals:
    // A call is being placed (trace() is empty again).
    void started();
    // trace() has new messages; `total` in all.
    void progressed(int total);
    // The call is over: the JSON object `sipscope-cli call` printed (empty on a crash).
    void finished(const QJsonObject& result);

  private:
    void validate();
    void onFinished();
    void onProgress(int total);

    QString m_db;
    QLineEdit *m_target = nullptr, *m_from = nullptr, *m_user = nullptr, *m_password = nullptr,
              *m_ca = nullptr;
    QComboBox *m_transport = nullptr, *m_codec = nullptr;
    QSpinBox *m_duration = nullptr, *m_timeout = nullptr;
    QCheckBox* m_insecure = nullptr;
    QLabel* m_status = nullptr;
    QPushButton *m_call = nullptr, *m_hangUp = nullptr;
    QProcess* m_process = nullptr;
    TestCallTrace* m_trace = nullptr;
};

}  // namespace sipscope::gui
