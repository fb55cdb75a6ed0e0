#pragma once
// Hash for string-keyed unordered maps that are searched with string_views: with
// std::equal_to<> as the key equality, find() takes a view and makes no temporary string.

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sipscope::analyzer {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

template <class T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

}  // namespace sipscope::analyzer
