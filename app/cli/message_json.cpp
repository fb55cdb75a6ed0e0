#include "message_json.hpp"

#include "message/body.hpp"
#include "message/name_addr.hpp"
#include "message/simple_headers.hpp"
#include "message/via.hpp"

namespace sipscope::cli {

using namespace stack;

namespace {

std::string_view unbracket(std::string_view host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        return host.substr(1, host.size() - 2);
    return host;
}

void writeNameAddr(JsonWriter& w, const SipMessage& m, HeaderId id) {
    const auto* r = m.typed<NameAddr>(id);
    if (r == nullptr || !r->ok()) {
        w.null();
        return;
    }
    const NameAddr& na = r->value();
    w.beginObject();
    w.key("display").stringOrNull(na.displayName());
    w.key("uri").value(na.uri.raw);
    const auto* tag = findParam(na.params, "tag");
    w.key("tag");
    tag && tag->hasValue ? w.value(tag->value) : w.null();
    w.endObject();
}

void writeVia(JsonWriter& w, const Via& v) {
    w.beginObject();
    w.key("transport").value(v.transport);
    w.key("host").value(unbracket(v.host));
    w.key("port").optional(v.port);
    w.key("branch");
    findParam(v.params, "branch") ? w.value(v.branch()) : w.null();
    w.key("received").stringOrNull(unbracket(v.received()));
    w.key("rport");
    if (const auto port = v.rport())
        w.value(static_cast<int>(*port));
    else if (v.hasRport())
        w.value(true);
    else
        w.null();
    w.endObject();
}

void writeVias(JsonWriter& w, const SipMessage& m) {
    w.beginArray();
    for (std::size_t i = 0; i < m.headers().size(); ++i) {
        if (m.headers()[i].id != HeaderId::Via) continue;
        const auto& r = m.typed<ViaList>(i);
        if (!r.ok()) continue;
        for (const auto& v : r->vias) writeVia(w, v);
    }
    w.endArray();
}

void writeSdp(JsonWriter& w, const BodyInfo& body) {
    if (!body.sdp) {
        w.null();
        return;
    }
    w.beginObject().key("media").beginArray();
    for (const auto& media : body.sdp->media) {
        w.beginObject();
        w.key("type").value(media.type);
        w.key("port").value(static_cast<int>(media.port));
        w.key("proto").value(media.proto);
        w.key("formats").beginArray();
        for (auto f : media.formats) w.value(f);
        w.endArray().endObject();
    }
    w.endArray().endObject();
}

template <class T, class F>
void writeTyped(JsonWriter& w, const SipMessage& m, HeaderId id, F&& f) {
    const auto* r = m.typed<T>(id);
    if (r == nullptr || !r->ok()) {
        w.null();
        return;
    }
    f(r->value());
}

}  // namespace

void writeError(JsonWriter& w, const Error& e) {
    w.beginObject();
    w.key("code").value(errorCodeName(e.code));
    w.key("offset").value(static_cast<std::uint64_t>(e.offset));
    w.key("header").stringOrNull(e.header);
    w.key("message").value(e.message);
    w.endObject();
}

void writeErrors(JsonWriter& w, const std::vector<Error>& errors) {
    w.beginArray();
    for (const auto& e : errors) writeError(w, e);
    w.endArray();
}

void writeParsedMessage(JsonWriter& w, const SipMessage& m, const Validation& v) {
    const BodyInfo body = inspectBody(m);
    w.key("kind").value(m.isRequest() ? "request" : "response");
    w.key("method");
    m.isRequest() ? w.value(m.method()) : w.null();
    w.key("request_uri");
    m.isRequest() ? w.value(m.requestUri()) : w.null();
    w.key("status").optional(m.status());
    w.key("reason");
    m.isResponse() ? w.stringOrNull(m.reason()) : w.null();
    w.key("call_id").stringOrNull(m.headerValue(HeaderId::CallId));
    w.key("cseq");
    writeTyped<CSeq>(w, m, HeaderId::CSeq, [&](const CSeq& c) {
        w.beginObject().key("seq").value(c.seq).key("method").value(c.method).endObject();
    });
    w.key("from");
    writeNameAddr(w, m, HeaderId::From);
    w.key("to");
    writeNameAddr(w, m, HeaderId::To);
    w.key("vias");
    writeVias(w, m);
    w.key("max_forwards");
    writeTyped<MaxForwards>(w, m, HeaderId::MaxForwards,
                            [&](const MaxForwards& x) { w.value(x.hops); });
    w.key("content_length");
    writeTyped<ContentLength>(w, m, HeaderId::ContentLength,
                              [&](const ContentLength& x) { w.value(x.length); });
    w.key("body_parts").value(body.partCount);
    w.key("sdp");
    writeSdp(w, body);
    std::vector<Error> issues = v.issues;
    issues.insert(issues.end(), body.issues.begin(), body.issues.end());
    w.key("issues");
    writeErrors(w, issues);
    w.key("error");
    if (v.errors.empty()) {
        w.null();
    } else {
        writeError(w, v.errors.front());
    }
}

void writeUnparsed(JsonWriter& w, const Error& e) {
    for (const char* k :
         {"kind", "method", "request_uri", "status", "reason", "call_id", "cseq", "from", "to"})
        w.key(k).null();
    w.key("vias").beginArray().endArray();
    for (const char* k : {"max_forwards", "content_length"}) w.key(k).null();
    w.key("body_parts").value(0);
    w.key("sdp").null();
    w.key("issues").beginArray().endArray();
    w.key("error");
    writeError(w, e);
}

}  // namespace sipscope::cli
