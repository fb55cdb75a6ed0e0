#pragma once
// A recording ObserverListener and a small capture driver for the passive observer tests: every
// callback becomes one readable line, so a test compares a whole golden log.
//
// Log lines (times in ms since the capture origin, "us" suffix when not whole milliseconds):
//   msg <id> <label> <role> [tx<T>] [orig<O>]       label: method or status code
//   anomaly <code> [tx<T>] [<ids>] @<time>
//   tx<T> <method>/<cseq> <final|-> <outcome> rtx=<n> req=[..] rsp=[..] ack=[..]
//       t=<start>/<firstProvisional|->/<firstFinal|->/<end> [timeout] [ackMissing] [abandoned]
//       [cancels=tx<C>]
// SIPSCOPE_DUMP_LOG=1 in the environment prints every log when its listener goes away (to read
// a failing test's whole log, or to review a new golden one).

#include <QString>
#include <QStringList>
#include <QtTest>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "message/message_builder.hpp"
#include "observe/transaction_observer.hpp"

namespace sipscope::test {

using namespace sipscope::stack;

inline constexpr std::string_view kUac = "10.0.0.1:5060";
inline constexpr std::string_view kUas = "10.0.0.2:5060";

inline QString timeText(Instant t) {
    const auto us = t.count();
    if (us % 1000 == 0) return QString::number(us / 1000) + "ms";
    return QString::number(us) + "us";
}

inline QString idList(const std::vector<std::uint64_t>& ids) {
    QStringList parts;
    for (auto id : ids) parts << QString::number(id);
    return '[' + parts.join(',') + ']';
}

class RecordingListener : public ObserverListener {
  public:
    ~RecordingListener() override {
        if (qEnvironmentVariableIsSet("SIPSCOPE_DUMP_LOG"))
            for (const auto& l : log) qInfo("%s", qPrintable(l));
    }
    void onMessage(const Observation& o, const MessageVerdict& v) override {
        const SipMessage& m = *o.message;
        QString line = QString("msg %1 %2 %3")
                           .arg(o.id)
                           .arg(m.isRequest() ? QString::fromUtf8(m.method())
                                              : QString::number(m.status().value_or(0)))
                           .arg(QString::fromUtf8(messageRoleLabel(v.role)));
        if (v.transaction) line += QString(" tx%1").arg(v.transaction);
        if (v.original) line += QString(" orig%1").arg(v.original);
        log << line;
        verdicts.push_back(v);
    }

    void onTransactionEnded(const TransactionRecord& t) override {
        QString line = QString("tx%1 %2/%3 %4 %5 rtx=%6 req=%7 rsp=%8 ack=%9")
                           .arg(t.id)
                           .arg(QString::fromStdString(t.method))
                           .arg(t.cseq)
                           .arg(t.finalCode ? QString::number(*t.finalCode) : QString("-"))
                           .arg(QString::fromUtf8(stateLabel(t.outcome)))
                           .arg(t.retransmissions)
                           .arg(idList(t.requests), idList(t.responses), idList(t.acks));
        const auto optTime = [](const std::optional<Instant>& i) {
            return i ? timeText(*i) : QString("-");
        };
        line += QString(" t=%1/%2/%3/%4")
                    .arg(timeText(t.start), optTime(t.firstProvisional), optTime(t.firstFinal),
                         timeText(t.end));
        if (t.timeout) line += " timeout";
        if (t.ackMissing) line += " ackMissing";
        if (t.abandoned) line += " abandoned";
        if (t.cancels) line += QString(" cancels=tx%1").arg(t.cancels);
        log << line;
        records.push_back(t);
    }

    void onAnomaly(const Anomaly& a) override {
        QString line = "anomaly " + QString::fromStdString(a.code);
        if (a.transaction) line += QString(" tx%1").arg(a.transaction);
        line += ' ' + idList(a.messageIds) + " @" + timeText(a.at);
        log << line;
        anomalies.push_back(a);
    }

    // The record of transaction `id` (records come in eviction order, not id order).
    const TransactionRecord& record(std::uint64_t id) const {
        for (const auto& r : records)
            if (r.id == id) return r;
        qFatal("no record for this transaction");
    }

    QStringList log;
    std::vector<MessageVerdict> verdicts;
    std::vector<TransactionRecord> records;
    std::vector<Anomaly> anomalies;
};

// Feeds messages to one TransactionObserver with consecutive ids starting at 1.
class ObserverHarness {
  public:
    explicit ObserverHarness(ObserverOptions options = {}) : observer(options, listener) {}

