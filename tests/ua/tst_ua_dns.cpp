// RFC 3263 server location end to end: a tiny DNS server inside the test (UDP and TCP on
// 127.0.0.1, an ephemeral port, a thread driven by poll() with timeouts) serves NAPTR/SRV/A
// records for made-up *.sipscope.test names pointing at a `sipscope-cli listen` child, and
// `sipscope-cli call/options --dns-server 127.0.0.1:PORT` must reach it and report how the target
// was found; plus SRV only, a truncated UDP reply retried over TCP, failover to the next SRV
// target when the first refuses the connection or (UDP) answers ICMP port unreachable (§4.3),
// and NXDOMAIN, a silent server and a closed port as clear errors within their bounds.

#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <thread>

#include <QtTest>

#include "dns/dns_message.hpp"
#include "transport/dns_resolver.hpp"
#include "ua_test_util.hpp"

using namespace sipscope::uatest;
namespace dns = sipscope::stack::dns;

namespace {

dns::ResourceRecord rec(const std::string& name, dns::RrType type, dns::RData data) {
    return {name, static_cast<std::uint16_t>(type), dns::kClassIn, 60, std::move(data)};
}

// A DNS server for a fixed zone. Names in `truncate` get a TC reply over UDP and the full one
// over TCP (RFC 7766 §5). It stops when destroyed, or after 60 s whatever happens.
class FakeDns {
  public:
    FakeDns(std::vector<dns::ResourceRecord> zone, std::vector<std::string> truncate = {})
        : m_zone(std::move(zone)), m_truncate(std::move(truncate)) {
        sockaddr_storage ss;
        const socklen_t len = makeAddr("127.0.0.1", 0, ss);
        m_udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (::bind(m_udp, reinterpret_cast<sockaddr*>(&ss), len) != 0) return;
        sockaddr_in bound{};
        socklen_t bl = sizeof bound;
        ::getsockname(m_udp, reinterpret_cast<sockaddr*>(&bound), &bl);
        m_port = ntohs(bound.sin_port);
        m_tcp = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        const socklen_t tl = makeAddr("127.0.0.1", m_port, ss);
        const int one = 1;
        ::setsockopt(m_tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(m_tcp, reinterpret_cast<sockaddr*>(&ss), tl) != 0 || ::listen(m_tcp, 4) != 0)
            return;
        m_thread = std::thread([this] { serve(); });
    }
    ~FakeDns() {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
        ::close(m_udp);
        ::close(m_tcp);
    }
    quint16 port() const { return m_thread.joinable() ? m_port : 0; }
    QString server() const { return QString("127.0.0.1:%1").arg(m_port); }
    QStringList asked() {
        std::lock_guard lock(m_mutex);
        return m_asked;
    }

