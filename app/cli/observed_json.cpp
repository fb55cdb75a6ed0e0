#include "observed_json.hpp"

#include <iostream>

#include "message/simple_headers.hpp"
#include "message_json.hpp"

namespace sipscope::cli {

void writeObservedMessage(JsonWriter& w, const analyzer::ObservedMessage& m) {
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
        w.beginObject()
            .key("seq")
            .value((*cseq)->seq)
            .key("method")
            .value((*cseq)->method)
            .endObject();
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

void MessageSummary::write(const CaptureRunResult& r, std::uint64_t dropped) const {
    const MessageSummary& s = *this;
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
        w.key("offset")
            .value(r.sourceError->offset)
            .key("message")
            .value(r.sourceError->message)
            .endObject();
    }
    w.endArray();
    w.key("dropped").value(dropped);
    w.endObject();
    std::cout << w.str() << '\n';
}

}  // namespace sipscope::cli
