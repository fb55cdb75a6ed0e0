// NodeRoles (analyzer/calls/node_roles.hpp): proxies and B2BUAs from requests sent on, registrars
// and redirect servers from their answers, user-agent labels; the ring of received requests
// per node keeps the latest kReceivedKept within the forwarding window.

#include <QtTest>

#include <string>

#include "calls/node_roles.hpp"

using namespace sipscope;
using namespace sipscope::analyzer;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

stack::SipMessage request(const std::string& method, const std::string& callId,
                          const std::string& extra = "") {
    const std::string text = method + " sip:bob@example.com SIP/2.0\r\n" +
                             "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-" + callId + "\r\n" +
                             "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>" +
                             extra + "\r\nCall-ID: " + callId + "\r\nCSeq: 1 " + method +
                             "\r\nContent-Length: 0\r\n\r\n";
    auto parsed = stack::SipMessage::parse(text);
    if (!parsed.ok()) qFatal("test message does not parse");
    return std::move(parsed).value();
}

stack::SipMessage response(int code, const std::string& method, const std::string& server = "") {
    const std::string text = "SIP/2.0 " + std::to_string(code) + " X\r\n" +
                             "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-r\r\n" +
                             "From: <sip:alice@example.com>;tag=1\r\n" +
                             "To: <sip:bob@example.com>;tag=2\r\nCall-ID: r\r\nCSeq: 1 " + method +
                             "\r\n" + (server.empty() ? "" : "Server: " + server + "\r\n") +
                             "Content-Length: 0\r\n\r\n";
    auto parsed = stack::SipMessage::parse(text);
    if (!parsed.ok()) qFatal("test message does not parse");
    return std::move(parsed).value();
}

}  // namespace

class TstNodeRoles : public QObject {
    Q_OBJECT

  private slots:
    void proxyForwardsTheSameCallId() {
        NodeRoles r;
        r.add("10.0.0.1:5060", "10.0.0.2:5060", request("INVITE", "a"), 0);
        r.add("10.0.0.2:5070", "10.0.0.3:5060", request("INVITE", "a"), kSecond);
        const auto nodes = r.nodes();
        QCOMPARE(nodes.size(), std::size_t{4});
        // Both the endpoint it received on and the one it sent from count as the proxy.
        QCOMPARE(nodes.at("10.0.0.2:5060").role, std::string("proxy"));
        QCOMPARE(nodes.at("10.0.0.2:5070").role, std::string("proxy"));
        QCOMPARE(nodes.at("10.0.0.1:5060").role, std::string("UA"));
        QCOMPARE(nodes.at("10.0.0.3:5060").role, std::string("UA"));
    }

    void b2buaForwardsANewCallId() {
        NodeRoles r;
        r.add("10.0.0.1:5060", "10.0.0.2:5060", request("INVITE", "a"), 0);
        r.add("10.0.0.2:5060", "10.0.0.3:5060", request("INVITE", "b"), kSecond);
        QCOMPARE(r.nodes().at("10.0.0.2:5060").role, std::string("B2BUA"));
    }

    void onlyInitialRequestsOfTheSameMethodWithinTheWindow() {
        NodeRoles r;
        r.add("10.0.0.1:5060", "10.0.0.2:5060", request("INVITE", "a"), 0);
        r.add("10.0.0.2:5060", "10.0.0.3:5060", request("OPTIONS", "a"), kSecond);  // other method
        r.add("10.0.0.2:5060", "10.0.0.3:5060", request("INVITE", "a", ";tag=9"), kSecond);
        r.add("10.0.0.2:5060", "10.0.0.3:5060", request("INVITE", "a"), 6 * kSecond);  // late
        QCOMPARE(r.nodes().at("10.0.0.2:5060").role, std::string("UA"));
    }

    void loopbackNodesAreTheirPorts() {
        NodeRoles r;
        r.add("127.0.0.1:5060", "127.0.0.1:5070", request("INVITE", "a"), 0);
        r.add("127.0.0.1:5080", "127.0.0.1:5090", request("INVITE", "a"), kSecond);
        for (const auto& [endpoint, info] : r.nodes()) QCOMPARE(info.role, std::string("UA"));
    }

    void registrarRedirectAndLabels() {
        NodeRoles r;
        r.add("10.0.0.9:5060", "10.0.0.1:5060", response(200, "REGISTER", "Reg/1"), 0);
        r.add("10.0.0.8:5060", "10.0.0.1:5060", response(302, "INVITE"), 0);
        r.add("10.0.0.8:5060", "10.0.0.1:5060", response(200, "INVITE", "Later/2"), 0);
        r.add("10.0.0.1:5060", "10.0.0.9:5060", request("INVITE", "a", "\r\nUser-Agent: Phone/3"),
              kSecond);
        const auto nodes = r.nodes();
        QCOMPARE(nodes.at("10.0.0.9:5060").role, std::string("registrar"));
        QCOMPARE(nodes.at("10.0.0.9:5060").userAgent, std::string("Reg/1"));
        QCOMPARE(nodes.at("10.0.0.8:5060").role, std::string("redirect"));
        QCOMPARE(nodes.at("10.0.0.8:5060").userAgent, std::string("Later/2"));  // the first seen
        QCOMPARE(nodes.at("10.0.0.1:5060").userAgent, std::string("Phone/3"));
    }

    void ringKeepsTheLatest() {
        // The request forwarded was received kReceivedKept requests ago: still known. One
        // more, and it is gone.
        for (std::size_t more : {std::size_t{0}, std::size_t{1}}) {
            NodeRoles r;
            r.add("10.0.0.1:5060", "10.0.0.2:5060", request("INVITE", "first"), 0);
            for (std::size_t i = 1; i < NodeRoles::kReceivedKept + more; ++i)
                r.add("10.0.0.1:5060", "10.0.0.2:5060", request("OPTIONS", std::to_string(i)), 1);
            r.add("10.0.0.2:5060", "10.0.0.3:5060", request("INVITE", "first"), 2);
            QCOMPARE(r.nodes().at("10.0.0.2:5060").role, std::string(more ? "UA" : "proxy"));
        }
        // Past the wrap, the newest still comes first.
        NodeRoles r;
        for (std::size_t i = 0; i < 3 * NodeRoles::kReceivedKept + 5; ++i)
            r.add("10.0.0.1:5060", "10.0.0.2:5060", request("INVITE", std::to_string(i)),
                  static_cast<std::int64_t>(i) * kSecond);
        r.add("10.0.0.2:5060", "10.0.0.3:5060",
              request("INVITE", std::to_string(3 * NodeRoles::kReceivedKept + 4)),
              static_cast<std::int64_t>(3 * NodeRoles::kReceivedKept + 4) * kSecond);
        QCOMPARE(r.nodes().at("10.0.0.2:5060").role, std::string("proxy"));
    }
};

QTEST_GUILESS_MAIN(TstNodeRoles)
#include "tst_node_roles.moc"
