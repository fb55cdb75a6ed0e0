// libFuzzer target for parseUri: any bytes must parse or fail cleanly, and whatever parses must
// re-encode into text that parses back to an equivalent URI.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "uri/uri.hpp"

using namespace sipscope::stack;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Parsed straight from libFuzzer's buffer, which is allocated to exactly `size` bytes, so
    // ASan reports a read one past the view; a std::string copy would hide it behind its NUL.
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto parsed = parseUri(input);
    if (!parsed) {
        if (parsed.error().code != ErrorCode::BadUri || parsed.error().offset > size ||
            parsed.error().message.empty())
            std::abort();
        return 0;
    }
    if (!uriEquivalent(*parsed, *parsed)) std::abort();
    const std::string encoded = encodeUri(*parsed);
    const auto reparsed = parseUri(encoded);
    if (!reparsed) std::abort();
    if (!uriEquivalent(*parsed, *reparsed) || !uriEquivalent(*reparsed, *parsed)) std::abort();
    if (encodeUri(*reparsed) != encoded) std::abort();
    // Accessors must not trip on anything the parser accepted.
    (void)parsed->user();
    (void)parsed->hostPort();
    (void)parsed->sip.transport();
    (void)parsed->sip.lr();
    return 0;
}
