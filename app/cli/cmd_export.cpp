// `sipscope-cli export-pcap --db LIB (--call ID | --filter EXPR)... -w OUT`: stored calls
// written back as a pcap file, without the original capture.

#include <algorithm>
#include <iostream>
#include <iterator>
#include <set>

#include "calls_options.hpp"
#include "commands.hpp"
#include "store/media_packets.hpp"
#include "store/pcap_export.hpp"
#include "store/store_reader.hpp"

namespace sipscope::cli {

namespace {

constexpr const char* kExportHelp =
    "usage: sipscope-cli export-pcap --db LIB.sqlite (--call CALL_ID | --filter EXPR)\n"
    "                                -w OUT.pcap [--no-media]\n"
    "\n"
    "Writes calls' SIP messages (every leg, retransmissions included) and their RTP packets\n"
    "from the database as a pcap file: one Ethernet/IP/UDP or TCP frame per message or packet\n"
    "with its original addresses, ports and timestamp (nanoseconds), in time order. The\n"
    "original capture is not needed. --no-media leaves the RTP out.\n"
    "\n"
    "  --call CALL_ID  the call with this Call-ID (any of its legs'); every one of them when\n"
    "                  the Call-ID was used again by later exchanges (OPTIONS pings, say)\n"
    "  --filter EXPR   every call the expression accepts (the language of `calls --filter`);\n"
    "                  with --call, the calls of that Call-ID it accepts\n"
    "\n"
    "Exit status: 0 success, 1 no such call, 2 usage error, bad filter or unwritable file.\n"
    "\n"
    "examples:\n"
    "  sipscope-cli export-pcap --db lib.sqlite --call call-1@sipscope.test -w call.pcap\n"
    "  sipscope-cli export-pcap --db lib.sqlite --filter 'final_code >= 500' -w failed.pcap\n";

struct ExportArgs {
    std::string db, callId, filterText, out;
    analyzer::Filter filter;
    bool noMedia = false;
};

// The calls to write: those of the Call-ID, those the filter accepts, or both at once.
std::vector<analyzer::store::StoredCall> selectCalls(analyzer::store::StoreReader& reader,
                                                     const ExportArgs& a) {
    std::vector<analyzer::store::StoredCall> byId;
    if (!a.callId.empty()) {
        byId = reader.callsById(a.callId);
        if (a.filterText.empty()) return byId;
    }
    std::set<std::int64_t> rows;
    for (const auto& c : byId) rows.insert(c.row);
    std::vector<analyzer::store::StoredCall> out;
    forEachStoredCall(reader, a.filter, [&](analyzer::store::StoredCall& c) {
        if (a.callId.empty() || rows.count(c.row)) out.push_back(std::move(c));
        return true;
    });
    return out;
}

// One call's SIP messages (in their stored order) merged in time order with its RTP packets
// unless `noMedia`.
std::vector<analyzer::store::StoredMessage> callMessages(analyzer::store::StoreReader& reader,
                                                         const analyzer::store::StoredCall& call,
                                                         bool noMedia) {
    auto sip = reader.messagesOf(call);
    if (noMedia) return sip;
    std::string error;
    auto media = analyzer::store::callMediaMessages(reader.database(), call, error);
    if (!error.empty()) std::cerr << "sipscope-cli export-pcap: warning: " << error << '\n';
    std::vector<analyzer::store::StoredMessage> out;
    out.reserve(sip.size() + media.size());
    std::merge(std::make_move_iterator(sip.begin()), std::make_move_iterator(sip.end()),
               std::make_move_iterator(media.begin()), std::make_move_iterator(media.end()),
               std::back_inserter(out),
               [](const auto& x, const auto& y) { return x.tsNs < y.tsNs; });
    return out;
}

// Every selected call's messages; several calls are put in time order together (each call's
// own order kept where times are equal).
int exportMessages(const ExportArgs& a, std::vector<analyzer::store::StoredMessage>& out) {
    analyzer::store::StoreReader reader(a.db);
    const auto calls = selectCalls(reader, a);
    if (calls.empty()) {
        std::cerr << "sipscope-cli export-pcap: no call with "
                  << (a.filterText.empty() ? "Call-ID " + a.callId : "that filter") << '\n';
        return 1;
    }
    for (const auto& call : calls) {
        auto more = callMessages(reader, call, a.noMedia);
        out.insert(out.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
    }
    if (calls.size() > 1)
        std::stable_sort(out.begin(), out.end(),
                         [](const auto& x, const auto& y) { return x.tsNs < y.tsNs; });
    return 0;
}

// Option parsing: the exit code to end with, or nothing to go on.
std::optional<int> parseExportArgs(const Args& args, ExportArgs& a) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto arg = args[i];
        const bool more = i + 1 < args.size();
        if (arg == "--help" || arg == "-h") {
            std::cout << kExportHelp;
            return 0;
        } else if (arg == "--db" && more) {
            a.db = std::string(args[++i]);
        } else if (arg == "--call" && more) {
            a.callId = std::string(args[++i]);
        } else if (arg == "--filter" && more) {
            a.filterText = std::string(args[++i]);
        } else if ((arg == "-w" || arg == "-o") && more) {
            a.out = std::string(args[++i]);
        } else if (arg == "--no-media") {
            a.noMedia = true;
        } else {
            std::cerr << "sipscope-cli export-pcap: unexpected '" << arg << "'\n" << kExportHelp;
            return 2;
        }
    }
    if (a.db.empty() || (a.callId.empty() && a.filterText.empty()) || a.out.empty()) {
        std::cerr << kExportHelp;
        return 2;
    }
    if (!a.filterText.empty() && !parseFilterOption("export-pcap", a.filterText, a.filter))
        return 2;
    return std::nullopt;
}

}  // namespace

int cmdExportPcap(const Args& args) {
    ExportArgs a;
    if (auto rc = parseExportArgs(args, a)) return *rc;
    std::vector<analyzer::store::StoredMessage> messages;
    try {
        if (int rc = exportMessages(a, messages)) return rc;
    } catch (const analyzer::sql::Error& e) {
        std::cerr << "sipscope-cli export-pcap: " << e.message << '\n';
        return 2;
    }
    std::string error;
    if (!analyzer::store::writeMessagesPcap(a.out, messages, error)) {
        std::cerr << "sipscope-cli export-pcap: " << error << '\n';
        return 2;
    }
    return 0;
}

}  // namespace sipscope::cli
