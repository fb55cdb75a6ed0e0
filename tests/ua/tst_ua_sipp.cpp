// `sipscope-cli call` against SIPp callees on 127.0.0.1 (issue 8): answered over UDP and TCP
// (RTP echoed back), 486 busy, ringing forever until our CANCEL (487), and
// dropped INVITEs until Timer B with a short T1. Every SIPp is bounded by -m, -timeout and a kill.

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include "ua_test_util.hpp"

using namespace sipscope::uatest;

class TestUaSipp : public QObject {
    Q_OBJECT

    QString m_sipp;

    // Starts SIPp as a callee on a free port; the port, or 0 when it did not come up.
    quint16 startUas(Peer& sipp, const QStringList& scenarioArgs, bool tcp = false) {
        const quint16 port = freePort(tcp);
        const quint16 media = freePort();
        QStringList args = scenarioArgs;
        args << "-i"
             << "127.0.0.1"
             << "-p" << QString::number(port) << "-mp" << QString::number(media) << "-m"
             << "1"
             << "-nostdin"
             << "-timeout"
             << "25s"
             << "-timeout_error"
             << "-t" << (tcp ? "t1" : "u1");
        if (!sipp.start(m_sipp, args, QDir::tempPath())) return 0;
        return waitListening(port, tcp) ? port : 0;
    }

  private slots:
    void initTestCase() {
        m_sipp = tool("sipp");
        if (m_sipp.isEmpty()) QSKIP("sipp not installed (Debian package sip-tester)");
    }

    void answered_data() {
        QTest::addColumn<bool>("tcp");
        QTest::newRow("udp") << false;
        QTest::newRow("tcp") << true;
    }
    void answered() {
        QFETCH(bool, tcp);
        QTemporaryDir dir;
        const QString messages = dir.filePath("sipp-messages.log");
        const QString db = dir.filePath("calls.sqlite");
        Peer sipp;
        const quint16 port = startUas(sipp,
                                      {"-sf", scenario("uas_answer.xml"), "-rtp_echo", "-trace_msg",
                                       "-message_file", messages},
                                      tcp);
        QVERIFY2(port, sipp.err().constData());
        const CliRun r =
            runCli({"call", QString("sip:service@127.0.0.1:%1").arg(port), "--transport",
                    tcp ? "tcp" : "udp", "--duration", "1", "--db", db});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("answered"));
        QCOMPARE(r.json["final_code"].toInt(), 200);
        QCOMPARE(r.json["auth_rounds"].toInt(), 0);
        QVERIFY(r.json["setup_ms"].toDouble() >= 0);
        QVERIFY(r.json["duration_s"].toDouble() >= 0.9 && r.json["duration_s"].toDouble() < 3);
        QVERIFY(r.json["error"].isNull());
        const QJsonObject rtp = r.json["rtp"].toObject();
        QVERIFY2(rtp["sent"].toInt() >= 40, qPrintable(describe(r)));
        // SIPp echoes our RTP back (-rtp_echo): no one-way audio.
        QVERIFY2(rtp["received"].toInt() > 0, qPrintable(describe(r)));
        QCOMPARE(r.json["one_way_audio"].toBool(), false);
        QVERIFY(!r.json["call_id"].toString().isEmpty());
        // SIPp saw the whole call (INVITE, ACK, BYE) and counts it as successful.
        QVERIFY(sipp.finish());
        QCOMPARE(sipp.exitCode(), 0);

