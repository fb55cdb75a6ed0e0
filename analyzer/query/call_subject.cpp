#include "query/call_subject.hpp"

#include <algorithm>
#include <charconv>

namespace sipscope::analyzer {

namespace {

// Text fields print as JSON null when empty; so they are null here.
FilterValue text(const std::string& s) {
    if (s.empty()) return std::monostate{};
    return s;
}

FilterValue number(const std::optional<double>& v) {
    if (!v) return std::monostate{};
    return *v;
}

// Unix seconds at microsecond precision, the value the JSON prints ("start": 1795643705.166923),
// so a timestamp copied from the JSON compares equal.
double seconds(std::int64_t ns) {
    return static_cast<double>(ns / 1000) / 1e6;
}

FilterValue time(const std::optional<std::int64_t>& ns) {
    if (!ns) return std::monostate{};
    return seconds(*ns);
}

// "ip:port" or "[v6]:port": the address (without brackets) or the port, as in the JSON.
FilterValue endpointPart(std::string_view endpoint, bool port) {
    const auto colon = endpoint.rfind(':');
    if (colon == std::string_view::npos) return port ? FilterValue{} : text(std::string(endpoint));
    if (port) {
        int p = 0;
        const auto digits = endpoint.substr(colon + 1);
        std::from_chars(digits.data(), digits.data() + digits.size(), p);
        return p > 0 ? FilterValue(static_cast<double>(p)) : FilterValue{};
    }
    std::string_view host = endpoint.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return text(std::string(host));
}

FilterValue callIds(const CallRecord& r) {
    std::vector<std::string> ids = r.callIds;
    if (!r.callId.empty() && std::find(ids.begin(), ids.end(), r.callId) == ids.end())
        ids.insert(ids.begin(), r.callId);
    return ids;
}

FilterValue anomalyCodes(const CallRecord& r) {
    std::vector<std::string> codes;
    codes.reserve(r.anomalies.size());
    for (const auto& a : r.anomalies) codes.push_back(a.code);
    return codes;
}

FilterValue codecs(const CallRecord& r) {
    std::vector<std::string> all;
    for (const auto& m : r.media) all.insert(all.end(), m.codecs.begin(), m.codecs.end());
    return all;
}

FilterValue duration(const CallRecord& r) {
    if (!r.answerNs || !r.endNs) return std::monostate{};
    return static_cast<double>(*r.endNs - *r.answerNs) / 1e9;
}

}  // namespace

FilterValue CallRecordSubject::field(FilterField f) const {
    const CallRecord& r = m_record;
    const auto count = [](std::uint32_t n) { return FilterValue(static_cast<double>(n)); };
    switch (f) {
        case FilterField::CallId:
            return callIds(r);
        case FilterField::Kind:
            return std::string(callKindName(r.kind));
        case FilterField::Method:
            return text(r.method);
        case FilterField::FromUser:
            return text(r.fromUser);
        case FilterField::ToUser:
            return text(r.toUser);
        case FilterField::State:
            return std::string(callStateName(r.state));
        case FilterField::FinalCode:
            return r.finalCode ? FilterValue(static_cast<double>(*r.finalCode)) : FilterValue{};
        case FilterField::Reason:
            return text(r.finalReason);
        case FilterField::Messages:
            return count(r.messages);
        case FilterField::Retransmissions:
            return count(r.retransmissions);
        case FilterField::Duplicates:
            return count(r.duplicates);
        case FilterField::Legs:
            return count(r.legs);
        case FilterField::Transactions:
            return count(r.transactions);
        case FilterField::AuthChallenges:
            return count(r.authChallenges);
        case FilterField::Start:
            return seconds(r.startNs);
        case FilterField::Answer:
            return time(r.answerNs);
        case FilterField::End:
            return time(r.endNs);
        case FilterField::DurationS:
            return duration(r);
        case FilterField::PddMs:
            return number(r.metrics.pddMs);
        case FilterField::SrdMs:
            return number(r.metrics.srdMs);
        case FilterField::SddMs:
            return number(r.metrics.sddMs);
        case FilterField::SdtMs:
            return number(r.metrics.sdtMs);
        case FilterField::RrdMs:
            return number(r.metrics.rrdMs);
        case FilterField::Src:
            return endpointPart(r.caller, false);
        case FilterField::Dst:
            return endpointPart(r.callee, false);
        case FilterField::Sport:
            return endpointPart(r.caller, true);
        case FilterField::Dport:
            return endpointPart(r.callee, true);
        case FilterField::Transport:
            return text(r.transport);
        case FilterField::UserAgent:
            return text(r.userAgent);
        case FilterField::Anomalies:
            return count(static_cast<std::uint32_t>(r.anomalies.size()));
        case FilterField::Anomaly:
            return anomalyCodes(r);
        case FilterField::Codec:
            return codecs(r);
        case FilterField::MediaProblem:
            return r.mediaProblems;
        case FilterField::Header:
            return header({});
    }
    return std::monostate{};
}

FilterValue CallRecordSubject::header(std::string_view name) const {
    if (!m_headers || name.empty()) return std::monostate{};
    auto values = m_headers(name);
    if (values.empty()) return std::monostate{};
    return values;
}

}  // namespace sipscope::analyzer
