#pragma once
// The ladder of one call from its stored messages: arrows labelled from the parsed messages,
// retransmissions and duplicates marked, legs numbered by the hops of the call's initial
// requests, lanes labelled with inferred roles and user agents, SDP summaries on offers and
// answers, anomalies on the messages they name.

#include <map>
#include <string>
#include <vector>

#include "ladder/ladder.hpp"
#include "store/store_reader.hpp"

namespace sipscope::analyzer {

struct CallLadderInfo {
    std::vector<std::pair<std::string, std::string>> legHops;     // (src, dst) endpoints
    std::map<std::uint64_t, std::vector<std::string>> anomalies;  // message seq -> codes
};

LadderInput buildCallLadder(const std::vector<store::StoredMessage>& messages,
                            const CallLadderInfo& info);

}  // namespace sipscope::analyzer
