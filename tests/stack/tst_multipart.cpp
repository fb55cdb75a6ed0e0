// Table-driven tests of the media-type parser (RFC 2045 §5.1) and the multipart splitter
// (RFC 2046 §5.1): each row is a body as sent and the part tree it must produce.

#include <QFile>
#include <QtTest>

#include <memory>
#include <string_view>

#include "message/multipart.hpp"
#include "sdp/sdp.hpp"

using namespace sipscope::stack;

namespace {

QString qs(std::string_view v) {
    return QString::fromUtf8(v.data(), qsizetype(v.size()));
}
std::string_view sv(const QByteArray& b) {
    return {b.constData(), std::size_t(b.size())};
}

// Printable form of a byte string, so that CR, LF and NUL placement is visible in the tables.
QString escaped(std::string_view v) {
    QString out;
    for (char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r')
            out += QStringLiteral("\\r");
        else if (c == '\n')
            out += QStringLiteral("\\n");
        else if (u < 0x20 || u >= 0x7F)
            out += QStringLiteral("\\x%1").arg(u, 2, 16, QChar('0'));
        else
            out += QChar(c);
    }
    return out;
}

// "type:body|type:body"; '-' stands for a part without Content-Type.
QString flat(const std::vector<BodyPart>& parts) {
    QStringList out;
    for (const BodyPart& p : parts)
        out << (p.contentType.empty() ? QStringLiteral("-") : escaped(p.contentType)) + ':' +
                   escaped(p.body);
    return out.join('|');
}

// "type/subtype{children}"; '~' marks a multipart part that lacks its close delimiter.
QString tree(const std::vector<BodyPart>& parts) {
    QStringList out;
    for (const BodyPart& p : parts) {
        const auto mt = parseMediaType(p.contentType);
        QString s = mt ? qs(mt->type) + '/' + qs(mt->subtype) : QStringLiteral("-");
        if (!p.parts.empty()) s += '{' + tree(p.parts) + '}';
        if (!p.closed) s += '~';
        out << s;
    }
    return out.join(',');
}

// Each part's offset must locate its body inside the outermost body, at every depth.
bool offsetsConsistent(const std::vector<BodyPart>& parts, std::string_view whole) {
    for (const BodyPart& p : parts) {
        if (p.offset > whole.size() || p.body.size() > whole.size() - p.offset) return false;
        if (p.body.data() != whole.data() + p.offset) return false;
        if (!offsetsConsistent(p.parts, whole)) return false;
    }
    return true;
}

const QByteArray kNested =
    "preamble\r\n"
    "--outer\r\n"
    "Content-Type: multipart/alternative; boundary=\"in ner\"\r\n"
    "\r\n"
    "--in ner\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "plain\r\n"
    "--in ner\r\n"
    "Content-Type: multipart/related;boundary=deep\r\n"
    "\r\n"
    "--deep\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>html</p>\r\n"
    "--deep--\r\n"
    "--in ner--\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: application/sdp\r\n"
    "\r\n"
    "v=0\r\n"
    "o=- 1 1 IN IP4 192.0.2.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "m=audio 4000 RTP/AVP 0\r\n"
    "\r\n"
    "--outer--\r\n";

}  // namespace

class TestMultipart : public QObject {
    Q_OBJECT

  private slots:
    void mediaType_data();
    void mediaType();
    void parts_data();
    void parts();
    void errors_data();
    void errors();
    void nested_data();
    void nested();
    void depthLimit_data();
    void depthLimit();
    void binaryPart_data();
    void binaryPart();
    void rfc4475Mpart01();
    void sdpPartParses();
    void everyPrefixIsSafe();
};

