#pragma once
// Sleeping calls (internal to analyzer/calls): a call with no dialog up and every attempt
// answered only waits, for its transactions to end (up to 64*T1 + T4) and then for its linger or
// registration expiry. The tracker keeps such a call packed (stack/core/packing.hpp), in a few
// hundred bytes instead of a few kilobytes, and unpacks it when a message, a transaction's end
// or its close comes.

#include <memory>
#include <string>

#include "calls/call_data.hpp"

namespace sipscope::analyzer {

// Every field of `c` but firstRequest (shared bytes: the caller keeps them aside), written with
// `scratch` as the working buffer. unpackCall() gives back an equal CallData; it sets every
// field but firstRequest, so `c` may be a used one.
std::unique_ptr<char[]> packCall(const CallData& c, std::string& scratch);
void unpackCall(const char* packed, CallData& c);

}  // namespace sipscope::analyzer
