// MediaTracker, SIP side: which endpoints each call's SDP offers and answers announced for
// RTP and RTCP (RFC 3264 §5, §6), including re-INVITE and UPDATE changes and hold.

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "media/media_tracker.hpp"
#include "message/body.hpp"
#include "message/key_headers.hpp"

namespace sipscope::analyzer {

namespace {

// c= carries IP4/IP6 literals in practice; a FQDN (RFC 8866 allows it) is not resolved.
std::optional<IpAddress> parseAddress(std::string_view text) {
    char buf[INET6_ADDRSTRLEN + 1];
    if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    std::uint8_t bytes[16];
    if (inet_pton(AF_INET, buf, bytes) == 1) return IpAddress::v4(bytes);
    if (inet_pton(AF_INET6, buf, bytes) == 1) return IpAddress::v6(bytes);
    return std::nullopt;
}

std::optional<int> payloadTypeOf(std::string_view format) {
    int pt = -1;
    const auto [end, ec] = std::from_chars(format.data(), format.data() + format.size(), pt);
    if (ec != std::errc() || end != format.data() + format.size() || pt < 0 || pt > 127)
        return std::nullopt;
    return pt;
}

void noteRtpmaps(MediaTracker::CallMedia& c, const stack::SdpMedia& media) {
    for (const auto& map : media.rtpmaps) {
        auto it = c.rtpmaps.begin();
        while (it != c.rtpmaps.end() && it->first != map.payloadType) ++it;
        std::pair<std::string, int> info{std::string(map.encoding), map.clockRate};
        if (it != c.rtpmaps.end())
            it->second = std::move(info);
        else if (c.rtpmaps.size() < 64)
            c.rtpmaps.emplace_back(map.payloadType, std::move(info));
    }
}

}  // namespace

void MediaTracker::onSip(const ObservedMessage& m) {
    if (!m.message) return;
    const stack::SipMessage& msg = *m.message;
    const stack::KeyHeaders& keys = msg.keyHeaders();
    if (keys.callId.empty()) return;
    const std::string_view method = msg.isRequest() ? msg.method() : keys.cseqMethod;
    const bool sessionMethod =
        method == "INVITE" || method == "UPDATE" || method == "PRACK" || method == "ACK";
    if (!sessionMethod) return;
    const std::uint64_t idKey = callIdDigest(keys.callId);
    std::uint32_t index = 0;
    if (const std::uint32_t* known = m_callById.find(idKey)) {
        index = *known;
    } else {
        if (method != "INVITE" && msg.body().empty()) return;
        index = m_nextCall++;
        m_callById[idKey] = index;
        m_calls[index].media.callId = std::string(keys.callId);
    }
    CallMedia& c = callSlot(index).media;
    const int status = msg.status().value_or(0);
    if (msg.isResponse() && method == "INVITE" && status >= 200 && status < 300) c.answered = true;
    if (msg.body().empty()) return;
    if (msg.isResponse() && (status <= 100 || status >= 300)) return;
    // RFC 3264 §4: the SDP in a request is an offer, except in the ACK, which answers an offer
    // made in a 2xx; the SDP in a reliable provisional or final response is an answer.
    learnSdp(index, m, msg.isResponse() || method == "ACK");
}

std::uint64_t MediaTracker::bindingKey(const Endpoint& e) noexcept {
    const auto& b = e.ip.bytes;
    if (e.ip.version == 4)
        return std::uint64_t{b[0]} << 40 | std::uint64_t{b[1]} << 32 | std::uint64_t{b[2]} << 24 |
               std::uint64_t{b[3]} << 16 | e.port;
    std::uint64_t hi = 0, lo = 0;
    std::memcpy(&hi, b.data(), sizeof hi);
    std::memcpy(&lo, b.data() + sizeof hi, sizeof lo);
    return stack::Digest().add(hi).add(lo).add(std::uint64_t{e.port} << 8 | e.ip.version).value() |
           std::uint64_t{1} << 63;
}

void MediaTracker::bind(const Endpoint& e, std::uint32_t call, Role role) {
    const std::uint64_t key = bindingKey(e);
    Binding& b = m_bindings[key];
    const bool added = b.role == Role::None;  // bound endpoints always have a role
    // An RTP port announced as rtcp-mux elsewhere stays Mux: demultiplexing is safe for both.
    if (!added && b.call == call && b.role == Role::Mux && role == Role::Rtp) return;
    // The same binding again (an SDP repeated in a reliable provisional, the 2xx, a re-INVITE):
    // no flow would classify differently, so flows need not look their ports up again.
    if (!added && b.call == call && b.role == role) return;
    if (added || b.call != call) callSlot(call).bound.push_back(key);
    b = Binding{call, role};
    ++m_generation;
}

void MediaTracker::noteOtherMedia(const stack::SdpMedia& media, const stack::SdpSession& sdp,
                                  std::uint32_t call) {
    const stack::SdpConnection* conn = media.effectiveConnection(sdp);
    if (media.port == 0 || !conn || conn->isUnspecified()) return;
    if (const auto ip = parseAddress(conn->address)) bind({*ip, media.port}, call, Role::Other);
}

void MediaTracker::learnSdp(std::uint32_t index, const ObservedMessage& m, bool answer) {
    const stack::BodyInfo& body = stack::bodyInfo(*m.message);
    if (!body.sdp) return;
    const stack::SdpSession& sdp = *body.sdp;
    CallMedia& c = callSlot(index).media;
    (answer ? c.answer : c.offer) = true;
    std::bitset<128>& pts = answer ? c.answerPts : c.offerPts;
    pts.reset();
    bool active = false;
    for (const stack::SdpMedia& media : sdp.media) {
        // T.38 (m=image) runs over UDPTL, not RTP, often on the port audio used before.
        if (media.type != "audio" && media.type != "video") {
            noteOtherMedia(media, sdp, index);
            continue;
        }
        for (auto f : media.formats)
            if (auto pt = payloadTypeOf(f)) pts.set(static_cast<std::size_t>(*pt));
        noteRtpmaps(c, media);
        if (media.port == 0) continue;  // RFC 3264 §6: a rejected stream
        const stack::SdpConnection* conn = media.effectiveConnection(sdp);
        if (!conn) continue;
        const stack::SdpDirection dir = media.effectiveDirection(sdp);
        // RFC 3264 §8.4: hold is sendonly/inactive, or (RFC 2543) a 0.0.0.0 address.
        if (dir != stack::SdpDirection::SendRecv || conn->isUnspecified()) c.directional = true;
        if (conn->isUnspecified()) continue;
        if (dir != stack::SdpDirection::Inactive) active = true;
        const auto ip = parseAddress(conn->address);
        if (!ip) continue;
        const Endpoint rtp{*ip, media.port};
        // RFC 5761 §5.1.1: rtcp-mux puts RTCP on the RTP port; an offerer must still be ready
        // for RTCP on port + 1 until the answer accepts.
        if (media.rtcpMux)
            bind(rtp, index, Role::Mux);
        else
            bind(rtp, index, Role::Rtp);
        if (media.rtcpMux && answer) continue;
        // RFC 3605 §2.1: a=rtcp gives the port (and address); RFC 3550 §11: else port + 1.
        Endpoint rtcp{*ip, static_cast<std::uint16_t>(media.port + 1)};
        if (media.rtcpPort) {
            rtcp.port = *media.rtcpPort;
            if (auto a = parseAddress(media.rtcpAddress)) rtcp.ip = *a;
        } else if (media.port == 65535) {
            continue;
        }
        if (rtcp.ip != rtp.ip || rtcp.port != rtp.port) bind(rtcp, index, Role::Rtcp);
    }
    if (answer) c.expectsMedia = active;
}

}  // namespace sipscope::analyzer
