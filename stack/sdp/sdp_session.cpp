// Accessors of the parsed SDP model: what a stream effectively does once session-level defaults
// and the RTP/AVP static payload table are taken into account.

#include <array>

#include "sdp/sdp.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::stack {

namespace {

struct StaticEntry {
    int payloadType;
    SdpStaticPayload payload;
};

// RFC 3551 §6, Tables 4 and 5. Payload types 1, 2 and 19 are reserved (their old codecs were
// withdrawn), 20-24, 27 and 29-30 are unassigned.
constexpr std::array<StaticEntry, 24> kStaticPayloads{{
    {0, {"PCMU", 8000, 1}},   {3, {"GSM", 8000, 1}},    {4, {"G723", 8000, 1}},
    {5, {"DVI4", 8000, 1}},   {6, {"DVI4", 16000, 1}},  {7, {"LPC", 8000, 1}},
    {8, {"PCMA", 8000, 1}},   {9, {"G722", 8000, 1}},   {10, {"L16", 44100, 2}},
    {11, {"L16", 44100, 1}},  {12, {"QCELP", 8000, 1}}, {13, {"CN", 8000, 1}},
    {14, {"MPA", 90000, 0}},  {15, {"G728", 8000, 1}},  {16, {"DVI4", 11025, 1}},
    {17, {"DVI4", 22050, 1}}, {18, {"G729", 8000, 1}},  {25, {"CelB", 90000, 0}},
    {26, {"JPEG", 90000, 0}}, {28, {"nv", 90000, 0}},   {31, {"H261", 90000, 0}},
    {32, {"MPV", 90000, 0}},  {33, {"MP2T", 90000, 0}}, {34, {"H263", 90000, 0}},
}};

template <class Attributes>
const SdpAttribute* findAttribute(const Attributes& attributes, std::string_view name) noexcept {
    for (const SdpAttribute& a : attributes)
        if (syntax::iequals(a.name, name)) return &a;
    return nullptr;
}

}  // namespace

const SdpStaticPayload* staticPayload(int payloadType) noexcept {
    for (const StaticEntry& e : kStaticPayloads)
        if (e.payloadType == payloadType) return &e.payload;
    return nullptr;
}

std::string_view directionName(SdpDirection direction) noexcept {
    switch (direction) {
        case SdpDirection::SendRecv:
            return "sendrecv";
        case SdpDirection::SendOnly:
            return "sendonly";
        case SdpDirection::RecvOnly:
            return "recvonly";
        case SdpDirection::Inactive:
            return "inactive";
    }
    return "sendrecv";
}

bool SdpConnection::isUnspecified() const noexcept {
    return address == "0.0.0.0" || address == "::";
}

SdpDirection SdpMedia::effectiveDirection(const SdpSession& session) const noexcept {
    // RFC 8866 §6.7: a media-level direction overrides the session-level one; sendrecv is the
    // default for RTP-based media when neither is present.
    if (direction) return *direction;
    if (session.direction) return *session.direction;
    return SdpDirection::SendRecv;
}

const SdpConnection* SdpMedia::effectiveConnection(const SdpSession& session) const noexcept {
    // RFC 8866 §5.7: a media-level c= overrides the session-level one.
    if (connection) return &*connection;
    if (session.connection) return &*session.connection;
    return nullptr;
}

const SdpRtpmap* SdpMedia::rtpmap(int payloadType) const noexcept {
    for (const SdpRtpmap& r : rtpmaps)
        if (r.payloadType == payloadType) return &r;
    return nullptr;
}

const SdpFmtp* SdpMedia::fmtp(int payloadType) const noexcept {
    for (const SdpFmtp& f : fmtps)
        if (f.payloadType == payloadType) return &f;
    return nullptr;
}

const SdpAttribute* SdpMedia::attribute(std::string_view name) const noexcept {
    return findAttribute(attributes, name);
}

std::string_view SdpMedia::encodingOf(int payloadType) const noexcept {
    if (const SdpRtpmap* r = rtpmap(payloadType)) return r->encoding;
    // The static table belongs to the RTP/AVP profile family (RTP/AVP, RTP/SAVP, RTP/AVPF,
    // UDP/TLS/RTP/SAVPF); a "0" under udptl or TCP/MSRP is not PCMU.
    if (proto.find("RTP/") == std::string_view::npos) return {};
    if (const SdpStaticPayload* s = staticPayload(payloadType)) return s->encoding;
    return {};
}

const SdpAttribute* SdpSession::attribute(std::string_view name) const noexcept {
    return findAttribute(attributes, name);
}

bool SdpSession::isHold() const noexcept {
    bool anyAudio = false;
    for (const SdpMedia& m : media) {
        // Port 0 disables a stream (RFC 3264 §5.1), so it says nothing about hold.
        if (!syntax::iequals(m.type, "audio") || m.port == 0) continue;
        anyAudio = true;
        const SdpDirection d = m.effectiveDirection(*this);
        const SdpConnection* c = m.effectiveConnection(*this);
        // JSEP (RFC 8829 §5.2.1) puts "IN IP4 0.0.0.0" in every ICE offer as a placeholder, so
        // the unspecified address means hold only without ICE.
        const bool usesIce =
            m.attribute("ice-ufrag") != nullptr || attribute("ice-ufrag") != nullptr;
        const bool held = d == SdpDirection::SendOnly || d == SdpDirection::Inactive ||
                          (c != nullptr && c->isUnspecified() && !usesIce);
        if (!held) return false;
    }
    return anyAudio;
}

}  // namespace sipscope::stack
