#include "calls/call_json.hpp"

#include <charconv>

namespace sipscope::analyzer {

namespace {

double seconds(std::int64_t ns) {
    return static_cast<double>(ns / 1000) / 1e6;
}

void optionalTime(JsonWriter& w, const std::optional<std::int64_t>& ns) {
    if (ns)
        w.value(seconds(*ns), 6);
    else
        w.null();
}

void optionalMs(JsonWriter& w, const std::optional<double>& ms) {
    if (ms)
        w.value(*ms, 3);
    else
        w.null();
}

void writeMedia(JsonWriter& w, const MediaSummary& m) {
    w.beginObject();
    w.key("origin").value(m.origin);
    w.key("message_id").value(m.messageId);
    w.key("type").value(m.type);
    w.key("address").stringOrNull(m.address);
    w.key("port").value(static_cast<int>(m.port));
    w.key("direction").value(m.direction);
    w.key("codecs").beginArray();
    for (const auto& c : m.codecs) w.value(c);
    w.endArray();
    w.key("hold").value(m.hold);
    w.endObject();
}

void writeAnomaly(JsonWriter& w, const stack::Anomaly& a) {
    w.beginObject();
    w.key("code").value(a.code);
    w.key("message_ids").beginArray();
    for (auto id : a.messageIds) w.value(id);
    w.endArray();
    w.key("rfc").stringOrNull(a.rfc);
    w.key("text").value(a.text);
    w.endObject();
}

void writeDelay(JsonWriter& w, std::string_view key, const DelayStats& d) {
    w.key(key);
    if (d.count == 0) {
        w.null();
        return;
    }
    w.beginObject();
    w.key("count").value(d.count);
    w.key("mean").value(*d.meanMs(), 3);
    w.key("min").value(d.minMs, 3);
    w.key("max").value(d.maxMs, 3);
    w.endObject();
}

void optionalPercent(JsonWriter& w, std::string_view key, const std::optional<double>& v) {
    w.key(key);
    if (v)
        w.value(*v, 2);
    else
        w.null();
}

}  // namespace

std::pair<std::string, int> splitEndpoint(std::string_view endpoint) {
    const auto colon = endpoint.rfind(':');
    if (colon == std::string_view::npos) return {std::string(endpoint), 0};
    std::string_view host = endpoint.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    int port = 0;
    const auto digits = endpoint.substr(colon + 1);
    std::from_chars(digits.data(), digits.data() + digits.size(), port);
    return {std::string(host), port};
}

void writeCall(JsonWriter& w, const CallRecord& r) {
    w.beginObject();
    w.key("call_id").value(r.callId);
    w.key("call_ids").beginArray();
    for (const auto& id : r.callIds) w.value(id);
    w.endArray();
    w.key("kind").value(callKindName(r.kind));
    w.key("method").stringOrNull(r.method);
    w.key("from_user").stringOrNull(r.fromUser);
    w.key("to_user").stringOrNull(r.toUser);
    w.key("start").value(seconds(r.startNs), 6);
    w.key("answer");
    optionalTime(w, r.answerNs);
    w.key("end");
    optionalTime(w, r.endNs);
    w.key("duration_s");
    if (r.answerNs && r.endNs)
        w.value(static_cast<double>(*r.endNs - *r.answerNs) / 1e9, 3);
    else
        w.null();
    w.key("state").value(callStateName(r.state));
    w.key("final_code").optional(r.finalCode);
    w.key("reason").stringOrNull(r.finalReason);
    w.key("messages").value(r.messages);
    w.key("retransmissions").value(r.retransmissions);
    w.key("duplicates").value(r.duplicates);
    w.key("legs").value(r.legs);
    w.key("dialogs").beginObject();
    w.key("early").value(r.dialogs.early);
    w.key("confirmed").value(r.dialogs.confirmed);
    w.key("terminated").value(r.dialogs.terminated);
    w.endObject();
    w.key("transactions").value(r.transactions);
    w.key("auth_challenges").value(r.authChallenges);
    w.key("auth_ok").optional(r.authOk);
    const auto [callerIp, callerPort] = splitEndpoint(r.caller);
    const auto [calleeIp, calleePort] = splitEndpoint(r.callee);
    w.key("src").stringOrNull(callerIp);
    w.key("sport");
    if (callerPort)
        w.value(callerPort);
    else
        w.null();
    w.key("dst").stringOrNull(calleeIp);
    w.key("dport");
    if (calleePort)
        w.value(calleePort);
    else
        w.null();
    w.key("transport").stringOrNull(r.transport);
    w.key("user_agent").stringOrNull(r.userAgent);
    w.key("media").beginArray();
    for (const auto& m : r.media) writeMedia(w, m);
    w.endArray();
    w.key("media_problems").beginArray();
    for (const auto& p : r.mediaProblems) w.value(p);
    w.endArray();
    w.key("metrics").beginObject();
    w.key("pdd_ms");
    optionalMs(w, r.metrics.pddMs);
    w.key("srd_ms");
    optionalMs(w, r.metrics.srdMs);
    w.key("sdd_ms");
    optionalMs(w, r.metrics.sddMs);
    w.key("sdt_ms");
    optionalMs(w, r.metrics.sdtMs);
    w.key("rrd_ms");
    optionalMs(w, r.metrics.rrdMs);
    w.endObject();
    w.key("anomalies").beginArray();
    for (const auto& a : r.anomalies) writeAnomaly(w, a);
    w.endArray();
    w.endObject();
}

const char* transactionKind(const stack::TransactionRecord& t) {
    return t.invite ? "ict" : "nict";
}

std::string transactionStateName(const stack::TransactionRecord& t) {
    std::string state(stack::stateLabel(t.outcome));
    for (auto& ch : state) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return state;
}

void writeTransaction(JsonWriter& w, const stack::TransactionRecord& t) {
    w.beginObject();
    w.key("id").value(t.id);
    w.key("kind").value(transactionKind(t));
    w.key("method").value(t.method);
    w.key("branch").stringOrNull(t.branch);
    w.key("call_id").value(t.callId);
    w.key("cseq").value(t.cseq);
    w.key("state").value(transactionStateName(t));
    w.key("final_code").optional(t.finalCode);
    w.key("requests").value(static_cast<std::uint64_t>(t.requests.size()));
    w.key("responses").value(static_cast<std::uint64_t>(t.responses.size()));
    w.key("acks").value(static_cast<std::uint64_t>(t.acks.size()));
    w.key("retransmissions").value(t.retransmissions);
    w.key("timeout").value(t.timeout);
    w.key("start").value(static_cast<double>(t.start.count()) / 1e6, 6);
    w.key("end").value(static_cast<double>(t.end.count()) / 1e6, 6);
    const auto [cip, cport] = splitEndpoint(t.client);
    const auto [sip, sport] = splitEndpoint(t.server);
    w.key("src").value(cip);
    w.key("sport").value(cport);
    w.key("dst").value(sip);
    w.key("dport").value(sport);
    w.key("transport")
        .value(t.transport == stack::TransportKind::Reliable ? "reliable" : "unreliable");
    w.key("message_ids").beginArray();
    for (auto id : t.requests) w.value(id);
    for (auto id : t.responses) w.value(id);
    for (auto id : t.acks) w.value(id);
    w.endArray();
    w.endObject();
}

void writePeerStats(JsonWriter& w, const PeerStats& p) {
    w.beginObject();
    if (!p.peer.empty()) {
        const auto [ip, port] = splitEndpoint(p.peer);
        w.key("address").value(ip);
        w.key("port").value(port);
    }
    w.key("sessions").value(p.sessions);
    w.key("answered").value(p.answered);
    optionalPercent(w, "ser", p.ser());
    optionalPercent(w, "seer", p.seer());
    optionalPercent(w, "isa", p.isa());
    optionalPercent(w, "scr", p.scr());
    w.key("registrations").value(p.registrations);
    optionalPercent(w, "ira", p.ira());
    w.key("other_exchanges").value(p.otherExchanges);
    writeDelay(w, "pdd_ms", p.pdd);
    writeDelay(w, "srd_ms", p.srd);
    writeDelay(w, "sdd_ms", p.sdd);
    writeDelay(w, "sdt_ms", p.sdt);
    writeDelay(w, "rrd_ms", p.rrd);
    w.key("final_codes").beginObject();
    for (const auto& [code, n] : p.finalCodes) w.key(std::to_string(code)).value(n);
    w.endObject();
    w.key("states").beginObject();
    for (const auto& [state, n] : p.states) w.key(state).value(n);
    w.endObject();
    w.key("retransmissions").value(p.retransmissions);
    w.key("anomalies").value(p.anomalies);
    w.endObject();
}

}  // namespace sipscope::analyzer
