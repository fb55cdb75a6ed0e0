// URI parsing, comparison and re-encoding. Tables of URIs with their expected parts (valid),
// expected error offsets (invalid) and expected equivalence; every valid URI is also re-encoded
// and re-parsed, and parsed from a buffer that ends at a guard page.

#include <QDir>
#include <QFile>
#include <QtTest/QtTest>

#include <string>
#include <string_view>

#include "uri/uri.hpp"

#ifdef Q_OS_LINUX
#include <sys/mman.h>
#include <unistd.h>
#endif

using namespace sipscope::stack;
using namespace std::string_view_literals;

namespace {

std::string_view view(const QByteArray& bytes) {
    return {bytes.constData(), static_cast<std::size_t>(bytes.size())};
}

QByteArray bytes(std::string_view s) {
    return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
}

// "user[:password]@" as it was split, so that the split point is checked too.
QByteArray userInfoOf(const SipUri& sip) {
    if (!sip.hasUserInfo) return {};
    QByteArray out = bytes(sip.user);
    if (sip.hasPassword) out += ':' + bytes(sip.password);
    return out + '@';
}

QByteArray joined(const std::vector<UriParam>& items, char separator) {
    QByteArray out;
    for (const UriParam& p : items) {
        if (!out.isEmpty()) out += separator;
        out += bytes(p.name);
        if (p.hasValue) out += '=' + bytes(p.value);
    }
    return out;
}

QByteArray lowerScheme(const QByteArray& uri) {
    const qsizetype colon = uri.indexOf(':');
    return uri.left(colon).toLower() + uri.mid(colon);
}

// A copy of the input whose last byte is the last readable byte before a PROT_NONE page, so
// that any read past the view faults (the picohttpparser test technique).
class GuardedCopy {
  public:
    explicit GuardedCopy(std::string_view s) {
#ifdef Q_OS_LINUX
        m_page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        if (s.size() > m_page) return;
        void* mem =
            mmap(nullptr, 2 * m_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) return;
        m_mem = static_cast<char*>(mem);
        mprotect(m_mem + m_page, m_page, PROT_NONE);
        char* start = m_mem + m_page - s.size();
        std::copy(s.begin(), s.end(), start);
        m_view = std::string_view(start, s.size());
#else
        Q_UNUSED(s);
#endif
    }
    ~GuardedCopy() {
#ifdef Q_OS_LINUX
        if (m_mem != nullptr) munmap(m_mem, 2 * m_page);
#endif
    }
    GuardedCopy(const GuardedCopy&) = delete;
    GuardedCopy& operator=(const GuardedCopy&) = delete;
    bool ok() const {
        return m_mem != nullptr;
    }
    std::string_view view() const {
        return m_view;
    }

  private:
    char* m_mem = nullptr;
    std::size_t m_page = 0;
    std::string_view m_view;
};

// Invariants that hold for any input: no throw, errors are BadUri at an offset inside the
// input with a message, and a parsed URI survives encode -> parse as an equivalent URI.
void checkAnyInput(std::string_view text) {
    const auto result = parseUri(text);
    if (!result) {
        QCOMPARE(result.error().code, ErrorCode::BadUri);
        QVERIFY(result.error().offset <= text.size());
        QVERIFY(!result.error().message.empty());
        return;
    }
    QVERIFY(uriEquivalent(*result, *result));
    const std::string encoded = encodeUri(*result);
    const auto again = parseUri(encoded);
    QVERIFY2(again.ok(), encoded.c_str());
    QVERIFY2(uriEquivalent(*result, *again), encoded.c_str());
}

void addSip(const char* tag, const char* uri, UriScheme scheme, const char* userInfo,
            const char* host, HostKind kind, int port, const char* params = "",
            const char* headers = "") {
    QTest::newRow(tag) << QByteArray(uri) << int(scheme) << QByteArray(userInfo) << QByteArray(host)
                       << int(kind) << port << QByteArray(params) << QByteArray(headers)
                       << QByteArray() << QByteArray();
}

void addTel(const char* tag, const char* uri, const char* number, const char* params = "") {
    QTest::newRow(tag) << QByteArray(uri) << int(UriScheme::Tel) << QByteArray() << QByteArray()
                       << int(HostKind::None) << -1 << QByteArray(params) << QByteArray()
                       << QByteArray(number) << QByteArray();
}

void addOther(const char* tag, const char* uri, const char* opaque) {
    QTest::newRow(tag) << QByteArray(uri) << int(UriScheme::Other) << QByteArray() << QByteArray()
                       << int(HostKind::None) << -1 << QByteArray() << QByteArray() << QByteArray()
                       << QByteArray(opaque);
}

constexpr auto kSip = UriScheme::Sip;
constexpr auto kName = HostKind::Name;
constexpr auto kV4 = HostKind::IPv4;
constexpr auto kV6 = HostKind::IPv6;

constexpr const char* kUnusualUri =
    "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
    "(doesn't-it)@example.com";

}  // namespace

