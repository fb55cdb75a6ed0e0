#include "transport/dns_resolver.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sipscope::stack::net {

namespace {

using Clock = std::chrono::steady_clock;

int remainingMs(Clock::time_point end) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    return static_cast<int>(std::clamp<long long>(left.count(), 0, 60000));
}

// One poll() on one descriptor until `end`; false on timeout or error.
bool waitFor(int fd, short events, Clock::time_point end) {
    pollfd p{fd, events, 0};
    for (int i = 0; i < 64; ++i) {  // EINTR retries, bounded
        const int rc = ::poll(&p, 1, remainingMs(end));
        if (rc > 0) return true;
        if (rc == 0 || errno != EINTR) return false;
    }
    return false;
}

bool matches(const dns::Message& m, std::uint16_t id, const dns::Question& q) {
    return m.header.response && m.header.id == id && m.questions.size() == 1 &&
           dns::sameName(m.questions[0].name, q.name) && m.questions[0].type == q.type &&
           m.questions[0].klass == q.klass;
}

bool readInt(std::string_view text, int& out) {
    if (text.empty() || text.size() > 4) return false;
    int v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

}  // namespace

struct DnsResolver::Pending {
    dns::Question question;
    std::uint16_t id = 0;
    std::vector<std::uint8_t> wire;
    std::vector<SockAddr> sentTo;
    DnsReply reply;
    bool done = false;
};

std::optional<SockAddr> parseDnsServer(std::string_view text) {
    std::uint16_t port = 53;
    std::string_view host = text;
    const auto portOf = [&port](std::string_view p) {
        if (p.empty() || p.size() > 5) return false;
        unsigned v = 0;
        for (char c : p) {
            if (c < '0' || c > '9') return false;
            v = v * 10 + static_cast<unsigned>(c - '0');
        }
        if (v == 0 || v > 65535) return false;
        port = static_cast<std::uint16_t>(v);
        return true;
    };
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        const auto rest = text.substr(close + 1);
        if (!rest.empty() && (rest.front() != ':' || !portOf(rest.substr(1)))) return std::nullopt;
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const auto colon = text.find(':');  // IPv4:PORT; a bare IPv6 address has several
        host = text.substr(0, colon);
        if (!portOf(text.substr(colon + 1))) return std::nullopt;
    }
    auto addr = SockAddr::fromLiteral(host, port);
    if (!addr.valid()) return std::nullopt;
    return addr;
}

DnsConfig parseResolvConf(std::string_view text) {
    DnsConfig config;
    std::istringstream in{std::string(text)};
    std::string line;
    for (int n = 0; n < 4096 && std::getline(in, line); ++n) {
        std::istringstream words(line);
        std::string keyword, value;
        words >> keyword;
        if (keyword == "nameserver" && words >> value) {
            // resolv.conf(5): up to three servers, an IPv6 zone suffix is not supported here.
            if (auto addr = SockAddr::fromLiteral(value, 53);
                addr.valid() && config.servers.size() < 3)
                config.servers.push_back(addr);
        } else if (keyword == "options") {
            while (words >> value) {
                int v = 0;
                if (value.rfind("timeout:", 0) == 0 && readInt(value.substr(8), v))
                    config.timeout = std::chrono::seconds(std::clamp(v, 1, 30));
                else if (value.rfind("attempts:", 0) == 0 && readInt(value.substr(9), v))
                    config.attempts = std::clamp(v, 1, 5);
            }
        }
    }
    return config;
}

DnsConfig systemDnsConfig(const std::string& path) {
    std::ifstream file(path);
    if (!file) return {};
    std::ostringstream text;
    text << file.rdbuf();
    return parseResolvConf(text.str().substr(0, 1 << 16));
}

DnsResolver::DnsResolver(DnsConfig config, std::function<std::uint64_t()> random)
    : m_config(std::move(config)), m_random(std::move(random)) {
    m_deadline = Clock::now() + m_config.totalLimit;
}

DnsResolver::~DnsResolver() {
    for (const auto& [server, fd] : m_udp) ::close(fd);
}

