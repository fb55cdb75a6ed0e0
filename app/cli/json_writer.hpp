#pragma once
// The CLI writes JSON with the analyzer's JsonWriter (shared with the store, which keeps each
// call's JSON).

#include "core/json_writer.hpp"

namespace sipscope::cli {
using analyzer::JsonWriter;
}  // namespace sipscope::cli
