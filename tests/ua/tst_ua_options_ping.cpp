// `sipscope-cli options --count N --interval S` (the keep-alive ping) against `sipscope-cli
// listen` on loopback: one JSON line per ping, each a new transaction, then the summary; a closed
// port (ICMP unreachable at once); usage errors; SIGINT ending the series with its summary.

#include <signal.h>

#include <QSet>
#include <QtTest>

#include "ua_test_util.hpp"

using namespace sipscope::uatest;

class TestUaOptionsPing : public QObject {
    Q_OBJECT

    static bool startListen(Peer& listen, quint16 port) {
        if (!listen.start(QStringLiteral(SIPSCOPE_CLI),
                          {"listen", "--bind", "127.0.0.1", "--port", QString::number(port)}))
            return false;
        return waitListening(port, false);
    }

    static QSet<QString> optionsBranches(const QByteArray& trace) {
        QSet<QString> branches;
        for (const QJsonObject& o : jsonLines(trace)) {
            const QString bytes = o["bytes"].toString();
            if (!o["sent"].toBool() || !bytes.startsWith("OPTIONS ")) continue;
            const qsizetype at = bytes.indexOf("branch=");
            if (at >= 0) branches << bytes.mid(at + 7, bytes.indexOf("\r\n", at) - at - 7);
        }
        return branches;
    }