int DnsResolver::socketFor(const SockAddr& server, std::string& error) {
    if (const auto it = m_udp.find(server); it != m_udp.end()) return it->second;
    const int fd = ::socket(server.family(), SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        error = "DNS: cannot open a UDP socket: " + std::string(std::strerror(errno));
        return -1;
    }
    if (::connect(fd, server.sa(), server.len()) != 0) {
        error = "DNS: cannot reach " + server.hostPort() + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    m_udp[server] = fd;
    return fd;
}

std::string DnsResolver::timeoutText() const {
    std::string servers;
    for (const auto& s : m_config.servers) servers += (servers.empty() ? "" : ", ") + s.hostPort();
    const auto ms = m_config.timeout.count();
    const std::string secs =
        ms % 1000 == 0 ? std::to_string(ms / 1000)
                       : std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100);
    return "DNS: no answer from " + servers + " within " + secs + " s";
}

std::string DnsResolver::refusedText(const std::vector<SockAddr>& refused) {
    std::string servers;
    for (const auto& s : refused)
        if (servers.find(s.hostPort()) == std::string::npos)
            servers += (servers.empty() ? "" : ", ") + s.hostPort();
    return "DNS: " + servers + " refused the query (ICMP port unreachable: no DNS server there)";
}

// Reads replies until every query of `pending` is answered or `attemptEnd`.
bool DnsResolver::receive(int fd, const SockAddr& server, std::vector<Pending>& pending,
                          Clock::time_point attemptEnd) {
    std::vector<std::uint8_t> buf(65535);
    for (std::size_t n = 0; n < 4096; ++n) {  // bounded even under a flood of datagrams
        if (std::all_of(pending.begin(), pending.end(), [](const Pending& p) { return p.done; }))
            return true;
        if (!waitFor(fd, POLLIN, attemptEnd)) return true;
        const ssize_t got = ::recv(fd, buf.data(), buf.size(), 0);
        if (got < 0 && errno == ECONNREFUSED) return false;
        if (got <= 0) continue;
        auto decoded = dns::decodeMessage(std::span(buf.data(), static_cast<std::size_t>(got)));
        if (!decoded) continue;  // RFC 5452 §9.1: an unusable reply is dropped, not trusted
        for (Pending& p : pending) {
            if (p.done || !matches(*decoded, p.id, p.question)) continue;
            m_anyAnswer = true;
            // RFC 1035 §4.2.1 / RFC 7766 §5: a truncated UDP reply is asked again over TCP.
            p.reply = decoded->header.truncated ? overTcp(server, p, attemptEnd)
                                                : DnsReply{std::move(decoded.value()), {}};
            p.done = p.reply.message.has_value();
            break;
        }
    }
    return true;
}

DnsReply DnsResolver::overTcp(const SockAddr& server, const Pending& p, Clock::time_point end) {
    const int fd = ::socket(server.family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return {std::nullopt, "DNS: cannot open a TCP socket"};
    DnsReply out{std::nullopt,
                 "DNS: truncated reply from " + server.hostPort() + " and no answer over TCP"};
    std::vector<std::uint8_t> framed{static_cast<std::uint8_t>(p.wire.size() >> 8),
                                     static_cast<std::uint8_t>(p.wire.size() & 0xFF)};
    framed.insert(framed.end(), p.wire.begin(), p.wire.end());
    int soError = 0;
    socklen_t len = sizeof soError;
    const int rc = ::connect(fd, server.sa(), server.len());
    bool ok =
        rc == 0 || (errno == EINPROGRESS && waitFor(fd, POLLOUT, end) &&
                    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) == 0 && soError == 0);
    for (std::size_t sent = 0; ok && sent < framed.size();) {
        const ssize_t n = ::send(fd, framed.data() + sent, framed.size() - sent, MSG_NOSIGNAL);
        if (n > 0)
            sent += static_cast<std::size_t>(n);
        else
            ok = (n < 0 && errno == EAGAIN) && waitFor(fd, POLLOUT, end);
    }
    // RFC 1035 §4.2.2: a two-octet length, then the message.
    std::vector<std::uint8_t> in;
    std::size_t want = 2;
    std::uint8_t chunk[4096];
    while (ok && in.size() < want) {
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n > 0) {
            in.insert(in.end(), chunk, chunk + n);
            if (want == 2 && in.size() >= 2) want = 2 + (std::size_t{in[0]} << 8 | in[1]);
        } else {
            ok = n < 0 && errno == EAGAIN && waitFor(fd, POLLIN, end);
        }
    }
    ::close(fd);
    if (!ok || want <= 2) return out;
    auto decoded = dns::decodeMessage(std::span(in.data() + 2, want - 2));
    if (!decoded) return {std::nullopt, decoded.error().message};
    if (!matches(*decoded, p.id, p.question)) return out;
    return {std::move(decoded.value()), {}};
}

