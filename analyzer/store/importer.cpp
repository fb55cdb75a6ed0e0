#include "store/importer.hpp"

#include <sys/stat.h>

#include <openssl/evp.h>

#include <cstdio>
#include <memory>
#include <unordered_map>

#include "calls/node_roles.hpp"
#include "media/media_tracker.hpp"
#include "message/key_headers.hpp"

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
    for (std::size_t i = 0; i < m.frames.size(); ++i)
        r.frames += (i ? "," : "") + std::to_string(m.frames[i]);
    if (m.message) {
        const stack::SipMessage& s = *m.message;
        if (s.isRequest()) r.method = std::string(s.method());
        r.status = s.status();
        const stack::KeyHeaders k = stack::extractKeyHeaders(s);
        r.cseq = k.cseq;
        r.callId = std::string(k.callId);
    }
    r.role = std::string(stack::messageRoleLabel(v.role));
    r.transaction = v.transaction;
    r.original = v.original;
    for (const auto& issue : m.issues) r.issues += (r.issues.empty() ? "" : "\n") + issue.message;
    r.buffer = m.bytes;
    r.bytes = m.bytes ? std::string_view(*m.bytes) : std::string_view();
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

    Batch batch;
    NodeRoles roles;
    std::int64_t firstTs = 0, lastTs = 0;
    auto lastFlush = std::chrono::steady_clock::now();
    auto due = [&] {
        if (batch.messages.size() >= m_options.batchMessages) return true;
        // Finished calls wait at most callLatency (the clock is read only while some wait).
        if (batch.calls.empty()) return false;
        return std::chrono::steady_clock::now() - lastFlush >= m_options.callLatency;
    };
    auto flush = [&](bool always) {
        if (batch.empty() || (!always && !due())) return;
        m_writer.submit(result.captureId, std::move(batch));
        batch = Batch{};
        lastFlush = std::chrono::steady_clock::now();
    };
    CallTrackerSinks sinks;
    // Passive media (issue 9): streams are tied to calls by Call-ID, stored by call key.
    MediaTracker media;
    std::unordered_map<std::string, std::uint64_t> callKeys;
    sinks.message = [&](const ObservedMessage& m, const stack::MessageVerdict& v,
                        std::uint64_t key) {
        if (m.message && key)
            callKeys.try_emplace(std::string(stack::extractKeyHeaders(*m.message).callId), key);
        batch.messages.push_back(messageRowOf(m, v, key));
        ++result.messages;
        if (m.message) roles.add(endpointText(m.src), endpointText(m.dst), *m.message, m.tsNs);
    };
    sinks.call = [&](CallRecord&& c) {
        ++result.calls;
        batch.calls.push_back(std::move(c));
    };
    sinks.transaction = [&](const stack::TransactionRecord& t) { batch.transactions.push_back(t); };
    sinks.dialog = [&](const stack::DialogEvent& e) { batch.dialogs.push_back(e); };
    CallTracker tracker(m_options.tracker, std::move(sinks));
    CapturePipeline pipeline(m_options.pipeline, [&](ObservedMessage&& m) {
        if (!firstTs) firstTs = m.tsNs;
        lastTs = std::max(lastTs, m.tsNs);
        tracker.observe(m);
        media.onSip(m);
        flush(false);
    });
    pipeline.setDatagramObserver([&](const TransportPacket& t) { media.onDatagram(t); });
    RawPacket packet;
    bool cancelled = false;
    while (source->next(packet)) {
        ++result.packets;
        pipeline.process(packet);
        if ((result.packets & 0x3FFF) == 0 && progress)
            progress({source->bytesRead(), source->totalBytes(), result.packets, result.messages,
                      result.calls, result.captureId});
        if (cancel.load(std::memory_order_relaxed)) {
            cancelled = true;
            break;
        }
    }
    pipeline.finish();
    tracker.finish();
    flush(true);
    media.finish();
    m_writer.saveMediaStreams(result.captureId, mediaRows(media, callKeys));

    CaptureTotals totals;
    totals.status = cancelled ? "incomplete" : source->error() ? "damaged" : "complete";
    if (cancelled) totals.error = "import cancelled";
    if (source->error())
        totals.error = "packet " + std::to_string(source->error()->packetNumber) + " at byte " +
                       std::to_string(source->error()->offset) + ": " + source->error()->message;
    for (int lt : source->linkTypes())
        totals.linkTypes += (totals.linkTypes.empty() ? "" : ",") + std::to_string(lt);
    totals.packets = result.packets;
    totals.messages = result.messages;
    totals.calls = result.calls;
    totals.firstTsNs = firstTs;
    totals.lastTsNs = lastTs;
    m_writer.saveNodes(roles.nodes());
    m_writer.finishCapture(result.captureId, totals);
    result.status = totals.status;
    result.error = totals.error;
    if (auto e = m_writer.error()) {
        result.status = "error";
        result.error = *e;
    }
    return result;
}

}  // namespace sipscope::analyzer::store
