#include "ua/media_description.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>

#include "sdp/sdp.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::stack::ua {

namespace {

std::string_view codecName(int pt) noexcept {
    return pt == kPcmu ? "PCMU" : pt == kPcma ? "PCMA" : "";
}

}  // namespace

std::string buildSdp(const LocalMedia& m) {
    // Appended piece by piece: GCC 12 warns (-Wrestrict) on literal + temporary string chains.
    std::string s;
    const auto put = [&s](std::initializer_list<std::string_view> parts) {
        for (std::string_view p : parts) s.append(p);
    };
    const std::string_view ipType = m.ipv6 ? "IP6" : "IP4";
    const std::string id = std::to_string(m.sessionId);
    const std::string version = std::to_string(m.version);
    put({"v=0\r\no=sipscope ", id, " ", version, " IN ", ipType, " ", m.address, "\r\n"});
    put({"s=SipScope\r\nc=IN ", ipType, " ", m.address, "\r\nt=0 0\r\n"});
    put({"m=audio ", std::to_string(m.port), " RTP/AVP"});
    for (int pt : m.payloads) put({" ", std::to_string(pt)});
    if (m.telephoneEvent) put({" ", std::to_string(kTelephoneEvent)});
    put({"\r\n"});
    for (int pt : m.payloads)
        put({"a=rtpmap:", std::to_string(pt), " ", codecName(pt), "/8000\r\n"});
    // RFC 4733 §7.1.1: events 0-16 (DTMF).
    if (m.telephoneEvent) put({"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"});
    put({"a=ptime:20\r\na=", m.direction, "\r\n"});
    return s;
}

std::string_view answerDirection(std::string_view offerSdp) {
    auto parsed = parseSdp(offerSdp);
    if (!parsed.ok()) return "sendrecv";
    for (const SdpMedia& m : parsed->media) {
        if (m.type != "audio") continue;
        switch (m.effectiveDirection(parsed.value())) {
            case SdpDirection::SendOnly:
                return "recvonly";
            case SdpDirection::RecvOnly:
                return "sendonly";
            case SdpDirection::Inactive:
                return "inactive";
            case SdpDirection::SendRecv:
                return "sendrecv";
        }
    }
    return "sendrecv";
}

RemoteMedia remoteMedia(std::string_view body, const std::vector<int>& acceptable) {
    RemoteMedia out;
    auto parsed = parseSdp(body);
    if (!parsed.ok()) {
        out.error = "unreadable SDP: " + parsed.error().message;
        return out;
    }
    const SdpSession& s = parsed.value();
    for (const SdpMedia& m : s.media) {
        if (m.type != "audio" || m.port == 0) continue;
        const SdpConnection* c = m.effectiveConnection(s);
        if (!c) continue;
        for (std::string_view f : m.formats) {
            int pt = -1;
            std::from_chars(f.data(), f.data() + f.size(), pt);
            const std::string_view enc = m.encodingOf(pt);
            if (std::find(acceptable.begin(), acceptable.end(), pt) == acceptable.end()) continue;
            if (!enc.empty() && !syntax::iequals(enc, codecName(pt))) continue;
            out.ok = true;
            out.address = std::string(c->address);
            out.port = m.port;
            out.payload = pt;
            out.codec = std::string(codecName(pt));
            return out;
        }
        out.error = "no common codec in the remote SDP";
        return out;
    }
    if (out.error.empty()) out.error = "no active audio stream in the remote SDP";
    return out;
}

}  // namespace sipscope::stack::ua