void TestMultipart::mediaType_data() {
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>(
        "parsed");  // "type/subtype [k=v;k=v] multipart|leaf" or "error@offset"
    QTest::addColumn<QString>("boundary");
    QTest::newRow("mpart01") << "multipart/mixed;boundary=7a9cbec02ceef655"
                             << "multipart/mixed [boundary=7a9cbec02ceef655] multipart"
                             << "7a9cbec02ceef655";
    QTest::newRow("quoted with space") << "multipart/alternative; boundary=\"b1 x\""
                                       << "multipart/alternative [boundary=b1 x] multipart"
                                       << "b1 x";
    QTest::newRow("case-insensitive, spaced") << "Multipart/Mixed ; BOUNDARY = abc"
                                              << "Multipart/Mixed [BOUNDARY=abc] multipart"
                                              << "abc";
    QTest::newRow("sdp") << "application/sdp"
                         << "application/sdp [] leaf"
                         << "";
    QTest::newRow("two params") << "text/plain; charset=utf-8; format=flowed"
                                << "text/plain [charset=utf-8;format=flowed] leaf"
                                << "";
    QTest::newRow("related, quoted type")
        << "multipart/related;type=\"application/sdp\";boundary=\"----=_Part_1\""
        << "multipart/related [type=application/sdp;boundary=----=_Part_1] multipart"
        << "----=_Part_1";
    QTest::newRow("unquoted tspecials tolerated")
        << "multipart/mixed; boundary=----=_Part_0_12.34"
        << "multipart/mixed [boundary=----=_Part_0_12.34] multipart"
        << "----=_Part_0_12.34";
    QTest::newRow("trailing semicolon") << "application/sdp;"
                                        << "application/sdp [] leaf"
                                        << "";
    QTest::newRow("folded") << "multipart/mixed;\r\n\tboundary=x"
                            << "multipart/mixed [boundary=x] multipart"
                            << "x";
    QTest::newRow("surrounding blanks") << "  application/pidf+xml  "
                                        << "application/pidf+xml [] leaf"
                                        << "";
    QTest::newRow("quoted-pair kept escaped") << "text/plain; x=\"a\\\"b\""
                                              << "text/plain [x=a\\\"b] leaf"
                                              << "";
    QTest::newRow("empty") << ""
                           << "bad_header_value@0"
                           << "";
    QTest::newRow("no slash") << "text"
                              << "bad_header_value@4"
                              << "";
    QTest::newRow("no subtype") << "text/"
                                << "bad_header_value@5"
                                << "";
    QTest::newRow("no type") << "/plain"
                             << "bad_header_value@0"
                             << "";
    QTest::newRow("param without =") << "text/plain; charset"
                                     << "bad_header_value@19"
                                     << "";
    QTest::newRow("unterminated quote") << "text/plain; charset=\"utf-8"
                                        << "unterminated_quote@20"
                                        << "";
    QTest::newRow("missing ;") << "text/plain charset=x"
                               << "bad_header_value@11"
                               << "";
    QTest::newRow("param without name") << "text/plain; =x"
                                        << "bad_header_value@12"
                                        << "";
    QTest::newRow("param without value") << "text/plain; a="
                                         << "bad_header_value@14"
                                         << "";
}

void TestMultipart::mediaType() {
    QFETCH(QString, value);
    const QByteArray utf8 = value.toUtf8();
    const auto r = parseMediaType(sv(utf8));
    QString got;
    if (r) {
        QStringList params;
        for (const auto& [n, v] : r->params) params << qs(n) + '=' + qs(v);
        got = QStringLiteral("%1/%2 [%3] %4")
                  .arg(qs(r->type), qs(r->subtype), params.join(';'),
                       r->isMultipart() ? QStringLiteral("multipart") : QStringLiteral("leaf"));
        QTEST(qs(r->param("boundary")), "boundary");
    } else {
        QCOMPARE(r.error().header, std::string("Content-Type"));
        got = qs(errorCodeName(r.error().code)) + '@' + QString::number(r.error().offset);
    }
    QTEST(got, "parsed");
}

