#include "message/message_builder.hpp"

#include "message/key_headers.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::stack {

MessageBuilder MessageBuilder::request(std::string_view method, std::string_view requestUri) {
    MessageBuilder b;
    b.m_startLine.append(method).append(" ").append(requestUri).append(" SIP/2.0");
    return b;
}

MessageBuilder MessageBuilder::response(int status, std::string_view reason) {
    MessageBuilder b;
    if (reason.empty()) reason = defaultReason(status);
    b.m_startLine.append("SIP/2.0 ").append(std::to_string(status)).append(" ").append(reason);
    return b;
}

MessageBuilder& MessageBuilder::header(std::string_view name, std::string_view value) {
    m_headers.emplace_back(std::string(name), std::string(value));
    return *this;
}

MessageBuilder& MessageBuilder::body(std::string_view contentType, std::string_view content) {
    std::erase_if(m_headers,
                  [](const auto& h) { return lookupHeader(h.first) == HeaderId::ContentType; });
    if (!contentType.empty()) header(HeaderId::ContentType, contentType);
    m_body = std::string(content);
    return *this;
}

std::string MessageBuilder::text() const {
    std::string out;
    out.reserve(512 + m_body.size());
    out.append(m_startLine).append("\r\n");
    for (const auto& [name, value] : m_headers) {
        if (lookupHeader(name) == HeaderId::ContentLength) continue;
        out.append(name).append(": ").append(value).append("\r\n");
    }
    out.append("Content-Length: ").append(std::to_string(m_body.size())).append("\r\n\r\n");
    out.append(m_body);
    return out;
}

std::string_view defaultReason(int status) noexcept {
    switch (status) {
        case 100:
            return "Trying";
        case 180:
            return "Ringing";
        case 181:
            return "Call Is Being Forwarded";
        case 182:
            return "Queued";
        case 183:
            return "Session Progress";
        case 200:
            return "OK";
        case 202:
            return "Accepted";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Moved Temporarily";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 407:
            return "Proxy Authentication Required";
        case 408:
            return "Request Timeout";
        case 415:
            return "Unsupported Media Type";
        case 416:
            return "Unsupported URI Scheme";
        case 420:
            return "Bad Extension";
        case 480:
            return "Temporarily Unavailable";
        case 481:
            return "Call/Transaction Does Not Exist";
        case 482:
            return "Loop Detected";
        case 483:
            return "Too Many Hops";
        case 486:
            return "Busy Here";
        case 487:
            return "Request Terminated";
        case 488:
            return "Not Acceptable Here";
        case 491:
            return "Request Pending";
        case 500:
            return "Server Internal Error";
        case 501:
            return "Not Implemented";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Server Time-out";
        case 505:
            return "Version Not Supported";
        case 600:
            return "Busy Everywhere";
        case 603:
            return "Decline";
        case 604:
            return "Does Not Exist Anywhere";
        case 606:
            return "Not Acceptable";
        default:
            return "";
    }
}

Result<SipMessage> makeResponse(const SipMessage& request, int status, std::string_view reason,
                                std::string_view toTag) {
    MessageBuilder b = MessageBuilder::response(status, reason);
    const bool copyRecordRoute = status > 100 && status < 300;
    for (const auto& h : request.headers()) {
        switch (h.id) {
            case HeaderId::Via:
            case HeaderId::From:
            case HeaderId::CallId:
            case HeaderId::CSeq:
                b.header(h.id, h.value);
                break;
            case HeaderId::RecordRoute:
                if (copyRecordRoute) b.header(h.id, h.value);
                break;
            case HeaderId::To: {
                std::string to(h.value);
                if (status > 100 && !toTag.empty() && headerParam(h.value, "tag").empty())
                    to.append(";tag=").append(toTag);
                b.header(h.id, to);
                break;
            }
            default:
                break;
        }
    }
    return b.build();
}

}  // namespace sipscope::stack
