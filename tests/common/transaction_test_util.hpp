#pragma once
// Messages and action lists shared by the transaction tests.

#include <QStringList>
#include <QtTest>

#include <string>
#include <string_view>

#include "message/message_builder.hpp"
#include "transaction/transaction_types.hpp"

namespace sipscope::test {

using namespace sipscope::stack;

// A request as a UA behind a proxy sends it (two Vias, a route set); its CSeq names `method`.
inline SipMessage makeRequest(std::string_view method) {
    auto r = MessageBuilder::request(method, "sip:bob@biloxi.example.com")
                 .header("Via", "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds")
                 .header("Via", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKold")
                 .header("Route", "<sip:p1.example.com;lr>")
                 .header("Route", "<sip:p2.example.com;lr>")
                 .header("Max-Forwards", "70")
                 .header("To", "Bob <sip:bob@biloxi.example.com>")
                 .header("From", "Alice <sip:alice@atlanta.example.com>;tag=1928301774")
                 .header("Call-ID", "a84b4c76e66710@pc33.atlanta.example.com")
                 .header("CSeq", std::string("314159 ") + std::string(method))
                 .header("Contact", "<sip:alice@pc33.atlanta.example.com>")
                 .build();
    if (!r.ok()) qFatal("request did not build");
    return std::move(r).value();
}

inline SipMessage makeReply(const SipMessage& request, int code) {
    auto r = makeResponse(request, code, {}, "a6c85cf");
    if (!r.ok()) qFatal("response did not build");
    return std::move(r).value();
}

inline QStringList toList(const Actions& actions) {
    QStringList out;
    for (const auto& s : describe(actions)) out << QString::fromStdString(s);
    return out;
}

}  // namespace sipscope::test