void TestMultipart::parts_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("parts");
    QTest::addColumn<bool>("closed");
    QTest::addColumn<QString>("preamble");
    QTest::addColumn<QString>("epilogue");
    QTest::newRow("sdp and text")
        << QByteArray(
               "--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\ns=-\r\n\r\n"
               "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n")
        << "application/sdp:v=0\\r\\ns=-\\r\\n|text/plain:hello" << true << ""
        << "";
    QTest::newRow("preamble and epilogue")
        << QByteArray(
               "This is the preamble.\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n"
               "--b--\r\nThis is the epilogue.\r\n")
        << "text/plain:one" << true << "This is the preamble."
        << "This is the epilogue.\\r\\n";
    QTest::newRow("transport padding")
        << QByteArray(
               "--b \t\r\nContent-Type: text/plain\r\n\r\none\r\n--b  \r\n\r\ntwo\r\n--b--  \r\n")
        << "text/plain:one|-:two" << true << ""
        << "";
    QTest::newRow("bare LF") << QByteArray(
                                    "--b\nContent-Type: text/plain\n\none\n--b\n\ntwo\n--b--\n")
                             << "text/plain:one|-:two" << true << ""
                             << "";
    QTest::newRow("missing close delimiter")
        << QByteArray("--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\n\r\ntwo\r\n")
        << "text/plain:one|-:two\\r\\n"
        << false << ""
        << "";
    QTest::newRow("ends after a delimiter line")
        << QByteArray("--b\r\n\r\none\r\n--b\r\n") << "-:one" << false << ""
        << "";
    QTest::newRow("ends inside a delimiter line")
        << QByteArray("--b\r\n\r\none\r\n--b") << "-:one" << false << ""
        << "";
    QTest::newRow("headers only") << QByteArray("--b\r\nContent-Type: text/plain\r\n--b--")
                                  << "text/plain:" << true << ""
                                  << "";
    QTest::newRow("no headers") << QByteArray("--b\r\n\r\nraw\r\n--b--") << "-:raw" << true << ""
                                << "";
    QTest::newRow("empty part") << QByteArray("--b\r\n\r\n--b--") << "-:" << true << ""
                                << "";
    QTest::newRow("only a close delimiter") << QByteArray("--b--\r\n") << "" << true << ""
                                            << "";
    QTest::newRow("look-alikes are content")
        << QByteArray("--b\r\n\r\n--bx\r\n--b text\r\n --b\r\nx--b\r\n--b-x\r\n--b--")
        << "-:--bx\\r\\n--b text\\r\\n --b\\r\\nx--b\\r\\n--b-x" << true << ""
        << "";
    QTest::newRow("CRLF before the delimiter belongs to it")
        << QByteArray("--b\r\n\r\nline1\r\nline2\r\n\r\n--b--") << "-:line1\\r\\nline2\\r\\n"
        << true << ""
        << "";
    QTest::newRow("folded header")
        << QByteArray("--b\r\nContent-Type: text/plain;\r\n charset=utf-8\r\n\r\nx\r\n--b--")
        << "text/plain;\\r\\n charset=utf-8:x" << true << ""
        << "";
    QTest::newRow("header name case")
        << QByteArray("--b\r\nCONTENT-TYPE:text/html\r\n\r\n<b/>\r\n--b--") << "text/html:<b/>"
        << true << ""
        << "";
    QTest::newRow("epilogue delimiters ignored")
        << QByteArray("--b\r\n\r\none\r\n--b--\r\n--b\r\n\r\ntwo\r\n") << "-:one" << true << ""
        << "--b\\r\\n\\r\\ntwo\\r\\n";
}

void TestMultipart::parts() {
    QFETCH(QByteArray, body);
    const auto r = parseMultipart(sv(body), "b");
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
    QTEST(flat(r->parts), "parts");
    QTEST(r->closed, "closed");
    QTEST(escaped(r->preamble), "preamble");
    QTEST(escaped(r->epilogue), "epilogue");
    QVERIFY(offsetsConsistent(r->parts, sv(body)));
}

