#pragma once
// Seconds options of the active commands and their JSON helpers.

#include <chrono>
#include <optional>
#include <string_view>

#include "core/clock.hpp"
#include "core/json_writer.hpp"
#include "ua/sip_endpoint.hpp"

namespace sipscope::cli {

// "5", "0.5", "2.25" seconds -> milliseconds; false on a bad or negative value.
bool parseSeconds(std::string_view text, stack::Duration& out);

// "target": {"transport", "address", "port", "how"}: the next hop RFC 3263 chose (null when
// there is none, e.g. the lookup failed).
void writeTarget(analyzer::JsonWriter& w, const stack::ua::Target* target, std::string_view how);

// "prack": {"<countKey>": count, "reliable_provisionals": reliable} (RFC 3262 counters).
void writePrack(analyzer::JsonWriter& w, const char* countKey, int count, int reliable);

}  // namespace sipscope::cli
