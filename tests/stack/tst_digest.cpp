// Digest authentication (RFC 2617, RFC 7616, RFC 8760): the published worked examples, the
// Authorization value built for a 401 and a 407, nonce counting, opaque echo, stale nonces,
// -sess variants, SHA-256 preference and giving up after two refusals of one realm.

#include <QtTest>

#include <string>

#include "auth/digest.hpp"
#include "message/message_builder.hpp"

using namespace sipscope::stack;
using namespace sipscope::stack::auth;

namespace {

DigestInput rfc2617Example() {
    DigestInput in;
    in.algorithm = DigestAlgorithm::Md5;
    in.username = "Mufasa";
    in.password = "Circle Of Life";
    in.realm = "testrealm@host.com";
    in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
    in.cnonce = "0a4f113b";
    in.method = "GET";
    in.uri = "/dir/index.html";
    in.qop = "auth";
    in.nonceCount = 1;
    return in;
}

DigestInput rfc7616Example(DigestAlgorithm a) {
    DigestInput in;
    in.algorithm = a;
    in.username = "Mufasa";
    in.password = "Circle of Life";
    in.realm = "http-auth@example.org";
    in.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    in.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    in.method = "GET";
    in.uri = "/dir/index.html";
    in.qop = "auth";
    in.nonceCount = 1;
    return in;
}

SipMessage challengeResponse(int status, const std::vector<std::string>& challenges) {
    auto b = MessageBuilder::response(status)
                 .header("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1")
                 .header("From", "<sip:alice@example.com>;tag=1")
                 .header("To", "<sip:bob@example.com>;tag=2")
                 .header("Call-ID", "c1")
                 .header("CSeq", "1 INVITE");
    for (const auto& c : challenges)
        b.header(status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate", c);
    auto m = b.build();
    return m.value();
}

std::string paramOf(const std::string& header, std::string_view name) {
    auto v = AuthValue::parse(header);
    if (!v.ok()) return "<unparsable>";
    return v->param(name).value_or("<absent>");
}

}  // namespace

class TestDigest : public QObject {
    Q_OBJECT

