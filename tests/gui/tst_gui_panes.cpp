// The message view, the anomaly panel and the statistics panel: highlighting at the parser's
// byte offsets, the decoded tree, the models (under QAbstractItemModelTester) against the
// captures' known truth (tests/data/calls/README.md, truth.tsv, `sipscope-cli stats`), and
// grabs of each widget in a light and a dark palette (saved under QDir::tempPath()).

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QStyleFactory>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextLayout>
#include <QToolTip>
#include <QTreeView>
#include <QtTest>
#include <atomic>

#include "anomaly_panel.hpp"
#include "code_histogram.hpp"
#include "gui_test_util.hpp"
#include "message/sip_message.hpp"
#include "message/validate.hpp"
#include "message_view.hpp"
#include "stats_panel.hpp"
#include "store/importer.hpp"
#include "store/store_reader.hpp"

using namespace sipscope;
using sipscope::test::darkPalette;
using sipscope::test::grabBoth;
using sipscope::test::importInto;
using namespace sipscope::gui;

namespace {

const QString kExample = QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/examples/basic-calls.pcap");
const QString kCalls = QStringLiteral(SIPSCOPE_TEST_DATA_DIR "/calls");

// The formats the highlighter left on the character at document position `pos`.
std::vector<QTextCharFormat> formatsAt(QTextDocument* doc, int pos) {
    const QTextBlock block = doc->findBlock(pos);
    std::vector<QTextCharFormat> out;
    for (const auto& r : block.layout()->formats()) {
        const int local = pos - block.position();
        if (local >= r.start && local < r.start + r.length) out.push_back(r.format);
    }
    return out;
}

bool wavyAt(QTextDocument* doc, int pos) {
    for (const auto& f : formatsAt(doc, pos))
        if (f.underlineStyle() == QTextCharFormat::WaveUnderline) return true;
    return false;
}

// The Field cell named `field` among the children of `parent`; value() is its Value cell.
QStandardItem* findItem(QStandardItem* parent, const QString& field) {
    if (parent == nullptr) return nullptr;
    for (int i = 0; i < parent->rowCount(); ++i)
        if (parent->child(i, 0)->text() == field) return parent->child(i, 0);
    return nullptr;
}

QString value(QStandardItem* field) {
    return field ? field->index().siblingAtColumn(1).data().toString() : QStringLiteral("<none>");
}

QStandardItem* topItem(const MessageView& view, const QString& field) {
    return findItem(view.decodedModel()->invisibleRootItem(), field);
}

QByteArray crlf(const char* text) {
    return QByteArray(text).replace("\n", "\r\n");
}

const QByteArray kBadCSeq = crlf(
    "INVITE sip:bob@example.com;transport=udp SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport;received=198.51.100.7\n"
    "Max-Forwards: 70\n"
    "To: Bob <sip:bob@example.com>\n"
    "From: \"Alice\" <sip:alice@example.com:5070>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710@pc33.example.com\n"
    "CSeq: abc INVITE\n"
    "Contact: <sip:alice@192.0.2.10>\n"
    "Content-Length: 0\n"
    "\n");

const QByteArray kSdpInvite = crlf(
    "INVITE sip:bob@example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-1\n"
    "Max-Forwards: 70\n"
    "To: <sip:bob@example.com>\n"
    "From: <sip:alice@example.com>;tag=a1\n"
    "Call-ID: sdp-1@example.com\n"
    "CSeq: 1 INVITE\n"
    "Content-Type: application/sdp\n"
    "Content-Length: %1\n"
    "\n");

const QByteArray kSdpBody = crlf(
    "v=0\n"
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\n"
    "s=-\n"
    "c=IN IP4 192.0.2.10\n"
    "t=0 0\n"
    "m=audio 49170 RTP/AVP 0 8 101\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-16\n"
    "a=sendonly\n"
    "m=video 51372 RTP/AVP 99\n"
    "c=IN IP4 192.0.2.20\n"
    "a=rtpmap:99 H264/90000\n");

QByteArray sdpInvite() {
    QByteArray m = kSdpInvite;
    m.replace("%1", QByteArray::number(kSdpBody.size()));
    return m + kSdpBody;
}

}  // namespace

