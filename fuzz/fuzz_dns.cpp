// libFuzzer target for the DNS codec and the RFC 3263 server locator. Any bytes must decode or
// fail with an error inside the input; what decodes must re-encode (uncompressed) into bytes that
// decode to the same message. The decoded message is then fed to a ServerLocator as the answer
// to every query it asks: the procedure must end within a bounded number of rounds with targets
// that carry an address, or with an error that says why.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "dns/dns_message.hpp"
#include "dns/rfc3263.hpp"

using namespace sipscope::stack;
using namespace sipscope::stack::dns;

namespace {

void checkRoundTrip(const Message& m) {
    const auto encoded = encodeMessage(m);
    if (!encoded) std::abort();
    const auto again = decodeMessage(*encoded);
    if (!again) std::abort();
    const auto reencoded = encodeMessage(*again);
    if (!reencoded || *reencoded != *encoded) std::abort();
}

void runLocator(std::uint8_t config, const Message& m) {
    // The first byte picks the URI shape: sips or not, a transport param, an explicit port,
    // some queries left without an answer.
    LocateInput in;
    in.host = (config & 0x01) != 0 ? "a" : "sip.a";
    in.sips = (config & 0x02) != 0;
    if ((config & 0x04) != 0) in.transport = static_cast<SipTransport>((config >> 4) % 3);
    if ((config & 0x08) != 0) in.port = 5070;
    std::uint64_t counter = config;
    ServerLocator locator(in, [&counter] { return counter = counter * 6364136223846793005u + 1; });
    const bool dropSome = (config & 0x40) != 0;
    std::size_t asked = 0;
    for (int round = 0; round < 64 && !locator.done(); ++round) {
        const auto queries = locator.takeQueries();
        if (queries.empty()) std::abort();  // waiting for nothing: the procedure is stuck
        for (const auto& q : queries) {
            if (dropSome && ++asked % 3 == 0)
                locator.onNoAnswer(q, "DNS: no answer");
            else
                locator.onResponse(q, m);
        }
    }
    if (!locator.done()) std::abort();
    if (locator.targets().empty() && locator.error().empty()) std::abort();
    for (const auto& t : locator.targets())
        if (t.address.empty() || t.how.empty() || (t.port == 0 && t.how == "literal")) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::span<const std::uint8_t> bytes(data + 1, size - 1);
    const auto decoded = decodeMessage(bytes);
    if (!decoded) {
        if (decoded.error().offset > bytes.size() || decoded.error().message.empty()) std::abort();
        return 0;
    }
    checkRoundTrip(*decoded);
    runLocator(data[0], *decoded);
    return 0;
}
