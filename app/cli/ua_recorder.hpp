#pragma once
// Recording a test call (--db): every message the user agent sends or receives becomes an
// ObservedMessage and goes through the same call tracker -> store writer path as an import, as
// a capture of its own, so `calls --db`, `ladder --db` and the GUI draw it like captured
// traffic. The store has no capture-kind column yet: the kind ("test call") is written to the
// captures.format column and the command line to captures.path.

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "ua/sip_endpoint.hpp"

namespace sipscope::cli {

class UaRecorder {
  public:
    UaRecorder();
    ~UaRecorder();
    UaRecorder(const UaRecorder&) = delete;
    UaRecorder& operator=(const UaRecorder&) = delete;

    // Opens (or creates) the store and begins the capture; false and `error` on failure.
    bool open(const std::string& dbPath, const std::string& description,
              const stack::TimerConfig& timers, std::string& error);
    bool active() const noexcept { return m_impl != nullptr; }
    void record(const stack::ua::TappedMessage& message);
    // Ends every call and transaction, writes them and marks the capture complete.
    void finish();
    std::int64_t captureId() const noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace sipscope::cli
