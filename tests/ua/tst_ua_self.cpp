// SipScope calling SipScope (issue 8): `sipscope-cli call` against `sipscope-cli listen` over UDP,
// TCP and IPv6 (::1), a rejecting listener, OPTIONS latency, and a call recorded with --db that
// `calls --db` and `ladder --db` then show like captured traffic.

#include <QTemporaryDir>
#include <QtTest>

#include "ua_test_util.hpp"

using namespace sipscope::uatest;

class TestUaSelf : public QObject {
    Q_OBJECT

    // Starts a listener on ip:port; false when it does not come up.
    bool startListen(Peer& listen, const char* ip, quint16 port, const QStringList& extra,
                     bool tcp = false) {
        QStringList args{"listen", "--bind", ip, "--port", QString::number(port)};
        args << extra;
        if (!listen.start(QStringLiteral(SIPSCOPE_CLI), args)) return false;
        return waitListening(port, tcp, ip);
    }

  private slots:
    void callAgainstListen_data() {
        QTest::addColumn<QString>("ip");
        QTest::addColumn<QString>("transport");
        QTest::newRow("udp ipv4") << "127.0.0.1"
                                  << "udp";
        QTest::newRow("tcp ipv4") << "127.0.0.1"
                                  << "tcp";
        QTest::newRow("udp ipv6") << "::1"
                                  << "udp";
        QTest::newRow("tcp ipv6") << "::1"
                                  << "tcp";
    }
    void callAgainstListen() {
        QFETCH(QString, ip);
        QFETCH(QString, transport);
        const QByteArray ipText = ip.toLatin1();
        const bool tcp = transport == "tcp";
        const quint16 port = freePort(tcp, ipText.constData());
        Peer listen;
        QVERIFY2(startListen(listen, ipText.constData(), port,
                             {"--transport", transport, "--max-calls", "1"}, tcp),
                 listen.err().constData());
        const QString host = ip.contains(':') ? "[" + ip + "]" : ip;
        const CliRun r = runCli({"call", QString("sip:bob@%1:%2").arg(host).arg(port),
                                 "--transport", transport, "--duration", "1", "--codec", "pcma"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("answered"));
        QCOMPARE(r.json["codec"].toString(), QString("PCMA"));
        QVERIFY(r.json["pdd_ms"].toDouble() >= 0);
        QVERIFY(r.json["rtp"].toObject()["received"].toInt() > 20);
        QCOMPARE(r.json["rtp"].toObject()["lost"].toInt(), 0);
        QCOMPARE(r.json["one_way_audio"].toBool(), false);
        QVERIFY2(listen.finish(5000), "listen did not exit after --max-calls 1");
        const QList<QJsonObject> calls = jsonLines(listen.out());
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls[0]["result"].toString(), QString("answered"));
        QCOMPARE(calls[0]["call_id"].toString(), r.json["call_id"].toString());
        QVERIFY(calls[0]["rtp"].toObject()["received"].toInt() > 20);
    }

    void holdAgainstListen() {
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, "127.0.0.1", port, {"--max-calls", "1"}));
        const CliRun r = runCli({"call", QString("sip:bob@127.0.0.1:%1").arg(port), "--duration",
                                 "1", "--hold", "0.3"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["hold_code"].toInt(), 200);
        QVERIFY(listen.finish(5000));
        QCOMPARE(jsonLines(listen.out()).value(0)["reinvites"].toInt(), 1);
    }

    void rejectingListener() {
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, "127.0.0.1", port, {"--code", "603", "--max-calls", "1"}));
        const CliRun r = runCli({"call", QString("sip:bob@127.0.0.1:%1").arg(port)});
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("rejected"));
        QCOMPARE(r.json["final_code"].toInt(), 603);
        QVERIFY(listen.finish(5000));
        QCOMPARE(jsonLines(listen.out()).value(0)["result"].toString(), QString("rejected"));
    }

    void optionsLatency() {
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, "127.0.0.1", port, {}));
        const CliRun r = runCli({"options", QString("sip:127.0.0.1:%1").arg(port)});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("ok"));
        QCOMPARE(r.json["final_code"].toInt(), 200);
        QVERIFY(r.json["latency_ms"].toDouble() >= 0 && r.json["latency_ms"].toDouble() < 1000);
        listen.stop();  // SIGTERM ends listen cleanly
        QCOMPARE(listen.exitCode(), 0);
    }

    void messageToListen() {
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, "127.0.0.1", port, {}));
        const CliRun r = runCli({"message", QString("sip:bob@127.0.0.1:%1").arg(port), "--text",
                                 "hello from SipScope"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("ok"));
        QCOMPARE(runCli({"message", QString("sip:bob@127.0.0.1:%1").arg(port)}).exitCode, 2);
        listen.stop();
    }

    void recordedCallShowsInTheStore() {
        QTemporaryDir dir;
        const QString db = dir.filePath("ua.sqlite");
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, "127.0.0.1", port, {"--max-calls", "1"}));
        const CliRun r = runCli(
            {"call", QString("sip:bob@127.0.0.1:%1").arg(port), "--duration", "0.5", "--db", db});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const QString callId = r.json["call_id"].toString();
        const CliRun calls = runCli({"calls", "--db", db, "--json"});
        QVERIFY2(calls.exitCode == 0, qPrintable(describe(calls)));
        QVERIFY2(calls.out.contains(callId.toUtf8()), qPrintable(describe(calls)));
        QCOMPARE(calls.json["state"].toString(), QString("answered"));
        const CliRun ladder = runCli({"ladder", "--db", db, "--call", callId});
        QVERIFY2(ladder.exitCode == 0, qPrintable(describe(ladder)));
        // The whole call as the caller saw it, in order.
        const QString text = QString::fromUtf8(ladder.out);
        qsizetype at = 0;
        for (const char* step : {"INVITE", "100", "180", "200", "ACK", "BYE", "200"}) {
            const qsizetype found = text.indexOf(step, at);
            QVERIFY2(found >= 0,
                     qPrintable(QString("%1 missing after %2 in\n%3").arg(step).arg(at).arg(text)));
            at = found + 1;
        }
    }
};

QTEST_GUILESS_MAIN(TestUaSelf)
#include "tst_ua_self.moc"
