#pragma once
// The `calls`, `transactions` and `stats` JSON lives with the analyzer (the store keeps it too).

#include "calls/call_json.hpp"
#include "json_writer.hpp"

namespace sipscope::cli {
using analyzer::splitEndpoint;
using analyzer::transactionKind;
using analyzer::writeCall;
using analyzer::writePeerStats;
using analyzer::writeTransaction;
}  // namespace sipscope::cli
