#pragma once
// A small streaming JSON writer for the CLI's NDJSON output (CLI.md: snake_case keys, null for
// absent values). Strings are emitted as valid UTF-8: invalid bytes become U+FFFD.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipscope::analyzer {

class JsonWriter {
  public:
    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();
    JsonWriter& key(std::string_view k);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(std::int64_t n);
    JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
    JsonWriter& value(std::uint32_t n) { return value(static_cast<std::int64_t>(n)); }
    JsonWriter& value(std::uint64_t n);
    JsonWriter& value(double d, int decimals);
    JsonWriter& value(bool b);
    JsonWriter& null();

    template <class T>
    JsonWriter& optional(const std::optional<T>& v) {
        return v ? value(*v) : null();
    }
    // A string that is null when empty.
    JsonWriter& stringOrNull(std::string_view s) { return s.empty() ? null() : value(s); }

    const std::string& str() const noexcept { return m_out; }
    void clear() {
        m_out.clear();
        m_first.clear();
    }

  private:
    void separator();
    template <typename T>
    void integer(T n);
    void escaped(std::string_view s);

    std::string m_out;
    std::vector<bool> m_first;  // per open container: no element written yet
    bool m_afterKey = false;
};

}  // namespace sipscope::analyzer