class TestUri : public QObject {
    Q_OBJECT

  private slots:
    void parseValid_data();
    void parseValid();
    void roundTrip_data() { parseValid_data(); }
    void roundTrip();
    void parseInvalid_data();
    void parseInvalid();
    void equivalence_data();
    void equivalence();
    void unescapeCases_data();
    void unescapeCases();
    void accessors();
    void escapedNullsKeepTheirBytes();
    void viewIsNotOverread();
    void guardPage();
    void everyByteAtEveryPosition();
    void corpusRequestUris_data();
    void corpusRequestUris();
};

void TestUri::parseValid_data() {
    QTest::addColumn<QByteArray>("uri");
    QTest::addColumn<int>("scheme");
    QTest::addColumn<QByteArray>("userInfo");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<int>("hostKind");
    QTest::addColumn<int>("port");
    QTest::addColumn<QByteArray>("params");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QByteArray>("number");
    QTest::addColumn<QByteArray>("opaque");

    addSip("plain", "sip:alice@atlanta.com", kSip, "alice@", "atlanta.com", kName, -1);
    addSip("all parts",
           "sips:alice:secret@atlanta.com:5061;transport=tls?subject=project%20x&priority=urgent",
           UriScheme::Sips, "alice:secret@", "atlanta.com", kName, 5061, "transport=tls",
           "subject=project%20x&priority=urgent");
    addSip("upper scheme", "SIP:Alice@AtLanTa.CoM;Transport=UDP", kSip, "Alice@", "AtLanTa.CoM",
           kName, -1, "Transport=UDP");
    addSip("no userinfo", "sip:atlanta.com;lr", kSip, "", "atlanta.com", kName, -1, "lr");
    addSip("ipv4 port", "sip:alice@192.0.2.4:5060", kSip, "alice@", "192.0.2.4", kV4, 5060);
    addSip("3261 telephone-subscriber", "sip:+1-212-555-1212:1234@gateway.com;user=phone", kSip,
           "+1-212-555-1212:1234@", "gateway.com", kName, -1, "user=phone");
    addSip("3261 user with ;", "sip:alice;day=tuesday@atlanta.com", kSip, "alice;day=tuesday@",
           "atlanta.com", kName, -1);
    addSip("3261 headers", "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
           kSip, "", "biloxi.com", kName, -1, "transport=tcp;method=REGISTER",
           "to=sip:bob%40biloxi.com");
    addSip("4475 3.1.1.2 unusual", kUnusualUri, kSip,
           "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:"
           "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@",
           "example.com", kName, -1);
    addSip("4475 3.1.1.9 semicolon user", "sip:user;par=u%40example.net@example.com", kSip,
           "user;par=u%40example.net@", "example.com", kName, -1);
    addSip("4475 3.1.1.3 escaped r-uri", "sip:sips%3Auser%40example.com@example.net", kSip,
           "sips%3Auser%40example.com@", "example.net", kName, -1);
    addSip("4475 3.1.1.3 escaped user", "sip:%75se%72@example.com", kSip, "%75se%72@",
           "example.com", kName, -1);
    addSip("4475 3.1.1.3 escaped spaces", "sip:I%20have%20spaces@example.net", kSip,
           "I%20have%20spaces@", "example.net", kName, -1);
    addSip("4475 3.1.1.3 escaped params",
           "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31", kSip, "cal%6Cer@",
           "host5.example.net", kName, -1, "%6C%72;n%61me=v%61lue%25%34%31");
    addSip("4475 3.1.1.4 null", "sip:null-%00-null@example.com", kSip, "null-%00-null@",
           "example.com", kName, -1);
    addSip("4475 3.1.1.4 one null", "sip:%00@host5.example.com", kSip, "%00@", "host5.example.com",
           kName, -1);
    addSip("4475 3.1.1.4 two nulls", "sip:%00%00@host5.example.com", kSip, "%00%00@",
           "host5.example.com", kName, -1);
    addSip("4475 3.1.1.1 unknownparam", "sip:vivekg@chair-dnrc.example.com;unknownparam", kSip,
           "vivekg@", "chair-dnrc.example.com", kName, -1, "unknownparam");
    addSip("4475 3.1.1.1 route", "sip:services.example.com;lr;unknownwith=value;unknown-no-value",
           kSip, "", "services.example.com", kName, -1, "lr;unknownwith=value;unknown-no-value");
    addSip("4475 3.1.2.11 escaped header", "sip:user@example.com?Route=%3Csip:example.com%3E", kSip,
           "user@", "example.com", kName, -1, "", "Route=%3Csip:example.com%3E");
    addSip("4475 3.3.13 url-parameter", "sip:+19725552222@gw1.example.net;unknownparam", kSip,
           "+19725552222@", "gw1.example.net", kName, -1, "unknownparam");
    addSip("5118 4.1 reference", "sip:[2001:db8::10]", kSip, "", "[2001:db8::10]", kV6, -1);
    addSip("5118 4.3 port inside", "sip:[2001:db8::10:5070]", kSip, "", "[2001:db8::10:5070]", kV6,
           -1);
    addSip("5118 4.4 port outside", "sip:[2001:db8::10]:5070", kSip, "", "[2001:db8::10]", kV6,
           5070);
    addSip("5118 4.9 ipv4-mapped", "sip:user@[::ffff:192.0.2.10]", kSip, "user@",
           "[::ffff:192.0.2.10]", kV6, -1);
    addSip("5118 4.10 two colons", "sip:user@[2001:db8::192.0.2.1]", kSip, "user@",
           "[2001:db8::192.0.2.1]", kV6, -1);
    addSip("5118 4.10 three colons", "sip:user@[2001:db8:::192.0.2.1]", kSip, "user@",
           "[2001:db8:::192.0.2.1]", kV6, -1);
    addSip("ipv6 loopback", "sips:[::1]:5061;transport=tls", UriScheme::Sips, "", "[::1]", kV6,
           5061, "transport=tls");
    addSip("ipv6 unspecified", "sip:[::]", kSip, "", "[::]", kV6, -1);
    addSip("ipv6 full", "sip:[1:2:3:4:5:6:7:8]", kSip, "", "[1:2:3:4:5:6:7:8]", kV6, -1);
    addSip("ipv6 trailing gap", "sip:[fe80::]", kSip, "", "[fe80::]", kV6, -1);
    addSip("ipv6 six groups + quad", "sip:[1:2:3:4:5:6:1.2.3.4]", kSip, "", "[1:2:3:4:5:6:1.2.3.4]",
           kV6, -1);
    addSip("underscore host", "sip:_sip._udp.example.com", kSip, "", "_sip._udp.example.com", kName,
           -1);
    addSip("trailing dot", "sip:bob@example.com.", kSip, "bob@", "example.com.", kName, -1);
    addSip("digit-led labels", "sip:3com.com", kSip, "", "3com.com", kName, -1);
    addSip("single label", "sip:pbx1:5080", kSip, "", "pbx1", kName, 5080);
    addSip("digit-led toplabel", "sip:1pbx", kSip, "", "1pbx", kName, -1);
    addSip("empty password", "sip:alice:@atlanta.com", kSip, "alice:@", "atlanta.com", kName, -1);
    addSip("maddr ipv6", "sip:alice@atlanta.com;maddr=[2001:db8::1];ttl=15", kSip, "alice@",
           "atlanta.com", kName, -1, "maddr=[2001:db8::1];ttl=15");
    addSip("empty header value", "sip:alice@atlanta.com?subject=", kSip, "alice@", "atlanta.com",
           kName, -1, "", "subject=");
    addSip("dtmf hash in user", "sip:*21#@example.com", kSip, "*21#@", "example.com", kName, -1);
    addSip("hex-only host with port", "sip:cafe:5060", kSip, "", "cafe", kName, 5060);
    addSip("port zero", "sip:h:0", kSip, "", "h", kName, 0);
    addSip("port max", "sip:h:65535", kSip, "", "h", kName, 65535);
    addSip("leading zero octets", "sip:010.000.002.004", kSip, "", "010.000.002.004", kV4, -1);
    addSip("at in escaped header", "sip:a@b.c?Refer-To=sip:x%40y&Replaces=abc%3Bto-tag%3D1", kSip,
           "a@", "b.c", kName, -1, "", "Refer-To=sip:x%40y&Replaces=abc%3Bto-tag%3D1");

    addTel("3966 global", "tel:+1-201-555-0123", "+1-201-555-0123");
    addTel("3966 local domain", "tel:7042;phone-context=example.com", "7042",
           "phone-context=example.com");
    addTel("3966 local global ctx", "tel:863-1234;phone-context=+1-914-555", "863-1234",
           "phone-context=+1-914-555");
    addTel("ext isub upper scheme", "TEL:+1(201)555.0123;ext=1234;isub=5", "+1(201)555.0123",
           "ext=1234;isub=5");
    addTel("local without context", "tel:1234", "1234");
    addTel("dtmf local", "tel:*21#;phone-context=+1", "*21#", "phone-context=+1");
    addTel("param without value", "tel:+49-(0)30-1234;foo", "+49-(0)30-1234", "foo");

    addOther("4475 isbn", "isbn:2983792873", "2983792873");
    addOther("4475 http", "http://www.example.com", "//www.example.com");
    addOther("4475 name", "name:John_Smith", "John_Smith");
    addOther("4475 soap.beep", "soap.beep://192.0.2.103:3002", "//192.0.2.103:3002");
    addOther("4475 unknown scheme", "nobodyKnowsThisScheme:totallyopaquecontent",
             "totallyopaquecontent");
    addOther("mailto", "mailto:alice@example.com?subject=hi", "alice@example.com?subject=hi");
    addOther("urn", "urn:service:sos", "service:sos");
}

