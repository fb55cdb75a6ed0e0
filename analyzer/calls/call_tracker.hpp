#pragma once
// The call tracker (ARCHITECTURE.md "Passive pipeline"): observed messages go through the
// transaction and dialog shadows (stack/observe); their verdicts, transaction records, dialog
// events and anomalies are grouped into calls: legs through proxies (same Call-ID), B2BUA legs
// (X-CID / X-Call-ID / Session-ID, or a time + number heuristic), outcome and metrics. Calls
// are reported once they are over, in start order; memory holds only calls still open.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "calls/call_record.hpp"
#include "core/digest_map.hpp"
#include "core/id_table.hpp"
#include "core/observed_message.hpp"
#include "core/packing.hpp"
#include "core/string_hash.hpp"
#include "observe/dialog_observer.hpp"
#include "observe/transaction_observer.hpp"

namespace sipscope::analyzer {

struct CallTrackerOptions {
    stack::ObserverOptions observer;
    // B2BUA heuristic: an INVITE with a new Call-ID sent from the address an unanswered INVITE
    // was sent to, within this window and for the same called number, is the same call's next
    // leg. 0 disables the heuristic (correlation headers still apply).
    std::chrono::milliseconds b2buaWindow{2000};
    // A call with nothing open is reported after this much capture time without activity, so
    // that late messages with its Call-ID still join it.
    std::chrono::milliseconds linger{32000};
    // A call whose dialog is still up (the BYE was not captured) is reported anyway after this
    // much capture time without any message of it, so later calls are not held back.
    std::chrono::milliseconds maxIdle{7200000};
    // CallRecord::firstRequest is filled (the bytes of the call's first request, for filters on
    // its headers). Off, an answered call does not keep its INVITE's datagram alive.
    bool keepFirstRequest = false;
    // Calls are given out in start order: a call over while an earlier one is still open waits
    // for it. Off, each call is given out as soon as it is over (its `number` is still its
    // place in start order): memory then holds only the open calls, even when one of them
    // stays open for maxIdle (a dialog whose BYE was not captured). The store orders by start
    // itself and uses this.
    bool startOrder = true;
};

struct CallTrackerSinks {
    std::function<void(CallRecord&&)> call;
    std::function<void(const stack::TransactionRecord&)> transaction;
    // Every message with its verdict and the key of the call it belongs to (CallRecord::key);
    // the observation carries the message's key headers and its ends as text (read once).
    std::function<void(const ObservedMessage&, const stack::MessageVerdict&, std::uint64_t,
                       const stack::Observation&)>
        message;
    std::function<void(const stack::DialogEvent&)> dialog;
    std::function<void(const stack::Anomaly&)> anomaly;
};

struct CallData;

class CallTracker : private stack::ObserverListener {
  public:
    CallTracker(CallTrackerOptions options, CallTrackerSinks sinks);
    ~CallTracker() override;
    CallTracker(const CallTracker&) = delete;
    CallTracker& operator=(const CallTracker&) = delete;

    // Messages must come in capture order; those without a parsed SIP message are skipped.
    void observe(const ObservedMessage& m);
    // End of input: every transaction ends (64*T1 + T4 later) and every call is reported.
    void finish();

    // Calls not reported yet (still open, or over but waiting for an earlier call) that changed
    // since their last snapshot, as they stand now, with number 0: readers (the GUI, a live
    // capture) see calls in progress instead of only after the linger. At most `max` of them,
    // earliest first; the rest come with the next snapshot. Returns how many were given.
    std::size_t snapshotOpen(const std::function<void(CallRecord&&)>& sink, std::size_t max);

    std::size_t openCalls() const noexcept { return m_calls.size(); }
    std::size_t openTransactions() const noexcept { return m_observer.openTransactions(); }
    // How many open calls and transactions are awake (unpacked) now; counts them, for tests.
    std::size_t awakeCalls() const;
    std::size_t awakeTransactions() const { return m_observer.awakeTransactions(); }

