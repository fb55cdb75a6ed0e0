// RFC 3261 §17.1.3 (responses to client transactions) and §17.2.3 (requests to server
// transactions, RFC 2543 fallback), ACK and CANCEL rules.

#include <QtTest>

#include "message/message_builder.hpp"
#include "transaction/matching.hpp"

using namespace sipscope::stack;

namespace {

struct Req {
    std::string method = "INVITE";
    std::string uri = "sip:bob@biloxi.example.com";
    std::string via = "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds";
    std::string to = "Bob <sip:bob@biloxi.example.com>";
    std::string from = "Alice <sip:alice@atlanta.example.com>;tag=1928301774";
    std::string callId = "a84b4c76e66710@pc33.atlanta.example.com";
    std::string cseq = "314159";
    std::string cseqMethod;  // defaults to method

    SipMessage build() const {
        auto r = MessageBuilder::request(method, uri)
                     .header("Via", via)
                     .header("Via", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKproxy1")
                     .header("Max-Forwards", "70")
                     .header("To", to)
                     .header("From", from)
                     .header("Call-ID", callId)
                     .header("CSeq", cseq + " " + (cseqMethod.empty() ? method : cseqMethod))
                     .build();
        if (!r.ok()) qFatal("request did not build");
        return std::move(r).value();
    }
};

Req with(std::string method) {
    Req r;
    r.method = std::move(method);
    return r;
}

SipMessage reply(const SipMessage& request, int code) {
    auto r = makeResponse(request, code, {}, "a6c85cf");
    if (!r.ok()) qFatal("response did not build");
    return std::move(r).value();
}

}  // namespace

class TestTransactionMatching : public QObject {
    Q_OBJECT