void TestUri::parseValid() {
    QFETCH(QByteArray, uri);
    const auto result = parseUri(view(uri));
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
    QFETCH(int, scheme);
    QCOMPARE(int(result->scheme), scheme);
    QCOMPARE(bytes(result->raw), uri);
    QCOMPARE(bytes(result->schemeName), uri.left(uri.indexOf(':')));
    QFETCH(int, hostKind);
    QFETCH(int, port);
    QFETCH(QByteArray, params);
    if (result->isSip()) {
        QFETCH(QByteArray, userInfo);
        QFETCH(QByteArray, host);
        QFETCH(QByteArray, headers);
        QCOMPARE(userInfoOf(result->sip), userInfo);
        QCOMPARE(bytes(result->sip.host), host);
        QCOMPARE(int(result->sip.hostKind), hostKind);
        QCOMPARE(result->sip.port ? int(*result->sip.port) : -1, port);
        QCOMPARE(joined(result->sip.params, ';'), params);
        QCOMPARE(joined(result->sip.headers, '&'), headers);
        QCOMPARE(result->user(), unescape(result->sip.user));
    } else if (result->scheme == UriScheme::Tel) {
        QFETCH(QByteArray, number);
        QCOMPARE(bytes(result->tel.number), number);
        QCOMPARE(joined(result->tel.params, ';'), params);
        QCOMPARE(bytes(result->user()), number);
    } else {
        QFETCH(QByteArray, opaque);
        QCOMPARE(bytes(result->opaque), opaque);
        QVERIFY(result->user().empty());
    }
}

