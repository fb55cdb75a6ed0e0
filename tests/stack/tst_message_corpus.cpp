// RFC 4475 and RFC 5118 torture messages against the corpus's EXPECTED.tsv (every row), with
// the specific errors each invalid message must report, and byte-exact re-encoding.

#include <QtTest>

#include <map>
#include <set>

#include "message/sip_message.hpp"
#include "message/validate.hpp"
#include "test_util.hpp"

using namespace sipscope::stack;
using sipscope::test::corpusDir;
using sipscope::test::readFile;
using sipscope::test::readTsv;

namespace {

// What each invalid message must be rejected for: the error code, and for the scalar and
// multiple-value cases every header that carries a violation.
struct Expect {
    const char* code;
    std::vector<const char*> headers;
};

const std::map<QString, Expect>& expectedErrors() {
    static const std::map<QString, Expect> m = {
        {"badinv01.dat", {"bad_param", {"Via", "Contact"}}},
        {"clerr.dat", {"body_truncated", {}}},
        {"ncl.dat", {"bad_content_length", {}}},
        {"scalar02.dat", {"value_out_of_range", {"CSeq", "Max-Forwards", "Expires", "Contact"}}},
        {"scalarlg.dat", {"value_out_of_range", {"CSeq", "Retry-After", "Warning"}}},
        {"quotbal.dat", {"unterminated_quote", {"To"}}},
        {"ltgtruri.dat", {"bad_request_uri", {}}},
        {"lwsruri.dat", {"bad_request_uri", {}}},
        {"lwsstart.dat", {"bad_start_line", {}}},
        {"trws.dat", {"bad_start_line", {}}},
        {"escruri.dat", {"bad_request_uri", {}}},
        {"baddate.dat", {"bad_header_value", {"Date"}}},
        {"regbadct.dat", {"bad_uri", {"Contact"}}},
        {"badaspec.dat", {"bad_uri", {"To"}}},
        {"baddn.dat", {"bad_header_value", {"From", "To"}}},
        {"badvers.dat", {"bad_version", {}}},
        {"mismatch01.dat", {"cseq_mismatch", {"CSeq"}}},
        {"mismatch02.dat", {"cseq_mismatch", {"CSeq"}}},
        {"bigcode.dat", {"bad_status_code", {}}},
        {"insuf.dat", {"missing_header", {"To", "From", "Call-ID"}}},
        {"multi01.dat", {"multiple_values", {"CSeq", "Call-ID", "To", "From", "Max-Forwards"}}},
        {"mcl01.dat", {"multiple_values", {"Content-Length"}}},
        {"ipv6-bad", {"bad_request_uri", {}}},
    };
    return m;
}

}  // namespace

class TestMessageCorpus : public QObject {
    Q_OBJECT
  private slots:
    void expected_data();
    void expected();
    void everyRowHasAnExpectation();
};

void TestMessageCorpus::expected_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("validity");
    const QString dir = corpusDir();
    if (dir.isEmpty()) return;
    for (const char* sub : {"rfc4475", "rfc5118"}) {
        const QString base = dir + "/" + sub + "/";
        for (const auto& row : readTsv(base + "EXPECTED.tsv"))
            QTest::newRow(qPrintable(row[0])) << base + row[0] << row[2];
    }
}

void TestMessageCorpus::expected() {
    if (corpusDir().isEmpty()) QSKIP("shared corpus not found (set SIPSCOPE_CORPUS_DIR)");
    QFETCH(QString, path);
    QFETCH(QString, validity);
    const std::string bytes = readFile(path);
    QVERIFY2(!bytes.empty(), qPrintable("cannot read " + path));
    auto parsed = SipMessage::parse(bytes);
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
    const Validation v = validate(*parsed);
    const QString name = QFileInfo(path).fileName();
    if (validity == "invalid") {
        QVERIFY2(!v.ok(), "an invalid message was accepted");
        const auto it = expectedErrors().find(name);
        QVERIFY2(it != expectedErrors().end(), "no expectation for this invalid message");
        std::set<std::string> codes, headers;
        for (const auto& e : v.errors) {
            codes.insert(std::string(errorCodeName(e.code)));
            headers.insert(e.header);
            QVERIFY(e.offset <= bytes.size());
        }
        QVERIFY2(codes.count(it->second.code), it->second.code);
        for (const char* h : it->second.headers) QVERIFY2(headers.count(h), h);
    } else {
        const std::string first = v.errors.empty() ? "" : v.errors.front().message;
        QVERIFY2(v.ok(), first.c_str());
    }
    // Untouched messages are written back byte for byte (the datagram's trailing octets
    // beyond Content-Length are not part of the message).
    QCOMPARE(parsed->encode(), std::string(parsed->bytes()));
    QVERIFY(bytes.compare(0, parsed->bytes().size(), parsed->bytes()) == 0);
}

void TestMessageCorpus::everyRowHasAnExpectation() {
    if (corpusDir().isEmpty()) QSKIP("shared corpus not found (set SIPSCOPE_CORPUS_DIR)");
    int rows = 0, invalid = 0;
    for (const char* sub : {"rfc4475", "rfc5118"}) {
        for (const auto& row : readTsv(corpusDir() + "/" + sub + "/EXPECTED.tsv")) {
            ++rows;
            if (row[2] == "invalid") {
                ++invalid;
                QVERIFY2(expectedErrors().count(row[0]), qPrintable(row[0]));
            }
        }
    }
    QCOMPARE(rows, 49 + 12);
    QCOMPARE(invalid, static_cast<int>(expectedErrors().size()));
}

QTEST_APPLESS_MAIN(TestMessageCorpus)
#include "tst_message_corpus.moc"
