#pragma once
// Passive media analysis: learns the RTP/RTCP endpoints each call negotiated in its SDP offers
// and answers (RFC 3264), follows the UDP flows to them, and reports every RTP stream with its
// statistics, its call, an E-model MOS and its problems. Flows no SDP announced are reported
// too when they look like RTP long enough (marked heuristic). RTCP reports are attached to the
// stream they describe by SSRC.
//
// Feed it the pipeline's SIP messages (onSip) and its non-SIP UDP datagrams (onDatagram, see
// CapturePipeline::setDatagramObserver) in capture order, then call finish(). A consumer that
// learns when calls end (the import) retires them as it goes (retireCall, retireIdle), so what
// the tracker holds follows the calls in progress, not the length of the capture.

#include <bitset>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/digest_map.hpp"
#include "core/id_table.hpp"
#include "core/observed_message.hpp"
#include "core/string_hash.hpp"
#include "decode/packet_decoder.hpp"
#include "media/rtp_stream.hpp"
#include "sdp/sdp.hpp"

namespace sipscope::analyzer {

struct MediaTrackerOptions {
    bool heuristic = true;                  // report RTP on ports no SDP announced
    std::uint32_t heuristicMinPackets = 5;  // in sequence, before such a flow counts as RTP
    double lossProblemPct = 1.0;            // "loss" at or above this loss
    double jitterProblemMs = 30.0;          // "high_jitter" when the jitter peaked above this
    std::size_t maxStreams = 100000;        // held at once (memory); more are counted only
};

struct MediaStreamReport {
    std::string callId;  // "" when no SDP announced the flow
    bool heuristic = false;
    std::uint32_t index = 0;            // the tracker's stream index (see PacketSink)
    const RtpStream* stream = nullptr;  // valid while the tracker lives
    std::string encoding;               // of the main payload type ("PCMU"), "" when unknown
    std::optional<double> mos;          // G.711 streams only (media/emodel.hpp)
    std::optional<double> rFactor;
    std::vector<std::string> problems;  // loss, high_jitter, ssrc_change, seq_errors,
                                        // codec_mismatch, and the call's one_way_audio
};

struct MediaCallReport {
    std::string callId;
    bool answered = false;  // a 2xx to INVITE was seen
    bool offer = false, answer = false;
    std::vector<std::size_t> streams;   // indexes into streams()
    std::vector<std::string> problems;  // one_way_audio, no_media, codec_mismatch
};

struct MediaTrackerStats {
    std::uint64_t datagrams = 0;  // non-SIP UDP datagrams seen
    std::uint64_t rtpPackets = 0;
    std::uint64_t rtcpPackets = 0;     // compound packets
    std::uint64_t malformed = 0;       // on an SDP-announced port but not RTP/RTCP (STUN, …)
    std::uint64_t unrelated = 0;       // neither announced nor RTP-like
    std::uint64_t otherMedia = 0;      // on a port announced for non-RTP media (T.38 UDPTL)
    std::uint64_t droppedStreams = 0;  // over maxStreams
};

class MediaTracker {
  public:
    explicit MediaTracker(MediaTrackerOptions options = {});
    ~MediaTracker();
    MediaTracker(const MediaTracker&) = delete;
    MediaTracker& operator=(const MediaTracker&) = delete;

    // Called with every RTP packet counted in a stream, with the stream's index (fixed when
    // its first packet came; MediaStreamReport::index). Heuristic streams that never qualify
    // get packets too and no report.
    using PacketSink = std::function<void(std::uint32_t stream, const TransportPacket&)>;
    void setPacketSink(PacketSink sink) { m_packetSink = std::move(sink); }

    void onSip(const ObservedMessage& m);
    void onDatagram(const TransportPacket& t);
    // The call-level media problems of `callId` from what was seen so far (one_way_audio,
    // no_media, codec_mismatch), for a call reported before the end of the capture. Empty
    // when no SDP of the call was seen.
    std::vector<std::string> callProblemsSoFar(std::string_view callId) const;
    // End of input: closes the series and computes problems, MOS and the reports.
    void finish();

    // A stream's final report, handed out by the retire calls; `stream` is valid only during
    // the call of the sink.
    using ReportSink = std::function<void(const MediaStreamReport&)>;
    // The call with this Call-ID is over (it was reported): its streams' final reports go to
    // `sink` in stream order, with the call's one_way_audio as finish() gives it, and all the
    // tracker kept for the call goes (SDP, bindings, flows, streams). Media that comes later on
    // its ports is no longer the call's. Unknown Call-IDs are ignored. Returns the call's
    // problems as callProblemsSoFar gave them just before (empty for an unknown Call-ID).
    std::vector<std::string> retireCall(std::string_view callId, const ReportSink& sink);
    // Streams of no call whose last packet is more than `idleNs` before `nowNs` end: their
    // reports (those that qualified, as in finish) go to `sink`, their state goes.
    void retireIdle(std::int64_t nowNs, std::int64_t idleNs, const ReportSink& sink);
    // Calls and streams held now (the memory the retire calls bound).
    std::size_t liveCalls() const noexcept { return m_calls.size(); }
    std::size_t liveStreams() const noexcept { return m_streams.size(); }

