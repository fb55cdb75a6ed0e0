#pragma once
// What the call tracker accumulates for one open call (internal to analyzer/calls).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "calls/call_record.hpp"
#include "dialog/dialog.hpp"

namespace sipscope::analyzer {

// One out-of-dialog request of the call's initial method sent by the caller: the first one and
// every retry (after 401/407, after a failure).
struct Attempt {
    std::uint64_t tx = 0;
    std::string branch;
    std::uint32_t cseq = 0;
    std::int64_t ns = 0;
    std::optional<int> finalCode;
    std::string reason;
    std::optional<std::int64_t> finalNs, ringNs, firstResponseNs;
    bool cancelled = false;
    bool timeout = false;
    bool operator==(const Attempt&) const = default;
};

struct CallData {
    std::uint64_t no = 0;
    std::vector<std::string> callIds;
    std::string method;         // first out-of-dialog request's method
    bool inviteDialog = false;  // INVITE, BYE, PRACK ... seen: a call even if it began mid-way
    std::string firstRequestMethod;
    std::string fromUser, toUser, requestUser;
    std::string caller, callee, userAgent, transport;
    std::vector<std::string> sessionIds;  // RFC 7989 UUIDs registered for B2BUA correlation
    std::int64_t startNs = 0, lastNs = 0;
    std::vector<std::uint64_t> messageIds;
    std::uint32_t messages = 0, retransmissions = 0, duplicates = 0, transactions = 0;
    std::uint32_t authChallenges = 0;
    // The hops the call's initial method was sent over (its legs), in order of first sighting.
    std::vector<std::pair<std::string, std::string>> legHops;
    std::uint64_t firstRequestId = 0;
    stack::Bytes firstRequest;
    std::vector<Attempt> attempts;
    std::vector<std::uint64_t> openTx;  // a few at a time
    std::optional<std::int64_t> byeNs, byeDoneNs;
    std::uint64_t byeTx = 0;
    // The last BYE that ended a dialog no earlier BYE had ended: a call whose INVITE was
    // answered on several forks, or whose legs have dialogs of their own, lasts until then.
    std::optional<std::int64_t> lastByeNs;
    std::vector<std::uint64_t> byeDialogs;  // digests of the dialogs' tag pairs, a few
    std::map<std::string, stack::DialogState> dialogs;
    std::vector<MediaSummary> media;
    std::vector<stack::Anomaly> anomalies;
    bool closeScheduled = false;
    // Changes since the call was last reported as a snapshot (CallTracker::snapshotOpen).
    std::uint64_t revision = 1, snapshotRevision = 0;
    // A registration or subscription stays one call until it expires (RFC 3261 §10.2.1,
    // RFC 6665 §4.1.2): refreshes with the same Call-ID join it.
    std::int64_t holdUntilNs = 0;

    bool operator==(const CallData&) const = default;

    // Nothing open any more; or (idleSince) quiet for so long that a dialog still up is a call
    // whose end was not captured.
    bool closable(bool idle = false) const {
        if (!openTx.empty()) return false;
        if (idle) return true;
        for (const auto& [key, state] : dialogs)
            if (state != stack::DialogState::Terminated) return false;
        return true;
    }
};

// call_outcome.cpp: state, final code, times, metrics of a finished (or cut) call.
CallRecord buildRecord(const CallData& c);
// call_outcome.cpp: the media lines of an SDP body, as offer or answer.
void addMedia(CallData& c, const stack::SipMessage& m, std::uint64_t messageId, const char* origin);

}  // namespace sipscope::analyzer
