#include "ua_session.hpp"

#include <signal.h>

#include <algorithm>
#include <random>

#include "capture_run.hpp"
#include "transport/dns_resolver.hpp"
#include "ua/request_factory.hpp"
#include "ua/wav_source.hpp"
#include "ua_json.hpp"
#include "uri/uri.hpp"

namespace sipscope::cli {

namespace net = stack::net;

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onSignal(int) {
    g_interrupted = 1;
}

std::optional<net::Protocol> protocolOf(std::string_view s) {
    if (s == "udp" || s == "UDP") return net::Protocol::Udp;
    if (s == "tcp" || s == "TCP") return net::Protocol::Tcp;
    if (s == "tls" || s == "TLS") return net::Protocol::Tls;
    return std::nullopt;
}

}  // namespace

const char* const kUaCommonHelp =
    "  --transport udp|tcp|tls  transport to the next hop (default: RFC 3263: the URI's\n"
    "                           ;transport=, else DNS NAPTR/SRV, else tls for sips:, udp)\n"
    "  --from URI               our From URI (default sip:sipscope@HOST, or AUTH_USER@HOST)\n"
    "  --auth-user U --password P   digest credentials (RFC 2617/8760: MD5, SHA-256)\n"
    "  --db LIB.sqlite          record every message sent/received as a capture of its own\n"
    "  --trace FILE|-           as each message is sent or received, write it as one JSON line\n"
    "                           (event, seq, sent, ts, transport, local, remote, bytes) to FILE,\n"
    "                           or with - to standard error; standard output is unchanged\n"
    "  --ca FILE                trust these CA certificates (TLS) instead of the system store\n"
    "  --insecure               do not verify the TLS server certificate\n"
    "  --cert FILE [--key FILE] TLS certificate (client certificate; listen: server certificate)\n"
    "  --bind ADDR              local address to bind (default: any)\n"
    "  --local-port N           local UDP port (default: any free port)\n"
    "  --t1-ms N                RFC 3261 T1 in milliseconds (default 500)\n"
    "  --connect-timeout S      give up a TCP connect or TLS handshake after S s (default 5)\n"
    "  --dns-server ADDR[:PORT] (call, options, register, message; repeatable) the DNS server\n"
    "                           for RFC 3263 NAPTR/SRV/A/AAAA lookups of a host name, instead\n"
    "                           of /etc/resolv.conf's (which fall back to getaddrinfo)\n";

int parseCommonOption(const Args& args, std::size_t& i, UaCommonOptions& o, std::string& error) {
    const std::string_view a = args[i];
    const auto value = [&](std::string_view& out) {
        if (i + 1 >= args.size()) {
            error = std::string(a) + " needs a value";
            return false;
        }
        out = args[++i];
        return true;
    };
    std::string_view v;
    if (a == "--insecure") {
        o.tls.insecure = true;
        return 1;
    }
    static constexpr std::string_view kWithValue[] = {
        "--transport",  "--from",           "--auth-user", "--password", "--db",         "--trace",
        "--ca",         "--cert",           "--key",       "--bind",     "--local-port", "--t1-ms",
        "--dns-server", "--connect-timeout"};
    bool known = false;
    for (auto k : kWithValue) known = known || k == a;
    if (!known) return 0;
    if (!value(v)) return -1;
    if (a == "--transport") {
        o.transport = protocolOf(v);
        if (!o.transport) {
            error = "--transport must be udp, tcp or tls";
            return -1;
        }
    } else if (a == "--from") {
        o.from = std::string(v);
    } else if (a == "--auth-user") {
        o.authUser = std::string(v);
    } else if (a == "--password") {
        o.password = std::string(v);
    } else if (a == "--db") {
        o.db = std::string(v);
    } else if (a == "--trace") {
        o.trace = std::string(v);
    } else if (a == "--ca") {
        o.tls.caFile = std::string(v);
    } else if (a == "--cert") {
        o.tls.certFile = std::string(v);
    } else if (a == "--key") {
        o.tls.keyFile = std::string(v);
    } else if (a == "--bind") {
        o.bind = std::string(v);
    } else if (a == "--local-port") {
        if (!parsePort(v, o.localPort)) {
            error = "bad --local-port";
            return -1;
        }
    } else if (a == "--dns-server") {
        auto server = net::parseDnsServer(v);
        if (!server) {
            error =
                "--dns-server needs ADDR or ADDR:PORT (IPv6: [ADDR]:PORT), not " + std::string(v);
            return -1;
        }
        o.dnsServers.push_back(*server);
    } else if (a == "--connect-timeout") {
        if (!parseSeconds(v, o.connectTimeout) || o.connectTimeout.count() == 0) {
            error = "bad --connect-timeout";
            return -1;
        }
    } else if (a == "--t1-ms") {
        if (!parseMilliseconds(v, o.timers.t1, false)) {
            error = "bad --t1-ms";
            return -1;
        }
        o.timers.t2 = std::max(o.timers.t2, o.timers.t1);
    }
    if (!o.authUser.empty()) o.credentials = stack::auth::Credentials{o.authUser, o.password};
    return 1;
}

UaSession::UaSession() = default;

UaSession::~UaSession() {
    m_endpoint.reset();
    m_transport.reset();
    m_recorder.finish();
}

bool UaSession::interrupted() noexcept {
    return g_interrupted != 0;
}