class TestGuiPanes : public QObject {
    Q_OBJECT

  private slots:
    void initTestCase();
    void malformedHeaderIsUnderlined();
    void offsetsAfterInvalidUtf8();
    void sdpIsDecoded();
    void notSipAtAll();
    void messageTreeModel();
    void anomalyModel();
    void anomalyPanelFilterAndActivate();
    void peerStatsModel();
    void statsPanelHistogram();
    void backgroundLoads();
    void grabs();

  private:
    QTemporaryDir m_dir;
    std::string m_db;
    std::int64_t m_example = 0, m_failures = 0, m_timeout = 0;
};

void TestGuiPanes::initTestCase() {
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QVERIFY(m_dir.isValid());
    m_db = m_dir.filePath(QStringLiteral("panes.sqlite")).toStdString();
    m_example = importInto(m_db, kExample);
    m_failures = importInto(m_db, kCalls + QStringLiteral("/failures.pcap"));
    m_timeout = importInto(m_db, kCalls + QStringLiteral("/timeout.pcap"));
    QVERIFY(m_example > 0 && m_failures > 0 && m_timeout > 0);
}

void TestGuiPanes::malformedHeaderIsUnderlined() {
    MessageView view;
    view.showMessage(kBadCSeq, QStringLiteral("bad CSeq"));
    const auto parsed =
        stack::SipMessage::parse(std::string_view(kBadCSeq.data(), kBadCSeq.size()));
    QVERIFY(parsed.ok());
    const auto v = stack::validate(*parsed);
    QCOMPARE(v.errors.size(), std::size_t(1));
    const std::size_t offset = v.errors[0].offset;
    const qsizetype line = kBadCSeq.indexOf("CSeq: ");
    const qsizetype lineEnd = kBadCSeq.indexOf("\r\n", line);
    QVERIFY(qsizetype(offset) >= line + 6 && qsizetype(offset) < lineEnd);

    QTextDocument* doc = view.rawView()->document();
    QVERIFY(!doc->toPlainText().contains(QLatin1Char('\r')));
    const int start = view.characterPosition(qsizetype(offset));
    const int end = view.characterPosition(lineEnd);
    QCOMPARE(doc->findBlock(start).text(), QStringLiteral("CSeq: abc INVITE"));
    for (int pos = start; pos < end; ++pos)
        QVERIFY2(wavyAt(doc, pos), qPrintable(QString::number(pos)));
    QVERIFY(!wavyAt(doc, start - 1));
    QVERIFY(!wavyAt(doc, view.characterPosition(kBadCSeq.indexOf("Contact"))));
    // The tooltip text travels with the format, and the highlighter can tell it by position.
    bool tip = false;
    for (const auto& f : formatsAt(doc, start)) tip |= f.toolTip().contains(QStringLiteral("CSeq"));
    QVERIFY(tip);
    QCOMPARE(view.highlighter()->marksAt(start).size(), std::size_t(1));
    QVERIFY(view.highlighter()->marksAt(start)[0]->text.contains(QStringLiteral("CSeq")));

    // Hovering the underlined text shows the error.
    view.resize(700, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTextCursor hover(doc);
    hover.setPosition(start + 1);
    const QPoint at = view.rawView()->cursorRect(hover).center() + QPoint(2, 0);
    QHelpEvent help(QEvent::ToolTip, at, view.rawView()->viewport()->mapToGlobal(at));
    QApplication::sendEvent(view.rawView()->viewport(), &help);
    QVERIFY2(QToolTip::text().contains(QStringLiteral("CSeq")), qPrintable(QToolTip::text()));
    QToolTip::hideText();

    QStandardItem* errors = topItem(view, QStringLiteral("Errors"));
    QVERIFY(errors);
    QCOMPARE(errors->rowCount(), 1);
    QCOMPARE(errors->child(0, 0)->text(), QStringLiteral("offset %1").arg(offset));
    QVERIFY(value(errors->child(0, 0)).contains(QStringLiteral("bad_header_value")) ||
            !value(errors->child(0, 0)).isEmpty());

    // The rest is decoded: Request-URI parts, Via parts, From parts.
    QStandardItem* request = topItem(view, QStringLiteral("Request"));
    QVERIFY(request);
    QCOMPARE(value(findItem(request, QStringLiteral("Method"))), QStringLiteral("INVITE"));
    QStandardItem* ruri = findItem(request, QStringLiteral("Request-URI"));
    QCOMPARE(value(findItem(ruri, QStringLiteral("host"))), QStringLiteral("example.com"));
    QCOMPARE(value(findItem(ruri, QStringLiteral(";transport"))), QStringLiteral("udp"));
    QStandardItem* headers = topItem(view, QStringLiteral("Headers"));
    QStandardItem* via = findItem(headers, QStringLiteral("Via"));
    QCOMPARE(value(findItem(via, QStringLiteral("sent-by"))), QStringLiteral("192.0.2.10:5060"));
    QCOMPARE(value(findItem(via, QStringLiteral("branch"))), QStringLiteral("z9hG4bK776asdhds"));
    QCOMPARE(value(findItem(via, QStringLiteral("received"))), QStringLiteral("198.51.100.7"));
    QVERIFY(findItem(via, QStringLiteral("rport")));
    QStandardItem* from = findItem(headers, QStringLiteral("From"));
    QCOMPARE(value(findItem(from, QStringLiteral("display name"))), QStringLiteral("Alice"));
    QCOMPARE(value(findItem(from, QStringLiteral("tag"))), QStringLiteral("1928301774"));
    QStandardItem* fromUri = findItem(from, QStringLiteral("URI"));
    QCOMPARE(value(findItem(fromUri, QStringLiteral("user"))), QStringLiteral("alice"));
    QCOMPARE(value(findItem(fromUri, QStringLiteral("port"))), QStringLiteral("5070"));

    // Selecting a tree item selects its bytes.
    view.decodedTree()->setCurrentIndex(findItem(via, QStringLiteral("branch"))->index());
    QCOMPARE(view.rawView()->textCursor().selectedText(), QStringLiteral("z9hG4bK776asdhds"));
    view.clear();
    QCOMPARE(view.decodedModel()->rowCount(), 0);
    QVERIFY(view.rawView()->document()->isEmpty());
}

void TestGuiPanes::offsetsAfterInvalidUtf8() {
    // \xE9 alone and \xFF are not UTF-8; the smiley is a valid 4-byte sequence (two UTF-16
    // units); \x01 is a control byte shown as U+2401.
    const QByteArray raw = crlf(
        "MESSAGE sip:bob@example.com SIP/2.0\n"
        "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-2\n"
        "Subject: caf\xE9 \xF0\x9F\x98\x80 \xFF\x01 end\n"
        "Max-Forwards: 7x\n"
        "To: <sip:bob@example.com>\n"
        "From: <sip:alice@example.com>;tag=a\n"
        "Call-ID: utf8@example.com\n"
        "CSeq: 1 MESSAGE\n"
        "Content-Length: 0\n"
        "\n");
    MessageView view;
    view.showMessage(raw, QStringLiteral("non-UTF-8"));
    QTextDocument* doc = view.rawView()->document();
    const QString text = doc->toPlainText();
    QVERIFY(text.contains(QStringLiteral("caf\uFFFD \U0001F600 \uFFFD\u2401 end")));
    // Every ASCII byte lands on its own character.
    for (qsizetype b = 0; b < raw.size(); ++b) {
        const char c = raw[b];
        if (c == '\r' || c == '\n' || static_cast<unsigned char>(c) < 0x20 ||
            static_cast<unsigned char>(c) >= 0x80)
            continue;
        QCOMPARE(doc->characterAt(view.characterPosition(b)), QChar(QLatin1Char(c)));
    }
    const auto parsed = stack::SipMessage::parse(std::string_view(raw.data(), raw.size()));
    QVERIFY(parsed.ok());
    const auto v = stack::validate(*parsed);
    QVERIFY(!v.errors.empty());
    const std::size_t offset = v.errors[0].offset;
    QVERIFY(qsizetype(offset) > raw.indexOf("Max-Forwards"));
    const int pos = view.characterPosition(qsizetype(offset));
    QCOMPARE(doc->findBlock(pos).text(), QStringLiteral("Max-Forwards: 7x"));
    QCOMPARE(doc->characterAt(pos), QChar(QLatin1Char(raw[qsizetype(offset)])));
    QVERIFY(wavyAt(doc, pos));
    QVERIFY(!wavyAt(doc, view.characterPosition(raw.indexOf("Subject"))));
    QVERIFY(topItem(view, QStringLiteral("Errors")));
}

void TestGuiPanes::sdpIsDecoded() {
    MessageView view;
    const QByteArray raw = sdpInvite();
    view.showMessage(raw, QStringLiteral("INVITE with SDP"));
    QVERIFY(!topItem(view, QStringLiteral("Errors")));
    QStandardItem* body = topItem(view, QStringLiteral("Body"));
    QVERIFY(body);
    QVERIFY(value(body).startsWith(QStringLiteral("application/sdp")));
    QStandardItem* audio = findItem(body, QStringLiteral("m=audio"));
    QVERIFY(audio);
    QCOMPARE(value(findItem(audio, QStringLiteral("port"))), QStringLiteral("49170"));
    QCOMPARE(value(findItem(audio, QStringLiteral("direction"))), QStringLiteral("sendonly"));
    QCOMPARE(value(findItem(audio, QStringLiteral("connection"))), QStringLiteral("192.0.2.10"));
    QStandardItem* codecs = findItem(audio, QStringLiteral("codecs"));
    QCOMPARE(codecs->rowCount(), 3);
    QVERIFY(value(findItem(codecs, QStringLiteral("0"))).startsWith(QStringLiteral("PCMU/8000")));
    const QString dtmf = value(findItem(codecs, QStringLiteral("101")));
    QVERIFY(dtmf.startsWith(QStringLiteral("telephone-event/8000")));
    QVERIFY(value(findItem(codecs, QStringLiteral("101"))).contains(QStringLiteral("0-16")));
    QStandardItem* video = findItem(body, QStringLiteral("m=video"));
    QCOMPARE(value(findItem(video, QStringLiteral("connection"))), QStringLiteral("192.0.2.20"));
    QCOMPARE(value(findItem(video, QStringLiteral("direction"))), QStringLiteral("sendrecv"));
    // The SDP type letters carry the SDP colour; the header names theirs.
    QTextDocument* doc = view.rawView()->document();
    const QColor sdp = view.highlighter()->colors().sdpType;
    const int mLine = view.characterPosition(raw.indexOf("m=audio"));
    bool coloured = false;
    for (const auto& f : formatsAt(doc, mLine)) coloured |= f.foreground().color() == sdp;
    QVERIFY(coloured);
    const int name = view.characterPosition(raw.indexOf("Call-ID"));
    bool header = false;
    for (const auto& f : formatsAt(doc, name))
        header |= f.foreground().color() == view.highlighter()->colors().headerName;
    QVERIFY(header);
    // A dark palette switches to the light-on-dark colours, and back.
    view.setPalette(darkPalette());
    QCOMPARE(view.highlighter()->colors().headerName,
             SipColors::forBackground(darkPalette().color(QPalette::Base)).headerName);
    QVERIFY(view.highlighter()->colors().headerName.lightness() > 128);
    view.setPalette(QApplication::style()->standardPalette());
    QVERIFY(view.highlighter()->colors().headerName.lightness() < 128);
    // Wrapping toggles.
    QVERIFY(!view.lineWrap());
    view.setLineWrap(true);
    QCOMPARE(view.rawView()->lineWrapMode(), QPlainTextEdit::WidgetWidth);
}

void TestGuiPanes::notSipAtAll() {
    MessageView view;
    view.showMessage(QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), QStringLiteral("HTTP"));
    QVERIFY(topItem(view, QStringLiteral("Errors")));
    QVERIFY(!view.highlighter()->marks().empty());
    view.showMessage(QByteArray(), QStringLiteral("empty"));
    QVERIFY(topItem(view, QStringLiteral("Errors")));
}

