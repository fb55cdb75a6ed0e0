// `sipscope-cli messages FILE [--bpf EXPR] [--sip-port N]... [--summary]`: every SIP message of
// a capture as NDJSON in capture order, or one summary object.

#include <iostream>
#include <map>
#include <string>
#include <unordered_set>

#include "capture_run.hpp"
#include "commands.hpp"
#include "json_writer.hpp"
#include "message/simple_headers.hpp"
#include "message_json.hpp"

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
    "  sipscope-cli messages resources/examples/basic-calls.pcap | jq -c '[.id, .method, .status]'\n";

struct Summary {
    std::uint64_t requests = 0, responses = 0;
    std::unordered_set<std::string> callIds;
    std::map<std::string, std::uint64_t> byMethod, byStatus;

    void add(const analyzer::ObservedMessage& m) {
        if (!m.message) return;
        const auto& msg = *m.message;
        if (msg.isRequest()) {
            ++requests;
            ++byMethod[std::string(msg.method())];
        } else {
            ++responses;
            ++byStatus[msg.status() ? std::to_string(*msg.status()) : std::string("invalid")];
        }
        if (const auto* h = msg.header(stack::HeaderId::CallId)) callIds.emplace(h->value);
    }
};

void writeMessage(JsonWriter& w, const analyzer::ObservedMessage& m) {
    w.beginObject();
    w.key("id").value(m.id);
    w.key("frames").beginArray();
    for (auto f : m.frames) w.value(f);
    w.endArray();
    w.key("ts").value(static_cast<double>(m.tsNs / 1000) / 1e6, 6);
    w.key("src").value(m.src.ip.toString());
    w.key("sport").value(static_cast<int>(m.src.port));
    w.key("dst").value(m.dst.ip.toString());
    w.key("dport").value(static_cast<int>(m.dst.port));
    w.key("transport").value(analyzer::transportName(m.transport));
    w.key("ip").value(static_cast<int>(m.ipVersion));
    const stack::SipMessage* msg = m.message ? &*m.message : nullptr;
    w.key("kind");
    msg ? w.value(msg->isRequest() ? "request" : "response") : w.null();
    w.key("method");
    msg && msg->isRequest() ? w.value(msg->method()) : w.null();
    w.key("status");
    msg && msg->status() ? w.value(*msg->status()) : w.null();
    w.key("call_id");
    msg ? w.stringOrNull(msg->headerValue(stack::HeaderId::CallId)) : w.null();
    w.key("cseq");
    const auto* cseq = msg ? msg->typed<stack::CSeq>(stack::HeaderId::CSeq) : nullptr;
    if (cseq && cseq->ok())
        w.beginObject().key("seq").value((*cseq)->seq).key("method").value((*cseq)->method).endObject();
    else
        w.null();
    w.key("bytes").value(static_cast<std::uint64_t>(m.bytes ? m.bytes->size() : 0));
    std::vector<stack::Error> issues = m.issues;
    if (msg) {
        issues.insert(issues.end(), msg->errors().begin(), msg->errors().end());
        issues.insert(issues.end(), msg->issues().begin(), msg->issues().end());
    }
    w.key("issues");
    writeErrors(w, issues);
    w.endObject();
}

void writeSummary(const Summary& s, const CaptureRunResult& r) {
    JsonWriter w;
    w.beginObject();
    w.key("packets").value(r.packets);
    w.key("sip_messages").value(r.stats.sipMessages);
    w.key("requests").value(s.requests);
    w.key("responses").value(s.responses);
    w.key("call_ids").value(static_cast<std::uint64_t>(s.callIds.size()));
    w.key("by_method").beginObject();
    for (const auto& [k, v] : s.byMethod) w.key(k).value(v);
    w.endObject();
    w.key("by_status").beginObject();
    for (const auto& [k, v] : s.byStatus) w.key(k).value(v);
    w.endObject();
    w.key("non_sip_packets").value(r.packets - r.filteredOut - r.stats.sipFrames);
    w.key("errors").beginArray();
    if (r.sourceError) {
        w.beginObject().key("packet").value(r.sourceError->packetNumber);
        w.key("offset").value(r.sourceError->offset).key("message").value(r.sourceError->message).endObject();
    }
    w.endArray();
    w.key("dropped").value(std::uint64_t{0});
    w.endObject();
    std::cout << w.str() << '\n';
}

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
    Summary s;
    JsonWriter w;
    CaptureRunResult r;
    const bool opened = runCapture(o, [&](analyzer::ObservedMessage&& m) {
        s.add(m);
        if (summary) return;
        w.clear();
        writeMessage(w, m);
        std::cout << w.str() << '\n' << std::flush;
    }, r);
    if (!opened) {
        std::cerr << "sipscope-cli messages: " << r.openError << '\n';
        return 2;
    }
    if (summary) writeSummary(s, r);
    if (r.sourceError) {
        std::cerr << "sipscope-cli messages: " << o.path << ": packet " << r.sourceError->packetNumber
                  << " at byte " << r.sourceError->offset << ": " << r.sourceError->message << '\n';
        return 1;
    }
    return 0;
}

}  // namespace sipscope::cli
