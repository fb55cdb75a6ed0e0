#pragma once
// RFC 3263 §4.3: the next hops of an out-of-dialog request, most preferred first, and the one in
// use. A request that fails at one target is sent again, as a new transaction (a new Via
// branch), to the next; the target that answers keeps the request's retries (authentication)
// and is where a call's in-dialog requests fall back to. Sans-I/O: it only decides.

#include <cstddef>
#include <vector>

#include "ua/sip_endpoint.hpp"

namespace sipscope::stack::ua {

// How a request failed at its target.
enum class TargetFailure {
    Transport,    // RFC 3261 §17.1.4: ICMP unreachable, connection refused or lost
    Timeout,      // Timer B (INVITE) or Timer F (non-INVITE) fired
    Unavailable,  // a 503 (Service Unavailable) final response
};

class TargetList {
  public:
    TargetList(Target first, std::vector<Target> alternates);

    const Target& current() const noexcept { return m_targets[m_index]; }
    // Targets sent to so far, counting the current one.
    int tried() const noexcept { return static_cast<int>(m_index) + 1; }
    std::size_t size() const noexcept { return m_targets.size(); }

    // RFC 3263 §4.3: moves on to the next target when `failure` is one that calls for it and a
    // target is left; false (staying on the current one) otherwise. `gotResponse`: the failed
    // transaction received a response (a 1xx before Timer F), which makes a timeout final.
    bool failOver(TargetFailure failure, bool gotResponse);

  private:
    std::vector<Target> m_targets;
    std::size_t m_index = 0;
};

}  // namespace sipscope::stack::ua