void TestGuiPanes::messageTreeModel() {
    MessageView view;
    QAbstractItemModelTester tester(view.decodedModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.showMessage(kBadCSeq, QStringLiteral("1"));
    view.showMessage(sdpInvite(), QStringLiteral("2"));
    view.clear();
    view.showMessage(sdpInvite(), QStringLiteral("3"));
}

void TestGuiPanes::anomalyModel() {
    AnomalyModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.load(QString::fromStdString(m_db), {});
    QVERIFY2(model.errorString().isEmpty(), qPrintable(model.errorString()));
    // timeout.pcap: each unanswered exchange times out (Timer B, Timer F); nothing else in the
    // three captures is anomalous (`sipscope-cli events`).
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.callCount(), 2);
    QStringList callIds, rfcs;
    for (int r = 0; r < model.rowCount(); ++r) {
        QCOMPARE(model.index(r, AnomalyModel::Code).data().toString(),
                 QStringLiteral("transaction_timeout"));
        callIds << model.index(r, AnomalyModel::CallId).data().toString();
        rfcs << model.index(r, AnomalyModel::Rfc).data().toString();
        QVERIFY(!model.index(r, AnomalyModel::Messages).data().toString().isEmpty());
        QCOMPARE(model.anomalyAt(r).captureId, m_timeout);
    }
    callIds.sort();
    QCOMPARE(callIds, QStringList({QStringLiteral("timeout-invite-1@sipscope.test"),
                                   QStringLiteral("timeout-options-1@sipscope.test")}));
    QVERIFY(rfcs.contains(QStringLiteral("RFC 3261 §17.1.1.2")));
    QVERIFY(rfcs.contains(QStringLiteral("RFC 3261 §17.1.2.2")));
    // Timer B/F fire about 32 s after the first request: the time is the first message's.
    const auto first = model.anomalyAt(0);
    QVERIFY(first.tsNs > 0);

    model.load(QString::fromStdString(m_db), {m_example, m_failures});
    QCOMPARE(model.rowCount(), 0);
    model.load(QString::fromStdString(m_db), {m_timeout});
    QCOMPARE(model.rowCount(), 2);
    model.load(m_dir.filePath(QStringLiteral("missing/none.sqlite")), {});
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.errorString().isEmpty());
}

