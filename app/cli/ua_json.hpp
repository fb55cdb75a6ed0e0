#pragma once
// Seconds options of the active commands and their JSON helpers.

#include <chrono>
#include <optional>
#include <string_view>

#include "core/clock.hpp"

namespace sipscope::cli {

// "5", "0.5", "2.25" seconds -> milliseconds; false on a bad or negative value.
bool parseSeconds(std::string_view text, stack::Duration& out);

}  // namespace sipscope::cli
