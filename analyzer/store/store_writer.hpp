#pragma once
// The store's writer (ARCHITECTURE.md "Storage"): one SQLite connection owned by a dedicated
// thread; the analysis thread hands it batches through a bounded queue and each batch is
// written in one transaction. Readers (the GUI, `calls --db`) use their own connections (WAL).

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "calls/call_record.hpp"
#include "calls/node_roles.hpp"
#include "message/bytes.hpp"
#include "observe/dialog_observer.hpp"
#include "store/media_chunk.hpp"
#include "store/media_rows.hpp"
#include "store/sqlite.hpp"

namespace sipscope::analyzer::store {

// One message as stored (block_messages.hpp): what the pcap export and the message view need.
// Its method, status, CSeq and Call-ID are not kept apart: they are in its bytes.
struct MessageRow {
    std::uint64_t seq = 0;      // the message id within its capture
    std::uint64_t callKey = 0;  // CallRecord::key of the call it belongs to
    std::int64_t tsNs = 0;
    std::string src, dst;  // addresses without port or brackets
    std::uint16_t sport = 0, dport = 0;
    std::string transport;
    std::uint8_t ipVersion = 4;
    std::string path, frames;
    std::string role, issues;
    std::uint64_t transaction = 0, original = 0;
    stack::Bytes buffer;  // keeps `bytes` alive
    std::string_view bytes;
};

// A run of consecutive messages packed for message_blocks (block_messages.hpp).
struct PackedBlock {
    std::string data;  // the compressed block (message_blocks.hpp)
    std::size_t rawSize = 0;
    std::uint64_t firstSeq = 0, lastSeq = 0, messages = 0;
    std::vector<std::uint64_t> callKeys;  // of its messages: distinct, sorted, never 0
};

struct Batch {
    std::vector<MessageRow> messages;
    std::vector<PackedBlock> blocks;  // messages packed by packBatch (which empties `messages`)
    std::vector<CallRecord> calls;
    std::vector<stack::TransactionRecord> transactions;
    std::vector<stack::DialogEvent> dialogs;
    std::vector<MediaChunkRow> mediaChunks;    // RTP packets (media_chunk.hpp)
    std::vector<MediaStreamRow> mediaStreams;  // streams of finished calls (media_rows.hpp)
    // The first calls' records packed (call_json_blob.hpp) by packBatch, on the producer's
    // thread or else by writeBatch.
    std::vector<std::string> packedCalls;
    bool empty() const {
        return messages.empty() && blocks.empty() && calls.empty() && transactions.empty() &&
               dialogs.empty() && mediaChunks.empty() && mediaStreams.empty();
    }
};

struct CaptureInfo {
    std::string path, hash, format;
    std::uint64_t size = 0;
};

struct CaptureTotals {
    std::string status;  // complete, incomplete, damaged
    std::string linkTypes, error;
    std::uint64_t packets = 0, messages = 0, calls = 0;
    std::int64_t firstTsNs = 0, lastTsNs = 0;
};

class StoreWriter {
  public:
    // Opens or creates the database and brings its schema up to date (throws sql::Error).
    // Captures left 'importing' by a process that no longer runs are marked 'incomplete'.
    explicit StoreWriter(const std::string& path, std::size_t maxQueuedBatches = 4);
    ~StoreWriter();
    StoreWriter(const StoreWriter&) = delete;
    StoreWriter& operator=(const StoreWriter&) = delete;

    // The id of a complete capture with this hash, if any.
    std::optional<std::int64_t> findComplete(const std::string& hash);
    // Inserts the capture row (status 'importing') and returns its id.
    std::int64_t beginCapture(const CaptureInfo& info);
    // Queues a batch of one capture (blocks while the queue is full).
    void submit(std::int64_t captureId, Batch&& batch);
    // Waits for every queued batch, then records the capture's totals and status.
    void finishCapture(std::int64_t captureId, const CaptureTotals& totals);
    // Records node roles and user agents (a role seen now replaces "UA"; aliases are kept).
    void saveNodes(const std::map<std::string, NodeInfo>& nodes);
    // After a capture's last batch: drops the packets of streams that were not reported
    // (heuristic flows that never qualified). The streams came in the batches.
    void finishMedia(std::int64_t captureId);
    // The first write error, if one happened (later batches are then dropped).
    std::optional<std::string> error();
    // Tasks queued or being written: a producer that finds the writer busy does the batch's
    // packing itself (packBatch), one that finds it idle leaves it to the writer, so the work
    // goes to whichever of the two threads has time for it.
    std::size_t pending();

  private:
    using Task = std::function<void(sql::Database&)>;
    void run();
    void post(Task task);
    template <class R>
    R call(std::function<R(sql::Database&)> f);

    std::string m_path;
    std::size_t m_maxQueued;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Task> m_queue;
    bool m_stop = false, m_busy = false;
    std::optional<std::string> m_error;
    std::thread m_thread;
};

// Packs the batch's messages into blocks (and frees their rows) and the records of its calls
// not packed yet: the writer's share of the work that needs no database (a third of it), which
// the importer does itself before submit() when the writer is busy (StoreWriter::pending).
void packBatch(Batch& batch);

// Writes one batch in the calling thread's transaction (the writer thread uses it; tests too),
// packing first what the producer did not (packBatch).
void writeBatch(sql::Database& db, std::int64_t captureId, Batch& batch);

}  // namespace sipscope::analyzer::store
