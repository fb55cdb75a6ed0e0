#pragma once
// Reading a capture through the passive pipeline for the CLI subcommands: opening, BPF
// filtering, progress on stderr when it is a terminal, and the result of the read.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "capture/packet_source.hpp"
#include "core/observed_message.hpp"
#include "pipeline/capture_pipeline.hpp"

namespace sipscope::cli {

struct CaptureRunOptions {
    std::string path;                     // file or "-"
    std::string bpf;                      // empty: no filter
    std::vector<std::uint16_t> sipPorts;  // added to the defaults
    // When set, sees every non-SIP UDP datagram (the media analysis).
    analyzer::CapturePipeline::DatagramObserver datagrams;
};

struct CaptureRunResult {
    std::string openError;                             // set when nothing could be read
    std::optional<analyzer::SourceError> sourceError;  // the file was damaged here
    analyzer::PipelineStats stats;
    std::uint64_t packets = 0;      // read from the file
    std::uint64_t filteredOut = 0;  // rejected by the BPF filter
    std::string format;
};

// Runs the whole capture; false when it could not be opened or the filter is invalid.
bool runCapture(const CaptureRunOptions& options,
                const std::function<void(analyzer::ObservedMessage&&)>& sink,
                CaptureRunResult& out);

// Runs an open source (live capture) through the pipeline; `options.path` and `.bpf` unused.
void runSource(analyzer::PacketSource& source, const CaptureRunOptions& options,
               const std::function<void(analyzer::ObservedMessage&&)>& sink, CaptureRunResult& out);

// Parses "--sip-port N" style numbers; false on a bad value.
bool parsePort(std::string_view text, std::uint16_t& port);

// Parses a "--t1-ms N" style count of milliseconds (up to 9 digits); false on a bad value, or
// on 0 unless `allowZero`.
bool parseMilliseconds(std::string_view text, std::chrono::milliseconds& out, bool allowZero);

}  // namespace sipscope::cli
