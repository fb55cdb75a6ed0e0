#include "message/header_id.hpp"

#include <array>
#include <cstring>

#include "syntax/char_class.hpp"

namespace sipscope::stack {
namespace {

struct HeaderInfo {
    std::string_view name;
    char compact;  // '\0' when the header has no compact form
    bool list;
    bool single;
};

// Indexed by HeaderId. Compact forms: RFC 3261 §7.3.3, RFC 3515 (r), RFC 3892 (b), RFC 3265 (o,
// u), RFC 3841 (a, j, d), RFC 4028 (x), RFC 4474 (y, n).
constexpr std::array<HeaderInfo, static_cast<std::size_t>(HeaderId::Count_)> kHeaders{{
    {"", 0, false, false},
    {"Accept", 0, true, false},
    {"Accept-Contact", 'a', true, false},
    {"Accept-Encoding", 0, true, false},
    {"Accept-Language", 0, true, false},
    {"Alert-Info", 0, true, false},
    {"Allow", 0, true, false},
    {"Allow-Events", 'u', true, false},
    {"Authentication-Info", 0, true, false},
    {"Authorization", 0, false, false},
    {"Call-ID", 'i', false, true},
    {"Call-Info", 0, true, false},
    {"Contact", 'm', true, false},
    {"Content-Disposition", 0, false, true},
    {"Content-Encoding", 'e', true, false},
    {"Content-Language", 0, true, false},
    {"Content-Length", 'l', false, true},
    {"Content-Type", 'c', false, true},
    {"CSeq", 0, false, true},
    {"Date", 0, false, true},
    {"Error-Info", 0, true, false},
    {"Event", 'o', false, true},
    {"Expires", 0, false, true},
    {"From", 'f', false, true},
    {"Identity", 'y', false, false},
    {"In-Reply-To", 0, true, false},
    {"Max-Forwards", 0, false, true},
    {"MIME-Version", 0, false, true},
    {"Min-Expires", 0, false, true},
    {"Min-SE", 0, false, true},
    {"Organization", 0, false, true},
    {"P-Asserted-Identity", 0, true, false},
    {"P-Preferred-Identity", 0, true, false},
    {"Path", 0, true, false},
    {"Priority", 0, false, true},
    {"Privacy", 0, false, false},
    {"Proxy-Authenticate", 0, false, false},
    {"Proxy-Authorization", 0, false, false},
    {"Proxy-Require", 0, true, false},
    {"RAck", 0, false, true},
    {"Reason", 0, true, false},
    {"Record-Route", 0, true, false},
    {"Refer-To", 'r', false, true},
    {"Referred-By", 'b', false, true},
    {"Replaces", 0, false, true},
    {"Reply-To", 0, false, true},
    {"Request-Disposition", 'd', true, false},
    {"Require", 0, true, false},
    {"Retry-After", 0, false, true},
    {"Route", 0, true, false},
    {"RSeq", 0, false, true},
    {"Server", 0, false, true},
    {"Service-Route", 0, true, false},
    {"Session-Expires", 'x', false, true},
    {"Session-ID", 0, false, true},
    {"SIP-ETag", 0, false, true},
    {"SIP-If-Match", 0, false, true},
    {"Subject", 's', false, true},
    {"Subscription-State", 0, false, true},
    {"Supported", 'k', true, false},
    {"Timestamp", 0, false, true},
    {"To", 't', false, true},
    {"Unsupported", 0, true, false},
    {"User-Agent", 0, false, true},
    {"Via", 'v', true, false},
    {"Warning", 0, true, false},
    {"WWW-Authenticate", 0, false, false},
    {"X-Call-ID", 0, false, false},
    {"X-CID", 0, false, false},
}};

constexpr const HeaderInfo& info(HeaderId id) noexcept {
    return kHeaders[static_cast<std::size_t>(id)];
}

// Compact-form lookup table indexed by lower-case letter.
constexpr std::array<HeaderId, 26> buildCompact() {
    std::array<HeaderId, 26> t{};
    for (std::size_t i = 1; i < kHeaders.size(); ++i)
        if (kHeaders[i].compact != 0) t[kHeaders[i].compact - 'a'] = static_cast<HeaderId>(i);
    return t;
}
constexpr std::array<HeaderId, 26> kCompact = buildCompact();

}  // namespace

std::string_view headerName(HeaderId id) noexcept {
    return info(id).name;
}
bool isListHeader(HeaderId id) noexcept {
    return info(id).list;
}
bool isSingleValued(HeaderId id) noexcept {
    return info(id).single;
}

namespace {

// Candidates by (name length, lower-case first letter): at most kSlots known names share both, so
// a lookup compares one or two names instead of scanning the table.
constexpr std::size_t kMaxLen = 24, kSlots = 4;
using Bucket = std::array<std::uint8_t, kSlots>;
constexpr std::array<Bucket, kMaxLen * 26> buildBuckets() {
    std::array<Bucket, kMaxLen * 26> t{};
    for (std::size_t i = 1; i < kHeaders.size(); ++i) {
        const std::string_view n = kHeaders[i].name;
        const std::size_t b = n.size() * 26 + static_cast<std::size_t>(syntax::toLower(n[0]) - 'a');
        std::size_t k = 0;
        while (t[b][k] != 0) ++k;  // a constexpr overflow here fails the build: raise kSlots
        t[b][k] = static_cast<std::uint8_t>(i);
    }
    return t;
}
constexpr std::array<Bucket, kMaxLen* 26> kBuckets = buildBuckets();

// Case-insensitive equality for token strings: two token characters that differ only in bit 0x20
// are the same letter in another case (no other token pair differs by exactly that bit). Compared
// a word at a time; the last word overlaps the previous one instead of looping over a tail.
template <class Word>
inline Word loadWord(const char* p) noexcept {
    Word w;
    std::memcpy(&w, p, sizeof w);
    return w;
}
template <class Word>
inline bool wordsIEqual(const char* a, const char* b, std::size_t n) noexcept {
    constexpr Word kCaseBits = static_cast<Word>(0x2020202020202020ull);
    for (std::size_t i = 0; i + sizeof(Word) < n; i += sizeof(Word))
        if (((loadWord<Word>(a + i) ^ loadWord<Word>(b + i)) & ~kCaseBits) != 0) return false;
    const std::size_t last = n - sizeof(Word);
    return ((loadWord<Word>(a + last) ^ loadWord<Word>(b + last)) & ~kCaseBits) == 0;
}
inline bool tokenIEquals(std::string_view known, std::string_view name) noexcept {
    const std::size_t n = known.size();
    if (n >= 8) return wordsIEqual<std::uint64_t>(known.data(), name.data(), n);
    if (n >= 4) return wordsIEqual<std::uint32_t>(known.data(), name.data(), n);
    for (std::size_t i = 0; i < n; ++i)
        if (((known[i] ^ name[i]) & ~0x20) != 0) return false;
    return true;
}

}  // namespace

// `name` must be a token (the parser checks it first).
HeaderId lookupHeader(std::string_view name) noexcept {
    if (name.empty() || name.size() >= kMaxLen) return HeaderId::Unknown;
    const char c = syntax::toLower(name[0]);
    if (c < 'a' || c > 'z') return HeaderId::Unknown;
    if (name.size() == 1) return kCompact[static_cast<std::size_t>(c - 'a')];
    for (const std::uint8_t i : kBuckets[name.size() * 26 + static_cast<std::size_t>(c - 'a')]) {
        if (i == 0) break;
        if (tokenIEquals(kHeaders[i].name, name)) return static_cast<HeaderId>(i);
    }
    return HeaderId::Unknown;
}

}  // namespace sipscope::stack
