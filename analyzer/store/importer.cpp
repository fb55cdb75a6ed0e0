#include "store/importer.hpp"

#include <sys/stat.h>

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>
#include <unordered_map>

#include "calls/node_roles.hpp"
#include "message/key_headers.hpp"
#include "store/media_recorder.hpp"

namespace sipscope::analyzer::store {

namespace {

constexpr std::size_t kFingerprintChunk = 4u << 20;

std::string hex(const unsigned char* p, unsigned n) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < n; ++i) {
        out.push_back(digits[p[i] >> 4]);
        out.push_back(digits[p[i] & 15]);
    }
    return out;
}

}  // namespace

MessageRow messageRowOf(const ObservedMessage& m, const stack::MessageVerdict& v,
                        std::uint64_t key) {
    MessageRow r;
    r.seq = m.id;
    r.callKey = key;
    r.tsNs = m.tsNs;
    r.src = m.src.ip.toString();
    r.dst = m.dst.ip.toString();
    r.sport = m.src.port;
    r.dport = m.dst.port;
    r.transport = transportName(m.transport);
    r.ipVersion = m.ipVersion;
    r.path = m.path;
    // Written in place, for every message: no temporary strings.
    for (std::size_t i = 0; i < m.frames.size(); ++i) {
        char buf[24];
        char* end = buf;
        if (i) *end++ = ',';
        end = std::to_chars(end, buf + sizeof buf, m.frames[i]).ptr;
        r.frames.append(buf, end);
    }
    r.role.assign(stack::messageRoleLabel(v.role));
    r.transaction = v.transaction;
    r.original = v.original;
    for (const auto& issue : m.issues) {
        if (!r.issues.empty()) r.issues += '\n';
        r.issues += issue.message;
    }
    r.buffer = m.bytes;
    r.bytes = *m.bytes;
    return r;
}

std::string captureFingerprint(const std::string& path) {
    // Only regular files: a FIFO (live capture through a named pipe) or a device would be
    // consumed or block, and has no stable identity anyway.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f || std::fseek(f.get(), 0, SEEK_END) != 0) return {};
    const long size = std::ftell(f.get());
    if (size < 0) return {};
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return {};
    const std::string sizeText = std::to_string(size);
    EVP_DigestUpdate(ctx.get(), sizeText.data(), sizeText.size());
    std::vector<char> buf(kFingerprintChunk);
    const long tailStart = std::max(0L, size - static_cast<long>(kFingerprintChunk));
    for (long start : {0L, tailStart}) {
        if (std::fseek(f.get(), start, SEEK_SET) != 0) return {};
        const std::size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
        EVP_DigestUpdate(ctx.get(), buf.data(), n);
        if (start == tailStart) break;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) return {};
    return hex(digest, len);
}

namespace {

// The store orders calls by start itself: each call is written as soon as it is over, and
// memory holds only the open ones (CallTrackerOptions::startOrder).
CallTrackerOptions storeOrder(CallTrackerOptions o) {
    o.startOrder = false;
    return o;
}

}  // namespace

// One file's import: the pipeline feeding the call tracker, node roles and the media side,
// whose results are gathered in batches for the writer.
class Importer::Run {
  public:
    Run(StoreWriter& writer, const ImportOptions& options, FileImport& result)
        : m_writer(writer),
          m_options(options),
          m_result(result),
          m_media(options.keepMediaPackets),
          m_tracker(storeOrder(options.tracker), sinks()),
          m_pipeline(options.pipeline, [this](ObservedMessage&& m) { onMessage(m); }) {
        m_pipeline.setDatagramObserver([this](const TransportPacket& t) {
            m_media.onDatagram(t);
            if (m_media.readyBytes() >= m_options.batchMediaBytes) flush(true);
        });
    }

    void process(const RawPacket& packet) { m_pipeline.process(packet); }
    // A live source waiting for its next packet: calls in progress and finished calls are
    // written now rather than when the next packet comes.
    void idle() { flush(false); }

    // End of input: the calls still open, the media streams left, the last batch.
    void finish() {
        m_pipeline.finish();
        m_tracker.finish();
        m_media.finish();
        flush(true);
        m_writer.finishMedia(m_result.captureId);
    }

    const NodeRoles& roles() const noexcept { return m_roles; }
    std::int64_t firstTs = 0, lastTs = 0;

  private:
    CallTrackerSinks sinks() {
        CallTrackerSinks s;
        s.message = [this](const ObservedMessage& m, const stack::MessageVerdict& v,
                           std::uint64_t key, const stack::Observation& o) {
            if (key) m_media.noteCallKey(o.keys->callId, key);
            // A batch's rows are placed once: growing the vector moved them all, again and again.
            if (m_batch.messages.empty()) m_batch.messages.reserve(m_options.batchMessages);
            // The row is built in its place: emplace_back converts a Row, and the result of the
            // conversion initialises the element itself (no move of a dozen strings after).
            struct Row {
                const ObservedMessage& m;
                const stack::MessageVerdict& v;
                std::uint64_t key;
                operator MessageRow() const { return messageRowOf(m, v, key); }
            };
            m_batch.messages.emplace_back(Row{m, v, key});
            ++m_result.messages;
            m_roles.add(o.src, o.dst, *m.message, *o.keys, m.tsNs);
        };
        s.call = [this](CallRecord&& c) {
            ++m_result.calls;
            c.mediaProblems = m_media.retire(c);
            m_batch.calls.push_back(std::move(c));
            // The end of a capture gives out all its open calls at once.
            if (m_batch.calls.size() >= m_options.batchMessages / 4) flush(true);
        };
        // Between messages (the end of a capture above all) transactions and dialogs end by the
        // hundred thousand with no message to make the batch due: their count does.
        s.transaction = [this](const stack::TransactionRecord& t) {
            m_batch.transactions.push_back(t);
            if (m_batch.transactions.size() >= m_options.batchMessages) flush(true);
        };
        s.dialog = [this](const stack::DialogEvent& e) {
            m_batch.dialogs.push_back(e);
            if (m_batch.dialogs.size() >= m_options.batchMessages) flush(true);
        };
        return s;
    }

