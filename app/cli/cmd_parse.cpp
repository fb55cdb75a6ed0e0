// `sipscope-cli parse FILE... | --stdin`: each input is one SIP message; one JSON object per
// input on its own line (NDJSON), in order.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "json_writer.hpp"
#include "message/validate.hpp"
#include "message_json.hpp"

namespace sipscope::cli {

namespace {

constexpr const char* kParseHelp =
    "usage: sipscope-cli parse FILE... | --stdin\n"
    "\n"
    "Reads each FILE as one SIP message (as a UDP datagram would carry it) and prints one\n"
    "JSON object per file on its own line: kind, method, request_uri, status, reason, call_id,\n"
    "cseq, from, to, vias, max_forwards, content_length, body_parts, sdp, issues, error.\n"
    "\"ok\" is true exactly when the message is acceptable per RFC 3261.\n"
    "\n"
    "Exit status: 0 all messages ok, 1 some message not ok, 2 usage or I/O error.\n"
    "\n"
    "example:\n"
    "  sipscope-cli parse resources/examples/messages/invite.sip | jq .call_id\n";

std::optional<std::string> readAll(std::istream& in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(ss).str();
}

// Returns true when the message is ok.
bool emit(std::string_view file, const std::string& bytes) {
    JsonWriter w;
    w.beginObject().key("file").value(file);
    auto parsed = stack::SipMessage::parse(bytes);
    bool ok = false;
    if (!parsed.ok()) {
        w.key("ok").value(false);
        writeUnparsed(w, parsed.error());
    } else {
        const stack::Validation v = stack::validate(*parsed);
        ok = v.ok();
        w.key("ok").value(ok);
        writeParsedMessage(w, *parsed, v);
    }
    w.endObject();
    std::cout << w.str() << '\n' << std::flush;
    return ok;
}

}  // namespace

int cmdParse(const Args& args) {
    std::vector<std::string_view> files;
    bool useStdin = false;
    for (auto a : args) {
        if (a == "--help" || a == "-h") {
            std::cout << kParseHelp;
            return 0;
        }
        if (a == "--stdin" || a == "-") {
            useStdin = true;
        } else if (a.size() > 1 && a[0] == '-') {
            std::cerr << "sipscope-cli parse: unknown option '" << a << "'\n" << kParseHelp;
            return 2;
        } else {
            files.push_back(a);
        }
    }
    if ((files.empty() && !useStdin) || (useStdin && !files.empty())) {
        std::cerr << kParseHelp;
        return 2;
    }
    if (useStdin) {
        auto bytes = readAll(std::cin);
        if (!bytes) {
            std::cerr << "sipscope-cli parse: cannot read standard input\n";
            return 2;
        }
        return emit("-", *bytes) ? 0 : 1;
    }
    int status = 0;
    for (auto f : files) {
        std::ifstream in{std::string(f), std::ios::binary};
        auto bytes = in ? readAll(in) : std::nullopt;
        if (!bytes) {
            std::cerr << "sipscope-cli parse: cannot read '" << f << "'\n";
            status = 2;
            continue;
        }
        if (!emit(f, *bytes) && status == 0) status = 1;
    }
    return status;
}

}  // namespace sipscope::cli
