#pragma once
// The raw SIP message as display text and its colouring: start line, header names, SDP type
// letters, and wavy underlines over the parts the parser found malformed. Byte offsets (what
// stack::Error carries) map to character positions through MessageText, so a mark lands on the
// right character even after invalid UTF-8 or a dropped CR.

#include <QColor>
#include <QString>
#include <QSyntaxHighlighter>
#include <cstddef>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "message/sip_message.hpp"

namespace sipscope::gui {

// One block per line; the CR of CRLF dropped, a lone CR and other C0 controls shown as their
// Control Pictures (U+2400 + c), each byte of an invalid UTF-8 sequence as one U+FFFD.
struct MessageText {
    QString text;
    std::vector<int> positions;  // positions[byte] = character position; size() == bytes + 1

    static MessageText decode(std::string_view bytes);
    int positionOf(std::size_t byteOffset) const;  // clamped to the end
};

// A character range underlined in the raw view, with the tooltip it shows.
struct TextMark {
    int start = 0, end = 0;  // character positions, end exclusive
    QString text;
    bool error = true;  // false: a tolerated issue (drawn in the warning colour)
};

// Parse and validation errors and tolerated issues (body ones included), each once, in
// message order.
struct MessageFindings {
    std::vector<stack::Error> errors, issues;
};
MessageFindings findingsOf(const stack::SipMessage& message);

// "[code] Header: explanation"
QString errorText(const stack::Error& error);

// The mark of `error`: from its offset to the end of its line.
TextMark markOf(const MessageText& text, const stack::Error& error, bool isError);

struct HighlightPlan {
    bool sip = false;      // false: the start line is not SIP, only marks are drawn
    bool request = false;  // request vs response start line
    int status = 0;        // responses
    bool sdpBody = false;  // colour the body as SDP
    std::vector<TextMark> marks;
};

struct SipColors {
    bool darkBackground = false;
    QColor method, uri, status1xx, status2xx, status3xx, statusError, headerName, punctuation,
        sdpType, error, issue;
    static SipColors forBackground(const QColor& base);  // darker colours on light backgrounds
};

class SipHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
  public:
    explicit SipHighlighter(QTextDocument* document);

    void setPlan(HighlightPlan plan);        // rehighlights
    void setBackground(const QColor& base);  // picks SipColors, rehighlights
    const SipColors& colors() const noexcept { return m_colors; }
    const std::vector<TextMark>& marks() const noexcept { return m_plan.marks; }
    std::vector<const TextMark*> marksAt(int position) const;

  protected:
    void highlightBlock(const QString& text) override;

  private:
    enum State { BeforeStart = -1, InHeaders = 1, InBody = 2 };
    void highlightStartLine(const QString& text);
    void highlightHeader(const QString& text);
    void highlightSdp(const QString& text);
    void applyMarks(int blockPosition, int length);

    HighlightPlan m_plan;
    SipColors m_colors;
};

}  // namespace sipscope::gui