void TestMultipart::errors_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("boundary");
    QTest::addColumn<int>("offset");
    QTest::addColumn<QString>("message");  // a fragment of the message
    QTest::newRow("no delimiter") << QByteArray("hello world\r\n") << "b" << 0
                                  << "no \"--boundary\"";
    QTest::newRow("boundary mid-line only")
        << QByteArray("x--b\r\n\r\nhi\r\n") << "b" << 0 << "no \"--boundary\"";
    QTest::newRow("boundary is case-sensitive")
        << QByteArray("--B\r\n\r\nx\r\n--B--") << "b" << 0 << "no \"--boundary\"";
    QTest::newRow("empty boundary") << QByteArray("--\r\n\r\nx\r\n----") << "" << 0 << "empty";
    QTest::newRow("header line without colon")
        << QByteArray(
               "--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\nnot a "
               "header\r\n\r\ntwo\r\n--b--")
        << "b" << 43 << "name: value";
    QTest::newRow("folded line first")
        << QByteArray("--b\r\n folded\r\n\r\nx\r\n--b--") << "b" << 5 << "folded line";
    QTest::newRow("nested multipart without boundary")
        << QByteArray("--b\r\nContent-Type: multipart/mixed\r\n\r\nx\r\n--b--") << "b" << 38
        << "without a boundary";
    QTest::newRow("nested multipart without delimiter")
        << QByteArray("--b\r\nContent-Type: multipart/mixed;boundary=in\r\n\r\nx\r\n--b--") << "b"
        << 50 << "no \"--boundary\"";
    QTest::newRow("nested bad header, absolute offset")
        << QByteArray(
               "--b\r\nContent-Type: "
               "multipart/mixed;boundary=in\r\n\r\n--in\r\nbroken\r\n\r\nx\r\n--in--\r\n--b--")
        << "b" << 56 << "name: value";
}

void TestMultipart::errors() {
    QFETCH(QByteArray, body);
    QFETCH(QString, boundary);
    const QByteArray b = boundary.toUtf8();
    const auto r = parseMultipart(sv(body), sv(b));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, ErrorCode::BadBody);
    QTEST(int(r.error().offset), "offset");
    QFETCH(QString, message);
    QVERIFY2(QString::fromStdString(r.error().message).contains(message),
             r.error().message.c_str());
}

void TestMultipart::nested_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<int>("maxDepth");
    QTest::addColumn<QString>("tree");
    const QString outer = QStringLiteral("multipart/mixed;boundary=outer");
    QTest::newRow("three levels")
        << kNested << outer << 4
        << "multipart/alternative{text/plain,multipart/related{text/html}},"
           "application/sdp";
    QTest::newRow("depth 3 is enough")
        << kNested << outer << 3
        << "multipart/alternative{text/plain,multipart/related{text/html}},"
           "application/sdp";
    QTest::newRow("depth 2 stops at related")
        << kNested << outer << 2
        << "multipart/alternative{text/plain,multipart/related},"
           "application/sdp";
    QTest::newRow("depth 1: leaves only")
        << kNested << outer << 1 << "multipart/alternative,application/sdp";
    QTest::newRow("quoted boundary with a space")
        << QByteArray(
               "--b1 x\r\nContent-Type: text/plain\r\n\r\na\r\n--b1 x\r\n"
               "Content-Type: text/html\r\n\r\n<i>a</i>\r\n--b1 x--\r\n")
        << "multipart/alternative; boundary=\"b1 x\"" << 4 << "text/plain,text/html";
    QTest::newRow("inner close delimiter missing")
        << QByteArray(
               "--o\r\nContent-Type: multipart/alternative;boundary=i\r\n\r\n--i\r\n"
               "Content-Type: text/plain\r\n\r\nx\r\n--o\r\nContent-Type: "
               "text/html\r\n\r\ny\r\n--o--")
        << "multipart/mixed; boundary=o" << 4 << "multipart/alternative{text/plain}~,text/html";
}

void TestMultipart::nested() {
    QFETCH(QByteArray, body);
    QFETCH(QString, contentType);
    QFETCH(int, maxDepth);
    const QByteArray ct = contentType.toUtf8();
    const auto mt = parseMediaType(sv(ct));
    QVERIFY(mt.ok());
    QVERIFY(mt->isMultipart());
    const auto r = parseMultipart(sv(body), mt->param("boundary"), maxDepth);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
    QTEST(tree(r->parts), "tree");
    QVERIFY(r->closed);
    QVERIFY(offsetsConsistent(r->parts, sv(body)));
}

