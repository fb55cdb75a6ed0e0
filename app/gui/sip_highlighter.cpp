#include "sip_highlighter.hpp"

#include <QTextCharFormat>
#include <QTextDocument>
#include <algorithm>

#include "message/body.hpp"
#include "message/validate.hpp"

namespace sipscope::gui {

namespace {

// Length of the well-formed UTF-8 sequence at `i` (RFC 3629 §4: no overlongs, no surrogates,
// nothing above U+10FFFF), 0 when the byte starts none.
int utf8Sequence(std::string_view b, std::size_t i, char32_t& cp) {
    const auto c = static_cast<unsigned char>(b[i]);
    if (c < 0x80) {
        cp = c;
        return 1;
    }
    int n = 0;
    char32_t min = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (i + static_cast<std::size_t>(n) > b.size()) return 0;
    for (int k = 1; k < n; ++k) {
        const auto cc = static_cast<unsigned char>(b[i + static_cast<std::size_t>(k)]);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

// Characters QTextDocument would turn into structure (paragraph/line separators, frame
// markers): shown as U+FFFD so one line of bytes stays one block.
bool structural(char32_t cp) {
    return cp == 0x2028 || cp == 0x2029 || cp == 0xFDD0 || cp == 0xFDD1;
}

void appendCodePoint(QString& text, char32_t cp) {
    if (structural(cp)) cp = 0xFFFD;
    if (cp > 0xFFFF) {
        text += QChar(QChar::highSurrogate(cp));
        text += QChar(QChar::lowSurrogate(cp));
    } else {
        text += QChar(static_cast<char16_t>(cp));
    }
}

QString qs(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

}  // namespace

MessageText MessageText::decode(std::string_view bytes) {
    MessageText out;
    out.positions.assign(bytes.size() + 1, 0);
    out.text.reserve(static_cast<qsizetype>(bytes.size()));
    std::size_t i = 0;
    while (i < bytes.size()) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        const int here = static_cast<int>(out.text.size());
        if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
            out.positions[i++] = here;  // the CR of CRLF is the end of the line, like the LF
            continue;
        }
        if (c == '\n' || c == '\t') {
            out.text += QChar(c);
            out.positions[i++] = here;
            continue;
        }
        if (c < 0x20 || c == 0x7F) {  // Control Pictures block: U+2400 + c, U+2421 for DEL
            out.text += QChar(static_cast<char16_t>(c == 0x7F ? 0x2421 : 0x2400 + c));
            out.positions[i++] = here;
            continue;
        }
        char32_t cp = 0;
        int n = utf8Sequence(bytes, i, cp);
        if (n == 0) n = 1, cp = 0xFFFD;
        appendCodePoint(out.text, cp);
        for (int k = 0; k < n; ++k) out.positions[i++] = here;
    }
    out.positions[bytes.size()] = static_cast<int>(out.text.size());
    return out;
}

int MessageText::positionOf(std::size_t byteOffset) const {
    if (positions.empty()) return 0;
    return positions[std::min(byteOffset, positions.size() - 1)];
}

QString errorText(const stack::Error& e) {
    QString text = QStringLiteral("[%1] ").arg(qs(stack::errorCodeName(e.code)));
    if (!e.header.empty()) text += qs(e.header) + QStringLiteral(": ");
    return text + qs(e.message);
}

MessageFindings findingsOf(const stack::SipMessage& m) {
    stack::Validation v = stack::validate(m);
    MessageFindings f{std::move(v.errors), std::move(v.issues)};
    for (auto& e : stack::inspectBody(m).issues) f.issues.push_back(std::move(e));
    auto tidy = [](std::vector<stack::Error>& list) {
        using stack::Error;
        std::stable_sort(list.begin(), list.end(),
                         [](const Error& a, const Error& b) { return a.offset < b.offset; });
        list.erase(std::unique(list.begin(), list.end(),
                               [](const Error& a, const Error& b) {
                                   return a.offset == b.offset && a.code == b.code &&
                                          a.message == b.message;
                               }),
                   list.end());
    };
    tidy(f.errors);
    tidy(f.issues);
    return f;
}

// The underline runs from the error's offset to the end of its line; an offset at the very
// end of a line marks its last character so the wave stays visible.
TextMark markOf(const MessageText& text, const stack::Error& e, bool error) {
    TextMark mark;
    mark.start = text.positionOf(e.offset);
    const qsizetype eol = text.text.indexOf(QLatin1Char('\n'), mark.start);
    mark.end = eol < 0 ? static_cast<int>(text.text.size()) : static_cast<int>(eol);
    const int lineStart =
        static_cast<int>(text.text.lastIndexOf(QLatin1Char('\n'), mark.start - 1)) + 1;
    if (mark.start == mark.end && mark.start > lineStart) --mark.start;
    mark.text = errorText(e);
    mark.error = error;
    return mark;
}

SipColors SipColors::forBackground(const QColor& base) {
    if (base.lightness() >= 128) {
        return {false,
                QColor(0x82, 0x50, 0xdf),
                QColor(0x0a, 0x30, 0x69),
                QColor(0x6e, 0x77, 0x81),
                QColor(0x1a, 0x7f, 0x37),
                QColor(0x9a, 0x67, 0x00),
                QColor(0xcf, 0x22, 0x2e),
                QColor(0x05, 0x50, 0xae),
                QColor(0x6e, 0x77, 0x81),
                QColor(0xbc, 0x4c, 0x00),
                QColor(0xd1, 0x24, 0x2f),
                QColor(0xbf, 0x87, 0x00)};
    }
    return {true,
            QColor(0xd2, 0xa8, 0xff),
            QColor(0xa5, 0xd6, 0xff),
            QColor(0x8b, 0x94, 0x9e),
            QColor(0x3f, 0xb9, 0x50),
            QColor(0xd2, 0x99, 0x22),
            QColor(0xff, 0x7b, 0x72),
            QColor(0x79, 0xc0, 0xff),
            QColor(0x8b, 0x94, 0x9e),
            QColor(0xff, 0xa6, 0x57),
            QColor(0xff, 0x5c, 0x5c),
            QColor(0xe3, 0xb3, 0x41)};
}

SipHighlighter::SipHighlighter(QTextDocument* document)
    : QSyntaxHighlighter(document), m_colors(SipColors::forBackground(Qt::white)) {}

void SipHighlighter::setPlan(HighlightPlan plan) {
    m_plan = std::move(plan);
    rehighlight();
}

void SipHighlighter::setBackground(const QColor& base) {
    m_colors = SipColors::forBackground(base);
    rehighlight();
}

std::vector<const TextMark*> SipHighlighter::marksAt(int position) const {
    std::vector<const TextMark*> out;
    for (const auto& m : m_plan.marks)
        if (position >= m.start && position < m.end) out.push_back(&m);
    return out;
}

void SipHighlighter::highlightBlock(const QString& text) {
    const int previous = previousBlockState();
    int state = previous == InHeaders || previous == InBody ? previous : BeforeStart;
    if (m_plan.sip) {
        if (state == BeforeStart) {
            // RFC 3261 §7.5: CRLFs before the start line are ignored.
            if (!text.isEmpty()) highlightStartLine(text), state = InHeaders;
        } else if (state == InHeaders) {
            if (text.isEmpty())
                state = InBody;
            else
                highlightHeader(text);
        } else if (m_plan.sdpBody) {
            highlightSdp(text);
        }
    }
    setCurrentBlockState(state);
    applyMarks(currentBlock().position(), static_cast<int>(text.size()));
}

void SipHighlighter::highlightStartLine(const QString& text) {
    QTextCharFormat bold;
    bold.setFontWeight(QFont::Bold);
    setFormat(0, static_cast<int>(text.size()), bold);
    const int firstSpace = static_cast<int>(text.indexOf(QLatin1Char(' ')));
    if (firstSpace < 0) return;
    QTextCharFormat f = bold;
    if (m_plan.request) {  // Method SP Request-URI SP SIP-Version (RFC 3261 §7.1)
        f.setForeground(m_colors.method);
        setFormat(0, firstSpace, f);
        const int secondSpace = static_cast<int>(text.indexOf(QLatin1Char(' '), firstSpace + 1));
        const int uriEnd = secondSpace < 0 ? static_cast<int>(text.size()) : secondSpace;
        f.setForeground(m_colors.uri);
        setFormat(firstSpace + 1, uriEnd - firstSpace - 1, f);
        return;
    }
    // SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2)
    const int s = m_plan.status;
    f.setForeground(s < 200   ? m_colors.status1xx
                    : s < 300 ? m_colors.status2xx
                    : s < 400 ? m_colors.status3xx
                              : m_colors.statusError);
    setFormat(firstSpace + 1, static_cast<int>(text.size()) - firstSpace - 1, f);
}

void SipHighlighter::highlightHeader(const QString& text) {
    if (text.front() == QLatin1Char(' ') || text.front() == QLatin1Char('\t'))
        return;  // RFC 3261 §7.3.1: a folded continuation of the previous value
    const int colon = static_cast<int>(text.indexOf(QLatin1Char(':')));
    if (colon <= 0) return;
    QTextCharFormat name;
    name.setForeground(m_colors.headerName);
    name.setFontWeight(QFont::DemiBold);
    setFormat(0, colon, name);
    QTextCharFormat punct;
    punct.setForeground(m_colors.punctuation);
    setFormat(colon, 1, punct);
}

void SipHighlighter::highlightSdp(const QString& text) {
    // RFC 8866 §5: <type>=<value>, type a single letter.
    if (text.size() < 2 || text[1] != QLatin1Char('=') || !text[0].isLetter()) return;
    QTextCharFormat type;
    type.setForeground(m_colors.sdpType);
    type.setFontWeight(QFont::Bold);
    setFormat(0, 1, type);
    QTextCharFormat punct;
    punct.setForeground(m_colors.punctuation);
    setFormat(1, 1, punct);
    if (text[0] == QLatin1Char('m')) {  // media descriptions stand out
        QTextCharFormat media;
        media.setFontWeight(QFont::Bold);
        setFormat(2, static_cast<int>(text.size()) - 2, media);
    }
}

void SipHighlighter::applyMarks(int blockPosition, int length) {
    for (const auto& m : m_plan.marks) {
        const int from = std::max(m.start, blockPosition) - blockPosition;
        const int to = std::min(m.end, blockPosition + length) - blockPosition;
        // A thin wave alone is easy to miss: the range is tinted too.
        QColor tint = m.error ? m_colors.error : m_colors.issue;
        tint.setAlpha(m_colors.darkBackground ? 70 : 40);
        for (int i = from; i < to; ++i) {  // merge: keep the colour and weight under the wave
            QTextCharFormat f = format(i);
            f.setUnderlineStyle(QTextCharFormat::WaveUnderline);
            f.setUnderlineColor(m.error ? m_colors.error : m_colors.issue);
            f.setBackground(tint);
            f.setToolTip(m.text);
            setFormat(i, 1, f);
        }
    }
}

}  // namespace sipscope::gui

#include "moc_sip_highlighter.cpp"
