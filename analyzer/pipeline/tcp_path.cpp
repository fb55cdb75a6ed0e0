#include "pipeline/tcp_path.hpp"

namespace sipscope::analyzer {

TcpPath::TcpPath(const PipelineOptions& options, PipelineStats& stats, Emit emit)
    : m_options(options), m_stats(stats), m_emit(std::move(emit)), m_streams(*this) {}

void TcpPath::add(const TransportPacket& t) {
    if (t.path) m_path = *t.path;
    TcpSegment s;
    s.src = t.src;
    s.dst = t.dst;
    s.seq = t.seq;
    s.flags = t.tcpFlags;
    s.payload = t.payload;
    s.frame = t.frame;
    s.tsNs = t.tsNs;
    m_streams.add(s);
}

void TcpPath::onMessage(StreamMessage&& sm) {
    ObservedMessage m;
    m.tsNs = sm.tsNs;
    m.src = sm.src;
    m.dst = sm.dst;
    m.transport = sm.transport;
    m.ipVersion = sm.src.ip.version;
    m.path = m_pathText(m_path);
    if (sm.transport == Transport::Ws) m.path += "/ws";
    m.frames = std::move(sm.frames);
    m.issues = std::move(sm.issues);
    if (sm.message) {
        m.message = std::move(sm.message);
    } else if (auto parsed = stack::SipMessage::parse(sm.bytes); parsed.ok()) {
        m.message = std::move(*parsed);
    } else {
        m.issues.push_back(parsed.error());
    }
    m.bytes = std::move(sm.bytes);
    m_emit(std::move(m));
}

void TcpPath::onIssues(StreamIssueReport&& report) {
    m_stats.streamErrors += report.issues.size();
    for (const auto& e : report.issues)
        if (e.code == stack::ErrorCode::Incomplete) ++m_stats.tcpGaps;
}

void TcpPath::onClassified(const StreamConnection& c) {
    if (c.kind != StreamKind::Tls) return;
    const auto& ports = m_options.sipPorts;
    if (std::find(ports.begin(), ports.end(), c.server.port) != ports.end() ||
        std::find(ports.begin(), ports.end(), c.client.port) != ports.end())
        ++m_stats.tlsConnections;
}

}  // namespace sipscope::analyzer
