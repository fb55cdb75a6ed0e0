#pragma once
// Inline byte search for the short distances of SIP text (a header line is ~50 bytes): glibc's
// memchr is fast on long runs but its call and set-up cost dominates on short ones. The SSE2
// path only loads 16 bytes that lie inside the range, so nothing past the input is read: a
// range of 16 bytes or more ends with one load of its last 16 bytes (overlapping bytes already
// searched, whose matches are shifted out), shorter ones are searched a byte at a time.

#include <cstddef>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sipscope::stack::syntax {

// Pointer to the first `c` in [p, end), or `end`.
inline const char* findByte(const char* p, const char* end, char c) noexcept {
#if defined(__SSE2__)
    const __m128i needle = _mm_set1_epi8(c);
    if (end - p < 16) {
        while (p < end && *p != c) ++p;
        return p;
    }
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
        if (m != 0) return p + __builtin_ctz(m);
        p += 16;
    }
    // The tail: the last 16 bytes of the range, without the ones already searched.
    const char* const last = end - 16;
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(last));
    const unsigned m =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle))) >> (p - last);
    return m != 0 ? p + __builtin_ctz(m) : end;
#else
    const void* hit = std::memchr(p, c, static_cast<std::size_t>(end - p));
    return hit ? static_cast<const char*>(hit) : end;
#endif
}

// Index of the first `c` in s[from..], or s.size().
inline std::size_t findByte(std::string_view s, std::size_t from, char c) noexcept {
    return static_cast<std::size_t>(findByte(s.data() + from, s.data() + s.size(), c) - s.data());
}

// Pointer to the first byte in [p, end) equal to one of `a`, `b`, `c`, or `end`.
inline const char* findAnyOf(const char* p, const char* end, char a, char b, char c) noexcept {
#if defined(__SSE2__)
    if (end - p >= 16) {
        const __m128i na = _mm_set1_epi8(a), nb = _mm_set1_epi8(b), nc = _mm_set1_epi8(c);
        const auto mask = [&](const char* at) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
            const __m128i eq = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, na), _mm_cmpeq_epi8(v, nb)), _mm_cmpeq_epi8(v, nc));
            return static_cast<unsigned>(_mm_movemask_epi8(eq));
        };
        while (end - p >= 16) {
            const unsigned m = mask(p);
            if (m != 0) return p + __builtin_ctz(m);
            p += 16;
        }
        // The tail: the last 16 bytes of the range, without the ones already searched.
        const unsigned m = mask(end - 16) >> (p - (end - 16));
        return m != 0 ? p + __builtin_ctz(m) : end;
    }
#endif
    while (p < end && *p != a && *p != b && *p != c) ++p;
    return p;
}

// Index of the first byte of s[from..] equal to `a`, `b` or `c`, or s.size().
inline std::size_t findAnyOf(std::string_view s, std::size_t from, char a, char b,
                             char c) noexcept {
    return static_cast<std::size_t>(findAnyOf(s.data() + from, s.data() + s.size(), a, b, c) -
                                    s.data());
}

// True when `s` holds a byte below 0x20 other than HT, or DEL: not a line of text.
inline bool hasControl(std::string_view s) noexcept {
    const char* p = s.data();
    const char* const end = p + s.size();
#if defined(__SSE2__)
    if (end - p >= 16) {
        const __m128i k1f = _mm_set1_epi8(0x1F), ht = _mm_set1_epi8('\t'),
                      del = _mm_set1_epi8(0x7F);
        const auto bad = [&](const char* at) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
            const __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, k1f), v);  // v <= 0x1F
            return _mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(v, ht), low),
                                                  _mm_cmpeq_epi8(v, del))) != 0;
        };
        for (; end - p >= 16; p += 16)
            if (bad(p)) return true;
        // The last 16 bytes overlap ones already checked (none of them is a control).
        return p != end && bad(end - 16);
    }
#endif
    for (; p < end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if ((c < 0x20 && c != '\t') || c == 0x7F) return true;
    }
    return false;
}

}  // namespace sipscope::stack::syntax