void TestGuiPanes::anomalyPanelFilterAndActivate() {
    AnomalyPanel panel;
    panel.load(QString::fromStdString(m_db), {});
    QCOMPARE(panel.codeCombo()->count(), 2);
    QCOMPARE(panel.codeCombo()->itemText(0), QStringLiteral("All codes (2)"));
    QCOMPARE(panel.codeCombo()->itemText(1), QStringLiteral("transaction_timeout (2)"));
    panel.setCodeFilter(QStringLiteral("transaction_timeout"));
    QCOMPARE(panel.proxy()->rowCount(), 2);

    // Counts come most frequent first; the chosen code survives a reload.
    std::vector<analyzer::store::PanelAnomaly> rows(3);
    rows[0].code = "a", rows[0].callRow = 11;
    rows[1].code = "b", rows[1].callRow = 12;
    rows[2].code = "a", rows[2].callRow = 13;
    panel.model()->setAnomalies(rows);
    QCOMPARE(panel.model()->codeCounts().front(), std::make_pair(QStringLiteral("a"), 2));
    panel.load(QString::fromStdString(m_db), {});
    QCOMPARE(panel.codeFilter(), QStringLiteral("transaction_timeout"));

    panel.resize(900, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy spy(&panel, &AnomalyPanel::callActivated);
    const QModelIndex index = panel.proxy()->index(1, AnomalyModel::Text);
    const QPoint at = panel.view()->visualRect(index).center();
    // A double click is a press and release, then a second press delivered as a double click.
    QTest::mouseClick(panel.view()->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(panel.view()->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(spy.count(), 1);
    const qint64 expected = index.data(AnomalyModel::kCallRowRole).toLongLong();
    QCOMPARE(spy.at(0).at(0).toLongLong(), expected);
    analyzer::store::StoreReader reader(m_db);
    bool found = false;
    reader.calls(std::nullopt, std::nullopt, [&](const analyzer::store::StoredCall& c) {
        found |=
            c.row == expected &&
            c.callId == index.siblingAtColumn(AnomalyModel::CallId).data().toString().toStdString();
        return true;
    });
    QVERIFY(found);
    // Return on the current row asks for the same call.
    panel.view()->setCurrentIndex(index);
    QTest::keyClick(panel.view(), Qt::Key_Return);
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toLongLong(), expected);
}

void TestGuiPanes::peerStatsModel() {
    PeerStatsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // failures.pcap (`sipscope-cli stats`): four callees, one INVITE each, no answer; SEER counts
    // the 486 (25 %), ISA the 503 (25 %).
    model.load(QString::fromStdString(m_db), {m_failures});
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(model.isTotalRow(4));
    auto cell = [&](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(cell(4, PeerStatsModel::Peer), QStringLiteral("Total"));
    QCOMPARE(cell(4, PeerStatsModel::Sessions), QStringLiteral("4"));
    QCOMPARE(cell(4, PeerStatsModel::Answered), QStringLiteral("0"));
    QCOMPARE(cell(4, PeerStatsModel::Ser), QStringLiteral("0.0"));
    QCOMPARE(cell(4, PeerStatsModel::Seer), QStringLiteral("25.0"));
    QCOMPARE(cell(4, PeerStatsModel::Isa), QStringLiteral("25.0"));
    QCOMPARE(cell(4, PeerStatsModel::Ira), QStringLiteral("–"));
    QCOMPARE(cell(0, PeerStatsModel::Peer), QStringLiteral("127.0.0.1:5221"));
    QCOMPARE(cell(0, PeerStatsModel::Seer), QStringLiteral("100.0"));
    QCOMPARE(cell(2, PeerStatsModel::Isa), QStringLiteral("100.0"));
    const auto& codes = model.total().finalCodes;
    QCOMPARE(codes, (std::map<int, std::uint32_t>{{404, 1}, {486, 1}, {487, 1}, {503, 1}}));

    // basic-calls.pcap: 3 peers, 8 sessions, 6 answered (SER 75 %, SEER 87.5 %), 1 REGISTER.
    model.load(QString::fromStdString(m_db), {m_example});
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(cell(3, PeerStatsModel::Sessions), QStringLiteral("8"));
    QCOMPARE(cell(3, PeerStatsModel::Answered), QStringLiteral("6"));
    QCOMPARE(cell(3, PeerStatsModel::Ser), QStringLiteral("75.0"));
    QCOMPARE(cell(3, PeerStatsModel::Seer), QStringLiteral("87.5"));
    QCOMPARE(cell(3, PeerStatsModel::Registrations), QStringLiteral("1"));
    QCOMPARE(cell(3, PeerStatsModel::Ira), QStringLiteral("0.0"));

    // timeout.pcap: 15 retransmissions, ISA 100 %, 2 anomalies; everything: 13 sessions.
    model.load(QString::fromStdString(m_db), {m_timeout});
    QCOMPARE(cell(2, PeerStatsModel::Retransmissions), QStringLiteral("15"));
    QCOMPARE(cell(2, PeerStatsModel::Isa), QStringLiteral("100.0"));
    QCOMPARE(cell(2, PeerStatsModel::Anomalies), QStringLiteral("2"));
    model.load(QString::fromStdString(m_db), {});
    QCOMPARE(model.total().sessions, 13u);
    QCOMPARE(model.total().anomalies, 2u);
}

void TestGuiPanes::statsPanelHistogram() {
    StatsPanel panel;
    panel.load(QString::fromStdString(m_db), {m_failures, m_timeout});
    const auto& counts = panel.histogram()->counts();
    QCOMPARE(counts, (std::map<int, std::uint32_t>{{404, 1}, {486, 1}, {487, 1}, {503, 1}}));
    QCOMPARE(panel.histogram()->unanswered(), 2u);  // the two timeouts
    QVERIFY(panel.histogram()->classColor(200) != panel.histogram()->classColor(400));
    // The total row stays last when sorting by any column, both ways.
    auto* proxy = panel.view()->model();
    for (const auto order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
        panel.view()->sortByColumn(PeerStatsModel::Sessions, order);
        QVERIFY(proxy->index(proxy->rowCount() - 1, 0).data(PeerStatsModel::kTotalRole).toBool());
    }
}

void TestGuiPanes::backgroundLoads() {
    // A worker thread reads through its own connection; a later load supersedes an earlier one.
    StatsPanel stats;
    QSignalSpy statsLoaded(&stats, &StatsPanel::loaded);
    stats.loadInBackground(QString::fromStdString(m_db), {m_example});
    stats.loadInBackground(QString::fromStdString(m_db), {m_failures});
    QVERIFY(statsLoaded.wait(20000));
    QCOMPARE(statsLoaded.count(), 1);
    QCOMPARE(stats.model()->total().sessions, 4u);
    QCOMPARE(stats.histogram()->counts().size(), std::size_t(4));

    AnomalyPanel anomalies;
    QSignalSpy anomaliesLoaded(&anomalies, &AnomalyPanel::loaded);
    anomalies.loadInBackground(QString::fromStdString(m_db), {m_timeout});
    QVERIFY(anomaliesLoaded.wait(20000));
    QCOMPARE(anomalies.model()->rowCount(), 2);
    anomalies.loadInBackground(m_dir.filePath(QStringLiteral("missing/none.sqlite")), {});
    QVERIFY(anomaliesLoaded.wait(20000));
    QCOMPARE(anomalies.model()->rowCount(), 0);
    QVERIFY(!anomalies.model()->errorString().isEmpty());
}

void TestGuiPanes::grabs() {
    MessageView bad;
    bad.showMessage(kBadCSeq, QStringLiteral("#7  INVITE  192.0.2.10:5060 → 192.0.2.20:5060"));
    grabBoth(bad, QStringLiteral("message-bad"), {820, 640});
    MessageView sdp;
    sdp.showMessage(sdpInvite(), QStringLiteral("#1  INVITE with SDP"));
    grabBoth(sdp, QStringLiteral("message-sdp"), {820, 760});
    MessageView utf8;
    utf8.showMessage(crlf("OPTIONS sip:bob@example.com SIP/2.0\n"
                          "Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK-3\n"
                          "Subject: caf\xE9 \xF0\x9F\x98\x80 \xFF\x01 end\n"
                          "Max-Forwards: 7x\n"
                          "To: <sip:bob@example.com>\n"
                          "From: <sip:alice@example.com>\n"
                          "Call-ID: utf8@example.com\n"
                          "CSeq: 1 OPTIONS\n"
                          "\n"),
                     QStringLiteral("#3  OPTIONS (bytes that are not UTF-8)"));
    grabBoth(utf8, QStringLiteral("message-utf8"), {820, 560});
    CodeHistogram empty;
    grabBoth(empty, QStringLiteral("histogram-empty"), {400, 180});
    AnomalyPanel anomalies;
    anomalies.load(QString::fromStdString(m_db), {});
    grabBoth(anomalies, QStringLiteral("anomalies"), {980, 260});
    StatsPanel stats;
    stats.load(QString::fromStdString(m_db), {});
    grabBoth(stats, QStringLiteral("stats"), {1100, 520});
}

QTEST_MAIN(TestGuiPanes)
#include "tst_gui_panes.moc"
