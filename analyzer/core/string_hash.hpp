#pragma once
// Hash for string-keyed unordered maps that are searched with string_views: with
// std::equal_to<> as the key equality, find() takes a view and makes no temporary string.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/digest.hpp"

namespace sipscope::analyzer {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

template <class T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

// The key of a Call-ID in the maps looked up for every message (stack::DigestMap): hashing
// the view finds the entry in one probe, where a string-keyed map hashed, then compared the
// string in a separate node. Two Call-IDs held at once share a key with probability about
// n^2/2^65, as in the call tracker and the transaction observer.
inline std::uint64_t callIdDigest(std::string_view callId) noexcept {
    return stack::Digest().add(callId).value();
}

}  // namespace sipscope::analyzer
