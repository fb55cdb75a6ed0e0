// JsonWriter's string escaping (RFC 8259 §7): plain runs are copied at once, everything else
// escaped byte by byte; checked on fixed cases and against a byte-at-a-time reference.
#include <QtTest>

#include <cstdio>
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

    // Numbers are written with std::to_chars; they must read exactly as printf wrote them
    // (stored records and golden outputs were made that way), ties and huge values included.
    void numbersMatchPrintf() {
        const auto viaPrintf = [](double d, int decimals) {
            char buf[400];
            std::snprintf(buf, sizeof buf, "%.*f", decimals, d);
            return std::string(buf);
        };
        const auto viaWriter = [](double d, int decimals) {
            JsonWriter w;
            w.value(d, decimals);
            return w.str();
        };
        std::mt19937_64 rng(11);
        std::uniform_real_distribution<double> secs(0, 2e9);
        std::uniform_int_distribution<std::int64_t> micros(0, 4'000'000'000'000'000);
        for (int i = 0; i < 20000; ++i) {
            const int decimals = i % 7;
            const double samples[] = {secs(rng), static_cast<double>(micros(rng)) / 1e6,
                                      static_cast<double>(i) / 1000.0 + 0.0005, -secs(rng) / 1e3};
            for (double d : samples) QCOMPARE(viaWriter(d, decimals), viaPrintf(d, decimals));
        }
        for (double d : {0.0, -0.0, 0.5, 1.5, 2.5, 0.0015, 1e300, -1e45, 123456789.125})
            for (int decimals : {0, 2, 3, 6})
                QCOMPARE(viaWriter(d, decimals), viaPrintf(d, decimals));
        JsonWriter w;
        w.beginArray().value(std::int64_t{-9223372036854775807 - 1});
        w.value(std::uint64_t{18446744073709551615u}).value(std::int64_t{0}).endArray();
        QCOMPARE(w.str(), std::string("[-9223372036854775808,18446744073709551615,0]"));
    }
};

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_json_writer.moc"
