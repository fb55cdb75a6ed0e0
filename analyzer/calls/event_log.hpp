#pragma once
// The tracker's events as one text line each: what `sipscope-cli events` prints and what the
// golden tests compare (llhttp style: a capture next to its expected event log). Times are
// seconds since the first message, so a log does not depend on when the capture was made.

#include <functional>
#include <string>

#include "calls/call_tracker.hpp"

namespace sipscope::analyzer {

class EventLog {
  public:
    using LineSink = std::function<void(const std::string&)>;
    explicit EventLog(LineSink sink) : m_sink(std::move(sink)) {}

    // Sinks that write every event of a CallTracker to this log.
    CallTrackerSinks sinks();

    void message(const ObservedMessage& m, const stack::MessageVerdict& v);
    void transaction(const stack::TransactionRecord& t);
    void dialog(const stack::DialogEvent& e);
    void anomaly(const stack::Anomaly& a);
    void call(const CallRecord& c);

  private:
    std::string at(std::int64_t ns);

    LineSink m_sink;
    std::optional<std::int64_t> m_originNs;
};

}  // namespace sipscope::analyzer
