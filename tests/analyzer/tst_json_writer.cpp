// JsonWriter's string escaping (RFC 8259 §7): plain runs are copied at once, everything else
// escaped byte by byte; checked on fixed cases and against a byte-at-a-time reference.
#include <QtTest>

#include <random>
#include <string>

#include "core/json_writer.hpp"

using sipscope::analyzer::JsonWriter;

namespace {

std::string written(std::string_view s) {
    JsonWriter w;
    w.value(s);
    return w.str();
}

// The escaping of ASCII text, one byte at a time.
std::string reference(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"')
            out += "\\\"";
        else if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else
            out += ch;
    }
    return out + "\"";
}

}  // namespace

class TestJsonWriter : public QObject {
    Q_OBJECT
  private slots:
    void fixedCases() {
        QCOMPARE(written(""), std::string("\"\""));
        QCOMPARE(written("sip:alice@example.com;tag=1"),
                 std::string("\"sip:alice@example.com;tag=1\""));
        QCOMPARE(written("a\"b\\c"), std::string("\"a\\\"b\\\\c\""));
        QCOMPARE(written("INVITE\r\nVia: x\t1"), std::string("\"INVITE\\r\\nVia: x\\t1\""));
        QCOMPARE(written(std::string("\x01x\x7F", 3)), std::string("\"\\u0001x\\u007f\""));
        QCOMPARE(written(std::string(1, '\0')), std::string("\"\\u0000\""));
        QCOMPARE(written("caf\xC3\xA9"), std::string("\"caf\xC3\xA9\""));  // UTF-8 kept
        QCOMPARE(written("a\xFF"
                         "b"),
                 std::string("\"a\xEF\xBF\xBD"
                             "b\""));                                  // not UTF-8
        QCOMPARE(written("x\xC3"), std::string("\"x\xEF\xBF\xBD\""));  // cut at the end
        QCOMPARE(written(std::string(100, 'a') + "\""), "\"" + std::string(100, 'a') + "\\\"\"");
    }

    void asciiMatchesTheReference() {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> len(0, 80), byte(0, 127), plain(0, 3);
        for (int i = 0; i < 20000; ++i) {
            std::string s(static_cast<std::size_t>(len(rng)), ' ');
            // Mostly printable text with escapes here and there, like header values.
            for (char& c : s) c = static_cast<char>(plain(rng) ? 'a' + byte(rng) % 26 : byte(rng));
            QCOMPARE(written(s), reference(s));
        }
    }
};

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_json_writer.moc"
