#pragma once
// JSON of ObservedMessages (the `messages` and `capture` contract) and the --summary object.

#include <cstdint>
#include <map>
#include <string>
#include <unordered_set>

#include "capture_run.hpp"
#include "core/observed_message.hpp"
#include "json_writer.hpp"

namespace sipscope::cli {

struct MessageSummary {
    std::uint64_t requests = 0, responses = 0;
    std::unordered_set<std::string> callIds;
    std::map<std::string, std::uint64_t> byMethod, byStatus;

    void add(const analyzer::ObservedMessage& m) {
        if (!m.message) return;
        const auto& msg = *m.message;
        if (msg.isRequest()) {
            ++requests;
            ++byMethod[std::string(msg.method())];
        } else {
            ++responses;
            ++byStatus[msg.status() ? std::to_string(*msg.status()) : std::string("invalid")];
        }
        if (const auto* h = msg.header(stack::HeaderId::CallId)) callIds.emplace(h->value);
    }
    // Prints the --summary object for a finished read.
    void write(const CaptureRunResult& r, std::uint64_t dropped) const;
};

void writeObservedMessage(JsonWriter& w, const analyzer::ObservedMessage& m);

}  // namespace sipscope::cli
