#pragma once
// Node roles inferred from the messages of a call (or of a whole capture): a node that receives
// an out-of-dialog request and sends the same request on is a proxy (same Call-ID) or a B2BUA
// (new Call-ID); a node answering REGISTER with 2xx is a registrar, one answering 3xx a
// redirect server; everything else that sends or receives requests is a user agent. The
// user-agent label comes from User-Agent (requests) or Server (responses).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "message/key_headers.hpp"
#include "message/sip_message.hpp"

namespace sipscope::analyzer {

struct NodeInfo {
    std::string role = "UA";  // "UA", "proxy", "B2BUA", "registrar", "redirect"
    std::string userAgent;
};

class NodeRoles {
  public:
    // One message, in capture order, between two endpoints ("ip:port"), with its key headers.
    void add(std::string_view src, std::string_view dst, const stack::SipMessage& m,
             const stack::KeyHeaders& keys, std::int64_t tsNs);
    void add(std::string_view src, std::string_view dst, const stack::SipMessage& m,
             std::int64_t tsNs);
    // Roles by endpoint.
    std::map<std::string, NodeInfo> nodes() const;

  private:
    struct Seen {
        std::string callId, method, receiver;
        std::int64_t tsNs;
    };
    // std::less<>: found by string_view, a string is made only for a new endpoint.
    std::map<std::string, NodeInfo, std::less<>> m_nodes;
    std::map<std::string, std::vector<Seen>, std::less<>> m_received;  // initial requests per node
    std::map<std::string, int, std::less<>> m_forwardedSame, m_forwardedNew, m_registrar,
        m_redirect;
};

}  // namespace sipscope::analyzer
