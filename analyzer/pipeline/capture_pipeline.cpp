#include "pipeline/capture_pipeline.hpp"

#include "decode/hep.hpp"
#include "pipeline/tcp_path.hpp"
#include "sip/datagram_sip.hpp"

namespace sipscope::analyzer {

CapturePipeline::CapturePipeline(PipelineOptions options, Sink sink)
    : m_options(std::move(options)),
      m_sink(std::move(sink)),
      m_decoder([this](const TransportPacket& t) { onTransport(t); }) {
    m_tcp = std::make_unique<TcpPath>(m_options, m_stats,
                                      [this](ObservedMessage&& m) { deliver(std::move(m)); });
}

CapturePipeline::~CapturePipeline() = default;

void CapturePipeline::process(const RawPacket& packet) {
    m_lastTs = std::max(m_lastTs, packet.tsNs);
    // Fragment and TCP timeouts run on capture time (ARCHITECTURE.md "Time"), once a second.
    if (m_lastTs - m_lastExpire >= 1'000'000'000) {
        m_lastExpire = m_lastTs;
        m_decoder.expire(m_lastTs);
        m_tcp->expire(m_lastTs);
    }
    m_decoder.decode(packet);
}

void CapturePipeline::finish() {
    m_tcp->finish();
    m_decoder.expire(INT64_MAX);
}

PipelineStats CapturePipeline::stats() const {
    PipelineStats s = m_stats;
    s.decode = m_decoder.stats();
    return s;
}

void CapturePipeline::markFrame(std::uint64_t frame) {
    if (frame >= m_sipFrame.size())
        m_sipFrame.resize(std::max<std::size_t>(frame + 1, m_sipFrame.size() * 2));
    if (!m_sipFrame[frame]) {
        m_sipFrame[frame] = true;
        ++m_stats.sipFrames;
    }
}

void CapturePipeline::deliver(ObservedMessage&& m) {
    m.id = m_nextId++;
    ++m_stats.sipMessages;
    for (auto f : m.frames) markFrame(f);
    m_sink(std::move(m));
}

void CapturePipeline::deliver(ObservedMessage&& m, DatagramMessage&& dm) {
    m.bytes = std::move(dm.bytes);
    m.message = std::move(dm.message);
    m.issues = std::move(dm.issues);
    deliver(std::move(m));
}

void CapturePipeline::onTransport(const TransportPacket& t) {
    switch (t.proto) {
        case L4::Udp:
            if (looksLikeHep(t.payload)) return onHep(t);
            return onDatagram(t, Transport::Udp);
        case L4::Sctp:
            return onDatagram(t, Transport::Sctp);
        case L4::Tcp:
            return m_tcp->add(t);
    }
}

void CapturePipeline::onDatagram(const TransportPacket& t, Transport transport) {
    const std::string_view payload(reinterpret_cast<const char*>(t.payload.data()),
                                   t.payload.size());
    const bool observed = transport == Transport::Udp && m_datagramObserver;
    // A first octet above 0x7F (every RTP/RTCP version-2 packet) cannot begin a start line or
    // the CRLFs before one, so extraction would find nothing: skip its scan of the payload.
    if (observed && !payload.empty() && static_cast<unsigned char>(payload[0]) >= 0x80)
        return m_datagramObserver(t);
    // Taken out of the member while in use: a sink that feeds packets back in stays safe.
    std::vector<DatagramMessage> messages = std::move(m_datagrams);
    extractDatagram(payload, messages);
    if (messages.empty() && observed) {
        m_datagrams = std::move(messages);
        return m_datagramObserver(t);
    }
    if (messages.size() > 1) ++m_stats.concatenated;
    for (auto& dm : messages) {
        ObservedMessage m;
        m.tsNs = t.tsNs;
        m.src = t.src;
        m.dst = t.dst;
        m.transport = transport;
        m.ipVersion = t.ipVersion;
        if (t.path) m.path = m_pathText(*t.path);
        if (t.fragmentFrames)
            m.frames = *t.fragmentFrames;
        else
            m.frames = {t.frame};
        deliver(std::move(m), std::move(dm));
    }
    messages.clear();
    m_datagrams = std::move(messages);
}

void CapturePipeline::onHep(const TransportPacket& t) {
    auto hep = decodeHep(t.payload);
    if (!hep) return onDatagram(t, Transport::Udp);
    ++m_stats.hepPackets;
    if (hep->payloadType != 1 || !looksLikeSip(hep->payload)) {
        ++m_stats.hepNonSip;
        return;
    }
    // The message is the agent's capture: its endpoints, transport and time, not the HEP
    // datagram's.
    for (auto& dm : extractDatagram(hep->payload)) {
        ObservedMessage m;
        m.tsNs = hep->tsNs.value_or(t.tsNs);
        m.src = hep->src;
        m.dst = hep->dst;
        m.transport = hep->ipProtocol == 6     ? Transport::Tcp
                      : hep->ipProtocol == 132 ? Transport::Sctp
                                               : Transport::Udp;
        m.ipVersion = hep->ipVersion;
        m.path = (t.path ? m_pathText(*t.path) + "/" : std::string()) + "hep";
        m.frames = {t.frame};
        deliver(std::move(m), std::move(dm));
    }
}

}  // namespace sipscope::analyzer
