// libFuzzer target for the media-type and multipart parsers. The first input line is the
// Content-Type value (its boundary parameter, or the raw line when it has none, is the boundary);
// the rest is the body. SDP parts are handed on to parseSdp, as the SIP stack does.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "message/multipart.hpp"
#include "sdp/sdp.hpp"

using namespace sipscope::stack;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void checkInside(std::string_view part, std::string_view whole) {
    if (part.empty()) return;
    check(part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void checkParts(const std::vector<BodyPart>& parts, std::string_view whole, std::size_t floor) {
    for (const BodyPart& p : parts) {
        check(p.offset >= floor && p.offset <= whole.size());
        check(p.body.size() <= whole.size() - p.offset);
        check(p.body.data() == whole.data() + p.offset);
        for (const MimeHeader& h : p.headers) {
            checkInside(h.name, whole);
            checkInside(h.value, whole);
            check(!h.name.empty());
        }
        check(p.contentType.data() == p.header("content-type").data());
        if (const auto mt = parseMediaType(p.contentType)) {
            (void)mt->isMultipart();
            if (mt->is("application", "sdp")) (void)parseSdp(p.body);
        }
        checkParts(p.parts, whole, p.offset);
        floor = p.offset + p.body.size();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t nl = input.find('\n');
    const std::string_view contentType = input.substr(0, nl);
    const std::string_view body =
        nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

    std::string_view boundary = contentType;
    if (const auto mt = parseMediaType(contentType)) {
        for (const auto& [name, value] : mt->params) {
            checkInside(name, contentType);
            checkInside(value, contentType);
        }
        if (!mt->param("boundary").empty()) boundary = mt->param("boundary");
    } else {
        check(mt.error().offset <= contentType.size());
    }
    const int maxDepth = 1 + static_cast<int>(size % 5);
    const auto r = parseMultipart(body, boundary, maxDepth);
    if (!r) {
        check(r.error().code == ErrorCode::BadBody && r.error().offset <= body.size());
        return 0;
    }
    checkInside(r->preamble, body);
    checkInside(r->epilogue, body);
    check(r->closed || r->epilogue.empty());
    checkParts(r->parts, body, 0);
    return 0;
}
