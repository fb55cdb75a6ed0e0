#pragma once
// The live ladder of a running test call. `sipscope-cli call --trace -` writes one JSON line per
// message sent or received on standard error while the call is up; TestCallTrace takes that
// stream in chunks as they arrive, keeps the messages in the form the store gives them back
// (so the ladder builder and the message view treat them like stored ones), and says when
// there are new ones. Lines that are not trace lines (the user agent's own error text) are
// kept apart for the dialog to show.

#include <QObject>
#include <QStringList>
#include <cstdint>
#include <optional>
#include <vector>

#include "calls/call_ladder.hpp"
#include "store/store_reader.hpp"

class QJsonObject;
class QLabel;
class QWidget;

namespace sipscope::gui {

// One trace line's message, numbered `seq`; nullopt when the object is not a message event or
// lacks a field. The bytes are kept even when they are not valid SIP.
std::optional<analyzer::store::StoredMessage> traceMessageOf(const QJsonObject& line,
                                                             std::uint64_t seq);

// A message's first line, shortened: "INVITE", "180 Ringing", "(not SIP)".
QString traceSummary(const analyzer::store::StoredMessage& message);

class TestCallTrace : public QObject {
    Q_OBJECT
  public:
    explicit TestCallTrace(QObject* parent = nullptr);

    // A chunk of the process's standard error: whole lines are taken, a partial line waits
    // for the rest.
    void feed(const QByteArray& chunk);
    // The process ended: a last line without its newline is taken too.
    void finish();
    void clear();

    const std::vector<analyzer::store::StoredMessage>& messages() const { return m_messages; }
    analyzer::LadderInput ladder() const;
    // What was not a trace line (error text), one entry per line.
    const QStringList& otherLines() const { return m_other; }

  signals:
    void messagesAdded(int total);

  private:
    bool takeLine(const QByteArray& line);  // true when it was a message

    QByteArray m_partial;
    QStringList m_other;
    std::vector<analyzer::store::StoredMessage> m_messages;
};

// `ladder` under a strip (`banner`, hidden until shown) that says the ladder is a test call
// still in progress; the returned widget holds both.
QWidget* withTestCallBanner(QWidget* ladder, QLabel*& banner);
QString testCallBannerText(int messages);
QString messageCount(int messages);  // "1 message", "5 messages"

}  // namespace sipscope::gui
