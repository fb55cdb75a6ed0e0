#include "ua/request_factory.hpp"

#include "message/header_id.hpp"
#include "message/message_builder.hpp"
#include "uri/uri.hpp"

namespace sipscope::stack::ua {

namespace {

std::string angle(const std::string& uri) {
    return uri.empty() || uri.front() == '<' ? uri : "<" + uri + ">";
}

std::string withTag(const std::string& uri, const std::string& tag) {
    return tag.empty() ? angle(uri) : angle(uri) + ";tag=" + tag;
}

}  // namespace

Result<SipMessage> buildRequest(const RequestSeries& s, std::string_view method,
                                const std::string& via, const ExtraHeaders& extra,
                                const std::optional<BodyPart>& body) {
    auto b = MessageBuilder::request(method, s.requestUri)
                 .header("Via", via)
                 .header("Max-Forwards", "70")
                 .header("From", withTag(s.fromUri, s.fromTag))
                 .header("To", angle(s.toUri))
                 .header("Call-ID", s.callId)
                 .header("CSeq", std::to_string(s.cseq) + " " + std::string(method));
    if (!s.contact.empty() && method != "CANCEL" && method != "ACK")
        b.header("Contact", angle(s.contact));
    b.header("User-Agent", kUserAgent);
    for (const auto& [name, value] : extra) b.header(name, value);
    if (body) b.body(body->contentType, body->content);
    return b.build();
}

Result<SipMessage> buildInDialog(const Dialog& d, std::string_view method, std::uint32_t cseq,
                                 const std::string& via, const std::string& contact,
                                 const ExtraHeaders& extra, const std::optional<BodyPart>& body) {
    auto b = MessageBuilder::request(method, d.remoteTarget())
                 .header("Via", via)
                 .header("Max-Forwards", "70")
                 .header("From", withTag(d.localUri(), d.id().localTag))
                 .header("To", withTag(d.remoteUri(), d.id().remoteTag))
                 .header("Call-ID", d.id().callId)
                 .header("CSeq", std::to_string(cseq) + " " + std::string(method));
    for (const auto& route : d.routeSet()) b.header("Route", angle(route));
    if (!contact.empty() && method != "ACK" && method != "BYE") b.header("Contact", angle(contact));
    b.header("User-Agent", kUserAgent);
    for (const auto& [name, value] : extra) b.header(name, value);
    if (body) b.body(body->contentType, body->content);
    return b.build();
}

Result<SipMessage> buildCancel(const SipMessage& invite) {
    const auto cseq = invite.headerValue(HeaderId::CSeq);
    const auto space = cseq.find(' ');
    auto b = MessageBuilder::request("CANCEL", invite.requestUri())
                 .header("Via", std::string(invite.headerValue(HeaderId::Via)))
                 .header("Max-Forwards", "70")
                 .header("From", std::string(invite.headerValue(HeaderId::From)))
                 .header("To", std::string(invite.headerValue(HeaderId::To)))
                 .header("Call-ID", std::string(invite.headerValue(HeaderId::CallId)))
                 .header("CSeq", std::string(cseq.substr(0, space)) + " CANCEL");
    for (const auto& h : invite.headers())
        if (h.id == HeaderId::Route) b.header("Route", std::string(h.value));
    b.header("User-Agent", kUserAgent);
    return b.build();
}

std::optional<net::SockAddr> resolveUriHost(std::string_view text, net::Protocol protocol,
                                            std::string* hostOut) {
    std::string_view bare = text;
    if (!bare.empty() && bare.front() == '<') bare = bare.substr(1, bare.find('>') - 1);
    auto uri = parseUri(bare);
    if (!uri.ok() || !uri->isSip()) return std::nullopt;
    const SipUri& u = uri->sip;
    // RFC 3263 §4.2 without SRV: the port given, else the protocol's default.
    const std::uint16_t port = u.port.value_or(net::defaultPort(protocol));
    auto resolved = net::resolveHost(u.host, port);
    if (resolved.addresses.empty()) return std::nullopt;
    if (hostOut) *hostOut = std::string(u.host);
    return resolved.addresses.front();
}

Target dialogTarget(const Dialog& d, const Target& fallback) {
    const std::string& uri = d.routeSet().empty() ? d.remoteTarget() : d.routeSet().front();
    Target t = fallback;
    std::string host;
    if (auto addr = resolveUriHost(uri, fallback.protocol, &host)) {
        if (addr->family() == fallback.address.family()) {
            t.address = *addr;
            t.tlsName = host;
        }
    }
    return t;
}

}  // namespace sipscope::stack::ua
