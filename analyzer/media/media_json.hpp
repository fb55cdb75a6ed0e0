#pragma once
// One RTP stream as the JSON object of `sipscope-cli streams --json` (CLI.md conventions); the
// store keeps the same text for `streams --db`.

#include <string>

#include "core/json_writer.hpp"
#include "media/media_tracker.hpp"

namespace sipscope::analyzer {

// "0x1234abcd".
std::string ssrcText(std::uint32_t ssrc);
void writeMediaStream(JsonWriter& w, const MediaStreamReport& r);

}  // namespace sipscope::analyzer