    MessageVerdict observe(Instant at, const SipMessage& message, std::string_view src,
                           std::string_view dst,
                           TransportKind transport = TransportKind::Unreliable) {
        m_kept.push_back(std::make_unique<SipMessage>(message));
        Observation o;
        o.id = m_nextId++;
        o.at = at;
        o.message = m_kept.back().get();
        o.src = src;
        o.dst = dst;
        o.transport = transport;
        return observer.observe(o);
    }
    // A request from the UAC to the UAS, a response from the UAS to the UAC.
    MessageVerdict up(Instant at, const SipMessage& m,
                      TransportKind transport = TransportKind::Unreliable) {
        return observe(at, m, kUac, kUas, transport);
    }
    MessageVerdict down(Instant at, const SipMessage& m,
                        TransportKind transport = TransportKind::Unreliable) {
        return observe(at, m, kUas, kUac, transport);
    }

    RecordingListener listener;
    TransactionObserver observer;

  private:
    std::vector<std::unique_ptr<SipMessage>> m_kept;
    std::uint64_t m_nextId = 1;
};

// The fields of a request of the test call (Alice at kUac calling Bob at kUas).
struct RequestSpec {
    std::string method = "INVITE";
    std::string branch = "z9hG4bK-inv";  // empty: a Via without branch parameter (RFC 2543)
    std::uint32_t cseq = 1;
    std::string toTag{};
    std::string callId = "call-1@10.0.0.1";
    std::string fromTag = "alice-1";
    std::string sentBy = std::string(kUac);
    std::string lowerVia{};  // a second Via below the top one (the request came through a proxy)
};

inline SipMessage buildOrDie(const MessageBuilder& b) {
    auto r = b.build();
    if (!r.ok()) qFatal("test message did not build");
    return std::move(r).value();
}

inline SipMessage sipRequest(const RequestSpec& s) {
    std::string via = "SIP/2.0/UDP " + s.sentBy;
    if (!s.branch.empty()) via += ";branch=" + s.branch;
    std::string to = "<sip:bob@10.0.0.2>";
    if (!s.toTag.empty()) to += ";tag=" + s.toTag;
    auto b = MessageBuilder::request(s.method, "sip:bob@10.0.0.2");
    b.header("Via", via);
    if (!s.lowerVia.empty()) b.header("Via", s.lowerVia);
    b.header("Max-Forwards", "70")
        .header("From", "<sip:alice@10.0.0.1>;tag=" + s.fromTag)
        .header("To", to)
        .header("Call-ID", s.callId)
        .header("CSeq", std::to_string(s.cseq) + " " + s.method)
        .header("Contact", "<sip:alice@10.0.0.1:5060>");
    return buildOrDie(b);
}

// RFC 3261 §8.2.6.2: Via, From, To (+ tag above 100), Call-ID and CSeq of the request, plus
// `extra` headers (e.g. RSeq).
inline SipMessage sipResponse(const SipMessage& request, int code, std::string_view toTag = "bob-1",
                              const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    auto b = MessageBuilder::response(code);
    for (const auto& h : request.headers()) {
        if (h.id == HeaderId::To) {
            std::string to(h.value);
            if (code > 100 && !toTag.empty() && to.find(";tag=") == std::string::npos)
                to.append(";tag=").append(toTag);
            b.header(h.id, to);
        } else if (h.id == HeaderId::Via || h.id == HeaderId::From || h.id == HeaderId::CallId ||
                   h.id == HeaderId::CSeq) {
            b.header(h.id, h.value);
        }
    }
    for (const auto& [name, value] : extra) b.header(name, value);
    return buildOrDie(b);
}

inline SipMessage parseOrDie(std::string_view text) {
    auto r = SipMessage::parse(text);
    if (!r.ok()) qFatal("test message did not parse");
    return std::move(r).value();
}

// The one anomaly a test expects (fails the test when there are none or several).
inline const Anomaly& onlyAnomaly(const RecordingListener& l) {
    if (l.anomalies.size() != 1) qFatal("expected exactly one anomaly");
    return l.anomalies.front();
}

// The observer suites' INVITE (the default RequestSpec), the ACK of its 2xx (a new
// transaction, own branch) and the ACK of a non-2xx (the INVITE's branch, RFC 3261 §17.1.1.3).
inline const SipMessage kInvite = sipRequest({});
inline const SipMessage kAck2xx =
    sipRequest({.method = "ACK", .branch = "z9hG4bK-ack", .toTag = "bob-1"});
inline const SipMessage kAckNon2xx = sipRequest({.method = "ACK", .toTag = "bob-1"});

}  // namespace sipscope::test