void TestMultipart::depthLimit_data() {
    QTest::addColumn<int>("levels");  // multipart levels in the body
    QTest::addColumn<int>("maxDepth");
    QTest::addColumn<int>("depth");  // multipart levels parsed
    QTest::newRow("default") << 20 << 4 << 4;
    QTest::newRow("huge maxDepth is clamped") << 20 << 1000000 << kMaxMultipartDepth;
    QTest::newRow("shallow body") << 3 << 10 << 3;
    QTest::newRow("zero acts as one") << 3 << 0 << 1;
    QTest::newRow("negative acts as one") << 3 << -5 << 1;
}

void TestMultipart::depthLimit() {
    QFETCH(int, levels);
    QFETCH(int, maxDepth);
    // Level i has boundary "bi" and holds level i+1, the innermost one a text part.
    QByteArray body = "--b" + QByteArray::number(levels - 1) +
                      "\r\nContent-Type: text/plain\r\n\r\nleaf\r\n--b" +
                      QByteArray::number(levels - 1) + "--";
    for (int i = levels - 2; i >= 0; --i) {
        const QByteArray b = "b" + QByteArray::number(i);
        body = "--" + b + "\r\nContent-Type: multipart/mixed;boundary=b" +
               QByteArray::number(i + 1) + "\r\n\r\n" + body + "\r\n--" + b + "--";
    }
    const auto r = parseMultipart(sv(body), "b0", maxDepth);
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
    int depth = 1;
    for (const BodyPart* p = &r->parts.at(0); !p->parts.empty(); p = &p->parts.at(0)) ++depth;
    QTEST(depth, "depth");
    QVERIFY(offsetsConsistent(r->parts, sv(body)));
}

void TestMultipart::binaryPart_data() {
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("NUL bytes") << QByteArray("\x00\x01\x00\xff", 4);
    QTest::newRow("bare CR and LF") << QByteArray("a\rb\nc\r\rd\n\ne");
    QTest::newRow("delimiter-like, not at line start")
        << QByteArray("x\r\nx--b\r\n-\r\n--bb\r\n--b-");
    QTest::newRow("ends with CR") << QByteArray("data\r");
    QTest::newRow("ends with LF") << QByteArray("data\n");
    QTest::newRow("ends with CRLF") << QByteArray("data\r\n");
    QTest::newRow("starts with CRLF") << QByteArray("\r\ndata");
    QByteArray all(256, '\0');
    for (int i = 0; i < 256; ++i) all[i] = char(i);
    QTest::newRow("every octet") << all;
}

void TestMultipart::binaryPart() {
    QFETCH(QByteArray, payload);
    const QByteArray body =
        "--b\r\nContent-Type: application/octet-stream\r\n"
        "Content-Transfer-Encoding: binary\r\n\r\n" +
        payload + "\r\n--b\r\nContent-Type: text/plain\r\n\r\ntail\r\n--b--\r\n";
    const auto r = parseMultipart(sv(body), "b");
    QVERIFY(r.ok());
    QCOMPARE(r->parts.size(), std::size_t(2));
    const BodyPart& bin = r->parts[0];
    QCOMPARE(QByteArray(bin.body.data(), qsizetype(bin.body.size())), payload);
    QCOMPARE(qs(bin.header("content-transfer-encoding")), QStringLiteral("binary"));
    QCOMPARE(bin.offset, std::size_t(82));
    QCOMPARE(qs(r->parts[1].body), QStringLiteral("tail"));
    QVERIFY(r->closed);
}

