#include "calls/event_log.hpp"

#include <cstdio>

#include "message/key_headers.hpp"

namespace sipscope::analyzer {

namespace {

std::string label(const stack::SipMessage& m) {
    if (m.isRequest()) return std::string(m.method());
    return std::to_string(m.status().value_or(0)) + "/" +
           std::string(stack::extractKeyHeaders(m).cseqMethod);
}

std::string ids(const std::vector<std::uint64_t>& list) {
    std::string out = "[";
    for (std::size_t i = 0; i < list.size(); ++i) out += (i ? "," : "") + std::to_string(list[i]);
    return out + "]";
}

std::string code(const std::optional<int>& c) {
    return c ? std::to_string(*c) : "-";
}

}  // namespace

CallTrackerSinks EventLog::sinks() {
    CallTrackerSinks s;
    s.message = [this](const ObservedMessage& m, const stack::MessageVerdict& v, std::uint64_t,
                       const stack::Observation&) { message(m, v); };
    s.transaction = [this](const stack::TransactionRecord& t) { transaction(t); };
    s.dialog = [this](const stack::DialogEvent& e) { dialog(e); };
    s.anomaly = [this](const stack::Anomaly& a) { anomaly(a); };
    s.call = [this](CallRecord&& c) { call(c); };
    return s;
}

std::string EventLog::at(std::int64_t ns) {
    if (!m_originNs) m_originNs = ns;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%9.3f", static_cast<double>(ns - *m_originNs) / 1e9);
    return buf;
}

void EventLog::message(const ObservedMessage& m, const stack::MessageVerdict& v) {
    std::string line = at(m.tsNs) + " msg " + std::to_string(m.id) + " " + endpointText(m.src) +
                       " > " + endpointText(m.dst) + " " + label(*m.message) + " " +
                       std::string(stack::messageRoleLabel(v.role));
    if (v.transaction) line += " tx" + std::to_string(v.transaction);
    if (v.original) line += " of " + std::to_string(v.original);
    m_sink(line);
}

void EventLog::transaction(const stack::TransactionRecord& t) {
    m_sink(at(t.end.count() * 1000) + " tx" + std::to_string(t.id) + " " +
           (t.invite ? "ict " : "nict ") + t.method + " cseq=" + std::to_string(t.cseq) +
           " final=" + code(t.finalCode) + " outcome=" + std::string(stack::stateLabel(t.outcome)) +
           " req=" + std::to_string(t.requests.size()) +
           " resp=" + std::to_string(t.responses.size()) + " ack=" + std::to_string(t.acks.size()) +
           " rtx=" + std::to_string(t.retransmissions) + (t.timeout ? " timeout" : "") +
           (t.ackMissing ? " ack-missing" : "") + (t.abandoned ? " abandoned" : "") +
           (t.cancels ? " cancels=tx" + std::to_string(t.cancels) : ""));
}

void EventLog::dialog(const stack::DialogEvent& e) {
    m_sink(at(e.at.count() * 1000) + " dialog " + e.uac + " > " + e.uas + " " + e.method + " " +
           e.uacTag + "/" + e.uasTag + " " +
           (e.created ? std::string("created") : std::string(stack::dialogStateLabel(e.from))) +
           " -> " + std::string(stack::dialogStateLabel(e.to)) +
           (e.reason != stack::DialogReason::None
                ? " (" + std::string(stack::dialogReasonLabel(e.reason)) + ")"
                : ""));
}

void EventLog::anomaly(const stack::Anomaly& a) {
    m_sink(at(a.at.count() * 1000) + " anomaly " + a.code +
           (a.transaction ? " tx" + std::to_string(a.transaction) : "") + " " + ids(a.messageIds) +
           (a.rfc.empty() ? "" : " " + a.rfc));
}

void EventLog::call(const CallRecord& c) {
    std::string line =
        "call " + std::to_string(c.number) + " " + c.callId + " kind=" + callKindName(c.kind) +
        " state=" + callStateName(c.state) + " final=" + code(c.finalCode) +
        " msgs=" + std::to_string(c.messages) + " rtx=" + std::to_string(c.retransmissions) +
        " dup=" + std::to_string(c.duplicates) + " legs=" + std::to_string(c.legs) +
        " tx=" + std::to_string(c.transactions) + " dialogs=" + std::to_string(c.dialogs.early) +
        "/" + std::to_string(c.dialogs.confirmed) + "/" + std::to_string(c.dialogs.terminated) +
        " auth=" + std::to_string(c.authChallenges) +
        " anomalies=" + std::to_string(c.anomalies.size());
    if (c.callIds.size() > 1) {
        line += " call_ids=";
        for (std::size_t i = 0; i < c.callIds.size(); ++i) line += (i ? "," : "") + c.callIds[i];
    }
    m_sink(line);
}

}  // namespace sipscope::analyzer
