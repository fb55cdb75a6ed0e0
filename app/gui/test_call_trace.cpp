#include "test_call_trace.hpp"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <string_view>

#include "state_style.hpp"

namespace sipscope::gui {

namespace {

// A trace line longer than this is not ours (a SIP message is at most a few hundred KB).
constexpr qsizetype kMaxLine = 16 * 1024 * 1024;

// "192.0.2.1:5060" or "[2001:db8::1]:5060" (SockAddr::hostPort) into address and port.
bool splitEndpoint(const QString& text, std::string& address, std::uint16_t& port) {
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0) return false;
    bool ok = false;
    const uint p = text.mid(colon + 1).toUInt(&ok);
    if (!ok || p > 65535) return false;
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    address = host.toStdString();
    port = static_cast<std::uint16_t>(p);
    return !address.empty();
}

}  // namespace

std::optional<analyzer::store::StoredMessage> traceMessageOf(const QJsonObject& o,
                                                             std::uint64_t seq) {
    const auto field = [&o](const char* key) { return o.value(QLatin1String(key)); };
    if (field("event").toString() != QLatin1String("message") || !field("sent").isBool() ||
        !field("bytes").isString() || !field("ts").isDouble())
        return std::nullopt;
    const bool sent = field("sent").toBool();
    std::string local, remote;
    std::uint16_t localPort = 0, remotePort = 0;
    if (!splitEndpoint(field("local").toString(), local, localPort) ||
        !splitEndpoint(field("remote").toString(), remote, remotePort))
        return std::nullopt;
    analyzer::store::StoredMessage m;
    m.seq = seq;
    // Whole seconds and the fraction apart: a double holds microseconds of today's Unix time,
    // but not the product with 1e9.
    const double ts = field("ts").toDouble();
    const double whole = std::floor(ts);
    m.tsNs = static_cast<std::int64_t>(whole) * 1'000'000'000 + std::llround((ts - whole) * 1e9);
    m.src = sent ? local : remote;
    m.sport = sent ? localPort : remotePort;
    m.dst = sent ? remote : local;
    m.dport = sent ? remotePort : localPort;
    m.transport = field("transport").toString(QStringLiteral("udp")).toStdString();
    m.ipVersion = remote.find(':') == std::string::npos ? 4 : 6;
    m.bytes = field("bytes").toString().toStdString();
    return m;
}

QString traceSummary(const analyzer::store::StoredMessage& m) {
    const std::string_view bytes = m.bytes;
    const std::string_view first = bytes.substr(0, bytes.find_first_of("\r\n"));
    constexpr std::string_view kStatus = "SIP/2.0 ";
    // RFC 3261 §7.1 Request-Line: Method SP Request-URI SP SIP-Version; §7.2 Status-Line.
    const std::string_view text = first.starts_with(kStatus) ? first.substr(kStatus.size())
                                                             : first.substr(0, first.find(' '));
    if (text.empty() || first.find(' ') == std::string_view::npos) return QObject::tr("(not SIP)");
    return QString::fromUtf8(text.data(),
                             static_cast<qsizetype>(std::min<std::size_t>(text.size(), 60)));
}

TestCallTrace::TestCallTrace(QObject* parent) : QObject(parent) {}

void TestCallTrace::feed(const QByteArray& chunk) {
    m_partial += chunk;
    bool added = false;
    qsizetype start = 0;
    for (qsizetype nl = m_partial.indexOf('\n'); nl >= 0; nl = m_partial.indexOf('\n', start)) {
        added = takeLine(m_partial.mid(start, nl - start)) || added;
        start = nl + 1;
    }
    m_partial.remove(0, start);
    if (m_partial.size() > kMaxLine) m_partial.clear();
    if (added) emit messagesAdded(static_cast<int>(m_messages.size()));
}

void TestCallTrace::finish() {
    if (m_partial.isEmpty()) return;
    feed(QByteArrayLiteral("\n"));
}

void TestCallTrace::clear() {
    m_partial.clear();
    m_other.clear();
    m_messages.clear();
}

bool TestCallTrace::takeLine(const QByteArray& raw) {
    const QByteArray line = raw.trimmed();
    if (line.isEmpty()) return false;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    auto m = error.error == QJsonParseError::NoError && doc.isObject()
                 ? traceMessageOf(doc.object(), m_messages.size() + 1)
                 : std::nullopt;
    if (!m) {
        // JSON that is not a message event is some other trace event: not for the user.
        if (!line.startsWith('{')) m_other << QString::fromUtf8(line);
        return false;
    }
    // The same bytes in the same direction again are a retransmission (RFC 3261 §17.1.1.2:
    // Timer A; §13.3.1.4: the 2xx until its ACK); the ladder marks it and links the first copy.
    for (const auto& earlier : m_messages)
        if (earlier.role.empty() && earlier.src == m->src && earlier.sport == m->sport &&
            earlier.dst == m->dst && earlier.dport == m->dport && earlier.bytes == m->bytes) {
            m->role = "retransmission";
            m->original = earlier.seq;
            break;
        }
    m_messages.push_back(std::move(*m));
    return true;
}

analyzer::LadderInput TestCallTrace::ladder() const {
    return analyzer::buildCallLadder(m_messages, {});
}

QWidget* withTestCallBanner(QWidget* ladder, QLabel*& banner) {
    auto* box = new QWidget;
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    banner = new QLabel(box);
    banner->setObjectName(QStringLiteral("testCallBanner"));
    banner->setTextFormat(Qt::PlainText);
    // The colour of a ringing call in the call list: the same "not over yet" everywhere.
    const QColor c = stateColor(analyzer::CallState::Ringing, banner->palette());
    banner->setStyleSheet(
        QStringLiteral("QLabel#testCallBanner { background: %1; color: %2; padding: 4px 8px; "
                       "font-weight: bold; }")
            .arg(c.name(),
                 c.lightness() > 140 ? QStringLiteral("black") : QStringLiteral("white")));
    banner->hide();
    layout->addWidget(banner);
    layout->addWidget(ladder, 1);
    return box;
}

QString testCallBannerText(int messages) {
    return QObject::tr(
               "Test call in progress — %1 so far; the recorded call replaces this view "
               "when it ends")
        .arg(messageCount(messages));
}

QString messageCount(int messages) {
    return messages == 1 ? QObject::tr("1 message") : QObject::tr("%1 messages").arg(messages);
}

}  // namespace sipscope::gui