  private:
    void onMessage(const stack::Observation& o, const stack::MessageVerdict& v) override;
    void onTransactionEnded(const stack::TransactionRecord& t) override;
    void onAnomaly(const stack::Anomaly& a) override;
    void onDialog(const stack::DialogEvent& e);
    void noteMessage(CallData& c, const stack::Observation& o, const stack::MessageVerdict& v);
    void noteRequest(CallData& c, const stack::Observation& o, const stack::MessageVerdict& v);
    void noteMidCall(CallData& c, const stack::Observation& o);
    void noteBye(CallData& c, const stack::KeyHeaders& k, std::uint64_t tx);
    void noteOutOfDialogRequest(CallData& c, const stack::Observation& o,
                                const stack::MessageVerdict& v);
    void noteResponse(CallData& c, const stack::Observation& o, const stack::MessageVerdict& v);

    CallData& callFor(const ObservedMessage& m, std::string_view callId);
    CallData* correlate(const ObservedMessage& m);
    CallData* correlateByNumber(const ObservedMessage& m);
    void registerSessionId(CallData& c, const stack::SipMessage& m);
    void registerCallee(CallData& c);
    // The open call numbered `no`, awake (unpacked) and listed for settleCalls().
    CallData* byNumber(std::uint64_t no);
    // Puts to sleep the calls woken since the last settle that only wait (call_packer.hpp).
    void settleCalls();
    void settleBetweenMessages();  // settleCalls() when a batch is awake and no message is held
    void scheduleClose(CallData& c);
    std::int64_t closeDeadline(const CallData& c) const;
    void closeDue(std::int64_t nowNs);
    // Builds the call's record (numbered) and forgets the call.
    CallRecord takeRecord(std::uint64_t no);
    // Gives out finished calls that no open call started before (at most `most`).
    void emitReady(std::size_t most = SIZE_MAX);

    CallTrackerOptions m_options;
    CallTrackerSinks m_sinks;
    stack::TransactionObserver m_observer;
    stack::DialogObserver m_dialogs;
    const ObservedMessage* m_current = nullptr;
    CallData* m_currentCall = nullptr;
    // The hop ends of the current message as text (the observers' `src`/`dst`), from a small
    // cache: a capture has few distinct endpoints and every message needs two.
    const std::string& hopText(const Endpoint& e);
    struct HopTextSlot {
        Endpoint endpoint;
        std::string text;
    };
    std::array<HopTextSlot, 64> m_hopTexts;
    std::string m_srcText, m_dstText;
    std::uint64_t m_nextCall = 1;  // a call's number is its place in start order
    std::int64_t m_nowNs = 0;      // the latest message time (earlier ones are clamped)
    struct OpenCall {
        std::unique_ptr<CallData> live;  // awake
        std::unique_ptr<char[]> packed;  // asleep (call_packer.hpp)
        stack::Bytes firstRequest;       // the sleeping call's, kept aside
        bool unsnapshotted = false;      // the sleeping call changed since its last snapshot
    };
    stack::IdTable<OpenCall> m_calls;                  // open, by number
    std::vector<std::uint64_t> m_awakeCalls;           // woken or made since the last settleCalls()
    static constexpr std::size_t kSettleBatch = 1024;  // settled at once between messages
    std::string m_packScratch;
    stack::SparePool<CallData> m_spareCalls;  // CallData of calls gone to sleep
    // Open calls by callIdDigest of each Call-ID. Two Call-IDs open at once share a digest
    // with probability about n^2/2^65 (the observer's matching keys rely on the same).
    stack::DigestMap<std::uint64_t> m_byCallId;
    stack::IdTable<std::uint64_t> m_txCall;                        // transaction -> call
    std::unordered_map<std::string, std::uint64_t> m_bySessionId;  // RFC 7989 UUID -> call
    // Unanswered INVITE calls by the node they were sent to (B2BUA heuristic).
    std::unordered_multimap<std::string, std::uint64_t> m_byCalleeNode;
    std::multimap<std::int64_t, std::uint64_t> m_closeAt;  // deadline -> call
    std::set<std::pair<std::int64_t, std::uint64_t>> m_openStarts;
    struct Ready {
        CallRecord record;
        bool snapshotted = false;
    };
    std::map<std::pair<std::int64_t, std::uint64_t>, Ready> m_ready;
};

}  // namespace sipscope::analyzer
