#include "ua_json.hpp"

#include <cstdlib>
#include <string>

namespace sipscope::cli {

bool parseSeconds(std::string_view text, stack::Duration& out) {
    const std::string s(text);
    if (s.empty() || s.size() > 12) return false;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || !(v >= 0) || v > 86400.0) return false;
    out = stack::Duration{static_cast<long long>(v * 1000.0 + 0.5)};
    return true;
}

}  // namespace sipscope::cli
