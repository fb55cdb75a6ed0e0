#include "calls/node_roles.hpp"

#include "core/ip_address.hpp"
#include "message/key_headers.hpp"

namespace sipscope::analyzer {

namespace {

constexpr std::int64_t kForwardWindowNs = 5'000'000'000;  // request forwarded within 5 s

}  // namespace

NodeRoles::Seen& NodeRoles::Received::push() {
    if (ring.size() < kReceivedKept) return ring.emplace_back();
    Seen& oldest = ring[next];
    next = (next + 1) % kReceivedKept;
    return oldest;
}

const NodeRoles::Seen& NodeRoles::Received::newest(std::size_t back) const {
    return ring[(next + ring.size() - 1 - back) % ring.size()];
}

NodeRoles::Node& NodeRoles::node(std::string_view endpoint) {
    if (auto it = m_nodes.find(endpoint); it != m_nodes.end()) return it->second;
    Node& n = m_nodes.emplace(std::string(endpoint), Node{}).first->second;
    n.received = &m_received[nodeKeyOf(endpoint)];
    return n;
}

void NodeRoles::add(std::string_view src, std::string_view dst, const stack::SipMessage& m,
                    std::int64_t tsNs) {
    add(src, dst, m, stack::extractKeyHeaders(m), tsNs);
}

void NodeRoles::add(std::string_view src, std::string_view dst, const stack::SipMessage& m,
                    const stack::KeyHeaders& k, std::int64_t tsNs) {
    Node& sender = node(src);
    Node& receiver = node(dst);
    // The header is looked for only while the node has no label yet.
    if (sender.info.userAgent.empty()) {
        const std::string_view agent =
            m.headerValue(m.isRequest() ? stack::HeaderId::UserAgent : stack::HeaderId::Server);
        if (!agent.empty()) sender.info.userAgent = std::string(agent);
    }
    if (m.isResponse()) {
        const int code = m.status().value_or(0);
        if (k.cseqMethod == "REGISTER" && code >= 200 && code < 300) ++sender.registrar;
        if (code >= 300 && code < 400) ++sender.redirect;
        return;
    }
    const std::string_view method = m.method();
    if (!k.toTag.empty() || method == "ACK" || method == "CANCEL") return;
    noteForwarded(sender, m, k, tsNs);
    Seen& seen = receiver.received->push();
    seen.callId.assign(k.callId);
    seen.method.assign(method);
    seen.receiver = &receiver;
    seen.tsNs = tsNs;
}

// Sent on by a node that received the same method shortly before?
void NodeRoles::noteForwarded(Node& sender, const stack::SipMessage& m, const stack::KeyHeaders& k,
                              std::int64_t tsNs) {
    const Received& received = *sender.received;
    for (std::size_t back = 0; back < received.ring.size(); ++back) {
        const Seen& s = received.newest(back);
        if (tsNs - s.tsNs > kForwardWindowNs) break;
        if (s.method != m.method()) continue;
        const bool same = s.callId == k.callId;
        ++(same ? sender.forwardedSame : sender.forwardedNew);
        ++(same ? s.receiver->forwardedSame : s.receiver->forwardedNew);  // where it came in
        break;
    }
}

std::map<std::string, NodeInfo> NodeRoles::nodes() const {
    std::map<std::string, NodeInfo> out;
    for (const auto& entry : m_nodes) {
        const Node& n = entry.second;
        NodeInfo info = n.info;
        // A node's role follows what it did most: forwarding beats answering.
        if (n.forwardedSame > 0)
            info.role = "proxy";
        else if (n.forwardedNew > 0)
            info.role = "B2BUA";
        else if (n.registrar > 0)
            info.role = "registrar";
        else if (n.redirect > 0)
            info.role = "redirect";
        out.emplace(entry.first, std::move(info));
    }
    return out;
}

}  // namespace sipscope::analyzer