  private slots:
    void pingsAgainstListen() {
        const quint16 port = freePort();
        Peer listen;
        QVERIFY2(startListen(listen, port), listen.err().constData());
        QElapsedTimer t;
        t.start();
        const CliRun r = runCli({"options", QString("sip:127.0.0.1:%1").arg(port), "--count", "3",
                                 "--interval", "0.2", "--trace", "-"},
                                20000);
        const qint64 elapsed = t.elapsed();
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.out.count('\n'), 4);
        QCOMPARE(r.lines.size(), 4);
        QSet<QString> callIds;
        for (int i = 0; i < 3; ++i) {
            const QJsonObject& p = r.lines[i];
            QCOMPARE(p["seq"].toInt(), i + 1);
            QCOMPARE(p["result"].toString(), QString("ok"));
            QCOMPARE(p["final_code"].toInt(), 200);
            QVERIFY(p["latency_ms"].isDouble() && p["latency_ms"].toDouble() >= 0);
            QCOMPARE(p["target"].toObject()["port"].toInt(), int(port));
            QVERIFY(!p.contains("summary"));
            callIds << p["call_id"].toString();
        }
        QCOMPARE(callIds.size(), 3);
        const QJsonObject s = r.lines[3];
        QCOMPARE(s["summary"].toBool(), true);
        QCOMPARE(s["sent"].toInt(), 3);
        QCOMPARE(s["answered"].toInt(), 3);
        QCOMPARE(s["failed"].toInt(), 0);
        QCOMPARE(s["loss"].toDouble(), 0.0);
        const QJsonObject l = s["latency_ms"].toObject();
        QVERIFY(l["min"].toDouble() >= 0);
        QVERIFY(l["min"].toDouble() <= l["p50"].toDouble());
        QVERIFY(l["min"].toDouble() <= l["avg"].toDouble());
        QVERIFY(l["p50"].toDouble() <= l["max"].toDouble());
        QVERIFY(l["avg"].toDouble() <= l["max"].toDouble());
        // Each ping a new transaction; the third starts 2 intervals after the first.
        QCOMPARE(optionsBranches(r.err).size(), 3);
        QVERIFY2(elapsed >= 400, qPrintable(QString::number(elapsed)));
        listen.stop();
        QCOMPARE(listen.exitCode(), 0);
    }

    void singlePingUnchanged() {
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, port));
        const CliRun r =
            runCli({"options", QString("sip:127.0.0.1:%1").arg(port), "--count", "1"}, 20000);
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.out.count('\n'), 1);
        QCOMPARE(r.json.keys(),
                 (QStringList{"auth_rounds", "call_id", "error", "final_code", "latency_ms",
                              "reason", "result", "target", "targets_tried"}));
        QVERIFY(r.out.startsWith("{\"result\":\"ok\",\"final_code\":200,"));
    }

    void closedPortFailsEachPing() {
        const quint16 port = freePort();  // nothing listens there: ICMP port unreachable
        const CliRun r = runCli(
            {"options", QString("sip:127.0.0.1:%1").arg(port), "--count", "2", "--interval", "0.1"},
            20000);
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QCOMPARE(r.lines.size(), 3);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(r.lines[i]["seq"].toInt(), i + 1);
            QCOMPARE(r.lines[i]["result"].toString(), QString("error"));
            QVERIFY(r.lines[i]["latency_ms"].isNull());
            QVERIFY2(r.lines[i]["error"].toString().contains("ICMP port unreachable"),
                     qPrintable(describe(r)));
        }
        const QJsonObject s = r.lines[2];
        QCOMPARE(s["summary"].toBool(), true);
        QCOMPARE(s["sent"].toInt(), 2);
        QCOMPARE(s["answered"].toInt(), 0);
        QCOMPARE(s["failed"].toInt(), 2);
        QVERIFY(s["latency_ms"].isNull());
        QCOMPARE(s["loss"].toDouble(), 1.0);
    }

    void usageErrors() {
        const QList<QStringList> bad{{"--count", "0"},    {"--count", "-1"},
                                     {"--count", "2x"},   {"--count"},
                                     {"--interval", "0"}, {"--interval", "-1"},
                                     {"--interval", "x"}, {"--count", "2", "--interval"}};
        for (const QStringList& extra : bad) {
            const CliRun r = runCli(QStringList{"options", "sip:127.0.0.1:9"} + extra);
            QVERIFY2(r.exitCode == 2, qPrintable(extra.join(' ') + "\n" + describe(r)));
            QVERIFY2(r.out.isEmpty(), qPrintable(describe(r)));
            QVERIFY2(r.err.contains("--count") || r.err.contains("--interval"),
                     qPrintable(describe(r)));
        }
        // Only `options` pings.
        QCOMPARE(runCli({"register", "sip:200@127.0.0.1:9", "--count", "2"}).exitCode, 2);
        const CliRun help = runCli({"options", "--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("--count N") && help.out.contains("--interval S"));
    }

    void interruptPrintsSummary() {
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, port));
        QProcess ping;  // its destructor kills it if the test fails half-way
        ping.start(QStringLiteral(SIPSCOPE_CLI), {"options", QString("sip:127.0.0.1:%1").arg(port),
                                                  "--count", "1000", "--interval", "0.05"});
        QVERIFY(ping.waitForStarted(5000));
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (!out.contains("\"seq\":2,") && t.elapsed() < 10000) {
            ping.waitForReadyRead(static_cast<int>(10000 - t.elapsed()));
            out += ping.readAllStandardOutput();
        }
        QVERIFY2(out.contains("\"seq\":2,"), out.constData());
        QCOMPARE(::kill(static_cast<pid_t>(ping.processId()), SIGINT), 0);
        QVERIFY2(ping.waitForFinished(10000), "options did not stop on SIGINT");
        out += ping.readAllStandardOutput();
        QCOMPARE(ping.exitStatus(), QProcess::NormalExit);
        QCOMPARE(ping.exitCode(), 0);
        const QList<QJsonObject> lines = jsonLines(out);
        QVERIFY(lines.size() >= 3);
        const QJsonObject s = lines.last();
        QCOMPARE(s["summary"].toBool(), true);
        QCOMPARE(s["sent"].toInt(), lines.size() - 1);
        QVERIFY(s["sent"].toInt() < 1000);
        QCOMPARE(s["answered"].toInt(), s["sent"].toInt());
        QCOMPARE(lines[lines.size() - 2]["seq"].toInt(), s["sent"].toInt());
    }
};

QTEST_GUILESS_MAIN(TestUaOptionsPing)
#include "tst_ua_options_ping.moc"
