#pragma once
// Running a capture file (or hand-made ObservedMessages) through the passive pipeline and the
// call tracker, collecting calls, transactions and the event log.

#include <QString>
#include <QStringList>

#include <string>
#include <vector>

#include "calls/call_tracker.hpp"
#include "calls/event_log.hpp"
#include "message/sip_message.hpp"
#include "pipeline/capture_pipeline.hpp"

namespace sipscope::test {

struct Analysis {
    std::vector<analyzer::CallRecord> calls;
    std::vector<stack::TransactionRecord> transactions;
    std::vector<stack::DialogEvent> dialogs;
    QStringList events;
    std::string error;
};

inline analyzer::CallTrackerSinks collectingSinks(Analysis& a, analyzer::EventLog& log) {
    analyzer::CallTrackerSinks s = log.sinks();
    auto logCall = s.call;
    s.call = [&a, logCall](analyzer::CallRecord&& c) {
        logCall(analyzer::CallRecord(c));
        a.calls.push_back(std::move(c));
    };
    auto logTx = s.transaction;
    s.transaction = [&a, logTx](const stack::TransactionRecord& t) {
        logTx(t);
        a.transactions.push_back(t);
    };
    auto logDialog = s.dialog;
    s.dialog = [&a, logDialog](const stack::DialogEvent& e) {
        if (logDialog) logDialog(e);
        a.dialogs.push_back(e);
    };
    return s;
}

inline Analysis analyzeFile(const QString& path, analyzer::CallTrackerOptions options = {}) {
    Analysis a;
    analyzer::EventLog log(
        [&a](const std::string& line) { a.events << QString::fromStdString(line); });
    std::string err;
    auto src = analyzer::openCaptureFile(path.toStdString(), err);
    if (!src) {
        a.error = err;
        return a;
    }
    analyzer::CallTracker tracker(options, collectingSinks(a, log));
    analyzer::CapturePipeline pipe({}, [&](analyzer::ObservedMessage&& m) { tracker.observe(m); });
    analyzer::RawPacket p;
    while (src->next(p)) pipe.process(p);
    pipe.finish();
    tracker.finish();
    return a;
}

// An ObservedMessage from SIP text between two IPv4 endpoints ("10.0.0.1:5060").
inline analyzer::ObservedMessage observed(std::uint64_t id, double seconds, const char* src,
                                          const char* dst, const std::string& text) {
    auto endpoint = [](const char* s) {
        analyzer::Endpoint e;
        unsigned a = 0, b = 0, c = 0, d = 0, port = 0;
        std::sscanf(s, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port);
        const std::uint8_t bytes[4] = {std::uint8_t(a), std::uint8_t(b), std::uint8_t(c),
                                       std::uint8_t(d)};
        e.ip = analyzer::IpAddress::v4(bytes);
        e.port = static_cast<std::uint16_t>(port);
        return e;
    };
    analyzer::ObservedMessage m;
    m.id = id;
    m.tsNs = static_cast<std::int64_t>(seconds * 1e9) + 1700000000000000000ll;
    m.src = endpoint(src);
    m.dst = endpoint(dst);
    m.bytes = stack::makeBytes(text);
    auto parsed = stack::SipMessage::parse(m.bytes);
    if (parsed.ok()) m.message = std::move(parsed).value();
    return m;
}

}  // namespace sipscope::test
