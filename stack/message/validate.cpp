#include "message/validate.hpp"

#include <algorithm>

#include "message/auth.hpp"
#include "message/name_addr.hpp"
#include "message/simple_headers.hpp"
#include "message/via.hpp"
#include "syntax/byte_search.hpp"
#include "uri/uri.hpp"

namespace sipscope::stack {

namespace {

template <class T>
const Error* check(const SipMessage& m, std::size_t i) {
    const auto& r = m.typed<T>(i);
    return r.ok() ? nullptr : &r.error();
}

// RFC 3261 §25.1 Request-URI, and §19.1.1: no headers component in a Request-URI.
void checkRequestUri(const SipMessage& m, Validation& v) {
    const std::string_view target = m.requestUri();
    if (!m.isRequest() || syntax::findAnyOf(target, 0, ' ', '\t', ' ') != target.size()) return;
    const std::string_view ruri = m.requestUri();
    const auto base = static_cast<std::size_t>(ruri.data() - m.bytes().data());
    auto uri = parseUri(ruri);
    if (!uri.ok()) {
        v.errors.push_back(makeError(ErrorCode::BadRequestUri, base + uri.error().offset,
                                     "Request-URI: " + uri.error().message));
    } else if (uri->isSip() && !uri->sip.headers.empty()) {
        v.errors.push_back(
            makeError(ErrorCode::BadRequestUri, base + ruri.find('?'),
                      "headers component not allowed in a Request-URI (RFC 3261 §19.1.1)"));
    }
}

void requireHeaders(const SipMessage& m, Validation& v) {
    static constexpr HeaderId kMandatory[] = {HeaderId::To, HeaderId::From, HeaderId::CSeq,
                                              HeaderId::CallId, HeaderId::Via};
    for (HeaderId id : kMandatory) {
        if (m.header(id) == nullptr)
            v.errors.push_back(
                makeError(ErrorCode::MissingHeader, m.bodyOffset(),
                          std::string(headerName(id)) + " is mandatory (RFC 3261 §8.1.1)",
                          std::string(headerName(id))));
    }
    if (m.isRequest() && m.header(HeaderId::MaxForwards) == nullptr)
        v.issues.push_back(makeError(ErrorCode::LegacySyntax, m.bodyOffset(),
                                     "no Max-Forwards (RFC 2543 style request)", "Max-Forwards"));
}

void singleValued(const SipMessage& m, Validation& v) {
    std::array<int, static_cast<std::size_t>(HeaderId::Count_)> seen{};
    for (const auto& h : m.headers()) {
        if (h.id == HeaderId::Unknown || !isSingleValued(h.id)) continue;
        if (++seen[static_cast<std::size_t>(h.id)] == 2)
            v.errors.push_back(makeError(ErrorCode::MultipleValues, h.offset,
                                         std::string(headerName(h.id)) + " appears more than once",
                                         std::string(h.name)));
    }
}

void crossChecks(const SipMessage& m, Validation& v) {
    const auto* cseq = m.typed<CSeq>(HeaderId::CSeq);
    // RFC 3261 §8.1.1.5 / RFC 4475 §3.1.2.17: the CSeq method matches the request method.
    if (m.isRequest() && cseq && cseq->ok() && (*cseq)->method != m.method()) {
        const auto* h = m.header(HeaderId::CSeq);
        v.errors.push_back(makeError(ErrorCode::CSeqMismatch, h->offset,
                                     "CSeq method differs from the request method",
                                     std::string(h->name)));
    }
    const auto* via = m.typed<ViaList>(HeaderId::Via);
    if (m.isRequest() && via && via->ok() && !(*via)->vias.empty() &&
        !(*via)->vias.front().hasMagicCookie()) {
        v.issues.push_back(makeError(ErrorCode::LegacySyntax, m.header(HeaderId::Via)->offset,
                                     "top Via branch lacks the z9hG4bK cookie (RFC 2543 matching)",
                                     std::string(m.header(HeaderId::Via)->name)));
    }
    const auto* from = m.typed<NameAddr>(HeaderId::From);
    if (from && from->ok() && (*from)->tag().empty()) {
        v.issues.push_back(makeError(ErrorCode::LegacySyntax, m.header(HeaderId::From)->offset,
                                     "From has no tag (RFC 2543 style)",
                                     std::string(m.header(HeaderId::From)->name)));
    }
    if (!m.body().empty() && m.header(HeaderId::ContentType) == nullptr) {
        v.issues.push_back(makeError(ErrorCode::Tolerated, m.bodyOffset(),
                                     "body without Content-Type (RFC 3261 §20.15)"));
    }
}

}  // namespace

const Error* headerError(const SipMessage& m, std::size_t i) {
    switch (m.headers()[i].id) {
        case HeaderId::Via:
            return check<ViaList>(m, i);
        case HeaderId::From:
        case HeaderId::To:
        case HeaderId::ReplyTo:
        case HeaderId::ReferTo:
        case HeaderId::ReferredBy:
            return check<NameAddr>(m, i);
        case HeaderId::Contact:
        case HeaderId::PAssertedIdentity:
        case HeaderId::PPreferredIdentity:
            return check<NameAddrList>(m, i);
        case HeaderId::Route:
        case HeaderId::RecordRoute:
        case HeaderId::Path:
        case HeaderId::ServiceRoute:
            return check<RouteList>(m, i);
        case HeaderId::CSeq:
            return check<CSeq>(m, i);
        case HeaderId::CallId:
            return check<CallId>(m, i);
        case HeaderId::MaxForwards:
            return check<MaxForwards>(m, i);
        case HeaderId::Expires:
        case HeaderId::MinExpires:
        case HeaderId::MinSE:
        case HeaderId::SessionExpires:
            return check<DeltaSeconds>(m, i);
        case HeaderId::RetryAfter:
            return check<RetryAfter>(m, i);
        case HeaderId::Warning:
            return check<WarningList>(m, i);
        case HeaderId::Date:
            return check<SipDate>(m, i);
        case HeaderId::Allow:
        case HeaderId::Supported:
        case HeaderId::Require:
        case HeaderId::ProxyRequire:
        case HeaderId::Unsupported:
        case HeaderId::AllowEvents:
        case HeaderId::ContentEncoding:
            return check<TokenList>(m, i);
        case HeaderId::RSeq:
            return check<RSeq>(m, i);
        case HeaderId::RAck:
            return check<RAck>(m, i);
        case HeaderId::Event:
        case HeaderId::SubscriptionState:
            return check<EventValue>(m, i);
        case HeaderId::ContentType:
            return check<ContentTypeValue>(m, i);
        case HeaderId::Authorization:
        case HeaderId::ProxyAuthorization:
        case HeaderId::WwwAuthenticate:
        case HeaderId::ProxyAuthenticate:
            return check<AuthValue>(m, i);
        default:
            return nullptr;
    }
}

Validation validate(const SipMessage& m) {
    Validation v;
    v.errors = m.errors();
    v.issues = m.issues();
    for (std::size_t i = 0; i < m.headers().size(); ++i)
        if (const Error* e = headerError(m, i)) v.errors.push_back(*e);
    checkRequestUri(m, v);
    requireHeaders(m, v);
    singleValued(m, v);
    crossChecks(m, v);
    // The first error reported is the earliest in the message.
    std::stable_sort(v.errors.begin(), v.errors.end(),
                     [](const Error& a, const Error& b) { return a.offset < b.offset; });
    return v;
}

}  // namespace sipscope::stack
