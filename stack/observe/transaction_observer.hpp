#pragma once
// The passive transaction layer: every observed message drives the client shadow (requests as
// sent, responses as received) and the server shadow (requests as received, responses as sent)
// of its transaction, RFC 3261 §17. What the shadows would retransmit is compared with what the
// capture shows; their timer expiries are how timeouts are known. Sans-I/O, driven by the
// observation timestamps only.

#include <deque>
#include <memory>

#include "core/digest_map.hpp"
#include "core/id_table.hpp"
#include "observe/observer_events.hpp"
#include "observe/shadow_packer.hpp"
#include "observe/transaction_shadow.hpp"

namespace sipscope::stack {

struct ObserverOptions {
    TimerConfig timers;
    // RFC 3261 §16.6 step 11 (Timer C, > 3 min): an INVITE transaction with provisional
    // responses only that shows no activity for this long is given up ("abandoned").
    Duration inviteIdle{180000};
    // A retransmission within max(this, a quarter of the interval) of the shadow's schedule is
    // on time.
    Duration scheduleTolerance{100};
    // The same bytes between the same two ends again within this time are one message seen
    // twice by the capture (SPAN ports, "any" captures), not a retransmission (T1 >= 100 ms in
    // practice).
    Duration duplicateWindow{20};
};

class TransactionObserver {
  public:
    TransactionObserver(ObserverOptions options, ObserverListener& listener);
    ~TransactionObserver();
    TransactionObserver(const TransactionObserver&) = delete;
    TransactionObserver& operator=(const TransactionObserver&) = delete;

    // Fires every shadow timer due up to `at`, each at its own deadline, then moves the clock.
    // An earlier `at` is clamped (returns false).
    bool advanceTo(Instant at);
    // One observed message: advances the clock to its time, then matches it.
    MessageVerdict observe(const Observation& o);
    // End of input (ARCHITECTURE.md "Time"): the clock moves on by the longest transaction
    // lifetime, max(64*T1, Timer D) + T4, so every transaction ends; what is still open is
    // closed as abandoned.
    void finish();

    Instant now() const noexcept { return m_now; }
    std::size_t openTransactions() const noexcept { return m_tx.size(); }
    // How many open transactions are awake (unpacked) now; counts them all, for tests and
    // figures.
    std::size_t awakeTransactions() const;
    const ObserverOptions& options() const noexcept { return m_options; }

  private:
    // A 2xx to an INVITE waiting for its ACK (RFC 3261 §13.2.2.4, §13.3.1.4), per hop. Hops,
    // and the ACKs' (branch, hop), enter as digests (core/digest.hpp): nothing is copied.
    struct Pending2xx {
        std::uint64_t tx = 0, response = 0;
        std::uint64_t hop = 0;  // hopDigest(client, server)
        bool acked = false;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> acks;  // ACK digest -> first id
    };
    static std::uint64_t hopDigest(std::string_view client, std::string_view server);
    // (Call-ID, CSeq, From tag, To tag) of a 2xx or of its ACK, as a digest.
    static std::uint64_t dialogCSeqOf(const KeyHeaders& k);

    // The matching key of a message into m_key; false without a usable Call-ID or CSeq.
    bool keyOf(const KeyHeaders& k, std::string_view method);
    TransactionShadow* find(std::uint64_t key, std::string_view client, std::string_view server,
                            bool anyHop);

    MessageVerdict observeOne(const Observation& o);
    // The shadow awake (unpacked), listed for settle(), which puts to sleep those that only
    // wait; called where the observer's work goes from the index or timers into a shadow.
    TransactionShadow::Live& wake(TransactionShadow& s);
    void settle();
    MessageVerdict onNewRequest(const Observation& o, std::uint64_t key);
    MessageVerdict onRequestAgain(TransactionShadow& s, const Observation& o);
    MessageVerdict onAck(const Observation& o);
    MessageVerdict onAck2xx(const Observation& o);
    MessageVerdict onResponse(const Observation& o);
    MessageVerdict onResponseIn(TransactionShadow& s, const Observation& o);
    void checkSchedule(TransactionShadow& s, const Observation& o);
    bool onIdealSchedule(const TransactionShadow& s, Instant at, Instant tolerance) const;
    std::optional<MessageVerdict> duplicateOf(const Observation& o, std::uint64_t& hash);
    MessageVerdict remember(std::uint64_t hash, const Observation& o, MessageVerdict v);

    void apply(TransactionShadow& s, ShadowSide side, const Actions& actions);
    void fire(const ShadowTimers::Due& due);
    void sideTerminated(TransactionShadow& s, ShadowSide side);
    void endTransaction(TransactionShadow& s);
    void evict(std::uint64_t id);
    void touch(TransactionShadow& s);
    void anomalyFor(const TransactionShadow* s, std::string_view code,
                    std::vector<std::uint64_t> ids, std::string_view rfc, std::string text);

    ObserverOptions m_options;
    ObserverListener& m_listener;
    Instant m_now{0};
    bool m_started = false;
    bool m_inputEnded = false;  // finish() is closing the transactions still open
    std::uint64_t m_nextId = 1;
    IdTable<std::unique_ptr<TransactionShadow>> m_tx;  // open transactions by id
    // Open transactions by matching key (keyOf): the newest, which chains to older ones with
    // the same key (other hops of a proxied request) through olderSameKey.
    DigestMap<TransactionShadow*> m_index;
    std::uint64_t m_key = 0;                          // keyOf's result
    DigestMap<std::vector<Pending2xx>> m_pending2xx;  // by dialogCSeqOf
    ShadowTimers m_timers;
    ShadowPacker m_packer;
    std::vector<std::uint64_t> m_awake;  // shadows woken or made since the last settle()
    static constexpr std::size_t kSettleBatch = 1024;  // advanceTo() settles this many at once
    struct RecentCopy {
        Instant at{0};
        std::uint64_t id = 0;
        Bytes buffer;  // keeps `bytes` alive for the byte-for-byte comparison
        std::string_view bytes;
        MessageVerdict verdict;
    };
    DigestMap<RecentCopy> m_recent;  // by digest of bytes and hop
    std::deque<std::pair<Instant, std::uint64_t>> m_recentOrder;
};

}  // namespace sipscope::stack