void TestUri::roundTrip() {
    QFETCH(QByteArray, uri);
    const auto first = parseUri(view(uri));
    QVERIFY(first.ok());
    const std::string encoded = encodeUri(*first);
    // Components are re-emitted as written; only the scheme name is normalised.
    QCOMPARE(bytes(encoded), lowerScheme(uri));
    const auto second = parseUri(encoded);
    QVERIFY2(second.ok(), encoded.c_str());
    QVERIFY(uriEquivalent(*first, *second));
    QVERIFY(uriEquivalent(*second, *first));
    QCOMPARE(encodeUri(*second), encoded);
}

void TestUri::parseInvalid_data() {
    QTest::addColumn<QByteArray>("uri");
    QTest::addColumn<int>("offset");
    QTest::addColumn<QString>("message");
    const auto row = [](const char* tag, std::string_view uri, int offset, const char* message) {
        QTest::newRow(tag) << bytes(uri) << offset << QString::fromUtf8(message);
    };
    row("empty", "", 0, "empty URI");
    row("no colon", "sip", 3, "missing ':'");
    row("no scheme", "alice@example.com", 5, "invalid character '@' in scheme");
    row("empty scheme", ":alice", 0, "must start with a letter");
    row("digit scheme", "1sip:alice@h", 0, "must start with a letter");
    row("leading space", " sip:alice@example.com", 0, "byte 0x20");
    row("sip no host", "sip:", 4, "missing host");
    row("empty user", "sip:@example.com", 4, "empty user");
    row("empty user with password", "sip::pw@example.com", 4, "empty user");
    row("host missing after @", "sip:alice@", 10, "missing host");
    row("empty port", "sip:alice@example.com:", 22, "empty port");
    row("port too big", "sip:alice@example.com:65536", 22, "out of range");
    row("port overflow", "sip:alice@example.com:99999999999999999999", 22, "out of range");
    row("port letters", "sip:alice@example.com:50a", 24, "in port");
    row("hex host, bad port", "sip:abc:x", 8, "in port");
    row("double semicolon", "sip:alice@example.com;;lr", 22, "empty uri-parameter name");
    row("trailing semicolon", "sip:alice@example.com;", 22, "empty uri-parameter name");
    row("empty param value", "sip:alice@example.com;x=", 24, "empty uri-parameter value");
    row("param without name", "sip:alice@example.com;=x", 22, "empty uri-parameter name");
    row("two equals", "sip:alice@example.com;a=b=c", 25, "'='");
    row("space in user", "sip:al ice@example.com", 6, "in user part");
    row("space in host", "sip:alice@exa mple.com", 13, "in host");
    row("trailing space", "sip:alice@example.com ", 21, "in host");
    row("5118 4.2 bare ipv6", "sip:2001:db8::10", 4, "RFC 5118");
    row("5118 4.2 bare ipv6 user", "sip:user@2001:db8::10;transport=udp", 9, "RFC 5118");
    row("unclosed bracket", "sip:[2001:db8::10", 4, "without closing ']'");
    row("junk after bracket", "sip:[2001:db8::10]x", 18, "'x' in host");
    row("three colons no quad", "sip:[2001:db8:::1]", 5, "invalid IPv6");
    row("two gaps", "sip:[2001:db8::1::2]", 5, "invalid IPv6");
    row("nine groups", "sip:[1:2:3:4:5:6:7:8:9]", 5, "invalid IPv6");
    row("seven groups", "sip:[1:2:3:4:5:6:7]", 5, "invalid IPv6");
    row("five hex digits", "sip:[12345::1]", 5, "invalid IPv6");
    row("bad mapped quad", "sip:[::ffff:256.0.2.1]", 5, "invalid IPv6");
    row("quad alone", "sip:[1.2.3.4]", 5, "invalid IPv6");
    row("zone id", "sip:[fe80::1%eth0]", 5, "invalid IPv6");
    row("empty brackets", "sip:[]", 5, "invalid IPv6");
    row("leading single colon", "sip:[:1::2]", 5, "invalid IPv6");
    row("trailing single colon", "sip:[1::2:]", 5, "invalid IPv6");
    row("octet too big", "sip:alice@256.0.0.1", 10, "invalid IPv4");
    row("three octets", "sip:alice@1.2.3", 10, "invalid IPv4");
    row("label starts with dash", "sip:alice@-example.com", 10, "starts with '-'");
    row("label ends with dash", "sip:alice@example-.com", 17, "ends with '-'");
    row("empty label", "sip:alice@example..com", 18, "empty label");
    row("numeric toplabel", "sip:alice@example.123", 18, "numeric label");
    row("short escape in user", "sip:al%4ice@example.com", 6, "two hex digits");
    row("escape cut by @", "sip:alice%@example.com", 9, "two hex digits");
    row("bad escape in param", "sip:alice@example.com;x=%G0", 24, "two hex digits");
    row("bad escape at end", "sip:alice@example.com;x=%4", 24, "two hex digits");
    row("header without equals", "sip:alice@example.com?subject", 29, "without '='");
    row("empty headers", "sip:alice@example.com?", 22, "empty header name");
    row("trailing ampersand", "sip:alice@example.com?a=b&", 26, "empty header name");
    row("equals in header value", "sip:alice@example.com?a=b=c", 25, "in header value");
    row("colon in password", "sip:alice:pa:ss@example.com", 12, "in password");
    row("quote in user", "sip:a\"b@example.com", 5, "in user part");
    row("angle in user", "sip:a<b@example.com", 5, "in user part");
    row("nul in user", "sip:al\0ice@example.com"sv, 6, "byte 0x00");
    row("nul in host", "sip:alice@exa\0mple.com"sv, 13, "byte 0x00");
    row("utf-8 in host", "sip:alice@ex\xC3\xA9mple.com", 12, "byte 0xC3");
    row("second at", "sip:alice@example.com@example.net", 21, "'@' in host");
    row("slashes", "sips://example.com", 5, "'/' in host");
    row("tel empty", "tel:", 4, "without digits");
    row("tel plus only", "tel:+", 5, "without digits");
    row("tel separators only", "tel:+-()", 8, "without digits");
    row("tel space", "tel:+1 234", 6, "in telephone number");
    row("tel empty param", "tel:+1234;", 10, "empty uri-parameter name");
    row("tel headers", "tel:+1234?x=y", 9, "in telephone number");
    row("tel question after param", "tel:+1234;a=b?x=y", 13, "in uri-parameter");
    row("tel not hex", "tel:abcx", 7, "in telephone number");
    row("opaque empty", "isbn:", 5, "empty URI after scheme");
    row("opaque space", "http://www.example.com/a b", 24, "byte 0x20");
    row("opaque angle", "http:<x>", 5, "'<'");
    row("opaque nul", "urn:a\0b"sv, 5, "byte 0x00");
}