    // After finish(): the streams not retired, in the order their first packet came, heuristic
    // ones included only when they qualified; calls not retired in the order their first SDP
    // or SIP message came.
    const std::vector<MediaStreamReport>& streams() const noexcept { return m_reports; }
    const std::vector<MediaCallReport>& calls() const noexcept { return m_callReports; }
    const MediaTrackerStats& stats() const noexcept { return m_stats; }

    // What the SDP of one call negotiated.
    struct CallMedia {
        std::string callId;
        bool answered = false, offer = false, answer = false;
        bool directional = false;   // sendonly/recvonly/inactive or 0.0.0.0 was negotiated
        bool expectsMedia = false;  // the latest answer has an active audio/video line
        std::bitset<128> offerPts, answerPts;
        std::vector<std::pair<int, std::pair<std::string, int>>> rtpmaps;  // pt, (name, clock)
    };

  private:
    // Other: announced for media that is not RTP (T.38 over UDPTL, RFC 3362).
    enum class Role : std::uint8_t { None, Rtp, Rtcp, Mux, Other };
    struct Binding {
        std::uint32_t call = 0;
        Role role = Role::None;
    };
    struct StreamSlot {
        explicit StreamSlot(RtpStreamKey key) : stream(key) {}
        RtpStream stream;
        std::int64_t call = -1;   // key into m_calls, -1 none
        bool ssrcChange = false;  // its flow had or got another SSRC
    };
    struct Flow {
        std::int64_t call = -1;  // key into m_calls
        Role role = Role::None;
        std::uint64_t generation = 0;  // m_generation when classified
        // By SSRC: keys into m_streams and their slots (a node's address stays while it does;
        // a stream that goes leaves its flow first).
        std::vector<std::pair<std::uint32_t, StreamSlot*>> streams;
    };
    struct FlowKey {
        Endpoint src, dst;
        bool operator==(const FlowKey&) const = default;
    };
    // What the tracker holds for one call, and where, so that retiring it finds it all.
    struct CallSlot {
        CallMedia media;
        std::vector<std::uint32_t> streams;  // keys into m_streams, ascending
        std::vector<std::uint64_t> bound;    // keys into m_bindings its SDP bound
        std::vector<FlowKey> flows;          // flows classified as its
    };
    struct FlowKeyHash {
        std::size_t operator()(const FlowKey& k) const noexcept;
    };
    // The key of an endpoint in m_bindings: an IPv4 address and port exactly, an IPv6 one by
    // its digest (top bit set, so never equal to an IPv4 key).
    static std::uint64_t bindingKey(const Endpoint& e) noexcept;

    void learnSdp(std::uint32_t call, const ObservedMessage& m, bool answer);
    void noteOtherMedia(const stack::SdpMedia& media, const stack::SdpSession& sdp,
                        std::uint32_t call);
    void bind(const Endpoint& e, std::uint32_t call, Role role);
    void classify(Flow& f, const FlowKey& key);
    void onRtp(Flow& f, const FlowKey& key, const RtpHeader& h, const TransportPacket& t);
    void onRtcp(const TransportPacket& t);
    void clockOf(const Flow& f, int pt, int& rate, bool& telephoneEvent) const;
    MediaStreamReport report(std::uint32_t index);
    bool qualifies(const RtpStream& s) const;
    bool codecMismatch(const RtpStream& s, const CallMedia* media) const;
    std::vector<std::string> problemsOf(const CallMedia& media,
                                        const std::vector<std::uint32_t>& streams) const;
    const CallMedia* callMedia(std::int64_t call) const;
    // A call known to be held (a key from m_callById, a binding, a flow or a stream).
    CallSlot& callSlot(std::uint32_t call) { return *m_calls.find(call); }
    const CallSlot& callSlot(std::uint32_t call) const { return *m_calls.find(call); }
    void dropStream(std::uint32_t index);

    MediaTrackerOptions m_options;
    MediaTrackerStats m_stats;
    // Keys count up and are never reused: a stream's key is its MediaStreamReport::index.
    // By key, in a window of the counter (calls retire about in the order they came): found
    // for every SDP, every message of a call and every new stream in one array access.
    stack::IdTable<CallSlot> m_calls;
    std::uint32_t m_nextCall = 0;
    stack::DigestMap<std::uint32_t> m_callById;  // by callIdDigest
    // Learned for every SDP line and looked up for every new or reclassified flow: open
    // addressing finds one in a probe, where a node-based map took a bucket and a node.
    stack::DigestMap<Binding> m_bindings;  // by bindingKey
    std::uint64_t m_generation = 1;        // grows with every binding learned or dropped
    std::unordered_map<FlowKey, Flow, FlowKeyHash> m_flows;
    std::unordered_map<std::uint32_t, StreamSlot> m_streams;
    std::uint32_t m_nextStream = 0;
    std::unordered_multimap<std::uint32_t, std::uint32_t> m_bySsrc;
    std::vector<MediaStreamReport> m_reports;
    std::vector<MediaCallReport> m_callReports;
    PacketSink m_packetSink;
};

}  // namespace sipscope::analyzer
