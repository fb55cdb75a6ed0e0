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

void writePrack(analyzer::JsonWriter& w, const char* countKey, int count, int reliable) {
    w.key("prack").beginObject();
    w.key(countKey).value(count);
    w.key("reliable_provisionals").value(reliable);
    w.endObject();
}

void writeTarget(analyzer::JsonWriter& w, const stack::ua::Target* target, std::string_view how) {
    w.key("target");
    if (!target || !target->address.valid()) {
        w.null();
        return;
    }
    w.beginObject();
    w.key("transport").value(stack::net::protocolParam(target->protocol));
    w.key("address").value(target->address.ip());
    w.key("port").value(static_cast<int>(target->address.port()));
    w.key("how").value(how);
    w.endObject();
}

}  // namespace sipscope::cli
