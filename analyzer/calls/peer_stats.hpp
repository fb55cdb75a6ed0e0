#pragma once
// RFC 6076 end-to-end performance metrics aggregated per peer (the node that received the
// call's first request) and over everything. Each ratio's formula is stated in peer_stats.cpp.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "calls/call_record.hpp"

namespace sipscope::analyzer {

struct DelayStats {
    std::uint32_t count = 0;
    double sumMs = 0, minMs = 0, maxMs = 0;
    void add(double ms);
    std::optional<double> meanMs() const;
};

struct PeerStats {
    std::string peer;
    std::uint32_t sessions = 0;             // INVITE calls (RFC 6076 "session attempts")
    std::uint32_t answered = 0;             // 2xx
    std::uint32_t redirected = 0;           // 3xx: excluded from SER/SEER denominators
    std::uint32_t effective = 0;            // 200, 480, 486, 600, 603 (SEER numerator)
    std::uint32_t ineffective = 0;          // 408, 500, 503, 504, or no answer at all (ISA)
    std::uint32_t completed = 0;            // answered and ended by a BYE (SCR)
    std::uint32_t registrations = 0;        // REGISTER exchanges
    std::uint32_t registrationsFailed = 0;  // final >= 300 after challenges, or no answer (IRA)
    std::uint32_t otherExchanges = 0;       // OPTIONS, MESSAGE, SUBSCRIBE, other
    std::uint32_t retransmissions = 0, anomalies = 0;
    DelayStats pdd, srd, sdd, sdt, rrd;
    std::map<int, std::uint32_t> finalCodes;
    std::map<std::string, std::uint32_t> states;

    void add(const CallRecord& r);
    std::optional<double> ser() const;   // RFC 6076 §4.6, percent
    std::optional<double> seer() const;  // §4.7
    std::optional<double> isa() const;   // §4.8
    std::optional<double> scr() const;   // §4.9
    std::optional<double> ira() const;   // §4.2
};

class StatsAggregator {
  public:
    void add(const CallRecord& r);
    const PeerStats& total() const noexcept { return m_total; }
    std::vector<PeerStats> peers() const;  // by peer address

  private:
    PeerStats m_total;
    std::map<std::string, PeerStats> m_peers;
};

}  // namespace sipscope::analyzer