    void onMessage(const ObservedMessage& m) {
        if (!firstTs) firstTs = m.tsNs;
        lastTs = std::max(lastTs, m.tsNs);
        m_tracker.observe(m);
        m_media.onSip(m);
        flush(false);
    }

    // A batch is written when full, or at most callLatency (wall time) after the last one when
    // it holds finished calls or while calls are in progress (their snapshots). The clock is
    // read only then.
    bool due() const {
        if (m_batch.messages.size() >= m_options.batchMessages) return true;
        const bool snapshots = m_options.snapshotsPerBatch > 0 && m_tracker.openCalls() > 0;
        if (m_batch.calls.empty() && !snapshots) return false;
        return std::chrono::steady_clock::now() - m_lastFlush >= m_options.callLatency;
    }

    void flush(bool always) {
        if (!always && !due()) return;
        const auto now = std::chrono::steady_clock::now();
        if (!always && m_options.snapshotsPerBatch > 0 &&
            now - m_lastSnapshot >= m_options.callLatency) {
            m_lastSnapshot = now;
            m_tracker.snapshotOpen(
                [this](CallRecord&& c) {
                    c.mediaProblems = m_media.problemsOf(c);
                    m_batch.calls.push_back(std::move(c));
                },
                m_options.snapshotsPerBatch);
        }
        m_batch.mediaChunks = m_media.takeChunks();
        m_batch.mediaStreams = m_media.takeRows();
        if (m_batch.empty()) return;
        if (m_writer.pending() > 0) packBatch(m_batch);
        m_writer.submit(m_result.captureId, std::move(m_batch));
        m_batch = Batch{};
        m_lastFlush = now;
    }

    StoreWriter& m_writer;
    const ImportOptions& m_options;
    FileImport& m_result;
    Batch m_batch;
    NodeRoles m_roles;
    MediaRecorder m_media;
    std::chrono::steady_clock::time_point m_lastFlush = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point m_lastSnapshot{};
    CallTracker m_tracker;
    CapturePipeline m_pipeline;
};

Importer::Importer(StoreWriter& writer, ImportOptions options)
    : m_writer(writer), m_options(std::move(options)) {}

FileImport Importer::importFile(const std::string& path,
                                const std::function<void(const ImportProgress&)>& progress,
                                const std::atomic<bool>& cancel) {
    FileImport result;
    result.path = path;
    std::string error;
    auto source = openCaptureFile(path, error);
    if (!source) {
        result.status = "error";
        result.error = error;
        return result;
    }
    CaptureInfo info;
    info.path = path;
    info.hash = path == "-" ? std::string() : captureFingerprint(path);
    info.format = source->formatName();
    info.size = source->totalBytes().value_or(0);
    if (!info.hash.empty()) {
        if (auto existing = m_writer.findComplete(info.hash)) {
            result.skipped = true;
            result.captureId = *existing;
            result.status = "complete";
            return result;
        }
    }
    result.captureId = m_writer.beginCapture(info);
    if (progress) progress({0, source->totalBytes(), 0, 0, 0, result.captureId});

    Run run(m_writer, m_options, result);
    const auto latency = static_cast<int>(m_options.callLatency.count());
    source->setIdleHandler([&run] { run.idle(); }, std::max(latency, 50));
    RawPacket packet;
    bool cancelled = false;
    while (source->next(packet)) {
        ++result.packets;
        run.process(packet);
        if ((result.packets & 0x3FFF) == 0 && progress)
            progress({source->bytesRead(), source->totalBytes(), result.packets, result.messages,
                      result.calls, result.captureId});
        if (cancel.load(std::memory_order_relaxed)) {
            cancelled = true;
            break;
        }
    }
    finishImport(*source, run, cancelled, result);
    return result;
}

void Importer::finishImport(PacketSource& source, Run& run, bool cancelled, FileImport& result) {
    run.finish();
    CaptureTotals totals;
    totals.status = cancelled ? "incomplete" : source.error() ? "damaged" : "complete";
    if (cancelled) totals.error = "import cancelled";
    if (source.error())
        totals.error = "packet " + std::to_string(source.error()->packetNumber) + " at byte " +
                       std::to_string(source.error()->offset) + ": " + source.error()->message;
    for (int lt : source.linkTypes())
        totals.linkTypes += (totals.linkTypes.empty() ? "" : ",") + std::to_string(lt);
    totals.packets = result.packets;
    totals.messages = result.messages;
    totals.calls = result.calls;
    totals.firstTsNs = run.firstTs;
    totals.lastTsNs = run.lastTs;
    m_writer.saveNodes(run.roles().nodes());
    m_writer.finishCapture(result.captureId, totals);
    result.status = totals.status;
    result.error = totals.error;
    if (auto e = m_writer.error()) {
        result.status = "error";
        result.error = *e;
    }
}

}  // namespace sipscope::analyzer::store