  private slots:
    void clientResponseMatching();
    void clientCancelIsSeparate();
    void serverMatching_data();
    void serverMatching();
    void cancelFindsInvite();
    void rfc2543AckUsesResponseToTag();
    void noKeyWithoutVia();
};

void TestTransactionMatching::clientResponseMatching() {
    const SipMessage invite = with("INVITE").build();
    const auto key = clientKeyForRequest(invite);
    QVERIFY(key);
    QCOMPARE(key->branch, std::string("z9hG4bK776asdhds"));
    QCOMPARE(key->method, std::string("INVITE"));
    QVERIFY(key->sentBy.empty());
    // RFC 3261 §17.1.3: provisional and final responses match by top branch + CSeq method.
    for (int code : {100, 180, 200, 486}) QCOMPARE(clientKeyForResponse(reply(invite, code)), key);
    // The ACK the transaction generates for a non-2xx belongs to the INVITE transaction.
    Req ack = with("ACK");
    QCOMPARE(clientKeyForRequest(ack.build()), key);
    // Another branch is another transaction.
    Req other = with("INVITE");
    other.via = "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKother";
    QVERIFY(clientKeyForResponse(reply(other.build(), 200)) != key);
    QVERIFY(!clientKeyForResponse(invite));
    QVERIFY(!clientKeyForRequest(reply(invite, 200)));
}

void TestTransactionMatching::clientCancelIsSeparate() {
    const SipMessage invite = with("INVITE").build();
    const SipMessage cancel = with("CANCEL").build();  // RFC 3261 §9.1: same branch as INVITE
    const auto inviteKey = clientKeyForRequest(invite);
    const auto cancelKey = clientKeyForRequest(cancel);
    QVERIFY(inviteKey && cancelKey);
    QVERIFY(*inviteKey != *cancelKey);
    // RFC 3261 §17.1.3: the 200 to CANCEL carries the same branch but CSeq method CANCEL.
    QCOMPARE(clientKeyForResponse(reply(cancel, 200)), cancelKey);
    QCOMPARE(clientKeyForResponse(reply(invite, 487)), inviteKey);
}

void TestTransactionMatching::serverMatching_data() {
    QTest::addColumn<bool>("sameTransaction");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    // Each row: an INVITE creates the transaction; a second request (method, one field changed)
    // must or must not match it. field "" leaves the request as is.
    QTest::newRow("retransmission") << true << "INVITE"
                                    << ""
                                    << "";
    QTest::newRow("ACK to non-2xx matches INVITE") << true << "ACK"
                                                   << ""
                                                   << "";
    QTest::newRow("ACK to 2xx: new branch")
        << false << "ACK"
        << "via"
        << "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bKack2xx";
    QTest::newRow("CANCEL is its own transaction") << false << "CANCEL"
                                                   << ""
                                                   << "";
    QTest::newRow("other method, same branch") << false << "OPTIONS"
                                               << ""
                                               << "";
    QTest::newRow("same branch, other sent-by")
        << false << "INVITE"
        << "via"
        << "SIP/2.0/UDP evil.example.com:5060;branch=z9hG4bK776asdhds";
    QTest::newRow("same branch, other port")
        << false << "INVITE"
        << "via"
        << "SIP/2.0/UDP pc33.atlanta.example.com:5070;branch=z9hG4bK776asdhds";
    QTest::newRow("cookie: other Call-ID ignored") << true << "INVITE"
                                                   << "callId"
                                                   << "x@y";
    QTest::newRow("cookie: other branch")
        << false << "INVITE"
        << "via"
        << "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK2";
    QTest::newRow("cookie: other transport ignored")
        << true << "INVITE"
        << "via"
        << "SIP/2.0/TCP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds";
    // RFC 2543 fallback rows: the INVITE's branch lacks the magic cookie ("2543:" prefix).
    QTest::newRow("2543 retransmission") << true << "2543:INVITE"
                                         << ""
                                         << "";
    QTest::newRow("2543 other Request-URI") << false << "2543:INVITE"
                                            << "uri"
                                            << "sip:carol@x";
    QTest::newRow("2543 other From tag") << false << "2543:INVITE"
                                         << "from"
                                         << "Alice <sip:alice@atlanta.example.com>;tag=999";
    QTest::newRow("2543 other To tag") << false << "2543:INVITE"
                                       << "to"
                                       << "Bob <sip:bob@biloxi.example.com>;tag=zzz";
    QTest::newRow("2543 other Call-ID") << false << "2543:INVITE"
                                        << "callId"
                                        << "x@y";
    QTest::newRow("2543 other CSeq") << false << "2543:INVITE"
                                     << "cseq"
                                     << "314160";
    QTest::newRow("2543 other top Via") << false << "2543:INVITE"
                                        << "via"
                                        << "SIP/2.0/UDP other.example.com;branch=1234";
    QTest::newRow("2543 ACK same To tag") << true << "2543:ACK"
                                          << ""
                                          << "";
    QTest::newRow("2543 CANCEL separate") << false << "2543:CANCEL"
                                          << ""
                                          << "";
    QTest::newRow("2543 no branch at all") << true << "2543nobranch:INVITE"
                                           << ""
                                           << "";
}

void TestTransactionMatching::serverMatching() {
    QFETCH(bool, sameTransaction);
    QFETCH(QString, method);
    QFETCH(QString, field);
    QFETCH(QString, value);
    Req invite = with("INVITE");
    bool legacy = false;
    if (method.startsWith("2543")) {
        legacy = true;
        invite.via = method.startsWith("2543nobranch")
                         ? "SIP/2.0/UDP pc33.atlanta.example.com:5060"
                         : "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=1234";
        method = method.section(':', 1);
    }
    Req second = invite;
    second.method = method.toStdString();
    const std::string v = value.toStdString();
    if (field == "via") second.via = v;
    if (field == "uri") second.uri = v;
    if (field == "from") second.from = v;
    if (field == "to") second.to = v;
    if (field == "callId") second.callId = v;
    if (field == "cseq") second.cseq = v;
    const auto a = serverKeyForRequest(invite.build());
    const auto b = serverKeyForRequest(second.build());
    QVERIFY(a && b);
    QCOMPARE(a->rfc2543, legacy);
    QCOMPARE(a->method, std::string("INVITE"));
    if (!legacy) QCOMPARE(a->sentBy, std::string("pc33.atlanta.example.com:5060"));
    QCOMPARE(*a == *b, sameTransaction);
}

void TestTransactionMatching::cancelFindsInvite() {
    for (const char* via : {"SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
                            "SIP/2.0/UDP pc33.atlanta.example.com;branch=1234"}) {
        Req invite = with("INVITE");
        invite.via = via;
        Req cancel = invite;
        cancel.method = "CANCEL";
        const auto inviteKey = serverKeyForRequest(invite.build());
        const auto cancelKey = serverKeyForRequest(cancel.build());
        const auto target = cancelTargetKey(cancel.build());
        QVERIFY(inviteKey && cancelKey && target);
        QVERIFY(*cancelKey != *inviteKey);
        QCOMPARE(cancelKey->method, std::string("CANCEL"));
        QCOMPARE(*target, *inviteKey);  // RFC 3261 §9.2: the CANCEL finds its INVITE
        // A CANCEL for another INVITE (other branch) finds nothing.
        Req stray = cancel;
        stray.via = "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKstray";
        QVERIFY(*cancelTargetKey(stray.build()) != *inviteKey);
    }
    QVERIFY(!cancelTargetKey(with("INVITE").build()));
}

void TestTransactionMatching::rfc2543AckUsesResponseToTag() {
    // RFC 3261 §17.2.3: the RFC 2543 ACK matches when its To tag is the tag of the response the
    // server transaction sent (the INVITE had none).
    Req invite = with("INVITE");
    invite.via = "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=1234";
    const SipMessage inv = invite.build();
    const auto inviteKey = serverKeyForRequest(inv);
    QVERIFY(inviteKey && inviteKey->rfc2543);
    const SipMessage response = reply(inv, 486);  // To tag a6c85cf
    Req ack = invite;
    ack.method = "ACK";
    ack.to = std::string(response.headerValue(HeaderId::To));
    const auto ackKey = serverKeyForRequest(ack.build());
    QVERIFY(ackKey);
    QVERIFY(*ackKey != *inviteKey);
    QCOMPARE(*ackKey, ackKeyForRfc2543(*inviteKey, "a6c85cf"));
    QVERIFY(*ackKey != ackKeyForRfc2543(*inviteKey, "other"));
    // With the magic cookie the To tag plays no part.
    const auto cookieKey = serverKeyForRequest(with("INVITE").build());
    QCOMPARE(ackKeyForRfc2543(*cookieKey, "x"), *cookieKey);
}

void TestTransactionMatching::noKeyWithoutVia() {
    auto r = MessageBuilder::request("OPTIONS", "sip:x@y")
                 .header("Call-ID", "c")
                 .header("CSeq", "1 OPTIONS")
                 .build();
    QVERIFY(r.ok());
    QVERIFY(!serverKeyForRequest(*r));
    QVERIFY(!clientKeyForRequest(*r));
}

QTEST_APPLESS_MAIN(TestTransactionMatching)
#include "tst_transaction_matching.moc"