void TestUri::parseInvalid() {
    QFETCH(QByteArray, uri);
    QFETCH(int, offset);
    QFETCH(QString, message);
    const auto result = parseUri(view(uri));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::BadUri);
    QCOMPARE(int(result.error().offset), offset);
    const QString actual = QString::fromStdString(result.error().message);
    QVERIFY2(actual.contains(message), qPrintable(actual));
}

void TestUri::equivalence_data() {
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");
    const auto row = [](const char* tag, const char* a, const char* b, bool equal) {
        QTest::newRow(tag) << QByteArray(a) << QByteArray(b) << equal;
    };
    // RFC 3261 §19.1.4, the equivalent examples.
    row("3261 escaped user, host case", "sip:%61lice@atlanta.com;transport=TCP",
        "sip:alice@AtLanTa.CoM;Transport=tcp", true);
    row("3261 newparam ignored", "sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", true);
    row("3261 security ignored", "sip:carol@chicago.com", "sip:carol@chicago.com;security=on",
        true);
    row("3261 pairwise", "sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on",
        true);
    row("3261 param order", "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
        "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com", true);
    row("3261 header order", "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
        "sip:alice@atlanta.com?priority=urgent&subject=project%20x", true);
    // RFC 3261 §19.1.4, the non-equivalent examples.
    row("3261 user case", "SIP:ALICE@AtLanTa.CoM;Transport=udp",
        "sip:alice@AtLanTa.CoM;Transport=UDP", false);
    row("3261 default port", "sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", false);
    row("3261 transport only in one", "sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp",
        false);
    row("3261 port and transport", "sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp",
        false);
    row("3261 header only in one", "sip:carol@chicago.com",
        "sip:carol@chicago.com?Subject=next%20meeting", false);
    row("3261 resolved address", "sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4", false);
    // The remaining rules of §19.1.4.
    row("sip vs sips", "sip:alice@atlanta.com", "sips:alice@atlanta.com", false);
    row("maddr only in one", "sip:alice@atlanta.com;maddr=239.255.255.1", "sip:alice@atlanta.com",
        false);
    row("ttl only in one", "sip:alice@atlanta.com;ttl=1", "sip:alice@atlanta.com", false);
    row("user param only in one", "sip:+1234@atlanta.com;user=phone", "sip:+1234@atlanta.com",
        false);
    row("method only in one", "sip:alice@atlanta.com", "sip:alice@atlanta.com;method=INVITE",
        false);
    row("lr ignored", "sip:alice@atlanta.com;lr", "sip:alice@atlanta.com", true);
    row("param in both differs", "sip:a@b.c;transport=tcp", "sip:a@b.c;transport=udp", false);
    row("other param in both differs", "sip:a@b.c;x=1", "sip:a@b.c;x=2", false);
    row("param flag vs value", "sip:a@b.c;lr", "sip:a@b.c;lr=on", false);
    row("escaped param name and value", "sip:a@b.c;%6C%72;n%61me=V%61lue",
        "sip:a@b.c;LR;name=value", true);
    row("password differs", "sip:alice:secret@atlanta.com", "sip:alice:Secret@atlanta.com", false);
    row("password only in one", "sip:alice:secret@atlanta.com", "sip:alice@atlanta.com", false);
    row("empty password vs none", "sip:alice:@atlanta.com", "sip:alice@atlanta.com", false);
    row("user only in one", "sip:atlanta.com", "sip:alice@atlanta.com", false);
    row("port differs", "sip:a@b.c:5060", "sip:a@b.c:5061", false);
    row("escaped reserved stays distinct", "sip:user%3Bpar@example.com", "sip:user;par@example.com",
        false);
    row("escape hex case", "sip:user%3bpar@example.com", "sip:user%3Bpar@example.com", true);
    row("4475 3.1.1.3 escaped user", "sip:%75se%72@example.com", "sip:user@example.com", true);
    row("4475 3.1.1.4 nulls differ", "sip:%00@host5.example.com", "sip:%00%00@host5.example.com",
        false);
    row("4475 3.1.1.4 not truncated", "sip:null-%00-null@example.com", "sip:null-@example.com",
        false);
    row("header name case", "sip:a@b.c?Subject=x", "sip:a@b.c?subject=x", true);
    row("header value case", "sip:a@b.c?subject=X", "sip:a@b.c?subject=x", false);
    row("header escaped", "sip:a@b.c?subject=%61", "sip:a@b.c?subject=a", true);
    row("ipv6 text forms", "sip:[2001:db8::1]", "sip:[2001:DB8:0:0:0:0:0:1]", true);
    row("ipv6 mapped forms", "sip:[::ffff:192.0.2.1]", "sip:[::ffff:c000:201]", true);
    row("5118 4.10 three colons", "sip:user@[2001:db8:::192.0.2.1]",
        "sip:user@[2001:db8::192.0.2.1]", true);
    row("5118 4.3 vs 4.4", "sip:[2001:db8::10:5070]", "sip:[2001:db8::10]:5070", false);
    row("ipv6 differs", "sip:[2001:db8::1]", "sip:[2001:db8::2]", false);
    row("tel separators", "tel:+1-201-555-0123", "tel:+1(201)5550123", true);
    row("tel case", "tel:7042;phone-context=example.com", "TEL:7042;PHONE-CONTEXT=Example.COM",
        true);
    row("tel global context", "tel:863-1234;phone-context=+1-914-555",
        "tel:8631234;phone-context=+1914555", true);
    row("tel global vs local", "tel:+1234", "tel:1234;phone-context=+1", false);
    row("tel param only in one", "tel:+1234;ext=1", "tel:+1234", false);
    row("tel param order", "tel:+1234;ext=1;isub=2", "tel:+1234;isub=2;ext=1", true);
    row("tel digits differ", "tel:+1234", "tel:+1235", false);
    row("other scheme case", "isbn:2983792873", "ISBN:2983792873", true);
    row("other opaque exact", "http://www.example.com", "http://WWW.example.com", false);
    row("other schemes differ", "urn:x", "isbn:x", false);
    row("sip vs tel", "sip:+1234@example.com;user=phone", "tel:+1234", false);
}