void TestMultipart::rfc4475Mpart01() {
    // RFC 4475 §3.1.1.11: a MESSAGE whose multipart/mixed body carries a binary PKCS#7
    // signature holding NUL, bare CR and bare LF octets.
    QFile f(QStringLiteral(SIPSCOPE_CORPUS_DIR) + QStringLiteral("/rfc4475/mpart01.dat"));
    if (!f.open(QIODevice::ReadOnly))
        QSKIP(qPrintable("shared corpus file not found: " + f.fileName()));
    const QByteArray msg = f.readAll();
    const qsizetype headerEnd = msg.indexOf("\r\n\r\n");
    QVERIFY(headerEnd > 0);
    const QByteArray body = msg.mid(headerEnd + 4);
    QCOMPARE(body.size(), qsizetype(553));  // its Content-Length

    const QByteArray ctLine = "Content-Type: ";
    const qsizetype ctStart = msg.indexOf(ctLine) + ctLine.size();
    const QByteArray ct = msg.mid(ctStart, msg.indexOf("\r\n", ctStart) - ctStart);
    const auto mt = parseMediaType(sv(ct));
    QVERIFY(mt.ok());
    QVERIFY(mt->is("multipart", "mixed"));
    QCOMPARE(qs(mt->param("boundary")), QStringLiteral("7a9cbec02ceef655"));

    const auto r = parseMultipart(sv(body), mt->param("boundary"));
    QVERIFY2(r.ok(), r.ok() ? "" : r.error().message.c_str());
    QVERIFY(r->closed);
    QCOMPARE(r->parts.size(), std::size_t(2));
    QCOMPARE(qs(r->parts[0].contentType), QStringLiteral("text/plain"));
    QCOMPARE(qs(r->parts[0].body), QStringLiteral("Hello"));
    QCOMPARE(r->parts[0].offset, std::size_t(83));

    const BodyPart& sig = r->parts[1];
    QCOMPARE(qs(sig.contentType), QStringLiteral("application/octet-stream"));
    QCOMPARE(qs(sig.header("Content-Transfer-Encoding")), QStringLiteral("binary"));
    QCOMPARE(sig.offset, std::size_t(187));
    // DER SEQUENCE with a two-byte length: 4 + 0x0152 octets, ending right before the CRLF of
    // the close delimiter.
    QCOMPARE(sig.body.size(), std::size_t(342));
    QCOMPARE(QByteArray(sig.body.data(), 4), QByteArray("\x30\x82\x01\x52", 4));
    const QByteArray sigBytes(sig.body.data(), qsizetype(sig.body.size()));
    QCOMPARE(sigBytes.count('\0'), qsizetype(2));
    QCOMPARE(sigBytes.count('\n'), qsizetype(3));
    QCOMPARE(sigBytes.count('\r'), qsizetype(5));
    QVERIFY(offsetsConsistent(r->parts, sv(body)));
}

void TestMultipart::sdpPartParses() {
    const auto r = parseMultipart(sv(kNested), "outer");
    QVERIFY(r.ok());
    QCOMPARE(r->parts.size(), std::size_t(2));
    QCOMPARE(qs(r->preamble), QStringLiteral("preamble"));
    const BodyPart& sdp = r->parts[1];
    QVERIFY(parseMediaType(sdp.contentType)->is("application", "sdp"));
    const auto s = parseSdp(sdp.body);
    QVERIFY2(s.ok(), s.ok() ? "" : s.error().message.c_str());
    QCOMPARE(s->media.size(), std::size_t(1));
    QCOMPARE(int(s->media[0].port), 4000);
    QVERIFY(s->issues.empty());  // the CRLF before the delimiter is not left as a blank line
}

void TestMultipart::everyPrefixIsSafe() {
    // Each prefix goes into a buffer of exactly its size, so an ASan build catches any read past
    // the view. A prefix cut inside a nested part may fail, but only with an offset inside it.
    const QByteArray full = kNested;
    int parsed = 0;
    for (qsizetype n = 0; n <= full.size(); ++n) {
        auto buf = std::make_unique<char[]>(std::size_t(n));
        std::memcpy(buf.get(), full.constData(), std::size_t(n));
        const std::string_view body(buf.get(), std::size_t(n));
        const auto r = parseMultipart(body, "outer");
        if (!r.ok()) {
            QVERIFY(r.error().offset <= body.size());
            continue;
        }
        ++parsed;
        QVERIFY(offsetsConsistent(r->parts, body));
        QCOMPARE(r->closed, n >= full.size() - 2);  // "--outer--" complete, CRLF optional
    }
    QVERIFY(parsed > full.size() / 2);
}

QTEST_APPLESS_MAIN(TestMultipart)
#include "tst_multipart.moc"
