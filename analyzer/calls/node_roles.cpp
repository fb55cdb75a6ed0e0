#include "calls/node_roles.hpp"

#include "core/ip_address.hpp"
#include "message/key_headers.hpp"

namespace sipscope::analyzer {

namespace {

constexpr std::int64_t kForwardWindowNs = 5'000'000'000;  // request forwarded within 5 s

// map[key] for a map searched by string_view.
template <class Map>
typename Map::mapped_type& entry(Map& map, std::string_view key) {
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(std::string(key), typename Map::mapped_type{}).first;
    return it->second;
}

}  // namespace

void NodeRoles::add(std::string_view src, std::string_view dst, const stack::SipMessage& m,
                    std::int64_t tsNs) {
    add(src, dst, m, stack::extractKeyHeaders(m), tsNs);
}

void NodeRoles::add(std::string_view src, std::string_view dst, const stack::SipMessage& m,
                    const stack::KeyHeaders& k, std::int64_t tsNs) {
    NodeInfo& sender = entry(m_nodes, src);
    entry(m_nodes, dst);
    const std::string_view agent =
        m.headerValue(m.isRequest() ? stack::HeaderId::UserAgent : stack::HeaderId::Server);
    if (sender.userAgent.empty() && !agent.empty()) sender.userAgent = std::string(agent);
    if (m.isResponse()) {
        const int code = m.status().value_or(0);
        if (k.cseqMethod == "REGISTER" && code >= 200 && code < 300) ++entry(m_registrar, src);
        if (code >= 300 && code < 400) ++entry(m_redirect, src);
        return;
    }
    if (!k.toTag.empty() || m.method() == "ACK" || m.method() == "CANCEL") return;
    // Sent on by a node that received the same method shortly before?
    auto& seen = m_received[nodeKeyOf(src)];
    for (auto it = seen.rbegin(); it != seen.rend(); ++it) {
        if (tsNs - it->tsNs > kForwardWindowNs) break;
        if (it->method != m.method()) continue;
        auto& counter = it->callId == k.callId ? m_forwardedSame : m_forwardedNew;
        ++entry(counter, src);
        ++entry(counter, it->receiver);  // the side it was received on
        break;
    }
    auto& next = m_received[nodeKeyOf(dst)];
    next.push_back(Seen{std::string(k.callId), std::string(m.method()), std::string(dst), tsNs});
    if (next.size() > 64) next.erase(next.begin());
}

std::map<std::string, NodeInfo> NodeRoles::nodes() const {
    std::map<std::string, NodeInfo> out(m_nodes.begin(), m_nodes.end());
    for (auto& entry : out) {
        const std::string& endpoint = entry.first;
        NodeInfo& info = entry.second;
        // A node's role follows what it did most: forwarding beats answering.
        auto count = [&endpoint](const std::map<std::string, int, std::less<>>& m) {
            auto it = m.find(endpoint);
            return it == m.end() ? 0 : it->second;
        };
        if (count(m_forwardedSame) > 0)
            info.role = "proxy";
        else if (count(m_forwardedNew) > 0)
            info.role = "B2BUA";
        else if (count(m_registrar) > 0)
            info.role = "registrar";
        else if (count(m_redirect) > 0)
            info.role = "redirect";
    }
    return out;
}

}  // namespace sipscope::analyzer
