// Serializer: untouched messages are written back byte for byte, edited headers re-encoded,
// built messages parse back to the same structure (encode -> re-parse round trips).

#include <QtTest>

#include "message/message_builder.hpp"
#include "message/name_addr.hpp"
#include "message/simple_headers.hpp"
#include "message/validate.hpp"
#include "message/via.hpp"
#include "test_util.hpp"

using namespace sipscope::stack;

class TestSerializer : public QObject {
    Q_OBJECT
  private slots:
    void buildRequestRoundTrip();
    void editKeepsUntouchedLinesByteExact();
    void makeResponseCopiesTheRightHeaders();
    void corpusEditRoundTrip();
};

void TestSerializer::buildRequestRoundTrip() {
    const std::string sdp =
        "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
        "m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
    auto built = MessageBuilder::request("INVITE", "sip:bob@[2001:db8::5]:5070;transport=udp")
                     .header(HeaderId::Via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport")
                     .header(HeaderId::MaxForwards, "70")
                     .header(HeaderId::From, "\"Alice \\\"A\\\"\" <sip:alice@example.com>;tag=88")
                     .header(HeaderId::To, "<sip:bob@example.com>")
                     .header(HeaderId::CallId, "built-1@192.0.2.1")
                     .header(HeaderId::CSeq, "1 INVITE")
                     .header(HeaderId::Contact, "<sip:alice@192.0.2.1:5060>")
                     .body("application/sdp", sdp)
                     .build();
    QVERIFY(built.ok());
    const SipMessage& m = *built;
    QVERIFY(validate(m).ok());
    QCOMPARE(std::string(m.body()), sdp);
    QCOMPARE((*m.typed<ContentLength>(HeaderId::ContentLength))->length, std::uint32_t(sdp.size()));
    QCOMPARE((*m.typed<NameAddr>(HeaderId::From))->displayName(), std::string("Alice \"A\""));
    auto again = SipMessage::parse(m.encode());
    QVERIFY(again.ok());
    QCOMPARE(again->encode(), m.encode());
    QCOMPARE(again->headers().size(), m.headers().size());
}

void TestSerializer::editKeepsUntouchedLinesByteExact() {
    const std::string original =
        "OPTIONS sip:x@h SIP/2.0\r\n"
        "Via:   SIP/2.0/UDP h ;branch=z9hG4bK1\r\n"
        "mAx-FoRwArDs:   70\r\n"
        "To: <sip:x@h>\r\nFrom: <sip:y@h>;tag=1\r\nCall-ID:  odd  spacing\r\n"
        "CSeq: 1\r\n OPTIONS\r\nContent-Length: 0\r\n\r\n";
    auto parsed = SipMessage::parse(original);
    QVERIFY(parsed.ok());
    SipMessage m = *parsed;
    QCOMPARE(m.encode(), original);
    m.setHeader(HeaderId::MaxForwards, "69");
    m.addHeader("Route", "<sip:proxy.example.com;lr>");
    m.setBody("hello");
    const std::string out = m.encode();
    QVERIFY(out.find("Via:   SIP/2.0/UDP h ;branch=z9hG4bK1\r\n") != std::string::npos);
    QVERIFY(out.find("CSeq: 1\r\n OPTIONS\r\n") != std::string::npos);
    QVERIFY(out.find("Max-Forwards: 69\r\n") == std::string::npos);  // keeps the wire name
    QVERIFY(out.find("mAx-FoRwArDs: 69\r\n") != std::string::npos);
    auto re = SipMessage::parse(out);
    QVERIFY(re.ok());
    QCOMPARE((*re->typed<MaxForwards>(HeaderId::MaxForwards))->hops, 69);
    QCOMPARE(std::string(re->body()), std::string("hello"));
    QVERIFY(re->header(HeaderId::Route) != nullptr);
    m.removeHeaders(HeaderId::Route);
    QVERIFY(SipMessage::parse(m.encode())->header(HeaderId::Route) == nullptr);
}

void TestSerializer::makeResponseCopiesTheRightHeaders() {
    auto inv = MessageBuilder::request("INVITE", "sip:b@h")
                   .header("Via", "SIP/2.0/UDP p1;branch=z9hG4bK1")
                   .header("Via", "SIP/2.0/UDP uac;branch=z9hG4bK0")
                   .header("Record-Route", "<sip:p1;lr>")
                   .header("From", "<sip:a@h>;tag=f")
                   .header("To", "<sip:b@h>")
                   .header("Call-ID", "resp@h")
                   .header("CSeq", "4 INVITE")
                   .header("Max-Forwards", "69")
                   .build();
    QVERIFY(inv.ok());
    auto ringing = makeResponse(*inv, 180, {}, "totag");
    QVERIFY(ringing.ok());
    QCOMPARE(std::string(ringing->reason()), std::string("Ringing"));
    QCOMPARE(ringing->headerCount(HeaderId::Via), std::size_t(2));
    QCOMPARE(std::string((*ringing->typed<NameAddr>(HeaderId::To))->tag()), std::string("totag"));
    QVERIFY(ringing->header(HeaderId::RecordRoute) != nullptr);
    QVERIFY(ringing->header(HeaderId::MaxForwards) == nullptr);
    QVERIFY(validate(*ringing).ok());
    auto trying = makeResponse(*inv, 100, {}, "totag");
    QVERIFY((*trying->typed<NameAddr>(HeaderId::To))->tag().empty());
    auto busy = makeResponse(*inv, 486);
    QVERIFY(busy->header(HeaderId::RecordRoute) == nullptr);
}

void TestSerializer::corpusEditRoundTrip() {
    const QString dir = sipscope::test::corpusDir();
    if (dir.isEmpty()) QSKIP("shared corpus not found (set SIPSCOPE_CORPUS_DIR)");
    int n = 0;
    for (const auto& row : sipscope::test::readTsv(dir + "/rfc4475/EXPECTED.tsv")) {
        if (row[2] == "invalid") continue;
        auto parsed = SipMessage::parse(sipscope::test::readFile(dir + "/rfc4475/" + row[0]));
        QVERIFY(parsed.ok());
        SipMessage m = *parsed;
        m.setHeader(HeaderId::Subject, "edited");
        auto re = SipMessage::parse(m.encode());
        QVERIFY2(re.ok(), qPrintable(row[0]));
        QCOMPARE(std::string(re->headerValue(HeaderId::Subject)), std::string("edited"));
        QCOMPARE(re->headers().size(), m.headers().size());
        QCOMPARE(std::string(re->body()), std::string(m.body()));
        QCOMPARE(std::string(re->headerValue(HeaderId::CallId)),
                 std::string(m.headerValue(HeaderId::CallId)));
        QCOMPARE(validate(*re).ok(), validate(m).ok());
        ++n;
    }
    QCOMPARE(n, 27);
}

QTEST_APPLESS_MAIN(TestSerializer)
#include "tst_serializer.moc"
