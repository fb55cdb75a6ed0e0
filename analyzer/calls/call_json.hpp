#pragma once
// JSON of the `calls`, `transactions` and `stats` commands (CLI.md rules: snake_case, null for
// absent values, Unix seconds with microseconds, durations with their unit in the key).

#include "calls/call_record.hpp"
#include "calls/peer_stats.hpp"
#include "core/json_writer.hpp"
#include "observe/observer_events.hpp"

namespace sipscope::analyzer {

void writeCall(JsonWriter& w, const CallRecord& r);
void writeTransaction(JsonWriter& w, const stack::TransactionRecord& t);
void writePeerStats(JsonWriter& w, const PeerStats& p);

// "ict"/"nict" (passive transactions are named after their client side).
const char* transactionKind(const stack::TransactionRecord& t);
// The furthest state it reached, lower case: "calling", "completed", "accepted" ...
std::string transactionStateName(const stack::TransactionRecord& t);
// "127.0.0.1:5060" / "[::1]:5060" -> address without brackets, port.
std::pair<std::string, int> splitEndpoint(std::string_view endpoint);

}  // namespace sipscope::analyzer
