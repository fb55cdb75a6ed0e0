#pragma once
// Node roles inferred from the messages of a call (or of a whole capture): a node that receives
// an out-of-dialog request and sends the same request on is a proxy (same Call-ID) or a B2BUA
// (new Call-ID); a node answering REGISTER with 2xx is a registrar, one answering 3xx a
// redirect server; everything else that sends or receives requests is a user agent. The
// user-agent label comes from User-Agent (requests) or Server (responses).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/string_hash.hpp"
#include "message/key_headers.hpp"
#include "message/sip_message.hpp"

namespace sipscope::analyzer {

struct NodeInfo {
    std::string role = "UA";  // "UA", "proxy", "B2BUA", "registrar", "redirect"
    std::string userAgent;
};

class NodeRoles {
  public:
    NodeRoles() = default;
    // Nodes point into each other's maps: a copy would point into the original.
    NodeRoles(const NodeRoles&) = delete;
    NodeRoles& operator=(const NodeRoles&) = delete;

    // One message, in capture order, between two endpoints ("ip:port"), with its key headers.
    void add(std::string_view src, std::string_view dst, const stack::SipMessage& m,
             const stack::KeyHeaders& keys, std::int64_t tsNs);
    void add(std::string_view src, std::string_view dst, const stack::SipMessage& m,
             std::int64_t tsNs);
    // Roles by endpoint.
    std::map<std::string, NodeInfo> nodes() const;

    // Initial requests remembered per node (address) to see whether it sends them on.
    static constexpr std::size_t kReceivedKept = 64;

  private:
    struct Node;
    struct Seen {
        // Assigned in place when the ring comes round: their storage is reused.
        std::string callId, method;
        Node* receiver = nullptr;  // the endpoint it was received on
        std::int64_t tsNs = 0;
    };
    // The latest kReceivedKept initial requests a node received, in a ring: the newest is
    // just before `next` once the ring is full.
    struct Received {
        std::vector<Seen> ring;
        std::size_t next = 0;
        Seen& push();
        const Seen& newest(std::size_t back) const;  // 0: the newest
    };
    struct Node {
        NodeInfo info;
        int forwardedSame = 0, forwardedNew = 0, registrar = 0, redirect = 0;
        Received* received = nullptr;  // of its address (nodeKeyOf), shared by its ports
    };
    Node& node(std::string_view endpoint);
    void noteForwarded(Node& sender, const stack::SipMessage& m, const stack::KeyHeaders& k,
                       std::int64_t tsNs);

    // Hashed by endpoint text, found by view; nodes() sorts once. Node-based maps: the
    // pointers between them stay valid as they grow.
    StringMap<Node> m_nodes;
    StringMap<Received> m_received;  // by node key
};

}  // namespace sipscope::analyzer
