#pragma once
// An outgoing test call (the UAC side of RFC 3261 §13-§15): INVITE with an SDP offer, digest
// authentication for 401/407 (§22.2), CANCEL on timeout after a provisional (§9.1), ACK for the
// 2xx in its own transaction (§13.2.2.4; the ICT acknowledges non-2xx, §17.1.1.3), RTP media,
// a hold re-INVITE (§14.1, RFC 3264 §8.4 a=sendonly), BYE after the call length (§15.1),
// PRACK for reliable provisional responses (RFC 3262 §4, §7.2) in its own transaction, and
// the INVITE sent again to the next RFC 3263 target when one fails (§4.3, see TargetList).
// One state machine: Idle -> Inviting -> Early -> Confirmed
// -> Terminating -> Done, with Cancelling between Early and Done.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/digest.hpp"
#include "dialog/dialog.hpp"
#include "ua/media_description.hpp"
#include "ua/prack.hpp"
#include "ua/request_factory.hpp"
#include "ua/rtp_session.hpp"
#include "ua/sip_endpoint.hpp"
#include "ua/target_list.hpp"

namespace sipscope::stack::ua {

// RFC 3262 §4: 100rel offered in Supported, demanded in Require, or not mentioned.
enum class Rel100 { Off, Supported, Required };

struct CallOptions {
    std::string targetUri, fromUri;
    Target target;
    std::vector<Target> alternates;  // RFC 3263 §4.3: tried in turn when `target` fails
    std::optional<auth::Credentials> credentials;
    Duration duration{5000};          // BYE this long after the answer
    std::optional<Duration> timeout;  // CANCEL (or give up) when unanswered this long
    std::vector<int> codecs{kPcmu, kPcma};
    bool media = true;
    Duration oneWayAfter{2000};         // one_way_audio when nothing was received this long
    std::optional<Duration> holdAfter;  // re-INVITE with a=sendonly this long after the answer
    Rel100 rel100 = Rel100::Off;
    std::shared_ptr<const std::vector<std::int16_t>> audio{};  // 8 kHz samples, not the tone
};

struct CallReport {
    std::string result = "error";  // answered busy rejected cancelled timeout error
    std::optional<int> finalCode;
    std::string reason, callId, error, codec;
    int authRounds = 0;
    std::optional<double> pddMs, setupMs, durationS;
    RtpStats rtp;
    bool mediaStarted = false;
    std::optional<bool> oneWayAudio;
    std::optional<int> holdCode;                  // final response to the hold re-INVITE
    int prackSent = 0, reliableProvisionals = 0;  // RFC 3262
    std::optional<int> prackCode;                 // final response to the last PRACK
    int targetsTried = 0;                         // RFC 3263 §4.3: 1 + targets failed over to
};

class CallClient {
  public:
    enum class State { Idle, Inviting, Early, Cancelling, Confirmed, Terminating, Done };

    CallClient(SipEndpoint& endpoint, CallOptions options);
    ~CallClient();
    CallClient(const CallClient&) = delete;
    CallClient& operator=(const CallClient&) = delete;

    void start();
    // Hangs up now: CANCEL when early, BYE when confirmed.
    void hangUp();
    State state() const noexcept { return m_state; }
    bool done() const noexcept { return m_state == State::Done; }
    const CallReport& report() const noexcept { return m_report; }
    // The report so far, with the media counters of a call still running (an interrupted run).
    CallReport snapshot() const {
        CallReport r = m_report;
        if (m_rtp) r.rtp = m_rtp->stats();
        return r;
    }
    // A request the endpoint received; true when it belonged to this call (BYE from the peer).
    bool onRequest(const ServerRequest& request);
    // A 2xx retransmission after the INVITE transaction ended: ACK it again (§13.2.2.4).
    void onStrayResponse(const SipMessage& response);

    std::function<void()> onDone;

  private:
    bool sendInvite(const ExtraHeaders& auth);
    void onInviteResponse(const SipMessage& response);
    void onInviteFailure(bool timeout, const std::string& why);
    bool tryNextTarget(TargetFailure failure);
    void onProvisional(const SipMessage& response);
    void sendPrack(const SipMessage& response, const std::string& rack);
    void onAnswered(const SipMessage& response);
    void onRejected(const SipMessage& response);
    bool retryWithAuth(const SipMessage& response);
    void onTimeout();
    void sendAck(const SipMessage& invite);
    void sendHold();
    void onHoldResponse(const SipMessage& response);
    void startMedia(const SipMessage& response);
    void sendBye();
    void finish(std::string result);
    double msSinceStart() const;

    SipEndpoint& m_endpoint;
    CallOptions m_options;
    State m_state = State::Idle;
    CallReport m_report;
    RequestSeries m_series;
    TargetList m_targets;
    ExtraHeaders m_auth;          // the INVITE's credentials, sent again to the next target
    std::uint64_t m_attempt = 0;  // the INVITE transaction whose callbacks count
    std::optional<SipMessage> m_invite, m_ack, m_reinvite;
    LocalMedia m_media;  // what we offered, for the re-offer
    std::optional<Dialog> m_dialog;
    std::map<std::string, Dialog> m_earlyDialogs;  // To tag -> early dialog (PRACK, RFC 3262 §4)
    PrackTracker m_prack;
    auth::DigestClient m_digest;
    std::unique_ptr<RtpSession> m_rtp;
    Instant m_startedAt{0}, m_answeredAt{0};
    net::EventLoop::TimerId m_timeoutTimer = 0, m_byeTimer = 0, m_holdTimer = 0;
    bool m_provisional = false;
    std::shared_ptr<int> m_guard = std::make_shared<int>(0);  // see guarded()
};

}  // namespace sipscope::stack::ua
