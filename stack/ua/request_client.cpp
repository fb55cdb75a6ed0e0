#include "ua/request_client.hpp"

#include <charconv>

#include "message/header_id.hpp"
#include "message/key_headers.hpp"

namespace sipscope::stack::ua {

namespace {

std::optional<int> toInt(std::string_view s) {
    int v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

RequestClient::RequestClient(SipEndpoint& endpoint, RequestOptions options)
    : m_endpoint(endpoint),
      m_options(std::move(options)),
      m_targets(m_options.target, m_options.alternates),
      m_digest(m_options.credentials.value_or(auth::Credentials{}),
               [&endpoint] { return endpoint.random(); }) {}

void RequestClient::start() {
    m_series.requestUri = m_options.requestUri;
    m_series.toUri = m_options.toUri;
    m_series.fromUri = m_options.fromUri;
    m_series.fromTag = m_endpoint.newToken();
    m_series.callId = m_endpoint.newToken() + "@sipscope";
    m_report.callId = m_series.callId;
    send({});
}

void RequestClient::send(const ExtraHeaders& auth) {
    const Target target = m_targets.current();
    m_auth = auth;
    m_report.targetsTried = m_targets.tried();
    m_gotResponse = false;
    const auto local = m_endpoint.prepare(target);
    if (!local.ok) return onFailure(false, local.error);
    m_series.contact = "sip:sipscope@" + local.local.hostPort();
    if (target.protocol != net::Protocol::Udp)
        m_series.contact += ";transport=" + std::string(net::protocolParam(target.protocol));
    ExtraHeaders extra = auth;
    extra.insert(extra.end(), m_options.extra.begin(), m_options.extra.end());
    const std::string via = m_endpoint.viaFor(target, local.local, m_endpoint.newBranch());
    auto request = buildRequest(m_series, m_options.method, via, extra, m_options.body);
    if (!request.ok()) {
        m_report.error = "cannot build the request: " + request.error().message;
        return finish("error");
    }
    m_sentAt = m_endpoint.loop().now();
    std::string error;
    // Callbacks of a transaction abandoned for the next target do not count any more.
    const std::uint64_t attempt = ++m_attempt;
    ClientCallbacks cb{[this, attempt](const SipMessage& r) {
                           if (attempt == m_attempt) onResponse(r);
                       },
                       [this, attempt](bool timeout, const std::string& why) {
                           if (attempt == m_attempt) onFailure(timeout, why);
                       }};
    if (!m_endpoint.sendRequest(request.value(), target, guarded(m_guard, std::move(cb)), error))
        onFailure(false, error);
}

void RequestClient::onFailure(bool timeout, const std::string& why) {
    if (m_done) return;
    // RFC 3263 §4.3: a transport failure, or Timer F without any response, moves the request
    // to the next target: the same request with a new Via branch (a new transaction).
    if (m_targets.failOver(timeout ? TargetFailure::Timeout : TargetFailure::Transport,
                           m_gotResponse))
        return send(m_auth);
    m_report.error = why;
    finish(timeout ? "timeout" : "error");
}

void RequestClient::onResponse(const SipMessage& r) {
    const int code = r.status().value_or(0);
    m_gotResponse = true;
    if (code < 200 || m_done) return;
    // RFC 3263 §4.3: a 503 sends the request to the next target.
    if (code == 503 && m_targets.failOver(TargetFailure::Unavailable, true)) return send(m_auth);
    m_report.latencyMs =
        std::chrono::duration<double, std::milli>(m_endpoint.loop().now() - m_sentAt).count();
    m_report.finalCode = code;
    m_report.reason = std::string(r.reason());
    m_report.finalResponse = r;
    if ((code == 401 || code == 407) && m_options.credentials) {
        const auto answer = m_digest.answer(r, m_options.method, m_series.requestUri);
        m_report.authRounds = m_digest.rounds();
        if (answer.verdict == auth::ChallengeVerdict::Answer ||
            answer.verdict == auth::ChallengeVerdict::Stale) {
            ExtraHeaders extra;
            for (const auto& h : answer.headers)
                extra.emplace_back(h.proxy ? "Proxy-Authorization" : "Authorization", h.value);
            // RFC 3261 §22.2 / §10.2: same Call-ID, CSeq + 1.
            ++m_series.cseq;
            return send(extra);
        }
        m_report.error = "authentication failed: " + answer.error;
    } else if (code == 401 || code == 407) {
        m_report.error = "authentication required but no credentials given (--auth-user)";
    }
    finish(code < 300 ? "ok" : "rejected");
}

void RequestClient::finish(std::string result) {
    if (m_done) return;
    m_done = true;
    m_report.result = std::move(result);
    if (onDone) onDone();
}

std::optional<int> grantedExpiry(const SipMessage& response) {
    for (const auto& h : response.headers()) {
        if (h.id != HeaderId::Contact) continue;
        const auto v = headerParam(h.value, "expires");
        if (!v.empty()) return toInt(v);
    }
    const auto e = response.headerValue(HeaderId::Expires);
    if (!e.empty()) return toInt(e);
    return std::nullopt;
}

}  // namespace sipscope::stack::ua
