#pragma once
// A call as SipScope reports it: every leg, dialog, transaction and message of one call (or of
// one REGISTER/OPTIONS/MESSAGE/SUBSCRIBE exchange), its outcome and its RFC 6076 metrics.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "observe/observer_events.hpp"

namespace sipscope::analyzer {

enum class CallKind : std::uint8_t { Call, Register, Options, Message, Subscribe, Other };
const char* callKindName(CallKind k) noexcept;  // "call", "register", ...

enum class CallState : std::uint8_t {
    InProgress,  // no final response and no ringing yet
    Ringing,     // 180/183 seen, no final response
    Answered,    // 2xx to the initial request
    Busy,        // 486 Busy Here, 600 Busy Everywhere
    Rejected,    // other 3xx/4xx/6xx final response (401/407 retried do not count)
    Cancelled,   // CANCEL / 487 Request Terminated
    Timeout,     // no final response: Timer B/F fired (408 from a proxy too)
    Failed       // 5xx
};
const char* callStateName(CallState s) noexcept;  // "in_progress", "ringing", ...

struct MediaSummary {
    std::string origin;  // "offer" or "answer"
    std::uint64_t messageId = 0;
    std::string type;  // audio, video, image ...
    std::string address;
    std::uint16_t port = 0;
    std::string direction;            // sendrecv, sendonly, recvonly, inactive
    std::vector<std::string> codecs;  // "PCMU/8000", "telephone-event/8000"
    bool hold = false;  // sendonly/inactive or a 0.0.0.0 connection address (RFC 3264 §8.4)
    bool operator==(const MediaSummary&) const = default;
};

// RFC 6076 metrics of one call, in milliseconds (see metrics.hpp for the formulas).
struct CallMetrics {
    std::optional<double> pddMs;  // post-dial delay: initial request -> first 18x
    std::optional<double> srdMs;  // session request delay (RFC 6076 §4.3)
    std::optional<double> sddMs;  // session disconnect delay (§4.4)
    std::optional<double> sdtMs;  // session duration time (§4.5)
    std::optional<double> rrdMs;  // registration request delay (§4.1)
};

struct DialogCounts {
    std::uint32_t early = 0, confirmed = 0, terminated = 0;
};

struct CallRecord {
    std::uint64_t number = 0;  // 1-based, in start order
    std::uint64_t key = 0;     // the tracker's internal call key (messages carry it too)
    std::string callId;        // of the first leg
    std::vector<std::string> callIds;
    CallKind kind = CallKind::Other;
    std::string method;  // the initial request's method
    std::string fromUser, toUser;
    std::string caller, callee;  // first leg's ends (ip:port)
    std::string userAgent;       // of the caller
    std::string transport;       // first leg's transport
    std::int64_t startNs = 0;
    std::optional<std::int64_t> answerNs, endNs;
    CallState state = CallState::InProgress;
    std::optional<int> finalCode;
    std::string finalReason;
    std::uint32_t messages = 0, retransmissions = 0, duplicates = 0, legs = 0, transactions = 0;
    std::uint32_t authChallenges = 0;
    std::optional<bool> authOk;  // after a challenge: did the retried request succeed?
    DialogCounts dialogs;
    std::vector<MediaSummary> media;
    CallMetrics metrics;
    std::vector<stack::Anomaly> anomalies;
    // RTP verdicts of the media analysis (issue 9): one_way_audio, no_media, codec_mismatch.
    std::vector<std::string> mediaProblems;
    std::vector<std::uint64_t> messageIds;
    std::vector<std::pair<std::string, std::string>> legHops;  // (src, dst) of each leg
    std::uint64_t firstMessageId = 0;  // the call's first request (for header filters)
    stack::Bytes firstRequest;         // its bytes (shared; parse them for its headers), when kept:
                                       // CallTrackerOptions::keepFirstRequest
};

// Every value of header `name` (any case, compact forms too) in `m`, for header() filters.
std::vector<std::string> headerValues(const stack::SipMessage& m, std::string_view name);

}  // namespace sipscope::analyzer
