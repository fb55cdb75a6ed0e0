// What a message keeps once derived (its key headers, its body's inspection): made once, shared
// by copies, and made again after an edit, so that a cached value never outlives what it was
// derived from.

#include <QtTest>

#include "message/body.hpp"
#include "message/sip_message.hpp"

using namespace sipscope::stack;

namespace {

std::string invite(const std::string& port) {
    const std::string sdp =
        "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
        "t=0 0\r\nm=audio " +
        port + " RTP/AVP 0\r\n";
    return "INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKc1\r\n"
           "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: cache-1\r\n"
           "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n"
           "Content-Length: " +
           std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
}

SipMessage parsed(const std::string& text) {
    auto r = SipMessage::parse(text);
    if (!r.ok()) qFatal("test message does not parse");
    return std::move(r).value();
}

}  // namespace

class TestMessageCache : public QObject {
    Q_OBJECT

  private slots:
    // The body is inspected once: asking again, or asking a copy, gives the same value.
    void bodyInfoIsKept() {
        const SipMessage m = parsed(invite("4000"));
        const BodyInfo& first = bodyInfo(m);
        QVERIFY(first.sdp.has_value());
        QCOMPARE(first.sdp->media.at(0).port, 4000);
        QCOMPARE(&bodyInfo(m), &first);
        const SipMessage copy = m;
        QCOMPARE(&bodyInfo(copy), &first);
        QCOMPARE(bodyInfo(m).sdp->media.size(), inspectBody(m).sdp->media.size());
    }

    // An edit of a copy: the copy's value is made from its new body, the original keeps its own.
    void editsDropIt() {
        const SipMessage m = parsed(invite("4000"));
        const BodyInfo& before = bodyInfo(m);
        SipMessage edited = m;
        QVERIFY(bodyInfo(edited).sdp.has_value());
        const std::string sdp =
            "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\n"
            "t=0 0\r\nm=audio 6000 RTP/AVP 8\r\n";
        edited.setBody(sdp);
        QCOMPARE(bodyInfo(edited).sdp->media.at(0).port, 6000);
        QCOMPARE(&bodyInfo(m), &before);
        QCOMPARE(bodyInfo(m).sdp->media.at(0).port, 4000);
        edited.setBody("");
        QVERIFY(!bodyInfo(edited).sdp.has_value());
        QCOMPARE(bodyInfo(edited).partCount, 0);
    }

    // Key headers, kept the same way, follow an edited Call-ID.
    void keyHeadersFollowEdits() {
        SipMessage m = parsed(invite("4000"));
        QCOMPARE(std::string(m.keyHeaders().callId), std::string("cache-1"));
        m.setHeader(HeaderId::CallId, "cache-2");
        QCOMPARE(std::string(m.keyHeaders().callId), std::string("cache-2"));
    }

    // A message with nothing parsed still answers (an empty body).
    void emptyMessage() {
        const SipMessage m;
        QCOMPARE(bodyInfo(m).partCount, 0);
        QVERIFY(!bodyInfo(m).sdp.has_value());
    }
};

QTEST_GUILESS_MAIN(TestMessageCache)
#include "tst_message_cache.moc"
