// The main window's ladder side: the calls selected in the list drawn as one ladder (and drawn
// again while they are still in progress), the message pane under it, and test calls drawn live
// from the dialog's trace until the recorded call replaces them.

#include <QDateTime>
#include <QJsonObject>
#include <QLabel>
#include <QStatusBar>
#include <QTimeZone>

#include "call_list_model.hpp"
#include "call_table.hpp"
#include "calls/call_ladder.hpp"
#include "ladder_canvas.hpp"
#include "ladder_panel.hpp"
#include "main_window.hpp"
#include "media_model.hpp"
#include "media_panel.hpp"
#include "message_view.hpp"
#include "test_call_dialog.hpp"
#include "test_call_trace.hpp"

namespace sipscope::gui {

namespace {

QString qs(const std::string& s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

}  // namespace

void MainWindow::testCallDialog() {
    if (m_db.isEmpty()) setDatabase(defaultLibrary());
    auto* dialog = new TestCallDialog(m_db, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    attachTestCall(dialog);
    dialog->show();
}

void MainWindow::attachTestCall(TestCallDialog* dialog) {
    connect(dialog, &TestCallDialog::started, this, [this] {
        m_table->clearSelection();  // the ladder is the new call's from now on
        showCalls({});
        m_testCallBanner->setText(testCallBannerText(0));
        m_testCallBanner->show();
    });
    connect(dialog, &TestCallDialog::progressed, this,
            [this, dialog] { showLiveTestCall(dialog->trace()); });
    connect(dialog, &TestCallDialog::finished, this, &MainWindow::showTestCall);
}

void MainWindow::showLiveTestCall(const TestCallTrace& trace) {
    if (m_testCallBanner->isHidden()) return;  // another call was picked meanwhile
    const bool first = m_shownMessages.empty();
    m_shownMessages = trace.messages();
    if (first) {
        m_ladder->setInput(trace.ladder());
        m_ladder->selectRow(0);  // the message pane shows the INVITE, as when stored
    } else {
        m_ladder->updateInput(trace.ladder());  // the user's zoom and scrolling stay
    }
    m_testCallBanner->setText(testCallBannerText(static_cast<int>(m_shownMessages.size())));
}

void MainWindow::showTestCall(const QJsonObject& result) {
    m_testCallBanner->hide();
    // The call was recorded as a capture of its own: list the whole database and select it.
    if (m_model->databasePath() != m_db && !m_model->openDatabase(m_db)) return;
    m_scope.clear();
    m_model->setCaptures({});
    m_model->refreshNow();
    const std::string callId = result.value(QStringLiteral("call_id")).toString().toStdString();
    if (auto* reader = m_model->reader(); reader && !callId.empty())
        for (const auto& c : reader->callsById(callId))
            if (int row = m_model->rowOfCall(c.row); row >= 0) selectCall(row);
    updateCount();
}

void MainWindow::showCalls(const std::vector<qint64>& callRows, bool follow) {
    if (!follow) {
        m_testCallBanner->hide();
        m_message->clear();
        m_ladder->canvas()->setCursorTime(std::nullopt);
    }
    m_shownCalls = callRows;
    m_shownMessages.clear();
    auto* reader = m_model->reader();
    if (callRows.empty() || !reader) {
        m_ladder->clear();
        m_media->clear();
        return;
    }
    analyzer::LadderInput all;
    std::vector<MediaCallRef> media;
    int legBase = 0;
    try {
        constexpr std::size_t kMaxCalls = 16;  // a ladder of more is unreadable anyway
        std::vector<qint64> rows(
            callRows.begin(),
            callRows.begin() + static_cast<std::ptrdiff_t>(std::min(kMaxCalls, callRows.size())));
        for (const auto& call : reader->callsByRows({rows.begin(), rows.end()})) {
            auto messages = reader->messagesOf(call);
            analyzer::CallLadderInfo info;
            info.legHops = reader->legsOf(call);
            info.anomalies = reader->anomaliesOf(call);
            auto input = analyzer::buildCallLadder(messages, info);
            int maxLeg = 0;
            for (auto& m : input.messages) {
                maxLeg = std::max(maxLeg, m.leg);
                m.leg += legBase;
                all.messages.push_back(std::move(m));
            }
            legBase += maxLeg + 1;
            for (auto& n : input.nodes) all.nodes.push_back(std::move(n));
            for (auto& m : messages) m_shownMessages.push_back(std::move(m));
            media.push_back({call.callId, call.captureId});
        }
        for (const auto& s : readCallStreams(reader->database(), media, false))
            all.streams.push_back(toLadderStream(s));
    } catch (const analyzer::sql::Error& e) {
        statusBar()->showMessage(qs(e.message), 8000);
    }
    const auto count = static_cast<int>(all.messages.size());
    if (follow) {  // streams are stored when the capture ends: nothing new for the media pane
        m_ladder->updateInput(std::move(all));
        return;
    }
    if (media.empty() || m_db.isEmpty())
        m_media->clear();
    else
        m_media->loadForLadder(m_db, media, all);
    m_ladder->setInput(std::move(all));
    if (count > 0) m_ladder->selectRow(0);  // the message pane shows the first request
    emit ladderShown(count);
}

void MainWindow::showMessage(int inputIndex) {
    if (inputIndex < 0 || inputIndex >= static_cast<int>(m_shownMessages.size())) {
        m_message->clear();
        return;
    }
    const auto& m = m_shownMessages[static_cast<std::size_t>(inputIndex)];
    const auto& lm = m_ladder->input().messages[static_cast<std::size_t>(inputIndex)];
    const QString caption =
        QStringLiteral("#%1 · %2 → %3 · %4 · %5")
            .arg(m.seq)
            .arg(qs(lm.src), qs(lm.dst), qs(m.transport).toUpper(),
                 QDateTime::fromMSecsSinceEpoch(m.tsNs / 1'000'000, QTimeZone::utc())
                     .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz 'UTC'")));
    m_message->showMessage(QByteArray(m.bytes.data(), static_cast<qsizetype>(m.bytes.size())),
                           caption);
}

}  // namespace sipscope::gui
