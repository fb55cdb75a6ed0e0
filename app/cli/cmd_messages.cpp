// `sipscope-cli messages FILE [--bpf EXPR] [--sip-port N]... [--summary]`: every SIP message of
// a capture as NDJSON in capture order, or one summary object.

#include <iostream>
#include <string>

#include "capture_run.hpp"
#include "commands.hpp"
#include "json_writer.hpp"
#include "observed_json.hpp"

namespace sipscope::cli {

namespace {

constexpr const char* kHelp =
    "usage: sipscope-cli messages FILE [--bpf EXPR] [--sip-port N]... [--summary]\n"
    "\n"
    "Reads a pcap or pcapng capture (gzip-compressed too; FILE '-' is standard input) and\n"
    "prints one JSON object per SIP message in capture order: id, frames, ts, src, sport, dst,\n"
    "dport, transport, ip, kind, method, status, call_id, cseq, bytes, issues.\n"
    "SIP is recognised by content on any port, over UDP, TCP (reassembled), WebSocket, SCTP,\n"
    "HEP v2/v3 and through VLAN, PPPoE, MPLS, GRE, ERSPAN, VXLAN, GTP-U and IP-in-IP.\n"
    "\n"
    "  --bpf EXPR     only packets matching this libpcap filter\n"
    "  --sip-port N   treat TLS on port N as SIP over TLS (repeatable)\n"
    "  --summary      print one object: packets, sip_messages, requests, responses, call_ids,\n"
    "                 by_method, by_status, non_sip_packets, errors, dropped\n"
    "\n"
    "Exit status: 0 success, 1 damaged input (partial output still printed), 2 usage error.\n"
    "\n"
    "example:\n"
    "  sipscope-cli messages resources/examples/basic-calls.pcap | jq -c '[.id, .method, "
    ".status]'\n";

}  // namespace

int cmdMessages(const Args& args) {
    CaptureRunOptions o;
    bool summary = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto a = args[i];
        if (a == "--help" || a == "-h") {
            std::cout << kHelp;
            return 0;
        }
        if (a == "--summary") {
            summary = true;
        } else if ((a == "--bpf" || a == "-f") && i + 1 < args.size()) {
            o.bpf = std::string(args[++i]);
        } else if (a == "--sip-port" && i + 1 < args.size()) {
            std::uint16_t port = 0;
            if (!parsePort(args[++i], port)) {
                std::cerr << "sipscope-cli messages: bad port '" << args[i] << "'\n";
                return 2;
            }
            o.sipPorts.push_back(port);
        } else if (a != "-" && a.size() > 1 && a[0] == '-') {
            std::cerr << "sipscope-cli messages: unknown option '" << a << "'\n" << kHelp;
            return 2;
        } else if (o.path.empty()) {
            o.path = std::string(a);
        } else {
            std::cerr << "sipscope-cli messages: one capture file at a time\n";
            return 2;
        }
    }
    if (o.path.empty()) {
        std::cerr << kHelp;
        return 2;
    }
    MessageSummary s;
    JsonWriter w;
    CaptureRunResult r;
    const bool opened = runCapture(
        o,
        [&](analyzer::ObservedMessage&& m) {
            s.add(m);
            if (summary) return;
            w.clear();
            writeObservedMessage(w, m);
            std::cout << w.str() << '\n' << std::flush;
        },
        r);
    if (!opened) {
        std::cerr << "sipscope-cli messages: " << r.openError << '\n';
        return 2;
    }
    if (summary) s.write(r, 0);
    if (r.sourceError) {
        std::cerr << "sipscope-cli messages: " << o.path << ": packet "
                  << r.sourceError->packetNumber << " at byte " << r.sourceError->offset << ": "
                  << r.sourceError->message << '\n';
        return 1;
    }
    return 0;
}

}  // namespace sipscope::cli
