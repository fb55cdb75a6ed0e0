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
    const auto local = m_endpoint.prepare(m_options.target);
    if (!local.ok) {
        m_report.error = local.error;
        return finish("error");
    }
    m_series.contact = "sip:sipscope@" + local.local.hostPort();
    if (m_options.target.protocol != net::Protocol::Udp)
        m_series.contact +=
            ";transport=" + std::string(net::protocolParam(m_options.target.protocol));
    ExtraHeaders extra = auth;
    extra.insert(extra.end(), m_options.extra.begin(), m_options.extra.end());
    const std::string via =
        m_endpoint.viaFor(m_options.target, local.local, m_endpoint.newBranch());
    auto request = buildRequest(m_series, m_options.method, via, extra, m_options.body);
    if (!request.ok()) {
        m_report.error = "cannot build the request: " + request.error().message;
        return finish("error");
    }
    m_sentAt = m_endpoint.loop().now();
    std::string error;
    ClientCallbacks cb{[this](const SipMessage& r) { onResponse(r); },
                       [this](bool timeout, const std::string& why) {
                           if (m_done) return;
                           m_report.error = why;
                           finish(timeout ? "timeout" : "error");
                       }};
    if (!m_endpoint.sendRequest(request.value(), m_options.target, guarded(m_guard, std::move(cb)),
                                error)) {
        m_report.error = error;
        finish("error");
    }
}

void RequestClient::onResponse(const SipMessage& r) {
    const int code = r.status().value_or(0);
    if (code < 200 || m_done) return;
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
