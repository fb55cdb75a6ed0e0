// sipscope-capture, the privileged live-capture helper: --list, pcapng output of real SIPp calls
// on the loopback interface, stderr statistics lines, pipe streaming, SIGTERM, a vanished reader,
// the ring buffer, and the exit-2 errors (bad filter, unknown interface, missing privileges).
// All traffic stays on 127.0.0.1. Every wait is a bounded QProcess wait.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

namespace {

QString capturePath() {
    return QString(SIPSCOPE_BINARY_DIR) + "/app/capture/sipscope-capture";
}

constexpr char kSipp[] = "/usr/bin/sipp";

// What the test needs from a pcapng stream: structure checks and the packets.
struct Pcapng {
    QString error;  // empty when the whole input parsed
    QList<quint16> linkTypes;
    QList<int> tsResolutions;
    QList<quint32> packetInterfaces;
    QList<quint64> timestamps;
    QList<QByteArray> packets;
    int statistics = 0;
};

Pcapng parsePcapng(const QByteArray& bytes) {
    Pcapng out;
    const auto* p = reinterpret_cast<const uchar*>(bytes.constData());
    const auto u16 = [&](qsizetype at) { return qFromUnaligned<quint16>(p + at); };
    const auto u32 = [&](qsizetype at) { return qFromUnaligned<quint32>(p + at); };
    qsizetype at = 0;
    while (at < bytes.size()) {
        if (bytes.size() - at < 12) return out.error = "truncated block header", out;
        const quint32 type = u32(at);
        const quint32 length = u32(at + 4);
        if (length < 12 || length % 4 != 0 || length > bytes.size() - at)
            return out.error = QString("bad block length %1 at %2").arg(length).arg(at), out;
        if (u32(at + length - 4) != length) return out.error = "trailing length differs", out;
        if (at == 0 && (type != 0x0A0D0D0A || u32(at + 8) != 0x1A2B3C4D))
            return out.error = "no section header with native byte order", out;
        if (type == 1) {
            out.linkTypes.push_back(u16(at + 8));
            int resolution = 6;  // pcapng default when if_tsresol is absent
            for (qsizetype o = at + 16; o + 4 <= at + length - 4;) {
                const quint16 code = u16(o), size = u16(o + 2);
                if (code == 0) break;
                if (code == 9 && size == 1) resolution = p[o + 4];
                o += 4 + ((size + 3) & ~3);
            }
            out.tsResolutions.push_back(resolution);
        } else if (type == 6) {
            const quint32 captured = u32(at + 20);
            if (28 + captured > length) return out.error = "packet longer than block", out;
            out.packetInterfaces.push_back(u32(at + 8));
            out.timestamps.push_back(quint64(u32(at + 12)) << 32 | u32(at + 16));
            out.packets.push_back(bytes.mid(at + 28, captured));
        } else if (type == 5) {
            ++out.statistics;
        }
        at += length;
    }
    if (bytes.isEmpty()) out.error = "empty";
    return out;
}

// The JSON statistics lines a capture printed on stderr; other lines are returned in `rest`.
QList<QJsonObject> statsLines(const QByteArray& err, QByteArray* rest = nullptr) {
    QList<QJsonObject> lines;
    for (const QByteArray& line : err.split('\n')) {
        if (line.isEmpty()) continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject() && doc.object().contains("interface"))
            lines.push_back(doc.object());
        else if (rest)
            *rest += line + '\n';
    }
    return lines;
}

// Starts sipscope-capture and waits (bounded) for its first stats line: every interface is
// capturing from then on. False when the capture failed (its error is on stderr).
bool startCapture(QProcess& capture, const QStringList& args) {
    capture.setReadChannel(QProcess::StandardError);
    capture.start(capturePath(), args);
    QElapsedTimer timer;
    timer.start();
    while (!capture.canReadLine() && timer.elapsed() < 5000) {
        if (!capture.waitForReadyRead(int(5000 - timer.elapsed()))) break;
    }
    return capture.canReadLine() && capture.peek(2) == "{\"";
}

// Capture privileges can only be missing when not root; then the test has nothing to test.
void skipWithoutPrivileges(const QByteArray& err) {
    if (getuid() != 0 && err.contains("permission"))
        QSKIP(qPrintable("capture privileges are missing: " + QString::fromUtf8(err)));
}

