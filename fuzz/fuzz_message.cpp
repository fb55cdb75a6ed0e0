// libFuzzer target for the datagram path of the message codec: SipMessage::parse, validate(),
// inspectBody(), extractKeyHeaders() and every typed accessor, plus the edit/encode/re-parse
// round trip. An invariant that does not hold calls abort() so that libFuzzer keeps the input.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "message/auth.hpp"
#include "message/body.hpp"
#include "message/key_headers.hpp"
#include "message/name_addr.hpp"
#include "message/simple_headers.hpp"
#include "message/sip_message.hpp"
#include "message/validate.hpp"
#include "message/via.hpp"
#include "uri/uri.hpp"

using namespace sipscope::stack;

namespace {

// The sum keeps the optimiser from dropping accessor calls whose results are otherwise unused.
volatile std::size_t g_sink = 0;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

void check(bool condition, const char* what) {
    if (!condition) fail(what);
}

void checkOffsets(const std::vector<Error>& errors, std::size_t size, const char* what) {
    for (const auto& e : errors) {
        if (e.offset > size) {
            std::fprintf(stderr, "%s: offset %zu > input size %zu (%s: %s)\n", what, e.offset, size,
                         std::string(errorCodeName(e.code)).c_str(), e.message.c_str());
            fail("error/issue offset beyond the input");
        }
    }
}

// Same slice, not merely equal text: the key path must read the very header line.
bool sameSlice(std::string_view a, std::string_view b) {
    return a.size() == b.size() && (a.empty() || a.data() == b.data());
}

void touchUri(const Uri& uri) {
    g_sink = g_sink + uri.user().size() + uri.hostPort().size() + encodeUri(uri).size();
    if (uri.isSip()) {
        g_sink = g_sink + uri.sip.transport().size() + uri.sip.maddr().size() + uri.sip.lr();
    }
    // RFC 3261 §19.1.4 comparison is an equivalence: a URI equals itself.
    check(uriEquivalent(uri, uri), "uriEquivalent(u, u) is false");
}

void touchNameAddr(const NameAddr& na) {
    g_sink = g_sink + na.displayName().size() + na.tag().size() + na.encode().size();
    touchUri(na.uri);
}

void touchVia(const ViaList& list) {
    for (const auto& via : list.vias) {
        g_sink = g_sink + via.branch().size() + via.received().size() + via.maddr().size() +
                 via.hasRport() + via.rport().value_or(0) + via.hasMagicCookie() +
                 via.encode().size();
    }
}

void touchAuth(const AuthValue& a) {
    g_sink = g_sink + a.isDigest() + a.realm().size() + a.nonce().size() + a.algorithm().size() +
             a.username().size() + a.stale();
}

// Typed access of every header line, beyond what validate() already parsed.
void touchTypedHeaders(const SipMessage& m) {
    for (std::size_t i = 0; i < m.headers().size(); ++i) {
        switch (m.headers()[i].id) {
            case HeaderId::Via:
                if (const auto& r = m.typed<ViaList>(i); r.ok()) touchVia(*r);
                break;
            case HeaderId::From:
            case HeaderId::To:
            case HeaderId::ReplyTo:
            case HeaderId::ReferTo:
            case HeaderId::ReferredBy:
                if (const auto& r = m.typed<NameAddr>(i); r.ok()) touchNameAddr(*r);
                break;
            case HeaderId::Contact:
            case HeaderId::PAssertedIdentity:
            case HeaderId::PPreferredIdentity:
                if (const auto& r = m.typed<NameAddrList>(i); r.ok())
                    for (const auto& na : r->items) touchNameAddr(na);
                break;
            case HeaderId::Route:
            case HeaderId::RecordRoute:
            case HeaderId::Path:
            case HeaderId::ServiceRoute:
                if (const auto& r = m.typed<RouteList>(i); r.ok())
                    for (const auto& na : r->items) touchNameAddr(na);
                break;
            case HeaderId::Authorization:
            case HeaderId::ProxyAuthorization:
            case HeaderId::WwwAuthenticate:
            case HeaderId::ProxyAuthenticate:
                if (const auto& r = m.typed<AuthValue>(i); r.ok()) touchAuth(*r);
                break;
            case HeaderId::Event:
            case HeaderId::SubscriptionState:
                if (const auto& r = m.typed<EventValue>(i); r.ok())
                    g_sink = g_sink + r->id().size();
                break;
            case HeaderId::ContentType:
                if (const auto& r = m.typed<ContentTypeValue>(i); r.ok())
                    g_sink = g_sink + r->is("application", "sdp");
                break;
            case HeaderId::Supported:
            case HeaderId::Require:
                if (const auto& r = m.typed<TokenList>(i); r.ok())
                    g_sink = g_sink + r->contains("100rel");
                break;
            case HeaderId::ContentLength:
                if (const auto& r = m.typed<ContentLength>(i); r.ok()) g_sink = g_sink + r->length;
                break;
            default:
                break;
        }
    }
}

void touchBody(const BodyInfo& body) {
    if (!body.sdp) return;
    const SdpSession& sdp = *body.sdp;
    g_sink = g_sink + sdp.isHold();
    for (const auto& media : sdp.media) {
        g_sink = g_sink + static_cast<std::size_t>(media.effectiveDirection(sdp));
        g_sink = g_sink + (media.effectiveConnection(sdp) != nullptr);
        for (std::string_view format : media.formats) {
            const int pt = format.size() == 1 ? format[0] - '0' : 96;
            g_sink = g_sink + media.encodingOf(pt).size() + (media.rtpmap(pt) != nullptr) +
                     (media.fmtp(pt) != nullptr) + (staticPayload(pt) != nullptr);
        }
    }
}

void checkKeyHeaders(const SipMessage& m) {
    const KeyHeaders k = extractKeyHeaders(m);
    check(sameSlice(k.callId, m.headerValue(HeaderId::CallId)), "key callId != Call-ID value");
    if (const auto* cseq = m.typed<CSeq>(HeaderId::CSeq); cseq && cseq->ok()) {
        check(k.cseq.has_value() && *k.cseq == (*cseq)->seq, "key cseq != typed CSeq number");
        check(k.cseqMethod == (*cseq)->method, "key cseq method != typed CSeq method");
    }
    g_sink = g_sink + k.topViaBranch.size() + k.topViaTransport.size() + k.topViaSentBy.size() +
             k.fromTag.size() + k.toTag.size();
}

// Every slice of the index lies inside its own line, and the body inside the message.
void checkIndex(const SipMessage& m) {
    const std::string_view bytes = m.bytes();
    const auto inside = [](std::string_view part, std::string_view whole) {
        return part.empty() || (part.data() >= whole.data() &&
                                part.data() + part.size() <= whole.data() + whole.size());
    };
    for (const auto& h : m.headers()) {
        check(std::size_t{h.offset} + h.rawLength <= bytes.size(), "header line beyond bytes()");
        const std::string_view line = bytes.substr(h.offset, h.rawLength);
        check(inside(h.name, line) && inside(h.value, line), "header slice outside its line");
        if (!h.malformed) check(lookupHeader(h.name) == h.id, "header id differs from its name");
        if (h.id != HeaderId::Unknown)
            check(m.indexOf(h.id).has_value(), "indexOf misses a header");
    }
    check(m.bodyOffset() + m.body().size() <= bytes.size(), "body beyond bytes()");
    check(m.body().empty() || m.body().data() == bytes.data() + m.bodyOffset(),
          "body() does not start at bodyOffset()");
}

// Unedited: the bytes come back as they were, and parse into the same structure.
void checkRoundTrip(const SipMessage& m) {
    const std::string encoded = m.encode();
    check(encoded == m.bytes(), "encode() of an unedited message differs from bytes()");
    auto again = SipMessage::parse(encoded);
    check(again.ok(), "bytes() of a parsed message do not parse");
    check(again->headers().size() == m.headers().size(), "re-parse: header count differs");
    check(again->body() == m.body(), "re-parse: body differs");
}

// The active UA path: edit, encode, parse again.
void checkEdit(SipMessage m) {
    // A message with structural errors, or one at the header limit, may legitimately read back
    // differently; it only has to parse.
    const bool clean = m.errors().empty() && m.headers().size() + 1 < ParseLimits{}.maxHeaders;
    m.setHeader(HeaderId::Via, "SIP/2.0/UDP h;branch=z9hG4bKx");
    m.setBody("x");
    const std::string encoded = m.encode();
    auto again = SipMessage::parse(encoded);
    check(again.ok(), "encode() of an edited message does not parse");
    if (!clean) return;
    check(again->body() == "x", "edited body not read back");
    check(again->headerValue(HeaderId::Via) == "SIP/2.0/UDP h;branch=z9hG4bKx",
          "edited Via not read back");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto parsed = SipMessage::parse(input);
    if (!parsed.ok()) {
        check(parsed.error().offset <= size, "parse failure offset beyond the input");
        return 0;
    }
    const SipMessage& m = *parsed;
    checkOffsets(m.errors(), size, "errors()");
    checkOffsets(m.issues(), size, "issues()");

    const Validation v = validate(m);
    checkOffsets(v.errors, size, "validate().errors");
    checkOffsets(v.issues, size, "validate().issues");
    for (std::size_t i = 0; i < m.headers().size(); ++i) {
        if (const Error* e = headerError(m, i)) check(e->offset <= size, "headerError offset");
    }

    const BodyInfo body = inspectBody(m);
    checkOffsets(body.issues, size, "inspectBody().issues");
    check(body.sdpOffset <= size, "sdpOffset beyond the input");
    touchBody(body);
    // The kept inspection (SipMessage::derived) is the same, and is kept.
    const BodyInfo& kept = bodyInfo(m);
    check(&kept == &bodyInfo(m), "bodyInfo() not kept");
    check(kept.partCount == body.partCount && kept.sdp.has_value() == body.sdp.has_value() &&
              kept.sdpOffset == body.sdpOffset && kept.issues.size() == body.issues.size(),
          "bodyInfo() differs from inspectBody()");

    touchTypedHeaders(m);
    checkIndex(m);
    checkKeyHeaders(m);
    checkRoundTrip(m);
    checkEdit(m);
    return 0;
}