  private slots:
    void rfc2617WorkedExample() {
        // RFC 2617 §3.5.
        QCOMPARE(QString::fromStdString(computeResponse(rfc2617Example())),
                 QString("6629fae49393a05397450978507c4ef1"));
    }
    void rfc7616Examples() {
        // RFC 7616 §3.9.1: the same request answered with SHA-256 and with MD5.
        QCOMPARE(QString::fromStdString(computeResponse(rfc7616Example(DigestAlgorithm::Sha256))),
                 QString("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"));
        QCOMPARE(QString::fromStdString(computeResponse(rfc7616Example(DigestAlgorithm::Md5))),
                 QString("8ca523f5e9506fed4657c9700eebdbec"));
    }
    void sessVariantsHashTheNonces() {
        DigestInput in = rfc2617Example();
        in.algorithm = DigestAlgorithm::Md5Sess;
        const std::string ha1 =
            digestHex(DigestAlgorithm::Md5, "Mufasa:testrealm@host.com:Circle Of Life");
        const std::string sessHa1 =
            digestHex(DigestAlgorithm::Md5, ha1 + ":" + in.nonce + ":" + in.cnonce);
        const std::string ha2 = digestHex(DigestAlgorithm::Md5, "GET:/dir/index.html");
        const std::string expected = digestHex(
            DigestAlgorithm::Md5, sessHa1 + ":" + in.nonce + ":00000001:0a4f113b:auth:" + ha2);
        QCOMPARE(computeResponse(in), expected);
        in.algorithm = DigestAlgorithm::Sha256Sess;
        QCOMPARE(computeResponse(in).size(), std::size_t{64});
    }
    void noQopIsRfc2069() {
        DigestInput in = rfc2617Example();
        in.qop.clear();
        const std::string ha1 =
            digestHex(DigestAlgorithm::Md5, "Mufasa:testrealm@host.com:Circle Of Life");
        const std::string ha2 = digestHex(DigestAlgorithm::Md5, "GET:/dir/index.html");
        QCOMPARE(computeResponse(in),
                 digestHex(DigestAlgorithm::Md5, ha1 + ":" + in.nonce + ":" + ha2));
    }
    void algorithmTokens() {
        QVERIFY(parseAlgorithm("md5") == DigestAlgorithm::Md5);
        QVERIFY(parseAlgorithm("SHA-256-sess") == DigestAlgorithm::Sha256Sess);
        QVERIFY(!parseAlgorithm("SHA-512-256"));
        QCOMPARE(formatNonceCount(0x1f), std::string("0000001f"));
    }
    void answers401WithAuthorization() {
        DigestClient client({"Mufasa", "Circle Of Life"}, [] { return 0x0a4f113bULL; });
        const auto r =
            challengeResponse(401, {"Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                                    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                                    "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""});
        const auto a = client.answer(r, "GET", "/dir/index.html");
        QVERIFY(a.verdict == ChallengeVerdict::Answer);
        QCOMPARE(a.headers.size(), std::size_t{1});
        QVERIFY(!a.headers[0].proxy);
        const std::string& h = a.headers[0].value;
        QCOMPARE(paramOf(h, "cnonce"), std::string("000000000a4f113b"));
        QCOMPARE(paramOf(h, "nc"), std::string("00000001"));
        QCOMPARE(paramOf(h, "qop"), std::string("auth"));
        QCOMPARE(paramOf(h, "opaque"), std::string("5ccc069c403ebaf9f0171e9517f40e41"));
        QCOMPARE(paramOf(h, "username"), std::string("Mufasa"));
        DigestInput in = rfc2617Example();
        in.cnonce = "000000000a4f113b";
        QCOMPARE(paramOf(h, "response"), computeResponse(in));
        QCOMPARE(client.rounds(), 1);
    }
    void answers407WithProxyAuthorizationAndPrefersSha256() {
        DigestClient client({"alice", "secret"}, [] { return 7ULL; });
        const auto r = challengeResponse(
            407, {"Digest realm=\"example.com\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"",
                  "Digest realm=\"example.com\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\""});
        const auto a = client.answer(r, "INVITE", "sip:bob@example.com");
        QVERIFY(a.verdict == ChallengeVerdict::Answer);
        QCOMPARE(a.headers.size(), std::size_t{1});
        QVERIFY(a.headers[0].proxy);
        QCOMPARE(paramOf(a.headers[0].value, "algorithm"), std::string("SHA-256"));
        QCOMPARE(paramOf(a.headers[0].value, "nonce"), std::string("n2"));
    }
    void nonceCountIncrementsPerNonce() {
        DigestClient client({"alice", "secret"}, [] { return 1ULL; });
        const auto r = challengeResponse(401, {"Digest realm=\"r\", nonce=\"n\", qop=\"auth\""});
        auto v = AuthValue::parse("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"");
        QVERIFY(v.ok());
        QCOMPARE(paramOf(client.answerOne(*v, "REGISTER", "sip:r").value(), "nc"),
                 std::string("00000001"));
        QCOMPARE(paramOf(client.answerOne(*v, "REGISTER", "sip:r").value(), "nc"),
                 std::string("00000002"));
    }
    void staleIsNotARefusal() {
        DigestClient client({"alice", "wrong"}, [] { return 1ULL; });
        const auto first =
            challengeResponse(401, {"Digest realm=\"r\", nonce=\"n1\", qop=\"auth\""});
        const auto stale =
            challengeResponse(401, {"Digest realm=\"r\", nonce=\"n2\", qop=\"auth\", stale=TRUE"});
        QVERIFY(client.answer(first, "INVITE", "sip:b@r").verdict == ChallengeVerdict::Answer);
        for (int i = 0; i < 3; ++i) {
            const auto a = client.answer(stale, "INVITE", "sip:b@r");
            QVERIFY(a.verdict == ChallengeVerdict::Stale);
            QCOMPARE(paramOf(a.headers[0].value, "nonce"), std::string("n2"));
        }
        // Two refusals of the same realm: the first is retried, the second ends the series.
        QVERIFY(client.answer(first, "INVITE", "sip:b@r").verdict == ChallengeVerdict::Answer);
        const auto last = client.answer(first, "INVITE", "sip:b@r");
        QVERIFY(last.verdict == ChallengeVerdict::GiveUp);
        QVERIFY(last.error.find("\"r\"") != std::string::npos);
    }
    void unsupportedChallenges() {
        DigestClient client({"a", "b"}, [] { return 1ULL; });
        QVERIFY(client.answer(challengeResponse(401, {"Basic realm=\"x\""}), "INVITE", "sip:x")
                    .verdict == ChallengeVerdict::Unsupported);
        QVERIFY(client
                    .answer(challengeResponse(
                                401, {"Digest realm=\"x\", nonce=\"n\", algorithm=AKAv1-MD5"}),
                            "INVITE", "sip:x")
                    .verdict == ChallengeVerdict::Unsupported);
        QVERIFY(client
                    .answer(challengeResponse(
                                401, {"Digest realm=\"x\", nonce=\"n\", qop=\"auth-int\""}),
                            "INVITE", "sip:x")
                    .verdict == ChallengeVerdict::Unsupported);
    }
};

QTEST_APPLESS_MAIN(TestDigest)
#include "tst_digest.moc"