struct Finished {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Finished runCapture(const QStringList& args, int timeoutMs = 10000) {
    QProcess p;
    p.start(capturePath(), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        qWarning("sipscope-capture %s did not finish", qPrintable(args.join(' ')));
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

// The UDP payload of an Ethernet/IPv4 frame (what loopback captures carry), or empty.
QByteArray udpPayload(const QByteArray& frame) {
    if (frame.size() < 42 || frame[12] != 0x08 || frame[13] != 0x00 || frame[23] != 17) return {};
    const int ipHeader = (frame[14] & 0x0f) * 4;
    return frame.mid(14 + ipHeader + 8);
}

bool udpPortBound(quint16 port) {
    QFile f("/proc/net/udp");
    if (!f.open(QIODevice::ReadOnly)) return false;
    const QByteArray needle = ":" + QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    for (const QByteArray& line : f.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() > 1 && fields[1].endsWith(needle)) return true;
    }
    return false;
}

void sendDatagram(quint16 port, const QByteArray& payload) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    QVERIFY(fd >= 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const auto sent = ::sendto(fd, payload.constData(), size_t(payload.size()), 0,
                               reinterpret_cast<const sockaddr*>(&to), sizeof to);
    ::close(fd);
    QCOMPARE(sent, ssize_t(payload.size()));
}

void stopProcess(QProcess& p) {
    if (p.state() == QProcess::NotRunning) return;
    p.kill();
    p.waitForFinished(2000);
}

// A QProcess that is killed when the test function returns early (a failed QVERIFY).
class Process : public QProcess {
  public:
    ~Process() override { stopProcess(*this); }
};

// The pcapng file of three SIPp calls on lo: structure, interface, and the SIP messages.
void checkSippCapture(const QString& file) {
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const Pcapng pcap = parsePcapng(f.readAll());
    QVERIFY2(pcap.error.isEmpty(), qPrintable(pcap.error));
    QCOMPARE(pcap.linkTypes, QList<quint16>{1});  // DLT_EN10MB on Linux loopback
    QVERIFY(pcap.tsResolutions[0] == 9 || pcap.tsResolutions[0] == 6);
    QCOMPARE(pcap.statistics, 1);
    for (qsizetype i = 1; i < pcap.timestamps.size(); ++i)
        QVERIFY(pcap.timestamps[i] >= pcap.timestamps[i - 1]);
    // SIPp's default scenarios: INVITE, 180, 200, ACK, BYE, 200 per call (the UAS sends no 100).
    QMap<QByteArray, int> kinds;
    for (qsizetype i = 0; i < pcap.packets.size(); ++i) {
        QCOMPARE(pcap.packetInterfaces[i], quint32(0));
        const QByteArray sip = udpPayload(pcap.packets[i]);
        const QByteArray startLine = sip.left(sip.indexOf("\r\n"));
        kinds[startLine.startsWith("SIP/2.0 ") ? startLine.mid(8, 3)
                                               : startLine.left(startLine.indexOf(' '))]++;
    }
    QVERIFY2(pcap.packets.size() >= 3 * 6, qPrintable(QString::number(pcap.packets.size())));
    for (const char* kind : {"INVITE", "180", "ACK", "BYE"}) QVERIFY2(kinds[kind] >= 3, kind);
    QVERIFY(kinds["200"] >= 6);
    qInfo() << "captured" << pcap.packets.size() << "packets:" << kinds;
}

}  // namespace

class TestLiveCapture : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void helpAndVersion();
    void listShowsLoopback();
    void captureSippCalls();
    void pipeStreamsEachPacketAndStopsOnSigterm();
    void vanishedReaderExitsZero();
    void ringBufferKeepsNewestFiles();
    void badFilterExits2();
    void unknownInterfaceExits2();
    void missingPrivilegesExplainSetcap();
};

void TestLiveCapture::initTestCase() {
    if (!QFileInfo::exists(capturePath()))
        QSKIP(qPrintable("sipscope-capture is not built (" + capturePath() +
                         "): build the sipscope-capture target"));
}

