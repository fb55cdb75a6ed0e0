#pragma once
// The capture half of the passive pipeline (ARCHITECTURE.md): packets → link/IP/tunnels →
// UDP datagrams, TCP streams (reassembly, WebSocket), SCTP chunks and HEP → ObservedMessage.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "capture/packet_source.hpp"
#include "core/observed_message.hpp"
#include "decode/packet_decoder.hpp"
#include "sip/datagram_sip.hpp"

namespace sipscope::analyzer {

class TcpPath;

struct PipelineOptions {
    std::vector<std::uint16_t> sipPorts{5060, 5061, 5080};  // where TLS counts as SIP over TLS
};

struct PipelineStats {
    DecodeStats decode;
    std::uint64_t sipMessages = 0;
    std::uint64_t sipFrames = 0;  // frames that carried bytes of at least one SIP message
    std::uint64_t hepPackets = 0;
    std::uint64_t hepNonSip = 0;       // HEP payloads of other types (RTCP, logs)
    std::uint64_t concatenated = 0;    // datagrams with more than one SIP message
    std::uint64_t tlsConnections = 0;  // encrypted SIP flows seen (not decrypted)
    std::uint64_t tcpGaps = 0;         // stream gaps (lost segments)
    std::uint64_t streamErrors = 0;    // bytes skipped while framing streams
};

class CapturePipeline {
  public:
    using Sink = std::function<void(ObservedMessage&&)>;
    using DatagramObserver = std::function<void(const TransportPacket&)>;

    CapturePipeline(PipelineOptions options, Sink sink);
    ~CapturePipeline();
    CapturePipeline(const CapturePipeline&) = delete;
    CapturePipeline& operator=(const CapturePipeline&) = delete;

    void process(const RawPacket& packet);
    // End of input: flush open streams and pending fragments.
    void finish();
    PipelineStats stats() const;
    // Called for every UDP datagram that carried no SIP (media analysis: RTP, RTCP).
    void setDatagramObserver(DatagramObserver observer) {
        m_datagramObserver = std::move(observer);
    }

  private:
    void onTransport(const TransportPacket& t);
    void onDatagram(const TransportPacket& t, Transport transport);
    void onHep(const TransportPacket& t);
    void deliver(ObservedMessage&& m);
    void deliver(ObservedMessage&& m, DatagramMessage&& extracted);
    void markFrame(std::uint64_t frame);

    PipelineOptions m_options;
    Sink m_sink;
    DatagramObserver m_datagramObserver;
    PacketDecoder m_decoder;
    std::unique_ptr<TcpPath> m_tcp;
    PipelineStats m_stats;
    std::uint64_t m_nextId = 1;
    std::int64_t m_lastTs = 0;
    std::int64_t m_lastExpire = 0;
    std::vector<bool> m_sipFrame;  // by frame number
    LayerPathText m_pathText;
    std::vector<DatagramMessage> m_datagrams;  // onDatagram's scratch list
};

}  // namespace sipscope::analyzer
