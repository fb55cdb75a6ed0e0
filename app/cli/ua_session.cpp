#include "ua_session.hpp"

#include <signal.h>

#include <random>

#include "capture_run.hpp"
#include "ua/request_factory.hpp"
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
    "  --transport udp|tcp|tls  transport to the next hop (default: the URI's ;transport=,\n"
    "                           tls for sips:, else udp)\n"
    "  --from URI               our From URI (default sip:sipscope@HOST, or AUTH_USER@HOST)\n"
    "  --auth-user U --password P   digest credentials (RFC 2617/8760: MD5, SHA-256)\n"
    "  --db LIB.sqlite          record every message sent/received as a capture of its own\n"
    "  --ca FILE                trust these CA certificates (TLS) instead of the system store\n"
    "  --insecure               do not verify the TLS server certificate\n"
    "  --cert FILE [--key FILE] TLS certificate (client certificate; listen: server certificate)\n"
    "  --bind ADDR              local address to bind (default: any)\n"
    "  --local-port N           local UDP port (default: any free port)\n"
    "  --t1-ms N                RFC 3261 T1 in milliseconds (default 500)\n";

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
        "--transport", "--from", "--auth-user", "--password",   "--db",   "--ca",
        "--cert",      "--key",  "--bind",      "--local-port", "--t1-ms"};
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
    int family = AF_INET;
    if (needTarget) {
        std::string uri = o.uri;
        if (!uri.empty() && uri.front() == '<') uri = uri.substr(1, uri.find('>') - 1);
        auto parsed = stack::parseUri(uri);
        if (!parsed.ok() || !parsed->isSip()) {
            error = "not a sip: or sips: URI: " + o.uri;
            return false;
        }
        const auto& sip = parsed->sip;
        net::Protocol p =
            parsed->scheme == stack::UriScheme::Sips ? net::Protocol::Tls : net::Protocol::Udp;
        if (auto t = protocolOf(sip.transport())) p = *t;
        if (o.transport) p = *o.transport;
        const auto resolved = net::resolveHost(sip.host, sip.port.value_or(net::defaultPort(p)));
        if (resolved.addresses.empty()) {
            error = resolved.error;
            return false;
        }
        m_target.protocol = p;
        m_target.address = resolved.addresses.front();
        std::string host(sip.host);
        if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
        m_target.tlsName = host;
        family = m_target.address.family();
    } else if (!o.bind.empty()) {
        family = net::SockAddr::fromLiteral(o.bind, 0).family();
    }
    m_transport = std::make_unique<net::TransportLayer>(m_loop);
    if (m_target.protocol == net::Protocol::Tls && !m_transport->setTlsClient(o.tls, error))
        return false;
    net::SockAddr local = net::SockAddr::fromLiteral(
        o.bind.empty() ? (family == AF_INET6 ? "::" : "0.0.0.0") : o.bind, o.localPort);
    if (!local.valid()) {
        error = "bad --bind address " + o.bind;
        return false;
    }
    if (!m_transport->openUdp(local, error)) return false;
    auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
    m_endpoint = std::make_unique<stack::ua::SipEndpoint>(m_loop, *m_transport, o.timers,
                                                          [rng] { return (*rng)(); });
    if (!o.db.empty()) {
        if (!m_recorder.open(o.db, description, o.timers, error)) return false;
        m_endpoint->tap = [this](const stack::ua::TappedMessage& t) { m_recorder.record(t); };
    }
    return true;
}

}  // namespace sipscope::cli
