#pragma once
// One out-of-dialog non-INVITE request (OPTIONS ping, REGISTER, MESSAGE) in a non-INVITE client
// transaction (RFC 3261 §17.1.2), retried with digest credentials on 401/407 (§22.2) and sent
// again to the next RFC 3263 target when one fails (§4.3, see TargetList). Sending ->
// ((Challenged | FailedOver) -> Sending)* -> Done.

#include <memory>
#include <optional>
#include <string>

#include "auth/digest.hpp"
#include "ua/request_factory.hpp"
#include "ua/sip_endpoint.hpp"
#include "ua/target_list.hpp"

namespace sipscope::stack::ua {

struct RequestOptions {
    std::string method = "OPTIONS";
    std::string requestUri, toUri, fromUri;
    Target target;
    std::vector<Target> alternates;  // RFC 3263 §4.3: tried in turn when `target` fails
    std::optional<auth::Credentials> credentials;
    ExtraHeaders extra;
    std::optional<BodyPart> body;
};

struct RequestReport {
    std::string result = "error";  // ok (2xx), rejected (>= 300), timeout (Timer F), error
    std::optional<int> finalCode;
    std::string reason, callId, error;
    int authRounds = 0;
    std::optional<double> latencyMs;  // the answered request to its final response
    std::optional<SipMessage> finalResponse;
    int targetsTried = 0;  // RFC 3263 §4.3: 1 + targets failed over to
};

class RequestClient {
  public:
    RequestClient(SipEndpoint& endpoint, RequestOptions options);

    void start();
    bool done() const noexcept { return m_done; }
    const RequestReport& report() const noexcept { return m_report; }
    std::function<void()> onDone;

  private:
    void send(const ExtraHeaders& auth);
    void onResponse(const SipMessage& response);
    void onFailure(bool timeout, const std::string& why);
    void finish(std::string result);

    SipEndpoint& m_endpoint;
    RequestOptions m_options;
    RequestSeries m_series;
    TargetList m_targets;
    ExtraHeaders m_auth;          // the request's credentials, sent again to the next target
    std::uint64_t m_attempt = 0;  // the transaction whose callbacks count
    bool m_gotResponse = false;   // that transaction received a response (1xx included)
    auth::DigestClient m_digest;
    RequestReport m_report;
    Instant m_sentAt{0};
    bool m_done = false;
    std::shared_ptr<int> m_guard = std::make_shared<int>(0);  // see guarded()
};

// RFC 3261 §10.2.4: the expiry the registrar granted to `contact` (its Contact ;expires=, else
// the Expires header), nullopt when neither is present.
std::optional<int> grantedExpiry(const SipMessage& response);

}  // namespace sipscope::stack::ua