  private:
    void serve() {
        QElapsedTimer t;
        t.start();
        while (!m_stop && t.elapsed() < 60000) {
            pollfd fds[2] = {{m_udp, POLLIN, 0}, {m_tcp, POLLIN, 0}};
            if (::poll(fds, 2, 50) <= 0) continue;
            if (fds[0].revents & POLLIN) serveUdp();
            if (fds[1].revents & POLLIN) serveTcp();
        }
    }
    void serveUdp() {
        std::uint8_t buf[4096];
        sockaddr_storage from{};
        socklen_t fl = sizeof from;
        const ssize_t n =
            ::recvfrom(m_udp, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
        if (n <= 0) return;
        const auto reply = respond(std::span(buf, static_cast<std::size_t>(n)), true);
        ::sendto(m_udp, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
    // RFC 1035 §4.2.2: two-octet length, then the message; one query per connection here.
    void serveTcp() {
        const int c = ::accept4(m_tcp, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        std::vector<std::uint8_t> in;
        std::uint8_t buf[4096];
        pollfd p{c, POLLIN, 0};
        while ((in.size() < 2 || in.size() < 2u + (in[0] << 8 | in[1])) &&
               ::poll(&p, 1, 2000) > 0) {
            const ssize_t n = ::recv(c, buf, sizeof buf, 0);
            if (n <= 0) break;
            in.insert(in.end(), buf, buf + n);
        }
        if (in.size() >= 2) {
            const auto reply = respond(std::span(in.data() + 2, in.size() - 2), false);
            std::vector<std::uint8_t> out{static_cast<std::uint8_t>(reply.size() >> 8),
                                          static_cast<std::uint8_t>(reply.size() & 0xFF)};
            out.insert(out.end(), reply.begin(), reply.end());
            ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
        }
        ::close(c);
    }
    std::vector<std::uint8_t> respond(std::span<const std::uint8_t> query, bool udp) {
        auto q = dns::decodeMessage(query);
        if (!q || q->questions.size() != 1) return {};
        dns::Message m;
        m.header.id = q->header.id;
        m.header.response = true;
        m.header.authoritative = true;
        m.questions = q->questions;
        const auto& question = q->questions[0];
        {
            std::lock_guard lock(m_mutex);
            m_asked << QString("%1 %2 %3")
                           .arg(udp ? "udp" : "tcp",
                                QString::fromStdString(dns::rrTypeName(question.type)),
                                QString::fromStdString(question.name));
        }
        bool exists = false;
        for (const auto& r : m_zone) {
            const bool below =
                r.name.size() > question.name.size() &&
                dns::sameName(r.name.substr(r.name.size() - question.name.size() - 1),
                              "." + question.name);
            exists = exists || below || dns::sameName(r.name, question.name);
            if (r.type == question.type && dns::sameName(r.name, question.name))
                m.answers.push_back(r);
        }
        if (!exists) m.header.rcode = static_cast<std::uint8_t>(dns::Rcode::NxDomain);
        const bool truncate =
            udp && std::any_of(m_truncate.begin(), m_truncate.end(),
                               [&](const auto& n) { return dns::sameName(n, question.name); });
        if (truncate) {
            m.answers.clear();
            m.header.truncated = true;
        }
        auto wire = dns::encodeMessage(m);
        return wire ? wire.value() : std::vector<std::uint8_t>{};
    }

    std::vector<dns::ResourceRecord> m_zone;
    std::vector<std::string> m_truncate;
    int m_udp = -1, m_tcp = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    QStringList m_asked;
    std::thread m_thread;
};

dns::ResourceRecord naptr(const std::string& name, const char* service, const std::string& srv) {
    return rec(name, dns::RrType::Naptr, dns::NaptrData{10, 10, "s", service, "", srv});
}
dns::ResourceRecord srv(const std::string& name, std::uint16_t prio, quint16 port) {
    return rec(name, dns::RrType::Srv, dns::SrvData{prio, 0, port, "host.sipscope.test"});
}
dns::ResourceRecord loopbackA() {
    return rec("host.sipscope.test", dns::RrType::A, dns::Ipv4Data{{127, 0, 0, 1}});
}

}  // namespace

class TestUaDns : public QObject {
    Q_OBJECT

    bool startListen(Peer& listen, quint16 port, const QStringList& extra, bool tcp = false) {
        QStringList args{"listen", "--bind", "127.0.0.1", "--port", QString::number(port)};
        args << extra;
        return listen.start(QStringLiteral(SIPSCOPE_CLI), args) && waitListening(port, tcp);
    }

  private slots:
    void callFoundThroughNaptr() {
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, port, {"--max-calls", "1"}));
        FakeDns dnsServer({naptr("pbx.sipscope.test", "SIP+D2U", "_sip._udp.pbx.sipscope.test"),
                           srv("_sip._udp.pbx.sipscope.test", 0, port), loopbackA()});
        QVERIFY(dnsServer.port() != 0);
        const CliRun r = runCli({"call", "sip:1000@pbx.sipscope.test", "--dns-server",
                                 dnsServer.server(), "--duration", "0.5"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("answered"));
        const QJsonObject target = r.json["target"].toObject();
        QCOMPARE(target["how"].toString(), QString("naptr"));
        QCOMPARE(target["transport"].toString(), QString("udp"));
        QCOMPARE(target["address"].toString(), QString("127.0.0.1"));
        QCOMPARE(target["port"].toInt(), int(port));
        QCOMPARE(dnsServer.asked(),
                 (QStringList{"udp NAPTR pbx.sipscope.test", "udp SRV _sip._udp.pbx.sipscope.test",
                              "udp A host.sipscope.test", "udp AAAA host.sipscope.test"}));
        QVERIFY(listen.finish(5000));
        QCOMPARE(jsonLines(listen.out()).value(0)["result"].toString(), QString("answered"));
    }

    void optionsFoundThroughSrvOnly() {
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, port, {}));
        FakeDns dnsServer({srv("_sip._udp.srv.sipscope.test", 0, port), loopbackA()});
        const CliRun r =
            runCli({"options", "sip:srv.sipscope.test", "--dns-server", dnsServer.server()});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("ok"));
        QCOMPARE(r.json["target"].toObject()["how"].toString(), QString("srv"));
        QCOMPARE(r.json["target"].toObject()["port"].toInt(), int(port));
        QVERIFY(dnsServer.asked().contains("udp SRV _sip._udp.srv.sipscope.test"));
        listen.stop();
    }