void TestUri::equivalence() {
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    const auto x = parseUri(view(a));
    const auto y = parseUri(view(b));
    QVERIFY(x.ok());
    QVERIFY(y.ok());
    QCOMPARE(uriEquivalent(*x, *y), equal);
    QCOMPARE(uriEquivalent(*y, *x), equal);
    QVERIFY(uriEquivalent(*x, *x));
    QVERIFY(uriEquivalent(*y, *y));
}

void TestUri::unescapeCases_data() {
    QTest::addColumn<QByteArray>("escaped");
    QTest::addColumn<QByteArray>("plain");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("letter") << QByteArray("%41b") << QByteArray("Ab");
    QTest::newRow("lower hex") << QByteArray("%3a") << QByteArray(":");
    QTest::newRow("nul kept") << QByteArray("a%00b") << QByteArray("a\0b", 3);
    QTest::newRow("short at end") << QByteArray("a%4") << QByteArray("a%4");
    QTest::newRow("percent at end") << QByteArray("a%") << QByteArray("a%");
    QTest::newRow("not hex") << QByteArray("%zz%4g") << QByteArray("%zz%4g");
    QTest::newRow("escaped percent") << QByteArray("%2541") << QByteArray("%41");
}

void TestUri::unescapeCases() {
    QFETCH(QByteArray, escaped);
    QFETCH(QByteArray, plain);
    QCOMPARE(bytes(unescape(view(escaped))), plain);
}