        // The call's ladder from the store shows the messages SIPp logged, in the same order.
        const CliRun ladder = runCli(
            {"ladder", "--db", db, "--call", r.json["call_id"].toString(), "--format", "mermaid"});
        QVERIFY2(ladder.exitCode == 0, qPrintable(describe(ladder)));
        QStringList drawn;
        static const QRegularExpression arrow(R"(--?>>\S+: \+?[0-9.]+ ([A-Z0-9]+))");
        for (const QString& line : QString::fromUtf8(ladder.out).split('\n'))
            if (auto m = arrow.match(line); m.hasMatch()) drawn << m.captured(1);
        QFile log(messages);
        QVERIFY(log.open(QIODevice::ReadOnly));
        QStringList logged;
        bool next = false;
        for (const QString& line : QString::fromUtf8(log.readAll()).split('\n')) {
            const QString t = line.trimmed();
            if (t.contains("message received") || t.contains("message sent")) {
                next = true;
            } else if (next && !t.isEmpty()) {
                logged << (t.startsWith("SIP/2.0 ") ? t.section(' ', 1, 1) : t.section(' ', 0, 0));
                next = false;
            }
        }
        QCOMPARE(drawn, logged);
        QCOMPARE(logged, QStringList({"INVITE", "180", "200", "ACK", "BYE", "200"}));
    }

    void reliableProvisional() {
        // RFC 3262: SIPp requires 100rel, sends 180 with RSeq 1 and answers only after our PRACK.
        Peer sipp;
        const quint16 port = startUas(sipp, {"-sf", scenario("uas_100rel.xml")});
        QVERIFY2(port, sipp.err().constData());
        const CliRun r = runCli({"call", QString("sip:1000@127.0.0.1:%1").arg(port), "--duration",
                                 "0.5", "--100rel", "require", "--no-media"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("answered"));
        QCOMPARE(r.json["prack"].toObject()["sent"].toInt(), 1);
        QCOMPARE(r.json["prack"].toObject()["reliable_provisionals"].toInt(), 1);
        QVERIFY2(sipp.finish(), sipp.err().constData());
        QCOMPARE(sipp.exitCode(), 0);  // PRACK with the right RAck, ACK and BYE all arrived
    }

    void oneWayAudio() {
        Peer sipp;
        // The callee answers with SDP but never sends RTP (no -rtp_echo).
        const quint16 port = startUas(sipp, {"-sf", scenario("uas_answer.xml")});
        QVERIFY(port);
        const CliRun r = runCli({"call", QString("sip:1000@127.0.0.1:%1").arg(port), "--duration",
                                 "1", "--one-way-after", "0.5"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("answered"));
        QVERIFY(r.json["rtp"].toObject()["sent"].toInt() >= 40);
        QCOMPARE(r.json["rtp"].toObject()["received"].toInt(), 0);
        QCOMPARE(r.json["one_way_audio"].toBool(), true);
        QVERIFY(sipp.finish());
    }

    void busy() {
        Peer sipp;
        const quint16 port = startUas(sipp, {"-sf", scenario("uas_busy.xml")});
        QVERIFY(port);
        const CliRun r =
            runCli({"call", QString("sip:1000@127.0.0.1:%1").arg(port), "--duration", "1"});
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("busy"));
        QCOMPARE(r.json["final_code"].toInt(), 486);
        QCOMPARE(r.json["reason"].toString(), QString("Busy Here"));
        QVERIFY(r.json["duration_s"].isNull());
        QVERIFY(r.json["rtp"].isNull());
        QVERIFY(sipp.finish());
        QCOMPARE(sipp.exitCode(), 0);  // it received our ACK
    }

    void cancelledAfterRinging() {
        Peer sipp;
        const quint16 port = startUas(sipp, {"-sf", scenario("uas_ring_forever.xml")});
        QVERIFY(port);
        const CliRun r =
            runCli({"call", QString("sip:1000@127.0.0.1:%1").arg(port), "--timeout", "1"});
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("cancelled"));
        QCOMPARE(r.json["final_code"].toInt(), 487);
        QVERIFY(r.json["pdd_ms"].toDouble() >= 0);
        QVERIFY(r.json["setup_ms"].isNull());
        QVERIFY(sipp.finish());
        QCOMPARE(sipp.exitCode(), 0);  // CANCEL, 200, 487, ACK all as scripted
    }

    void timerBWhenInvitesAreDropped() {
        Peer sipp;
        const quint16 port = startUas(sipp, {"-sf", scenario("uas_drop.xml")});
        QVERIFY(port);
        QElapsedTimer t;
        t.start();
        // T1 = 50 ms: Timer B = 64*T1 = 3.2 s (RFC 3261 §17.1.1.2).
        const CliRun r =
            runCli({"call", QString("sip:1000@127.0.0.1:%1").arg(port), "--t1-ms", "50"});
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("timeout"));
        QVERIFY(r.json["final_code"].isNull());
        QVERIFY(r.json["error"].toString().contains("Timer B"));
        QVERIFY2(t.elapsed() >= 3200 && t.elapsed() < 10000,
                 qPrintable(QString::number(t.elapsed())));
        sipp.stop();
    }

    void usageErrors() {
        QCOMPARE(runCli({"call"}).exitCode, 2);
        QCOMPARE(runCli({"call", "sip:a@127.0.0.1", "--transport", "sctp"}).exitCode, 2);
        QCOMPARE(runCli({"call", "sip:a@127.0.0.1", "--codec", "g729"}).exitCode, 2);
        QCOMPARE(runCli({"listen", "--code", "99"}).exitCode, 2);
        const CliRun help = runCli({"call", "--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("Example:"));
    }
};

QTEST_GUILESS_MAIN(TestUaSipp)
#include "tst_ua_sipp.moc"
