#include "calls/call_ladder.hpp"

#include <charconv>

#include "calls/node_roles.hpp"
#include "core/ip_address.hpp"
#include "message/body.hpp"
#include "message/key_headers.hpp"

namespace sipscope::analyzer {

namespace {

std::string sdpSummary(const stack::SipMessage& m) {
    const stack::BodyInfo body = stack::inspectBody(m);
    if (!body.sdp || body.sdp->media.empty()) return {};
    const stack::SdpMedia& media = body.sdp->media.front();
    std::string codecs;
    for (const auto& fmt : media.formats) {
        int pt = -1;
        const auto [end, ec] = std::from_chars(fmt.data(), fmt.data() + fmt.size(), pt);
        const bool numeric = ec == std::errc() && end == fmt.data() + fmt.size();
        const std::string_view name = numeric ? media.encodingOf(pt) : std::string_view();
        if (!codecs.empty()) codecs += ",";
        codecs += name.empty() ? std::string(fmt) : std::string(name);
        if (codecs.size() > 40) break;
    }
    const auto& conn = media.connection ? media.connection : body.sdp->connection;
    const auto dir = media.direction ? media.direction : body.sdp->direction;
    return codecs + " " + (conn ? std::string(conn->address) : std::string("?")) + ":" +
           std::to_string(media.port) + " " +
           std::string(stack::directionName(dir.value_or(stack::SdpDirection::SendRecv)));
}

int legOf(const std::string& src, const std::string& dst,
          const std::vector<std::pair<std::string, std::string>>& hops) {
    for (std::size_t i = 0; i < hops.size(); ++i)
        if ((hops[i].first == src && hops[i].second == dst) ||
            (hops[i].first == dst && hops[i].second == src))
            return static_cast<int>(i);
    for (std::size_t i = 0; i < hops.size(); ++i)
        if (hops[i].first == src || hops[i].second == dst || hops[i].first == dst ||
            hops[i].second == src)
            return static_cast<int>(i);
    return 0;
}

}  // namespace

LadderInput buildCallLadder(const std::vector<store::StoredMessage>& messages,
                            const CallLadderInfo& info) {
    LadderInput in;
    NodeRoles roles;
    for (const auto& sm : messages) {
        LadderMessage lm;
        lm.id = sm.seq;
        lm.tsNs = sm.tsNs;
        lm.src = endpointText(sm.src, sm.sport);
        lm.dst = endpointText(sm.dst, sm.dport);
        lm.transport = sm.transport;
        lm.retransmission = sm.role == "retransmission";
        lm.duplicate = sm.role == "duplicate";
        lm.original = sm.original;
        lm.rawText = sm.bytes;
        lm.leg = legOf(lm.src, lm.dst, info.legHops);
        if (auto a = info.anomalies.find(sm.seq); a != info.anomalies.end())
            lm.anomalies = a->second;
        auto parsed = stack::SipMessage::parse(sm.bytes);
        if (parsed.ok()) {
            const stack::SipMessage& m = parsed.value();
            const stack::KeyHeaders k = stack::extractKeyHeaders(m);
            lm.method = std::string(m.method());
            lm.status = m.status().value_or(0);
            lm.reason = std::string(m.reason());
            lm.cseqMethod = std::string(k.cseqMethod);
            lm.callId = std::string(k.callId);
            if (!m.body().empty()) lm.detail = sdpSummary(m);
            roles.add(lm.src, lm.dst, m, sm.tsNs);
        } else {
            lm.label = "(not SIP)";
        }
        in.messages.push_back(std::move(lm));
    }
    for (const auto& [endpoint, node] : roles.nodes())
        in.nodes.push_back(LadderNode{endpoint, node.role, node.userAgent, {}});
    return in;
}

}  // namespace sipscope::analyzer