    void truncatedReplyIsAskedOverTcp() {
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, port, {}));
        FakeDns dnsServer({naptr("tc.sipscope.test", "SIP+D2U", "_sip._udp.tc.sipscope.test"),
                           srv("_sip._udp.tc.sipscope.test", 0, port), loopbackA()},
                          {"tc.sipscope.test"});
        const CliRun r =
            runCli({"options", "sip:tc.sipscope.test", "--dns-server", dnsServer.server()});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["target"].toObject()["how"].toString(), QString("naptr"));
        const QStringList asked = dnsServer.asked();
        QCOMPARE(asked.mid(0, 2),
                 (QStringList{"udp NAPTR tc.sipscope.test", "tcp NAPTR tc.sipscope.test"}));
        listen.stop();
    }

    void refusedTargetGivesWayToTheNext() {
        const quint16 dead = freePort(true);
        const quint16 live = freePort(true);
        Peer listen;
        QVERIFY(startListen(listen, live, {"--transport", "tcp"}, true));
        FakeDns dnsServer({naptr("fo.sipscope.test", "SIP+D2T", "_sip._tcp.fo.sipscope.test"),
                           srv("_sip._tcp.fo.sipscope.test", 0, dead),
                           srv("_sip._tcp.fo.sipscope.test", 1, live), loopbackA()});
        const CliRun r =
            runCli({"options", "sip:fo.sipscope.test", "--dns-server", dnsServer.server()});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const QJsonObject target = r.json["target"].toObject();
        QCOMPARE(target["transport"].toString(), QString("tcp"));
        QCOMPARE(target["port"].toInt(), int(live));
        QCOMPARE(target["how"].toString(), QString("naptr"));
        listen.stop();
    }

    // RFC 3263 §4.3 over UDP: the first SRV target is a closed port (ICMP port unreachable,
    // a transport error, RFC 3261 §18.4), so the INVITE goes to the next one at once instead of
    // after Timer B; --trace shows both sends.
    void refusedUdpTargetGivesWayToTheNext() {
        const quint16 dead = freePort();
        const quint16 live = freePort();
        Peer listen;
        QVERIFY(startListen(listen, live, {"--max-calls", "1"}));
        FakeDns dnsServer({naptr("udpfo.sipscope.test", "SIP+D2U", "_sip._udp.udpfo.sipscope.test"),
                           srv("_sip._udp.udpfo.sipscope.test", 0, dead),
                           srv("_sip._udp.udpfo.sipscope.test", 1, live), loopbackA()});
        QElapsedTimer t;
        t.start();
        const CliRun r =
            runCli({"call", "sip:1000@udpfo.sipscope.test", "--dns-server", dnsServer.server(),
                    "--duration", "0.2", "--no-media", "--trace", "-"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY2(t.elapsed() < 10000, qPrintable(QString::number(t.elapsed())));  // not Timer B
        QCOMPARE(r.json["result"].toString(), QString("answered"));
        QCOMPARE(r.json["targets_tried"].toInt(), 2);
        const QJsonObject target = r.json["target"].toObject();
        QCOMPARE(target["port"].toInt(), int(live));
        QCOMPARE(target["how"].toString(), QString("naptr"));
        QStringList invitesTo;
        for (const QJsonObject& line : jsonLines(r.err))
            if (line["sent"].toBool() && line["bytes"].toString().startsWith("INVITE "))
                invitesTo << line["remote"].toString();
        QCOMPARE(invitesTo, (QStringList{QString("127.0.0.1:%1").arg(dead),
                                         QString("127.0.0.1:%1").arg(live)}));
        QVERIFY(listen.finish(5000));
    }

    // Every target refuses: the report is the last failure, with the last target tried.
    void everyUdpTargetRefusingReportsTheLast() {
        const quint16 first = freePort();
        const quint16 second = freePort();
        FakeDns dnsServer({srv("_sip._udp.dead.sipscope.test", 0, first),
                           srv("_sip._udp.dead.sipscope.test", 1, second), loopbackA()});
        const CliRun r =
            runCli({"options", "sip:dead.sipscope.test", "--dns-server", dnsServer.server()});
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("error"));
        QCOMPARE(r.json["targets_tried"].toInt(), 2);
        QCOMPARE(r.json["target"].toObject()["port"].toInt(), int(second));
        QCOMPARE(
            r.json["error"].toString(),
            QString("ICMP port unreachable from 127.0.0.1:%1 (no SIP server there)").arg(second));
    }

    void nxdomainIsAClearError() {
        FakeDns dnsServer({loopbackA()});
        const CliRun r =
            runCli({"call", "sip:1000@nope.sipscope.test", "--dns-server", dnsServer.server()});
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("error"));
        QCOMPARE(r.json["error"].toString(),
                 QString("DNS: nope.sipscope.test does not exist (NXDOMAIN)"));
        QVERIFY(r.json["target"].isNull());
        QCOMPARE(dnsServer.asked(), QStringList{"udp NAPTR nope.sipscope.test"});
    }

    void silentServerTimesOutWithinTheBound() {
        quint16 port = 0;
        sockaddr_storage ss;
        const socklen_t len = makeAddr("127.0.0.1", 0, ss);
        const int silent = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);  // never answers
        QCOMPARE(::bind(silent, reinterpret_cast<sockaddr*>(&ss), len), 0);
        sockaddr_in bound{};
        socklen_t bl = sizeof bound;
        ::getsockname(silent, reinterpret_cast<sockaddr*>(&bound), &bl);
        port = ntohs(bound.sin_port);
        namespace net = sipscope::stack::net;
        net::DnsConfig config;
        config.servers = {*net::parseDnsServer(QString("127.0.0.1:%1").arg(port).toStdString())};
        config.timeout = std::chrono::milliseconds(200);
        config.attempts = 2;
        std::uint64_t n = 0;
        net::DnsResolver resolver(config, [&n] { return ++n; });
        QElapsedTimer t;
        t.start();
        const auto replies =
            resolver.ask({dns::Question{"pbx.sipscope.test", 35, dns::kClassIn},
                          dns::Question{"_sip._udp.pbx.sipscope.test", 33, dns::kClassIn}});
        const qint64 firstRound = t.elapsed();
        QCOMPARE(replies.size(), std::size_t{2});
        QVERIFY(!replies[0].message && !replies[1].message);
        const QString want = QString("DNS: no answer from 127.0.0.1:%1 within 0.2 s").arg(port);
        QCOMPARE(QString::fromStdString(replies[0].error), want);
        QVERIFY2(firstRound >= 350 && firstRound < 2000, qPrintable(QString::number(firstRound)));
        // Nobody answered: later rounds fail at once instead of waiting again.
        const auto again = resolver.ask({dns::Question{"x.sipscope.test", 1, dns::kClassIn}});
        QCOMPARE(QString::fromStdString(again.at(0).error), want);
        QVERIFY(t.elapsed() - firstRound < 100);
        ::close(silent);
    }

    void closedPortIsRefusedAtOnce() {
        const quint16 closed = freePort();  // nothing listens there: ICMP port unreachable
        QElapsedTimer t;
        t.start();
        const CliRun r = runCli({"options", "sip:pbx.sipscope.test", "--dns-server",
                                 QString("127.0.0.1:%1").arg(closed)});
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QCOMPARE(r.json["error"].toString(),
                 QString("DNS: 127.0.0.1:%1 refused the query (ICMP port unreachable: no DNS "
                         "server there)")
                     .arg(closed));
        QVERIFY2(t.elapsed() < 1500, qPrintable(QString::number(t.elapsed())));  // no 2 s timeout
    }

    void parsesServersAndResolvConf() {
        namespace net = sipscope::stack::net;
        QCOMPARE(net::parseDnsServer("127.0.0.1")->hostPort(), std::string("127.0.0.1:53"));
        QCOMPARE(net::parseDnsServer("127.0.0.1:5353")->hostPort(), std::string("127.0.0.1:5353"));
        QCOMPARE(net::parseDnsServer("::1")->hostPort(), std::string("[::1]:53"));
        QCOMPARE(net::parseDnsServer("[::1]:5353")->hostPort(), std::string("[::1]:5353"));
        for (const char* bad : {"", "host.example", "127.0.0.1:0", "127.0.0.1:65536", "[::1",
                                "[::1]5353", "127.0.0.1:53x"})
            QVERIFY2(!net::parseDnsServer(bad), bad);
        const auto c = net::parseResolvConf(
            "# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver ::1\n"
            "nameserver not-an-ip\noptions ndots:2 timeout:3 attempts:4\n");
        QCOMPARE(c.servers.size(), std::size_t{2});
        QCOMPARE(c.servers[0].hostPort(), std::string("192.0.2.53:53"));
        QCOMPARE(c.servers[1].hostPort(), std::string("[::1]:53"));
        QCOMPARE(c.timeout.count(), 3000);
        QCOMPARE(c.attempts, 4);
    }

    void badDnsServerIsAUsageError() {
        const CliRun r = runCli({"options", "sip:pbx.sipscope.test", "--dns-server", "not-an-ip"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("--dns-server"));
    }
};

QTEST_GUILESS_MAIN(TestUaDns)
#include "tst_ua_dns.moc"
