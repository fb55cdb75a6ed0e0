#pragma once
// Lines numbered 1, 2, 3 ... that are ready out of order, written in order. `calls FILE --json`
// prints calls in start order while the tracker gives each out as soon as it is over
// (CallTrackerOptions::startOrder off); `transactions --json` prints transactions by id while
// they end out of order. A line that waits for an earlier one is held packed like a stored call
// record (call_json_blob.hpp, about a fifth of its size): one call left open for hours (its BYE
// was not captured) holds back every later line, and those can be most of a big capture.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sipscope::analyzer::store {

class OrderedLines {
  public:
    using Sink = std::function<void(std::string_view)>;
    explicit OrderedLines(Sink sink, std::uint64_t first = 1);

    // The line numbered `number`; nullopt when it has nothing to print (filtered out) but later
    // lines need not wait for it. A number already passed is written at once.
    void add(std::uint64_t number, std::optional<std::string_view> line);
    // End of input: the lines still held, in order, over the numbers that never came.
    void finish();

    std::size_t held() const noexcept { return m_held.size(); }
    std::size_t heldBytes() const noexcept { return m_heldBytes; }  // packed

  private:
    struct Held {
        std::string text;
        bool packed = false;  // else as it came (a line too large to pack)
        bool print = false;   // else the number has nothing to print
    };
    void release();
    void write(const Held& h);

    Sink m_sink;
    std::uint64_t m_next;
    std::map<std::uint64_t, Held> m_held;
    std::size_t m_heldBytes = 0;
};

}  // namespace sipscope::analyzer::store
