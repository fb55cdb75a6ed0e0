#include "ua_recorder.hpp"

#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <exception>

#include "calls/call_tracker.hpp"
#include "calls/node_roles.hpp"
#include "core/observed_message.hpp"
#include "message/key_headers.hpp"
#include "store/importer.hpp"
#include "store/store_writer.hpp"

namespace sipscope::cli {

using namespace sipscope::analyzer;

namespace {

Endpoint endpointOf(const stack::net::SockAddr& a) {
    Endpoint e;
    if (a.isV6())
        e.ip = IpAddress::v6(reinterpret_cast<const sockaddr_in6*>(a.sa())->sin6_addr.s6_addr);
    else
        e.ip = IpAddress::v4(reinterpret_cast<const std::uint8_t*>(
            &reinterpret_cast<const sockaddr_in*>(a.sa())->sin_addr));
    e.port = a.port();
    return e;
}

Transport transportOf(stack::net::Protocol p) {
    switch (p) {
        case stack::net::Protocol::Udp:
            return Transport::Udp;
        case stack::net::Protocol::Tcp:
            return Transport::Tcp;
        case stack::net::Protocol::Tls:
            return Transport::Tls;
    }
    return Transport::Udp;
}

}  // namespace

struct UaRecorder::Impl {
    std::unique_ptr<store::StoreWriter> writer;
    std::unique_ptr<CallTracker> tracker;
    store::Batch batch;
    NodeRoles roles;
    std::int64_t captureId = 0, firstTs = 0, lastTs = 0;
    std::uint64_t messages = 0, calls = 0;
};

UaRecorder::UaRecorder() = default;

UaRecorder::~UaRecorder() {
    finish();
}

std::int64_t UaRecorder::captureId() const noexcept {
    return m_impl ? m_impl->captureId : 0;
}

bool UaRecorder::open(const std::string& dbPath, const std::string& description,
                      const stack::TimerConfig& timers, std::string& error) {
    auto impl = std::make_unique<Impl>();
    try {
        impl->writer = std::make_unique<store::StoreWriter>(dbPath);
        store::CaptureInfo info;
        info.path = description;
        info.format = "test call";
        impl->captureId = impl->writer->beginCapture(info);
    } catch (const std::exception& e) {
        error = "cannot open " + dbPath + ": " + e.what();
        return false;
    }
    Impl* raw = impl.get();
    CallTrackerSinks sinks;
    sinks.message = [raw](const ObservedMessage& m, const stack::MessageVerdict& v,
                          std::uint64_t key, const stack::Observation& o) {
        raw->batch.messages.push_back(store::messageRowOf(m, v, key));
        if (m.message) raw->roles.add(o.src, o.dst, *m.message, *o.keys, m.tsNs);
    };
    sinks.call = [raw](CallRecord&& c) {
        ++raw->calls;
        raw->batch.calls.push_back(std::move(c));
    };
    sinks.transaction = [raw](const stack::TransactionRecord& t) {
        raw->batch.transactions.push_back(t);
    };
    sinks.dialog = [raw](const stack::DialogEvent& e) { raw->batch.dialogs.push_back(e); };
    CallTrackerOptions options;
    options.observer.timers = timers;
    impl->tracker = std::make_unique<CallTracker>(options, std::move(sinks));
    m_impl = std::move(impl);
    return true;
}

void UaRecorder::record(const stack::ua::TappedMessage& t) {
    if (!m_impl) return;
    ObservedMessage m;
    m.id = ++m_impl->messages;
    m.tsNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
    m.src = endpointOf(t.sent ? t.local : t.remote);
    m.dst = endpointOf(t.sent ? t.remote : t.local);
    m.transport = transportOf(t.protocol);
    m.ipVersion = t.remote.isV6() ? 6 : 4;
    m.path = t.sent ? "sipscope/sent" : "sipscope/received";
    m.bytes = stack::makeBytes(t.message.encode());
    if (auto parsed = stack::SipMessage::parse(m.bytes); parsed.ok()) m.message = parsed.value();
    if (!m_impl->firstTs) m_impl->firstTs = m.tsNs;
    m_impl->lastTs = std::max(m_impl->lastTs, m.tsNs);
    m_impl->tracker->observe(m);
    if (m_impl->batch.messages.size() >= 256) {
        m_impl->writer->submit(m_impl->captureId, std::move(m_impl->batch));
        m_impl->batch = store::Batch{};
    }
}

void UaRecorder::finish() {
    if (!m_impl) return;
    m_impl->tracker->finish();
    if (!m_impl->batch.empty()) m_impl->writer->submit(m_impl->captureId, std::move(m_impl->batch));
    store::CaptureTotals totals;
    totals.status = "complete";
    totals.messages = m_impl->messages;
    totals.packets = m_impl->messages;
    totals.calls = m_impl->calls;
    totals.firstTsNs = m_impl->firstTs;
    totals.lastTsNs = m_impl->lastTs;
    m_impl->writer->saveNodes(m_impl->roles.nodes());
    m_impl->writer->finishCapture(m_impl->captureId, totals);
    m_impl.reset();
}

}  // namespace sipscope::cli
