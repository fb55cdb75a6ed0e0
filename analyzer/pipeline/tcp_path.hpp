#pragma once
// The TCP branch of the capture pipeline: segments → TcpSipStreams (reassembly, framing,
// WebSocket) → ObservedMessage.

#include <algorithm>
#include <functional>

#include "core/observed_message.hpp"
#include "decode/packet_decoder.hpp"
#include "pipeline/capture_pipeline.hpp"
#include "sip/tcp_sip_streams.hpp"

namespace sipscope::analyzer {

class TcpPath : private SipStreamSink {
  public:
    using Emit = std::function<void(ObservedMessage&&)>;
    TcpPath(const PipelineOptions& options, PipelineStats& stats, Emit emit);

    void add(const TransportPacket& t);
    void expire(std::int64_t nowNs) { m_streams.expire(nowNs); }
    void finish() { m_streams.flush(); }

  private:
    void onMessage(StreamMessage&& message) override;
    void onIssues(StreamIssueReport&& report) override;
    void onClassified(const StreamConnection& c) override;

    const PipelineOptions& m_options;
    PipelineStats& m_stats;
    Emit m_emit;
    TcpSipStreams m_streams;
    LayerPath m_path;  // of the segment being processed: it completes any message emitted
    LayerPathText m_pathText;
};

}  // namespace sipscope::analyzer