void TestUri::accessors() {
    const auto sip = parseUri(
        "sip:user;par=u%40example.net@[2001:db8::10]:5070;"
        "%74ransport=TCP;maddr=192.0.2.1;lr");
    QVERIFY(sip.ok());
    QCOMPARE(sip->user(), std::string("user;par=u@example.net"));
    QCOMPARE(sip->hostPort(), std::string("[2001:db8::10]:5070"));
    QCOMPARE(sip->sip.transport(), "TCP"sv);
    QCOMPARE(sip->sip.maddr(), "192.0.2.1"sv);
    QVERIFY(sip->sip.lr());
    QVERIFY(sip->sip.param("TRANSPORT") != nullptr);
    QVERIFY(sip->sip.param("ttl") == nullptr);

    const auto bare = parseUri("sip:example.com");
    QVERIFY(bare.ok());
    QCOMPARE(bare->sip.transport(), ""sv);
    QCOMPARE(bare->sip.maddr(), ""sv);
    QVERIFY(!bare->sip.lr());
    QCOMPARE(bare->hostPort(), std::string("example.com"));
    QCOMPARE(bare->user(), std::string());

    const auto tel = parseUri("tel:+1-201-555-0123;ext=7");
    QVERIFY(tel.ok());
    QCOMPARE(tel->user(), std::string("+1-201-555-0123"));
    QCOMPARE(tel->hostPort(), std::string());

    // An edited IPv6 host without brackets still encodes to a valid URI (RFC 5118 §4.2).
    Uri edited;
    edited.scheme = UriScheme::Sips;
    edited.sip.host = "2001:db8::1";
    edited.sip.hostKind = HostKind::IPv6;
    edited.sip.port = 5061;
    QCOMPARE(encodeUri(edited), std::string("sips:[2001:db8::1]:5061"));
    QCOMPARE(edited.hostPort(), std::string("[2001:db8::1]:5061"));
}

void TestUri::escapedNullsKeepTheirBytes() {
    // RFC 4475 §3.1.1.4: "%00" must not turn into a C string terminator.
    const auto uri = parseUri("sip:null-%00-null@example.com");
    QVERIFY(uri.ok());
    const std::string user = uri->user();
    QCOMPARE(user.size(), std::size_t(11));
    QCOMPARE(user, std::string("null-\0-null", 11));
}

