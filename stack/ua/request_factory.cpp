#include "ua/request_factory.hpp"

#include "dns/rfc3263.hpp"
#include "message/header_id.hpp"
#include "message/message_builder.hpp"
#include "transport/dns_resolver.hpp"
#include "uri/uri.hpp"

namespace sipscope::stack::ua {

namespace {

std::string angle(const std::string& uri) {
    return uri.empty() || uri.front() == '<' ? uri : "<" + uri + ">";
}

std::string withTag(const std::string& uri, const std::string& tag) {
    return tag.empty() ? angle(uri) : angle(uri) + ";tag=" + tag;
}

std::optional<net::Protocol> protocolFromParam(std::string_view s) {
    const auto is = [s](std::string_view lower) { return dns::sameName(s, lower); };
    if (is("udp")) return net::Protocol::Udp;
    if (is("tcp")) return net::Protocol::Tcp;
    if (is("tls")) return net::Protocol::Tls;
    return std::nullopt;
}

net::Protocol protocolOf(dns::SipTransport t) {
    return t == dns::SipTransport::Tls   ? net::Protocol::Tls
           : t == dns::SipTransport::Tcp ? net::Protocol::Tcp
                                         : net::Protocol::Udp;
}

dns::SipTransport transportOf(net::Protocol p) {
    return p == net::Protocol::Tls   ? dns::SipTransport::Tls
           : p == net::Protocol::Tcp ? dns::SipTransport::Tcp
                                     : dns::SipTransport::Udp;
}

// The system resolver on the host as given: the transport param or the scheme's default
// (RFC 3263 §4.1), the port given or the transport's default (§4.2).
std::vector<NextHop> fromGetaddrinfo(const dns::LocateInput& in, const std::string& tlsName,
                                     std::string& error) {
    const auto t = protocolOf(
        in.transport.value_or(in.sips ? dns::SipTransport::Tls : dns::SipTransport::Udp));
    const auto resolved = net::resolveHost(in.host, in.port.value_or(net::defaultPort(t)));
    std::vector<NextHop> hops;
    for (const auto& a : resolved.addresses)
        hops.push_back(NextHop{Target{t, a, tlsName}, "getaddrinfo"});
    if (hops.empty()) error = error.empty() ? resolved.error : resolved.error + " (" + error + ")";
    return hops;
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

std::vector<NextHop> locateNextHops(std::string_view text, const LocateOptions& o,
                                    std::string& error) {
    std::string_view bare = text;
    if (!bare.empty() && bare.front() == '<') bare = bare.substr(1, bare.find('>') - 1);
    auto uri = parseUri(bare);
    if (!uri.ok() || !uri->isSip()) {
        error = "not a sip: or sips: URI: " + std::string(text);
        return {};
    }
    const SipUri& u = uri->sip;
    dns::LocateInput in;
    in.host = std::string(u.host);
    in.port = u.port;
    in.sips = uri->scheme == UriScheme::Sips;
    // RFC 3263 §4.1: the transport parameter (or the user's explicit choice) skips NAPTR.
    if (const auto p = o.transport ? o.transport : protocolFromParam(u.transport()))
        in.transport = transportOf(*p);
    std::string tlsName = in.host;  // RFC 5922 §4: the certificate names the URI's domain
    if (tlsName.size() > 2 && tlsName.front() == '[')
        tlsName = tlsName.substr(1, tlsName.size() - 2);
    // RFC 6761 §6.3: localhost names are the loopback and never go to DNS.
    const std::string_view h = in.host;
    if (dns::sameName(h, "localhost") ||
        (h.size() > 10 && dns::sameName(h.substr(h.size() - 10), ".localhost")))
        return fromGetaddrinfo(in, tlsName, error);
    dns::ServerLocator locator(in, o.random);
    bool fallback = false;
    if (!locator.done()) {
        net::DnsConfig config = net::systemDnsConfig();
        if (!o.dnsServers.empty()) config.servers = o.dnsServers;
        net::DnsResolver resolver(config, o.random);
        resolver.run(locator);
        fallback = o.dnsServers.empty();
    }
    std::vector<NextHop> hops;
    for (const auto& t : locator.targets()) {
        const auto address = net::SockAddr::fromLiteral(t.address, t.port);
        if (address.valid())
            hops.push_back(NextHop{Target{protocolOf(t.transport), address, tlsName}, t.how});
    }
    if (!hops.empty()) return hops;
    error = locator.done() ? locator.error() : "DNS: server location did not finish";
    return fallback ? fromGetaddrinfo(in, tlsName, error) : hops;
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
