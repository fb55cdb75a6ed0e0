// SIP over TLS (issue 8, RFC 3261 §26.3.1, RFC 5922 §7.1): a test CA made in the test with the
// openssl tool, `sipscope-cli listen --transport tls` as the server, and `call --transport tls`
// with verification on: a good certificate is answered; a wrong name, an expired certificate and
// a self-signed one each fail with their own error; --insecure accepts the self-signed one.

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "ua_test_util.hpp"

using namespace sipscope::uatest;

class TestUaTls : public QObject {
    Q_OBJECT

    QString m_openssl;
    QTemporaryDir m_dir;

    bool openssl(const QStringList& args) {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.start(m_openssl, args);
        if (!p.waitForFinished(30000) || p.exitCode() != 0) {
            qWarning("openssl %s: %s", qPrintable(args.join(' ')),
                     p.readAllStandardError().constData());
            return false;
        }
        return true;
    }
    bool writeFile(const QString& name, const QByteArray& text) {
        QFile f(m_dir.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
    }
    // A key and CSR for `name`, with subjectAltName `san` in ext-NAME.cnf.
    bool request(const QString& name, const QString& san) {
        return writeFile("ext-" + name + ".cnf", ("subjectAltName=" + san + "\n").toUtf8()) &&
               openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
                        name + ".csr", "-subj", "/CN=" + name});
    }
    bool signByCa(const QString& name) {
        return openssl({"x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                        "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile",
                        "ext-" + name + ".cnf"});
    }

    struct Outcome {
        CliRun call;
        QByteArray listenOut;
    };
    Outcome callThrough(const QString& cert, const QStringList& clientArgs) {
        const quint16 port = freePort(true);
        Peer listen;
        Outcome o;
        if (!listen.start(QStringLiteral(SIPSCOPE_CLI),
                          {"listen", "--bind", "127.0.0.1", "--port", QString::number(port),
                           "--transport", "tls", "--cert", m_dir.filePath(cert + ".pem"), "--key",
                           m_dir.filePath(cert + ".key"), "--max-calls", "1"}) ||
            !waitListening(port, true)) {
            o.call.err = "listen did not start: " + listen.err();
            return o;
        }
        QStringList args{"call",        QString("sip:bob@127.0.0.1:%1").arg(port),
                         "--transport", "tls",
                         "--duration",  "0.5"};
        o.call = runCli(args + clientArgs);
        if (o.call.json["result"].toString() == "answered")
            listen.finish(3000);
        else
            listen.stop();  // the handshake failed: no call will ever end there
        o.listenOut = listen.out();
        return o;
    }

  private slots:
    void initTestCase() {
        m_openssl = tool("openssl");
        if (m_openssl.isEmpty()) QSKIP("openssl tool not installed");
        QVERIFY(m_dir.isValid());
        QVERIFY(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
                         "-out", "ca.pem", "-days", "2", "-subj", "/CN=SipScope Test CA"}));
        QVERIFY(request("good", "IP:127.0.0.1"));
        QVERIFY(signByCa("good"));
        QVERIFY(request("wrongname", "DNS:other.example"));
        QVERIFY(signByCa("wrongname"));
        // Expired: signed with `openssl ca`, which accepts explicit validity dates.
        QVERIFY(writeFile("ca.cnf",
                          "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\n"
                          "new_certs_dir=.\nserial=serial.txt\ndefault_md=sha256\n"
                          "policy=p\n[p]\ncommonName=supplied\n"));
        QVERIFY(writeFile("index.txt", ""));
        QVERIFY(writeFile("serial.txt", "1000\n"));
        QVERIFY(request("expired", "IP:127.0.0.1"));
        QVERIFY(
            openssl({"ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
                     "-in", "expired.csr", "-out", "expired.pem", "-startdate", "20200101000000Z",
                     "-enddate", "20200102000000Z", "-extfile", "ext-expired.cnf"}));
        QVERIFY(writeFile("ext-selfsigned.cnf", "subjectAltName=IP:127.0.0.1\n"));
        QVERIFY(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                         "selfsigned.key", "-out", "selfsigned.pem", "-days", "2", "-subj",
                         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"}));
    }

    void goodCertificate() {
        const Outcome o = callThrough("good", {"--ca", m_dir.filePath("ca.pem")});
        QVERIFY2(o.call.exitCode == 0, qPrintable(describe(o.call)));
        QCOMPARE(o.call.json["result"].toString(), QString("answered"));
        QCOMPARE(jsonLines(o.listenOut).value(0)["result"].toString(), QString("answered"));
    }

    void verificationFailures_data() {
        QTest::addColumn<QString>("cert");
        QTest::addColumn<QString>("expected");
        QTest::newRow("wrong name") << "wrongname"
                                    << "name mismatch";
        QTest::newRow("expired") << "expired"
                                 << "expired";
        QTest::newRow("self-signed") << "selfsigned"
                                     << "self-signed";
    }
    void verificationFailures() {
        QFETCH(QString, cert);
        QFETCH(QString, expected);
        const Outcome o = callThrough(cert, {"--ca", m_dir.filePath("ca.pem")});
        QVERIFY2(o.call.exitCode == 1, qPrintable(describe(o.call)));
        QCOMPARE(o.call.json["result"].toString(), QString("error"));
        QVERIFY2(o.call.json["error"].toString().contains(expected), qPrintable(describe(o.call)));
    }

    void systemStoreRejectsTheTestCa() {
        const Outcome o = callThrough("good", {});
        QCOMPARE(o.call.json["result"].toString(), QString("error"));
        QVERIFY2(o.call.json["error"].toString().contains("unknown CA"),
                 qPrintable(describe(o.call)));
    }

    void insecureAcceptsSelfSigned() {
        const Outcome o = callThrough("selfsigned", {"--insecure"});
        QVERIFY2(o.call.exitCode == 0, qPrintable(describe(o.call)));
        QCOMPARE(o.call.json["result"].toString(), QString("answered"));
    }
};

QTEST_GUILESS_MAIN(TestUaTls)
#include "tst_ua_tls.moc"