void TestLiveCapture::helpAndVersion() {
    const Finished help = runCapture({"--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("example:"));
    QVERIFY(help.out.contains("setcap cap_net_raw,cap_net_admin+eip"));
    const Finished version = runCapture({"--version"});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith("sipscope-capture "));
    QVERIFY(version.out.contains("libpcap"));
    const Finished usage = runCapture({"-i", "lo", "--ring-files", "2"});
    QCOMPARE(usage.exitCode, 2);
    QVERIFY(usage.err.contains("--ring-size"));
}

void TestLiveCapture::listShowsLoopback() {
    const Finished list = runCapture({"--list"});
    QCOMPARE(list.exitCode, 0);
    bool foundLo = false;
    for (const QByteArray& line : list.out.split('\n')) {
        if (line.isEmpty()) continue;
        QJsonParseError e;
        const QJsonObject o = QJsonDocument::fromJson(line, &e).object();
        QVERIFY2(e.error == QJsonParseError::NoError, line.constData());
        for (const char* key : {"name", "description", "addresses", "loopback", "up", "running"})
            QVERIFY2(o.contains(key), key);
        QVERIFY(o["addresses"].isArray());
        QVERIFY(o["description"].isString() || o["description"].isNull());
        if (o["name"].toString() == "lo") {
            foundLo = true;
            QVERIFY(o["loopback"].toBool());
            QVERIFY(o["up"].toBool());
            QVERIFY(o["addresses"].toArray().contains("127.0.0.1"));
        }
    }
    QVERIFY2(foundLo, list.out.constData());
}

void TestLiveCapture::captureSippCalls() {
    if (!QFileInfo::exists(kSipp)) QSKIP("SIPp is not installed (apt-get install sip-tester)");
    if (udpPortBound(15060) || udpPortBound(15070)) QSKIP("UDP port 15060 or 15070 is in use");
    QTemporaryDir dir;
    const QString file = dir.filePath("sipp.pcapng");
    Process capture;
    if (!startCapture(capture, {"-i", "lo", "-f", "udp port 15060 or udp port 15070", "-w", file,
                                "--duration", "8"})) {
        capture.waitForFinished(5000);
        const QByteArray err = capture.readAllStandardError();
        skipWithoutPrivileges(err);
        QFAIL(err.constData());
    }

    Process uas, uac;
    uas.setWorkingDirectory(dir.path());
    uac.setWorkingDirectory(dir.path());
    uas.start(kSipp, {"-sn", "uas", "-i", "127.0.0.1", "-p", "15070", "-m", "3", "-timeout", "20s",
                      "-timeout_error", "-nostdin"});
    QVERIFY(uas.waitForStarted(5000));
    QVERIFY2(QTest::qWaitFor([] { return udpPortBound(15070); }, 5000), "SIPp UAS did not bind");
    uac.start(kSipp, {"-sn", "uac", "127.0.0.1:15070", "-i", "127.0.0.1", "-p", "15060", "-m", "3",
                      "-r", "10", "-d", "100", "-timeout", "20s", "-timeout_error", "-nostdin"});
    const bool uacDone = uac.waitForFinished(20000);
    const bool uasDone = uas.waitForFinished(5000);
    stopProcess(uac);
    stopProcess(uas);
    QVERIFY2(uacDone && uac.exitCode() == 0, uac.readAllStandardError().constData());
    QVERIFY2(uasDone && uas.exitCode() == 0, uas.readAllStandardError().constData());

    QVERIFY2(capture.waitForFinished(15000), "the capture outlived --duration");
    QCOMPARE(capture.exitStatus(), QProcess::NormalExit);
    QByteArray rest;
    const QList<QJsonObject> stats = statsLines(capture.readAllStandardError(), &rest);
    QVERIFY2(rest.isEmpty(), rest.constData());
    QCOMPARE(capture.exitCode(), 0);
    QVERIFY(stats.size() >= 2);  // the start line and the final line at least
    for (const QJsonObject& o : stats) {
        QCOMPARE(o["interface"].toString(), QString("lo"));
        for (const char* key : {"received", "dropped", "if_dropped"}) QVERIFY(o[key].isDouble());
    }
    QVERIFY(stats.last()["received"].toInteger() > 0);
    QCOMPARE(stats.last()["dropped"].toInteger(), 0);

    checkSippCapture(file);
}

void TestLiveCapture::pipeStreamsEachPacketAndStopsOnSigterm() {
    Process capture;
    if (!startCapture(capture, {"-i", "lo", "-f", "udp port 15081", "--stats-interval", "0"})) {
        capture.waitForFinished(5000);
        const QByteArray err = capture.readAllStandardError();
        skipWithoutPrivileges(err);
        QFAIL(err.constData());
    }
    sendDatagram(15081, "one packet, flushed at once");
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    // No stop condition but the packet itself: it must reach the pipe while capture runs.
    while (parsePcapng(out).packets.isEmpty() && timer.elapsed() < 5000) {
        capture.waitForReadyRead(int(5000 - timer.elapsed()));
        out += capture.readAllStandardOutput();
    }
    QCOMPARE(parsePcapng(out).packets.size(), 1);
    QVERIFY(parsePcapng(out).packets[0].endsWith("one packet, flushed at once"));

    capture.terminate();  // SIGTERM: the stream must still end on a block boundary
    QVERIFY(capture.waitForFinished(5000));
    QCOMPARE(capture.exitStatus(), QProcess::NormalExit);
    QCOMPARE(capture.exitCode(), 0);
    out += capture.readAllStandardOutput();
    const Pcapng pcap = parsePcapng(out);
    QVERIFY2(pcap.error.isEmpty(), qPrintable(pcap.error));
    QCOMPARE(pcap.packets.size(), 1);
    QCOMPARE(pcap.statistics, 1);
    // --stats-interval 0: the line at start and the line at exit, nothing periodic.
    QCOMPARE(statsLines(capture.readAllStandardError()).size(), 2);
}

void TestLiveCapture::vanishedReaderExitsZero() {
    // `head -c 1` exits after the first byte; the next packet then meets EPIPE.
    Process shell;
    shell.start("/bin/bash",
                {"-c",
                 "\"$0\" -i lo -f 'udp port 15082' --duration 20 | head -c 1 >/dev/null; "
                 "exit ${PIPESTATUS[0]}",
                 capturePath()});
    QVERIFY(shell.waitForStarted(5000));
    shell.setReadChannel(QProcess::StandardError);
    QVERIFY(shell.waitForReadyRead(5000));  // the first stats line: capturing
    bool exited = false;
    for (int i = 0; i < 20 && !exited; ++i) {
        sendDatagram(15082, "is anybody reading?");
        exited = shell.waitForFinished(250);
    }
    stopProcess(shell);
    QByteArray rest;
    statsLines(shell.readAllStandardError(), &rest);
    skipWithoutPrivileges(rest);
    QVERIFY2(exited, "sipscope-capture kept running after its reader went away");
    QCOMPARE(shell.exitCode(), 0);
    QVERIFY2(rest.isEmpty(), rest.constData());  // quietly: no error message
}

void TestLiveCapture::ringBufferKeepsNewestFiles() {
    QTemporaryDir dir;
    Process capture;
    if (!startCapture(capture, {"-i", "lo", "-f", "udp port 15083", "-w", dir.filePath("r.pcapng"),
                                "--ring-size", "0.004", "--ring-files", "3"})) {
        capture.waitForFinished(5000);
        const QByteArray err = capture.readAllStandardError();
        skipWithoutPrivileges(err);
        QFAIL(err.constData());
    }
    // ~1.6 kB per packet: two fit in 4 kB, so 12 packets make 6 files of which 3 remain.
    for (int i = 0; i < 12; ++i) sendDatagram(15083, QByteArray(1500, 'a' + char(i)));
    const auto sixthFile = [&] {
        return QDir(dir.path()).entryList(QDir::Files).indexOf(QRegularExpression("r_00006_.*")) >=
               0;
    };
    QVERIFY2(QTest::qWaitFor(sixthFile, 5000),
             qPrintable(QDir(dir.path()).entryList(QDir::Files).join(' ')));
    capture.terminate();
    QVERIFY(capture.waitForFinished(5000));
    QCOMPARE(capture.exitCode(), 0);

    const QStringList files = QDir(dir.path()).entryList(QDir::Files, QDir::Name);
    QCOMPARE(files.size(), 3);
    int packets = 0;
    const QRegularExpression name("^r_(\\d{5})_\\d{14}\\.pcapng$");
    for (int i = 0; i < files.size(); ++i) {
        const auto m = name.match(files[i]);
        QVERIFY2(m.hasMatch(), qPrintable(files[i]));
        QCOMPARE(m.captured(1).toInt(), 4 + i);
        QFile f(dir.filePath(files[i]));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const Pcapng pcap = parsePcapng(f.readAll());
        QVERIFY2(pcap.error.isEmpty(), qPrintable(pcap.error));
        QCOMPARE(pcap.linkTypes.size(), 1);
        packets += int(pcap.packets.size());
    }
    QCOMPARE(packets, 6);
}

void TestLiveCapture::badFilterExits2() {
    const Finished r = runCapture({"-i", "lo", "-f", "udp port and nonsense(", "-w", "/dev/null"});
    skipWithoutPrivileges(r.err);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("invalid capture filter"), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

void TestLiveCapture::unknownInterfaceExits2() {
    const Finished r = runCapture({"-i", "sipscope-none0", "-w", "/dev/null"});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("no such interface 'sipscope-none0'") || r.err.contains("permission"),
             r.err.constData());
}

void TestLiveCapture::missingPrivilegesExplainSetcap() {
    if (getuid() != 0) QSKIP("needs root to run the helper as an unprivileged user");
    if (!QFileInfo::exists("/usr/bin/setpriv")) QSKIP("setpriv (util-linux) is not installed");
    Process p;
    p.start("/usr/bin/setpriv", {"--reuid=65534", "--regid=65534", "--clear-groups", capturePath(),
                                 "-i", "lo", "-w", "/dev/null", "--duration", "1"});
    QVERIFY(p.waitForFinished(10000));
    if (p.exitCode() == 126 || p.exitCode() == 127)
        QSKIP("the build directory is not readable by uid 65534");
    const QByteArray err = p.readAllStandardError();
    QCOMPARE(p.exitCode(), 2);
    QVERIFY2(err.contains("permission denied"), err.constData());
    QVERIFY2(err.contains("setcap cap_net_raw,cap_net_admin+eip"), err.constData());
}

QTEST_GUILESS_MAIN(TestLiveCapture)
#include "tst_live_capture.moc"
