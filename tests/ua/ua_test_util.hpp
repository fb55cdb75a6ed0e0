#pragma once
// Loopback peers for the user agent's integration tests: free ports, sipscope-cli runs, SIPp /
// Kamailio / `sipscope-cli listen` processes that are always killed, and bounded waits (poll()
// with a timeout, never an unbounded sleep).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QtTest>

#include <memory>

namespace sipscope::uatest {

struct CliRun {
    int exitCode = -1;
    QJsonObject json;  // the first JSON line of stdout
    QList<QJsonObject> lines;
    QByteArray out, err;
};

inline QList<QJsonObject> jsonLines(const QByteArray& out) {
    QList<QJsonObject> objects;
    for (const QByteArray& line : out.split('\n')) {
        QJsonParseError e;
        const auto doc = QJsonDocument::fromJson(line, &e);
        if (e.error == QJsonParseError::NoError && doc.isObject()) objects << doc.object();
    }
    return objects;
}

inline CliRun runCli(const QStringList& args, int timeoutMs = 30000) {
    QProcess p;
    p.start(QStringLiteral(SIPSCOPE_CLI), args);
    p.waitForStarted();
    p.closeWriteChannel();
    CliRun r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        r.err = "sipscope-cli did not finish in time";
        return r;
    }
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.lines = jsonLines(r.out);
    if (!r.lines.isEmpty()) r.json = r.lines.first();
    return r;
}

inline QString describe(const CliRun& r) {
    return QString("exit %1\nstdout: %2\nstderr: %3")
        .arg(r.exitCode)
        .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err.right(2000)));
}

// A loopback socket address ("127.0.0.1" or "::1") with a port.
inline socklen_t makeAddr(const char* ip, quint16 port, sockaddr_storage& ss) {
    std::memset(&ss, 0, sizeof ss);
    if (std::strchr(ip, ':')) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        inet_pton(AF_INET6, ip, &a->sin6_addr);
        return sizeof *a;
    }
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    inet_pton(AF_INET, ip, &a->sin_addr);
    return sizeof *a;
}

// Binds (and for TCP, connects to) ip:port; the bound port for port 0.
inline int probe(const char* ip, quint16 port, bool tcp, bool connectTo, quint16* bound = nullptr) {
    sockaddr_storage ss;
    const socklen_t len = makeAddr(ip, port, ss);
    const int fd = ::socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (fd < 0) return -1;
    int rc = connectTo ? ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len)
                       : ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
    if (rc == 0 && bound) {
        sockaddr_storage got{};
        socklen_t gl = sizeof got;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&got), &gl);
        *bound = ntohs(got.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&got)->sin6_port
                                                 : reinterpret_cast<sockaddr_in*>(&got)->sin_port);
    }
    ::close(fd);
    return rc;
}

// A port that was free a moment ago (bound to port 0, then released).
inline quint16 freePort(bool tcp = false, const char* ip = "127.0.0.1") {
    quint16 port = 0;
    probe(ip, 0, tcp, false, &port);
    return port;
}

// Waits (bounded, poll() 20 ms between tries) until something listens on ip:port.
inline bool waitListening(quint16 port, bool tcp, const char* ip = "127.0.0.1", int ms = 5000) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        // The port is taken once the peer has bound it. Binding probes instead of connecting:
        // SIPp counts a connection that closes without a message as a failed call.
        if (probe(ip, port, tcp, false) != 0) return true;
        ::poll(nullptr, 0, 20);
    }
    return false;
}

// A child process killed (and reaped) when the test ends, whatever happened.
class Peer {
  public:
    Peer() = default;
    ~Peer() { stop(); }
    Peer(const Peer&) = delete;
    Peer& operator=(const Peer&) = delete;

    bool start(const QString& program, const QStringList& args, const QString& workDir = {}) {
        if (!workDir.isEmpty()) m_p.setWorkingDirectory(workDir);
        m_p.start(program, args);
        return m_p.waitForStarted(5000);
    }
    // Waits for the process to exit on its own (bounded); false if it is still running.
    bool finish(int ms = 10000) {
        return m_p.state() == QProcess::NotRunning || m_p.waitForFinished(ms);
    }
    void stop() {
        if (m_p.state() == QProcess::NotRunning) return;
        m_p.terminate();
        if (!m_p.waitForFinished(3000)) {
            m_p.kill();
            m_p.waitForFinished(3000);
        }
    }
    int exitCode() const { return m_p.exitCode(); }
    QByteArray out() { return m_out += m_p.readAllStandardOutput(); }
    QByteArray err() { return m_err += m_p.readAllStandardError(); }
    bool running() const { return m_p.state() != QProcess::NotRunning; }

  private:
    QProcess m_p;
    QByteArray m_out, m_err;
};

inline QString tool(const char* name) {
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty()) path = QStandardPaths::findExecutable(name, {"/usr/sbin", "/sbin"});
    return path;
}

inline QString scenario(const char* file) {
    return QStringLiteral(SIPSCOPE_UA_DATA_DIR "/scenarios/") + file;
}

}  // namespace sipscope::uatest
