// libFuzzer target for the SDP parser: any input must give either an error whose offset lies in
// the body or a model whose views all lie in the body, and every accessor must be safe on it.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sdp/sdp.hpp"
#include "syntax/scanner.hpp"

using namespace sipscope::stack;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void checkInside(std::string_view part, std::string_view whole) {
    if (part.empty()) return;
    check(part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void checkAttributes(const std::vector<SdpAttribute>& attributes, std::string_view body) {
    for (const SdpAttribute& a : attributes) {
        checkInside(a.name, body);
        checkInside(a.value, body);
        check(a.hasValue || a.value.empty());
    }
}

void checkConnection(const std::optional<SdpConnection>& c, std::string_view body) {
    if (!c) return;
    checkInside(c->netType, body);
    checkInside(c->addrType, body);
    checkInside(c->address, body);
    check(!c->address.empty() && c->count >= 1);
    check(!c->ttl || (*c->ttl >= 0 && *c->ttl <= 255));
    (void)c->isUnspecified();
}

void checkMedia(const SdpSession& s, const SdpMedia& m, std::string_view body) {
    check(m.offset + 2 <= body.size() && body.substr(m.offset, 2) == "m=");
    checkInside(m.type, body);
    checkInside(m.proto, body);
    check(m.portCount >= 1);
    checkConnection(m.connection, body);
    checkAttributes(m.attributes, body);
    for (std::string_view f : m.formats) {
        checkInside(f, body);
        const auto pt = syntax::parseUnsigned(f, 1000);
        if (!pt) continue;
        const int n = static_cast<int>(*pt);
        // A name not from a=rtpmap can only come from the static table.
        if (!m.encodingOf(n).empty() && !m.rtpmap(n)) check(staticPayload(n) != nullptr);
    }
    for (const SdpRtpmap& r : m.rtpmaps) {
        checkInside(r.encoding, body);
        checkInside(r.channels, body);
        check(r.payloadType >= 0 && r.payloadType <= 127 && !r.encoding.empty());
        check(m.encodingOf(r.payloadType).data() == m.rtpmap(r.payloadType)->encoding.data());
    }
    for (const SdpFmtp& f : m.fmtps) {
        checkInside(f.params, body);
        check(m.fmtp(f.payloadType) != nullptr);
    }
    checkInside(m.rtcpAddress, body);
    for (const SdpLine& l : m.otherLines) checkInside(l.value, body);
    (void)directionName(m.effectiveDirection(s));
    const SdpConnection* c = m.effectiveConnection(s);
    check(c == nullptr || (m.connection ? c == &*m.connection : c == &*s.connection));
    (void)m.attribute("rtpmap");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto r = parseSdp(body);
    if (!r) {
        check(r.error().code == ErrorCode::BadBody && r.error().offset <= size);
        return 0;
    }
    const SdpSession& s = *r;
    checkInside(s.sessionName, body);
    checkInside(s.origin.username, body);
    checkInside(s.origin.address, body);
    checkConnection(s.connection, body);
    checkAttributes(s.attributes, body);
    for (const SdpLine& l : s.otherLines) checkInside(l.value, body);
    std::size_t lastOffset = 0;
    for (const SdpMedia& m : s.media) {
        check(m.offset >= lastOffset);
        lastOffset = m.offset + 1;
        checkMedia(s, m, body);
    }
    (void)s.isHold();
    (void)s.attribute("group");
    return 0;
}
