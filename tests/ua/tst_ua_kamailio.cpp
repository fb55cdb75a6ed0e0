// The user agent against Kamailio on 127.0.0.1 (issue 8): REGISTER with digest auth (RFC 2617
// MD5 and RFC 8760 SHA-256, qop=auth, 401) and the granted expiry, a wrong password given up
// after two refusals, OPTIONS, and a call through Kamailio as an authenticating (407),
// record-routing proxy in front of a SIPp callee. Config: tests/ua/kamailio/registrar_proxy.cfg.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "ua_test_util.hpp"

using namespace sipscope::uatest;

class TestUaKamailio : public QObject {
    Q_OBJECT

    QString m_kamailio, m_sipp;

    // Writes the config for `algorithm` and starts Kamailio in the foreground on a free port.
    quint16 startKamailio(Peer& kamailio, QTemporaryDir& dir, const QString& algorithm,
                          quint16 uasPort) {
        QFile in(QStringLiteral(SIPSCOPE_UA_DATA_DIR "/kamailio/registrar_proxy.cfg"));
        if (!in.open(QIODevice::ReadOnly)) return 0;
        const quint16 port = freePort();
        QString cfg = QString::fromUtf8(in.readAll());
        cfg.replace("@PORT@", QString::number(port))
            .replace("@UAS_PORT@", QString::number(uasPort))
            .replace("@ALGORITHM@", algorithm);
        QFile out(dir.filePath("kamailio.cfg"));
        if (!out.open(QIODevice::WriteOnly) || out.write(cfg.toUtf8()) < 0) return 0;
        out.close();
        if (!kamailio.start(m_kamailio,
                            {"-f", out.fileName(), "-DD", "-E", "-Y", dir.path(), "-w", dir.path(),
                             "-m", "32", "-M", "8"},
                            dir.path()))
            return 0;
        return waitListening(port, false) ? port : 0;
    }

  private slots:
    void initTestCase() {
        m_kamailio = tool("kamailio");
        m_sipp = tool("sipp");
        if (m_kamailio.isEmpty()) QSKIP("kamailio not installed");
    }

    void registerWithDigest_data() {
        QTest::addColumn<QString>("algorithm");
        QTest::newRow("MD5") << "MD5";
        QTest::newRow("SHA-256") << "SHA-256";
    }
    void registerWithDigest() {
        QFETCH(QString, algorithm);
        QTemporaryDir dir;
        Peer kamailio;
        const quint16 port = startKamailio(kamailio, dir, algorithm, freePort());
        QVERIFY2(port, kamailio.err().right(2000).constData());
        const QString aor = QString("sip:alice@127.0.0.1:%1").arg(port);
        const CliRun r = runCli(
            {"register", aor, "--auth-user", "alice", "--password", "secret", "--expires", "120"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r) + kamailio.err().right(2000)));
        QCOMPARE(r.json["result"].toString(), QString("ok"));
        QCOMPARE(r.json["final_code"].toInt(), 200);
        QCOMPARE(r.json["auth_rounds"].toInt(), 1);
        QCOMPARE(r.json["expires"].toInt(), 120);
        QVERIFY(r.json["latency_ms"].toDouble() >= 0);

        const CliRun wrong =
            runCli({"register", aor, "--auth-user", "alice", "--password", "nope"});
        QVERIFY2(wrong.exitCode == 1, qPrintable(describe(wrong)));
        QCOMPARE(wrong.json["result"].toString(), QString("rejected"));
        QCOMPARE(wrong.json["final_code"].toInt(), 401);
        QVERIFY(wrong.json["error"].toString().contains("refused twice"));

        const CliRun noCredentials = runCli({"register", aor});
        QCOMPARE(noCredentials.json["final_code"].toInt(), 401);
        QVERIFY(noCredentials.json["error"].toString().contains("no credentials"));

        const CliRun ping = runCli({"options", QString("sip:127.0.0.1:%1").arg(port)});
        QVERIFY2(ping.exitCode == 0, qPrintable(describe(ping)));
    }

    void callThroughAuthenticatingProxy() {
        if (m_sipp.isEmpty()) QSKIP("sipp not installed (Debian package sip-tester)");
        QTemporaryDir dir;
        Peer sipp, kamailio;
        const quint16 uasPort = freePort();
        QVERIFY(
            sipp.start(m_sipp,
                       {"-sf", scenario("uas_answer.xml"), "-i", "127.0.0.1", "-p",
                        QString::number(uasPort), "-mp", QString::number(freePort()), "-rtp_echo",
                        "-m", "1", "-nostdin", "-timeout", "25s", "-timeout_error"},
                       dir.path()));
        QVERIFY(waitListening(uasPort, false));
        const quint16 port = startKamailio(kamailio, dir, "SHA-256", uasPort);
        QVERIFY2(port, kamailio.err().right(2000).constData());
        const CliRun r = runCli({"call", QString("sip:bob@127.0.0.1:%1").arg(port), "--auth-user",
                                 "alice", "--password", "secret", "--duration", "1"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r) + kamailio.err().right(3000)));
        QCOMPARE(r.json["result"].toString(), QString("answered"));
        QCOMPARE(r.json["auth_rounds"].toInt(), 1);  // one 407, answered with SHA-256
        QVERIFY(r.json["rtp"].toObject()["received"].toInt() > 0);
        // The BYE went through Kamailio (Record-Route) and SIPp saw the whole call.
        QVERIFY(sipp.finish());
        QCOMPARE(sipp.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestUaKamailio)
#include "tst_ua_kamailio.moc"