void TestUri::viewIsNotOverread() {
    const std::string_view buffer = "sip:alice@example.com:5060;lr>";
    const auto cut = parseUri(buffer.substr(0, 21));
    QVERIFY(cut.ok());
    QVERIFY(!cut->sip.port);
    QVERIFY(cut->sip.params.empty());
    const auto withPort = parseUri(buffer.substr(0, 26));
    QVERIFY(withPort.ok());
    QCOMPARE(*withPort->sip.port, std::uint16_t(5060));
    const auto cutEscape = parseUri(std::string_view("sip:a%41@b.c", 7));
    QVERIFY(!cutEscape.ok());
    QCOMPARE(cutEscape.error().offset, std::size_t(5));
}

void TestUri::guardPage() {
#ifndef Q_OS_LINUX
    QSKIP("needs mmap/mprotect");
#else
    std::vector<QByteArray> inputs;
    for (const QByteArray& uri :
         {QByteArray(kUnusualUri), QByteArray("sip:a@b.c;x=%4"), QByteArray("sip:[::1"),
          QByteArray("sip:[::1]:"), QByteArray("tel:+1;a="), QByteArray("sip:a@b?c=d&e=%")})
        inputs.push_back(uri);
    for (int len = 0; len <= inputs.front().size(); ++len) inputs.push_back(inputs[0].left(len));
    for (const QByteArray& uri : inputs) {
        GuardedCopy copy(view(uri));
        QVERIFY(copy.ok());
        const auto guarded = parseUri(copy.view());
        const auto normal = parseUri(view(uri));
        QCOMPARE(guarded.ok(), normal.ok());
        if (!normal.ok()) QCOMPARE(guarded.error().offset, normal.error().offset);
        checkAnyInput(copy.view());
    }
#endif
}

void TestUri::everyByteAtEveryPosition() {
    // Exhaustive single-byte mutations of representative URIs: no input may crash, throw, report
    // an offset outside the input, or parse into something that does not survive re-encoding.
    const std::string_view seeds[] = {
        "sips:al%41ce:pw@[2001:db8::192.0.2.1]:5061;maddr=x;lr?h=v&i=",
        "sip:+1-212;x=y@a_b.example.com.:0;t=u",
        "tel:+1-(201)-555;ext=1;phone-context=+49",
        "tel:12*#;phone-context=example.com",
        "urn:x:y",
    };
    for (std::string_view seed : seeds) {
        std::string text(seed);
        for (std::size_t pos = 0; pos < text.size(); ++pos) {
            const char saved = text[pos];
            for (int byte = 0; byte < 256; ++byte) {
                text[pos] = static_cast<char>(byte);
                checkAnyInput(text);
                if (QTest::currentTestFailed()) {
                    qWarning("input: %s (byte 0x%02X at %zu)", text.c_str(), byte, pos);
                    return;
                }
            }
            text[pos] = saved;
        }
    }
}

void TestUri::corpusRequestUris_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("valid");
    const QDir corpus(QStringLiteral(SIPSCOPE_CORPUS_DIR));
    if (!corpus.exists()) QSKIP("shared corpus not found");
    // Request lines whose URI part is malformed on purpose: RFC 4475 §3.1.2.7 (<> around it),
    // §3.1.2.8 (LWS inside it), §3.1.2.9 (extra SP leaves it with spaces); RFC 5118 §4.2.
    const QStringList bad{"ltgtruri.dat", "lwsruri.dat", "lwsstart.dat", "ipv6-bad"};
    for (const QString& dir : {QStringLiteral("rfc4475"), QStringLiteral("rfc5118")}) {
        const QDir d(corpus.filePath(dir));
        for (const QString& name : d.entryList(QDir::Files, QDir::Name)) {
            if (name.endsWith(".tsv")) continue;
            QFile f(d.filePath(name));
            if (!f.open(QIODevice::ReadOnly) || f.readLine().startsWith("SIP/")) continue;
            QTest::newRow(qPrintable(dir + '/' + name)) << d.filePath(name) << !bad.contains(name);
        }
    }
}

void TestUri::corpusRequestUris() {
    QFETCH(QString, file);
    QFETCH(bool, valid);
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QByteArray line = f.readLine();
    if (line.endsWith('\n')) line.chop(1);
    if (line.endsWith('\r')) line.chop(1);
    const qsizetype begin = line.indexOf(' ') + 1;
    const qsizetype end = line.lastIndexOf(" SIP/");
    QVERIFY(begin > 0 && end >= begin);
    const QByteArray uri = line.mid(begin, end - begin);
    const auto result = parseUri(view(uri));
    QVERIFY2(result.ok() == valid, uri.constData());
    checkAnyInput(view(uri));
}

QTEST_APPLESS_MAIN(TestUri)
#include "tst_uri.moc"
