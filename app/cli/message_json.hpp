#pragma once
// JSON renderings of parsed SIP messages shared by the CLI subcommands.

#include <string_view>

#include "json_writer.hpp"
#include "message/sip_message.hpp"
#include "message/validate.hpp"

namespace sipscope::cli {

void writeError(JsonWriter& w, const stack::Error& e);
void writeErrors(JsonWriter& w, const std::vector<stack::Error>& errors);
// The fields of the `parse` contract after "file" and "ok" (README "sipscope-cli parse").
void writeParsedMessage(JsonWriter& w, const stack::SipMessage& m, const stack::Validation& v);
// The same fields, all null, for input that is not a SIP message at all.
void writeUnparsed(JsonWriter& w, const stack::Error& e);

}  // namespace sipscope::cli
