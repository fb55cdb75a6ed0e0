#pragma once
// Importing capture files into the store: each file goes through the capture pipeline and the
// call tracker; messages, calls, transactions and dialog states are written by the StoreWriter
// in batches. A file already imported completely (same fingerprint) is skipped.

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "calls/call_tracker.hpp"
#include "capture/packet_source.hpp"
#include "pipeline/capture_pipeline.hpp"
#include "store/store_writer.hpp"

namespace sipscope::analyzer::store {

struct ImportOptions {
    CallTrackerOptions tracker;
    PipelineOptions pipeline;
    std::size_t batchMessages = 4096;  // messages per write transaction
    // A batch holding finished calls is written after at most this long (wall time), even when
    // smaller: readers (the GUI) list calls while a big file is still importing.
    std::chrono::milliseconds callLatency{250};
    // Calls still in progress are written as snapshots (number 0) as often, and replaced in
    // place when they are reported: a reader sees a call from its first message on, and sees it
    // go on. At most this many snapshots per batch (0: no snapshots).
    std::size_t snapshotsPerBatch = 256;
    // Keep the RTP packets (schema v3 media_chunks) for audio and pcap export; off, only the
    // streams' statistics are stored.
    bool keepMediaPackets = true;
    std::size_t batchMediaBytes = 8u << 20;  // packed RTP bytes that make a batch due
};

struct ImportProgress {
    std::uint64_t bytesRead = 0;
    std::optional<std::uint64_t> totalBytes;
    std::uint64_t packets = 0, messages = 0, calls = 0;
    std::int64_t captureId = 0;  // the capture being written (known from the first report on)
};

struct FileImport {
    std::string path;
    std::int64_t captureId = 0;  // 0: nothing imported (skipped, unreadable)
    bool skipped = false;        // already in the store (same fingerprint)
    std::string status;          // complete, incomplete (cancelled), damaged, or "error"
    std::string error;           // why it is not complete
    std::uint64_t packets = 0, messages = 0, calls = 0;
};

// An observed message as the store keeps it (imports and recorded test calls).
MessageRow messageRowOf(const ObservedMessage& m, const stack::MessageVerdict& verdict,
                        std::uint64_t callKey);

// SHA-256 of the file size, its first and its last 4 MiB, as hex: cheap on multi-GB captures,
// and the same file gets the same value wherever it lies. Empty when the file cannot be read.
std::string captureFingerprint(const std::string& path);

class Importer {
  public:
    Importer(StoreWriter& writer, ImportOptions options);

    // Imports one file. `progress` is called once the capture row exists, then about every 16k
    // packets; `cancel` is polled per
    // packet: when set, the capture is marked incomplete and the import stops.
    FileImport importFile(const std::string& path,
                          const std::function<void(const ImportProgress&)>& progress,
                          const std::atomic<bool>& cancel);

  private:
    class Run;
    void finishImport(PacketSource& source, Run& run, bool cancelled, FileImport& result);

    StoreWriter& m_writer;
    ImportOptions m_options;
};

}  // namespace sipscope::analyzer::store
