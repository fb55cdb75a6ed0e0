#pragma once
// The answering mode (`listen`): the UAS side of RFC 3261 §13.3 and §15 for test calls. Each
// INVITE gets 180 Ringing, then after the chosen delay the chosen final code (a 2xx with an SDP
// answer, retransmitted until the ACK, §13.3.1.4); CANCEL ends it with 487 (§9.2), BYE with 200
// (§15.1.2). OPTIONS are answered 200 (§11.2). Per call: Ringing -> Answered -> Confirmed ->
// Ended, or Ringing -> Ended (rejected, cancelled). With `rel100` the 180 is sent reliably
// (RFC 3262 §3, see ReliableProvisional) and the final response waits for its PRACK.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dialog/dialog.hpp"
#include "ua/media_description.hpp"
#include "ua/rtp_session.hpp"
#include "ua/sip_endpoint.hpp"

namespace sipscope::stack::ua {

struct AnswerOptions {
    int code = 200;
    Duration delay{0};
    std::vector<int> codecs{kPcmu, kPcma};
    bool media = true;
    bool rel100 = false;                       // RFC 3262: reliable 180 when the INVITE allows
    std::optional<std::uint32_t> firstRseq{};  // the first RSeq (else random, RFC 3262 §3)
    std::shared_ptr<const std::vector<std::int16_t>> audio{};  // 8 kHz samples, not the tone
};

struct AnsweredCall {
    std::string callId, from, to, result;  // result: answered, rejected, cancelled, timeout
    int code = 0;
    int reinvites = 0;                         // re-INVITEs answered (hold, resume, refresh)
    int reliableProvisionals = 0, pracks = 0;  // RFC 3262: reliable 1xx sent, PRACKs answered 200
    std::optional<double> durationS;
    RtpStats rtp;
    bool media = false;
};

class Answerer {
  public:
    enum class CallState { Ringing, Answered, Confirmed, Ended };

    Answerer(SipEndpoint& endpoint, AnswerOptions options);
    ~Answerer();
    Answerer(const Answerer&) = delete;
    Answerer& operator=(const Answerer&) = delete;

    // Handles a request from the endpoint; false when it is not for the answerer.
    bool onRequest(const ServerRequest& request);
    std::size_t activeCalls() const noexcept;
    std::function<void(const AnsweredCall&)> onCallEnded;

  private:
    struct Call;
    void onInvite(const ServerRequest& r);
    void sendRinging(Call& call);
    void onReliableTimer(Call& call);
    void onPrack(const ServerRequest& r);
    std::string contactOf(const Call& call) const;
    void onReinvite(Call& call, const ServerRequest& r);
    void answer(Call& call);
    void retransmit2xx(Call& call, Duration interval);
    void onAck(Call& call);
    void onCancel(const ServerRequest& r);
    void onBye(const ServerRequest& r);
    void end(Call& call, std::string result);
    void reply(const ServerRequest& r, int code);

    SipEndpoint& m_endpoint;
    AnswerOptions m_options;
    std::map<std::string, std::unique_ptr<Call>> m_calls;  // Call-ID
    std::map<std::string, net::EventLoop::TimerId> m_reapTimers;
};

}  // namespace sipscope::stack::ua
