#include "message/key_headers.hpp"

#include <algorithm>
#include <array>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "syntax/byte_search.hpp"
#include "syntax/char_class.hpp"
#include "syntax/scanner.hpp"

namespace sipscope::stack {

using namespace syntax;

namespace {

// Bytes of an unquoted parameter value here: token plus what a host may hold.
constexpr std::array<bool, 256> kValueChars = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = isToken(static_cast<char>(c));
    t[':'] = t['['] = t[']'] = true;
    return t;
}();

// The first index from `i` on whose byte is not a letter, digit, '-', '.' or ':', the bytes of
// nearly every branch, tag and host: a value scan skips those 16 at a time, then goes on with
// its own byte test (these bytes pass every test it is used with).
std::size_t skipPlain(std::string_view v, std::size_t i) noexcept {
#if defined(__SSE2__)
    const auto set = [](char c) { return _mm_set1_epi8(c); };
    for (; i + 16 <= v.size(); i += 16) {
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(v.data() + i));
        // Signed compares: bytes from 0x80 up are negative and fall outside every range.
        const auto in = [&](__m128i x, char lo, char hi) {
            return _mm_and_si128(_mm_cmpgt_epi8(x, set(static_cast<char>(lo - 1))),
                                 _mm_cmplt_epi8(x, set(static_cast<char>(hi + 1))));
        };
        const __m128i plain =
            _mm_or_si128(_mm_or_si128(in(_mm_or_si128(b, set(0x20)), 'a', 'z'), in(b, '0', ':')),
                         _mm_or_si128(_mm_cmpeq_epi8(b, set('-')), _mm_cmpeq_epi8(b, set('.'))));
        const unsigned m = static_cast<unsigned>(_mm_movemask_epi8(plain)) ^ 0xFFFFu;
        if (m != 0) return i + static_cast<std::size_t>(__builtin_ctz(m));
    }
#endif
    return i;
}

std::string_view paramValueAt(std::string_view v, std::size_t i) noexcept {
    while (i < v.size() && isLws(v[i])) ++i;
    if (i >= v.size() || v[i] != '=') return {};
    ++i;
    while (i < v.size() && isLws(v[i])) ++i;
    const std::size_t b = i;
    i = skipPlain(v, i);
    while (i < v.size() && kValueChars[static_cast<unsigned char>(v[i])]) ++i;
    return v.substr(b, i - b);
}

void topVia(std::string_view v, KeyHeaders& k) noexcept {
    // sent-protocol: "SIP / 2.0 / UDP" with optional LWS around the slashes.
    const std::size_t slash1 = findByte(v, 0, '/');
    const std::size_t slash2 = slash1 == v.size() ? slash1 : findByte(v, slash1 + 1, '/');
    if (slash2 == v.size()) return;
    std::size_t i = slash2 + 1;
    while (i < v.size() && isLws(v[i])) ++i;
    std::size_t b = i;
    while (i < v.size() && isToken(v[i])) ++i;
    k.topViaTransport = v.substr(b, i - b);
    while (i < v.size() && isLws(v[i])) ++i;
    b = i;
    i = skipPlain(v, i);
    while (i < v.size() && v[i] != ';' && v[i] != ',' && !isLws(v[i])) ++i;
    k.topViaSentBy = v.substr(b, i - b);
    // Parameters of the first via-parm only: stop at the first ','.
    const std::size_t end = findByte(v, i, ',');
    const std::string_view first = v.substr(0, end);
    for (std::size_t p = findByte(first, i, ';'); p < end; p = findByte(first, p + 1, ';')) {
        std::size_t n = p + 1;
        while (n < end && isLws(v[n])) ++n;
        if (end - n >= 6 && iequals(v.substr(n, 6), "branch")) {
            k.topViaBranch = paramValueAt(v.substr(0, end), n + 6);
            return;
        }
    }
}

void cseq(std::string_view v, KeyHeaders& k) noexcept {
    std::size_t i = 0;
    while (i < v.size() && isDigit(v[i])) ++i;
    auto n = parseUnsigned(v.substr(0, i), 0xFFFFFFFFu);
    if (!n) return;
    k.cseq = static_cast<std::uint32_t>(*n);
    while (i < v.size() && isLws(v[i])) ++i;
    const std::size_t b = i;
    while (i < v.size() && isToken(v[i])) ++i;
    k.cseqMethod = v.substr(b, i - b);
}

}  // namespace

std::string_view headerParam(std::string_view v, std::string_view name) noexcept {
    // RFC 3261 §20.10: in name-addr form the header parameters follow the '>' (the URI and a
    // quoted display name before it may hold ';'); in addr-spec form they follow the URI.
    std::size_t i = 0;
    while ((i = findAnyOf(v, i, '"', '<', ';')) < v.size()) {
        if (v[i] == '"') {
            i = skipQuoted(v, i);
            continue;
        }
        if (v[i] == '<') {
            const std::size_t gt = findByte(v, i, '>');
            if (gt == v.size()) return {};
            i = gt + 1;
        }
        break;  // addr-spec: parameters start at this ';'
    }
    while ((i = findAnyOf(v, i, '"', ';', ';')) < v.size()) {
        if (v[i] == '"') {
            i = skipQuoted(v, i);
            continue;
        }
        std::size_t n = i + 1;
        while (n < v.size() && isLws(v[n])) ++n;
        if (v.size() - n >= name.size() && iequals(v.substr(n, name.size()), name)) {
            const std::size_t after = n + name.size();
            if (after == v.size() || !isToken(v[after])) return paramValueAt(v, after);
        }
        i = n;
    }
    return {};
}

namespace {

KeyHeaders readKeyHeaders(const SipMessage& m) noexcept {
    KeyHeaders k;
    k.callId = m.headerValue(HeaderId::CallId);
    topVia(m.headerValue(HeaderId::Via), k);
    k.fromTag = headerParam(m.headerValue(HeaderId::From), "tag");
    k.toTag = headerParam(m.headerValue(HeaderId::To), "tag");
    cseq(m.headerValue(HeaderId::CSeq), k);
    return k;
}

}  // namespace

const KeyHeaders& SipMessage::keyHeaders() const noexcept {
    if (!m_index) {
        static const KeyHeaders kNone;  // no index, no headers
        return kNone;
    }
    if (!m_index->keys) m_index->keys = readKeyHeaders(*this);
    return *m_index->keys;
}

KeyHeaders extractKeyHeaders(const SipMessage& m) noexcept {
    return m.keyHeaders();
}

}  // namespace sipscope::stack