std::vector<DnsReply> DnsResolver::ask(const std::vector<dns::Question>& questions) {
    std::vector<Pending> pending(questions.size());
    for (std::size_t i = 0; i < questions.size(); ++i) {
        Pending& p = pending[i];
        p.question = questions[i];
        // RFC 5452 §9.2: unpredictable ids; unique within the round so replies cannot mix.
        for (int tries = 0; tries < 16; ++tries) {
            p.id = static_cast<std::uint16_t>(m_random() & 0xFFFF);
            if (std::none_of(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(i),
                             [&](const Pending& o) { return o.id == p.id; }))
                break;
        }
        auto wire =
            dns::encodeQuery(p.id, p.question.name, static_cast<dns::RrType>(p.question.type));
        if (!wire) {
            p.done = true;
            p.reply.error = wire.error().message;
        } else {
            p.wire = std::move(wire.value());
        }
    }
    std::string sendError;
    std::vector<SockAddr> refused;
    if (m_config.servers.empty()) sendError = "DNS: no nameserver configured";
    for (int attempt = 0; attempt < m_config.attempts && m_deadError.empty(); ++attempt) {
        for (const SockAddr& server : m_config.servers) {
            if (Clock::now() >= m_deadline) break;
            const int fd = socketFor(server, sendError);
            if (fd < 0) continue;
            for (Pending& p : pending) {
                if (p.done) continue;
                if (::send(fd, p.wire.data(), p.wire.size(), 0) < 0)
                    sendError =
                        "DNS: cannot send to " + server.hostPort() + ": " + std::strerror(errno);
                else
                    p.sentTo.push_back(server);
            }
            if (!receive(fd, server, pending,
                         std::min(Clock::now() + m_config.timeout, m_deadline)))
                refused.push_back(server);
        }
    }
    bool anyReply = false;
    std::vector<DnsReply> out;
    for (Pending& p : pending) {
        anyReply = anyReply || p.done;
        const bool allRefused =
            !p.sentTo.empty() && std::all_of(p.sentTo.begin(), p.sentTo.end(), [&](const auto& s) {
                return std::find(refused.begin(), refused.end(), s) != refused.end();
            });
        if (!p.done && p.reply.error.empty())
            p.reply.error = !m_deadError.empty() ? m_deadError
                            : p.sentTo.empty()   ? sendError
                            : allRefused         ? refusedText(refused)
                                                 : timeoutText();
        out.push_back(std::move(p.reply));
    }
    // Nothing came back from any server: later rounds fail at once instead of waiting again.
    if (!anyReply && !pending.empty() && !m_anyAnswer) m_deadError = out.front().error;
    return out;
}

void DnsResolver::run(dns::ServerLocator& locator) {
    m_deadline = Clock::now() + m_config.totalLimit;
    for (int round = 0; round < 64 && !locator.done(); ++round) {
        const auto questions = locator.takeQueries();
        if (questions.empty()) break;
        const auto replies = ask(questions);
        for (std::size_t i = 0; i < questions.size(); ++i) {
            if (replies[i].message)
                locator.onResponse(questions[i], *replies[i].message);
            else
                locator.onNoAnswer(questions[i], replies[i].error);
        }
    }
}

}  // namespace sipscope::stack::net
