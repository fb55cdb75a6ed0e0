#pragma once
// Queries behind the GUI's anomaly and statistics panels: read through a StoreReader's
// connection (ARCHITECTURE.md "Beyond one machine": the GUI reads through query objects, never
// through SQLite's C API).

#include <cstdint>
#include <string>
#include <vector>

#include "calls/call_record.hpp"
#include "store/store_reader.hpp"

namespace sipscope::analyzer::store {

struct PanelAnomaly {
    std::int64_t id = 0, callRow = 0, captureId = 0;
    std::string code, rfc, text, callId;
    std::vector<std::uint64_t> messageSeqs;
    // Timestamp of the first message the anomaly names; the call's start when it names none.
    std::int64_t tsNs = 0;
};

// Anomalies of the calls of `captureIds` (empty: every capture), in time order.
std::vector<PanelAnomaly> panelAnomalies(StoreReader& reader,
                                         const std::vector<std::int64_t>& captureIds);

// The stored calls of `captureIds` (empty: every capture), in start order, as CallRecords
// filled from the calls table (what StatsAggregator needs).
std::vector<CallRecord> panelCallRecords(StoreReader& reader,
                                         const std::vector<std::int64_t>& captureIds);

}  // namespace sipscope::analyzer::store