void UaSession::installSignalHandlers() {
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll() returns and the loop sees the flag
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

std::string UaSession::fromUri() const {
    if (!m_options.from.empty()) return m_options.from;
    std::string host = "sipscope.invalid";
    std::string uri = m_options.uri;
    if (!uri.empty() && uri.front() == '<') uri = uri.substr(1, uri.find('>') - 1);
    if (auto parsed = stack::parseUri(uri); parsed.ok() && parsed->isSip())
        host = std::string(parsed->sip.host);
    const std::string user = m_options.authUser.empty() ? "sipscope" : m_options.authUser;
    return "sip:" + user + "@" + host;
}

bool UaSession::open(const UaCommonOptions& o, bool needTarget, const std::string& description,
                     std::string& error) {
    m_options = o;
    if (!o.trace.empty() && !m_trace.open(o.trace, error)) return false;
    int family = o.bind.empty() ? AF_UNSPEC : net::SockAddr::fromLiteral(o.bind, 0).family();
    auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
    std::vector<stack::ua::NextHop> hops;
    if (needTarget) {
        // RFC 3263 §4: NAPTR/SRV/A/AAAA server location, done before the event loop starts.
        hops = stack::ua::locateNextHops(
            o.uri, {o.transport, o.dnsServers, [rng] { return (*rng)(); }}, error);
        if (hops.empty()) return false;
    }
    m_transport = std::make_unique<net::TransportLayer>(m_loop);
    m_transport->setConnectTimeout(o.connectTimeout);
    const bool anyTls = std::any_of(hops.begin(), hops.end(), [](const stack::ua::NextHop& h) {
        return h.target.protocol == net::Protocol::Tls;
    });
    if (anyTls && !m_transport->setTlsClient(o.tls, error)) return false;
    if (needTarget) {
        if (family != AF_UNSPEC)
            std::erase_if(hops, [family](const stack::ua::NextHop& h) {
                return h.target.address.family() != family;
            });
        if (hops.empty()) {
            error = "no target of the --bind address family for " + o.uri;
            return false;
        }
        if (!chooseTarget(hops, error)) return false;
        family = m_target.address.family();
    }
    net::SockAddr local = net::SockAddr::fromLiteral(
        o.bind.empty() ? (family == AF_INET6 ? "::" : "0.0.0.0") : o.bind, o.localPort);
    if (!local.valid()) {
        error = "bad --bind address " + o.bind;
        return false;
    }
    if (!m_transport->openUdp(local, error)) return false;
    openAlternateFamilies();
    m_endpoint = std::make_unique<stack::ua::SipEndpoint>(m_loop, *m_transport, o.timers,
                                                          [rng] { return (*rng)(); });
    if (!o.db.empty() && !m_recorder.open(o.db, description, o.timers, error)) return false;
    if (m_recorder.active() || m_trace.active())
        m_endpoint->tap = [this](const stack::ua::TappedMessage& t) {
            m_trace.write(t);  // first: the live view should not wait for the store
            m_recorder.record(t);
        };
    return true;
}

bool UaSession::chooseTarget(const std::vector<stack::ua::NextHop>& hops, std::string& error) {
    std::string failures;
    for (const auto& hop : hops) {
        // A UDP hop cannot be checked before sending: it is taken as it comes.
        const bool stream = hop.target.protocol != net::Protocol::Udp;
        std::string why;
        if (stream) {
            // Connects run in the loop: wait for this one to come up or fail (RFC 3263 §4.3).
            const auto r = m_transport->prepareAndWait(hop.target.protocol, hop.target.address,
                                                       hop.target.tlsName);
            why = r.ok ? "" : r.error.empty() ? "connection failed" : r.error;
        }
        if (why.empty()) {
            m_target = hop.target;
            m_targetHow = hop.how;
            // RFC 3263 §4.3: the ones after it stay for a request that fails at this one.
            m_hops.assign(hops.begin() + (&hop - hops.data()), hops.end());
            return true;
        }
        // RFC 3263 §4.3: a target that refuses the connection gives way to the next one.
        failures += (failures.empty() ? "" : "; ") + hop.target.address.hostPort() + ": " + why;
    }
    error = "no target took the connection: " + failures;
    return false;
}

void UaSession::openAlternateFamilies() {
    std::vector<int> families;
    for (const auto& hop : m_hops)
        if (hop.target.protocol == net::Protocol::Udp)
            families.push_back(hop.target.address.family());
    for (const int family : families) {
        if (m_transport->udpLocal(family).valid()) continue;
        // The other family's wildcard address, on the same port when --local-port gave one.
        std::string ignored;
        const auto any =
            net::SockAddr::fromLiteral(family == AF_INET6 ? "::" : "0.0.0.0", m_options.localPort);
        if (m_transport->openUdp(any, ignored)) continue;
        std::erase_if(m_hops, [family](const stack::ua::NextHop& h) {
            return h.target.protocol == net::Protocol::Udp && h.target.address.family() == family;
        });
    }
}

std::vector<stack::ua::Target> UaSession::alternates() const {
    std::vector<stack::ua::Target> out;
    for (std::size_t i = 1; i < m_hops.size(); ++i) out.push_back(m_hops[i].target);
    return out;
}

const stack::ua::NextHop* UaSession::hopTried(int tried) const {
    if (m_hops.empty()) return nullptr;
    const std::size_t i = tried <= 1 ? 0 : static_cast<std::size_t>(tried - 1);
    return &m_hops[std::min(i, m_hops.size() - 1)];
}

std::shared_ptr<const std::vector<std::int16_t>> loadCallAudio(const std::string& path,
                                                               std::string& error) {
    auto audio = stack::ua::loadWav(path);
    if (!audio.ok()) {
        error = audio.error().message;
        return nullptr;
    }
    return std::make_shared<const std::vector<std::int16_t>>(std::move(audio.value().samples));
}

}  // namespace sipscope::cli
