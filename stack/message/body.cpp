#include "message/body.hpp"

#include "message/multipart.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::stack {

namespace {

bool isSdp(const MediaTypeView& mt) {
    return syntax::iequals(mt.type, "application") && syntax::iequals(mt.subtype, "sdp");
}

void takeSdp(std::string_view body, std::size_t offset, BodyInfo& info) {
    if (info.sdp) return;
    auto sdp = parseSdp(body);
    if (!sdp.ok()) {
        info.issues.push_back(sdp.error().rebased(offset, ""));
        return;
    }
    info.sdp = std::move(*sdp);
    info.sdpOffset = offset;
}

void walkParts(const std::vector<BodyPart>& parts, std::size_t base, BodyInfo& info) {
    for (const auto& part : parts) {
        if (!part.parts.empty()) {
            walkParts(part.parts, base, info);  // offsets are from the outer body
            continue;
        }
        auto mt = parseMediaType(part.contentType);
        if (mt.ok() && isSdp(*mt)) takeSdp(part.body, base + part.offset, info);
    }
}

}  // namespace

const BodyInfo& bodyInfo(const SipMessage& m) {
    return m.derived<BodyInfo>([&m] { return inspectBody(m); });
}

BodyInfo inspectBody(const SipMessage& m) {
    BodyInfo info;
    const std::string_view body = m.body();
    if (body.empty()) return info;
    info.partCount = 1;
    const std::string_view ct = m.headerValue(HeaderId::ContentType);
    if (ct.empty()) return info;
    auto mt = parseMediaType(ct);
    if (!mt.ok()) return info;  // the header grammar error is reported by validate()
    if (isSdp(*mt)) {
        takeSdp(body, m.bodyOffset(), info);
    } else if (mt->isMultipart()) {
        auto parts = parseMultipart(body, mt->param("boundary"));
        if (!parts.ok()) {
            info.issues.push_back(parts.error().rebased(m.bodyOffset(), ""));
            return info;
        }
        info.partCount = static_cast<int>(parts->parts.size());
        if (!parts->closed)
            info.issues.push_back(makeError(ErrorCode::Tolerated, m.bodyOffset() + body.size(),
                                            "multipart body has no close delimiter"));
        walkParts(parts->parts, m.bodyOffset(), info);
    }
    return info;
}

}  // namespace sipscope::stack
