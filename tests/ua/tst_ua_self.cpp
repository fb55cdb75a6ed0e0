// SipScope calling SipScope (issue 8): `sipscope-cli call` against `sipscope-cli listen` over UDP,
// TCP and IPv6 (::1), a rejecting listener, OPTIONS latency, and a call recorded with --db that
// `calls --db` and `ladder --db` then show like captured traffic, and --trace's one JSON line
// per message on stderr (or in a file) while stdout keeps its one result object.

#include <QFile>
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

    void prackAgainstListen_data() {
        QTest::addColumn<QString>("transport");
        QTest::addColumn<QString>("mode");
        QTest::newRow("udp supported") << "udp"
                                       << "supported";
        QTest::newRow("tcp require") << "tcp"
                                     << "require";
    }
    void prackAgainstListen() {
        QFETCH(QString, transport);
        QFETCH(QString, mode);
        QTemporaryDir dir;
        const QString db = dir.filePath("prack.sqlite");
        const bool tcp = transport == "tcp";
        const quint16 port = freePort(tcp);
        Peer listen;
        QVERIFY(startListen(listen, "127.0.0.1", port,
                            {"--transport", transport, "--100rel", "--max-calls", "1"}, tcp));
        const CliRun r = runCli({"call", QString("sip:bob@127.0.0.1:%1").arg(port), "--transport",
                                 transport, "--duration", "0.5", "--100rel", mode, "--db", db});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("answered"));
        QCOMPARE(r.json["prack"].toObject()["sent"].toInt(), 1);
        QCOMPARE(r.json["prack"].toObject()["reliable_provisionals"].toInt(), 1);
        QVERIFY(listen.finish(5000));
        const QJsonObject called = jsonLines(listen.out()).value(0);
        QCOMPARE(called["prack"].toObject()["received"].toInt(), 1);
        QCOMPARE(called["prack"].toObject()["reliable_provisionals"].toInt(), 1);
        // The recorded call: the PRACK and its 200 between the 180 and the INVITE's 200.
        const CliRun ladder =
            runCli({"ladder", "--db", db, "--call", r.json["call_id"].toString()});
        QVERIFY2(ladder.exitCode == 0, qPrintable(describe(ladder)));
        const QString text = QString::fromUtf8(ladder.out);
        qsizetype at = 0;
        for (const char* step : {"INVITE", "180", "PRACK", "200", "200", "ACK", "BYE"}) {
            const qsizetype found = text.indexOf(step, at);
            QVERIFY2(found >= 0,
                     qPrintable(QString("%1 missing after %2 in\n%3").arg(step).arg(at).arg(text)));
            at = found + 1;
        }
    }

    void wavAgainstListen() {
        const QString melody = QStringLiteral(SIPSCOPE_SOURCE_DIR "/resources/audio/melody.wav");
        const quint16 port = freePort();
        Peer listen;
        QVERIFY(startListen(listen, "127.0.0.1", port, {"--wav", melody, "--max-calls", "1"}));
        const CliRun r = runCli({"call", QString("sip:bob@127.0.0.1:%1").arg(port), "--duration",
                                 "1", "--wav", melody, "--codec", "pcma"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json["codec"].toString(), QString("PCMA"));
        QVERIFY(r.json["rtp"].toObject()["sent"].toInt() >= 40);
        QVERIFY(r.json["rtp"].toObject()["received"].toInt() > 20);
        QVERIFY(listen.finish(5000));
    }

    void wavErrorsAreUsageErrors() {
        QTemporaryDir dir;
        const QString eightBit = dir.filePath("8bit.wav");
        QFile f(eightBit);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // RIFF, 36 + 2 bytes; fmt: PCM, mono, 8000 Hz, 8000 B/s, align 1, 8 bits; data: 2 bytes.
        f.write(
            QByteArray::fromHex("52494646260000005741564566"
                                "6d74201000000001000100401f0000"
                                "401f0000010008006461746102000000807f"));
        f.close();
        for (const char* command : {"call", "listen"}) {
            QStringList args{command};
            if (QByteArray(command) == "call") args << "sip:bob@127.0.0.1:9";
            const CliRun bad = runCli(args + QStringList{"--wav", eightBit});
            QCOMPARE(bad.exitCode, 2);
            QVERIFY2(bad.err.contains("unsupported format 8-bit PCM, 1 channel, 8000 Hz"),
                     qPrintable(describe(bad)));
            const CliRun missing = runCli(args + QStringList{"--wav", dir.filePath("none.wav")});
            QCOMPARE(missing.exitCode, 2);
            QVERIFY2(missing.err.contains("none.wav: cannot open the file"),
                     qPrintable(describe(missing)));
        }
    }

    void connectTimeoutOption() {
        // A listener whose one-connection backlog is full: the kernel ignores our SYN, so the
        // connect stays in progress until --connect-timeout gives up on it.
        sockaddr_storage ss;
        const socklen_t len = makeAddr("127.0.0.1", 0, ss);
        const int server = ::socket(AF_INET, SOCK_STREAM, 0);
        QCOMPARE(::bind(server, reinterpret_cast<sockaddr*>(&ss), len), 0);
        QCOMPARE(::listen(server, 0), 0);
        socklen_t got = sizeof ss;
        ::getsockname(server, reinterpret_cast<sockaddr*>(&ss), &got);
        const int filler = ::socket(AF_INET, SOCK_STREAM, 0);
        QCOMPARE(::connect(filler, reinterpret_cast<sockaddr*>(&ss), got), 0);
        const quint16 port = ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
        QElapsedTimer t;
        t.start();
        const CliRun r = runCli({"call", QString("sip:bob@127.0.0.1:%1").arg(port), "--transport",
                                 "tcp", "--connect-timeout", "0.5"});
        ::close(filler);
        ::close(server);
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        QCOMPARE(r.json["result"].toString(), QString("error"));
        QVERIFY2(r.json["error"].toString().contains(
                     QString("connect to 127.0.0.1:%1 timed out").arg(port)),
                 qPrintable(describe(r)));
        QVERIFY2(t.elapsed() >= 500 && t.elapsed() < 4000,
                 qPrintable(QString::number(t.elapsed())));
        QCOMPARE(runCli({"call", "sip:bob@127.0.0.1", "--connect-timeout", "0"}).exitCode, 2);
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

    void traceEachMessage() {
        QTemporaryDir dir;
        const QString traceFile = dir.filePath("trace.ndjson");
        for (const QString& target : {QStringLiteral("-"), traceFile}) {
            const quint16 port = freePort();
            Peer listen;
            QVERIFY(startListen(listen, "127.0.0.1", port, {"--max-calls", "1"}));
            const CliRun r = runCli({"call", QString("sip:bob@127.0.0.1:%1").arg(port),
                                     "--duration", "0.5", "--trace", target});
            QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
            // stdout: exactly the one result object, as without --trace.
            QCOMPARE(r.out.count('\n'), 1);
            QCOMPARE(r.json["result"].toString(), QString("answered"));
            QByteArray trace = r.err;
            if (target != "-") {
                QVERIFY2(r.err.isEmpty(), r.err.constData());
                QFile f(target);
                QVERIFY(f.open(QIODevice::ReadOnly));
                trace = f.readAll();
            }
            checkTrace(trace, port, r.json["call_id"].toString());
            if (QTest::currentTestFailed()) return;
            QVERIFY(listen.finish(5000));
        }
        const CliRun bad = runCli(
            {"call", "sip:bob@127.0.0.1:9", "--trace", dir.filePath("no/such/dir/trace.ndjson")});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.json["error"].toString().startsWith("cannot write --trace"),
                 qPrintable(describe(bad)));
        QCOMPARE(runCli({"call", "sip:bob@127.0.0.1:9", "--trace"}).exitCode, 2);
    }

  private:
    // One JSON line per message, in order, with the right direction; retransmissions (the same
    // line again) are allowed but nothing else.
    static void checkTrace(const QByteArray& trace, quint16 port, const QString& callId) {
        QStringList steps;
        const QList<QByteArray> lines = trace.trimmed().split('\n');
        double lastTs = 0;
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QJsonObject o = QJsonDocument::fromJson(lines[i]).object();
            QVERIFY2(!o.isEmpty(), lines[i].constData());
            QCOMPARE(o["event"].toString(), QString("message"));
            QCOMPARE(o["seq"].toInteger(), qint64(i + 1));
            QCOMPARE(o["transport"].toString(), QString("udp"));
            QCOMPARE(o["remote"].toString(), QString("127.0.0.1:%1").arg(port));
            QVERIFY(o["local"].toString().startsWith("0.0.0.0:") ||
                    o["local"].toString().startsWith("127.0.0.1:"));
            QVERIFY(o["ts"].toDouble() >= lastTs && o["ts"].toDouble() > 1e9);
            lastTs = o["ts"].toDouble();
            const QString bytes = o["bytes"].toString();
            QVERIFY2(bytes.contains("Call-ID: " + callId), qPrintable(bytes));
            const QString first = bytes.left(bytes.indexOf("\r\n"));
            const QString step =
                QString(o["sent"].toBool() ? "> " : "< ") +
                (first.startsWith("SIP/2.0 ") ? first.mid(8, 3) : first.section(' ', 0, 0));
            if (steps.isEmpty() || steps.last() != step) steps << step;
        }
        QCOMPARE(steps,
                 (QStringList{"> INVITE", "< 100", "< 180", "< 200", "> ACK", "> BYE", "< 200"}));
    }
};

QTEST_GUILESS_MAIN(TestUaSelf)
#include "tst_ua_self.moc"
