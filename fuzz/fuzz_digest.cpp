// libFuzzer target: the digest client's challenge path (issue 8). The input is a
// WWW-Authenticate / Proxy-Authenticate value; it is parsed (AuthValue), answered directly, and
// answered again inside a 401 and a 407 response, twice so nonce counts and realm refusals run.
// Every answer must itself parse back as an Authorization value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/digest.hpp"
#include "message/message_builder.hpp"

using namespace sipscope::stack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view value(reinterpret_cast<const char*>(data), size);
    auth::DigestClient client({"alice", "secret"}, [] { return 42ULL; });
    if (auto parsed = AuthValue::parse(value); parsed.ok()) {
        if (auto answer = client.answerOne(*parsed, "INVITE", "sip:bob@example.com"); answer.ok())
            if (!AuthValue::parse(*answer).ok()) std::abort();
    }
    if (value.find_first_of("\r\n") != std::string_view::npos) return 0;
    for (int status : {401, 407}) {
        auto response =
            MessageBuilder::response(status)
                .header("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKf")
                .header("From", "<sip:alice@example.com>;tag=1")
                .header("To", "<sip:bob@example.com>;tag=2")
                .header("Call-ID", "fuzz")
                .header("CSeq", "1 INVITE")
                .header(status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate", value)
                .build();
        if (!response.ok()) continue;
        for (int round = 0; round < 2; ++round) {
            const auto answer = client.answer(response.value(), "INVITE", "sip:bob@example.com");
            for (const auto& h : answer.headers)
                if (!AuthValue::parse(h.value).ok()) std::abort();
        }
    }
    return 0;
}
