#pragma once
// Ladder (call-flow / sequence) diagrams of one call: the input model the caller fills from the
// analyzer or the store, the rendering options, and the one-call API used by `sipscope-cli
// ladder`. The shared layout (lanes, rows, time labels) is in ladder_layout.hpp; the Qt GUI
// paints that layout itself, the text, SVG, Mermaid and HTML painters live next to it.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sipscope::analyzer {

// One SIP message as the ladder draws it.
struct LadderMessage {
    std::uint64_t id = 0;
    std::int64_t tsNs = 0;  // Unix time, nanoseconds
    std::string src, dst;   // "192.0.2.1:5060", "[2001:db8::1]:5060"
    // The arrow's text. Empty: built from method (requests) or status, reason and cseqMethod
    // (responses): "INVITE", "200 OK (INVITE)".
    std::string label;
    std::string method;  // requests
    int status = 0;      // responses
    std::string reason, cseqMethod;
    std::string detail;  // optional second line, e.g. "PCMU,PCMA 192.0.2.1:16000 sendrecv"
    bool retransmission = false;
    bool duplicate = false;      // the same packet seen twice (a capture artefact)
    std::uint64_t original = 0;  // id of the first copy of a retransmission or duplicate
    int leg = 0;                 // 0-based leg of the call (B2BUA legs have their own Call-ID)
    std::string callId;
    std::string transport;               // "udp", "tcp", "tls", "ws", "sctp"
    std::string rawText;                 // the message as sent, shown on click in HTML
    std::vector<std::string> anomalies;  // anomaly codes found on this message
};

// What is known about one endpoint (the lane header).
struct LadderNode {
    std::string endpoint;  // as in LadderMessage::src/dst
    std::string role;      // "UA", "proxy", "B2BUA", "registrar"
    std::string userAgent;
    std::string alias;  // shown instead of the endpoint when set
};

// One RTP stream of the call, for painters that draw media next to the signalling (the GUI's
// media bars). The text, SVG, Mermaid and HTML painters leave streams out.
struct LadderStream {
    std::int64_t id = 0;       // the store's media_streams.id, 0 when not stored
    std::string srcIp, dstIp;  // "192.0.2.1", "2001:db8::1" (as SDP writes them)
    std::uint16_t srcPort = 0, dstPort = 0;
    std::uint32_t ssrc = 0;
    std::string codec;  // "PCMU", "PCMA,telephone-event"
    std::uint64_t packets = 0, lost = 0;
    double lossPct = 0, jitterMs = 0, maxDeltaMs = 0;
    std::optional<double> mos;
    std::vector<std::string> problems;    // "loss", "high_jitter", "one_way_audio", ...
    std::int64_t startNs = 0, endNs = 0;  // Unix time of the first and last packet
};

struct LadderInput {
    std::vector<LadderMessage> messages;  // any order: drawn by time, then input order
    std::vector<LadderNode> nodes;
    std::vector<LadderStream> streams;
};

enum class LadderFormat : std::uint8_t { Text, Svg, Mermaid, Html };
enum class LadderTimeMode : std::uint8_t {
    Absolute,  // UTC wall clock, HH:MM:SS.fff
    Relative,  // seconds since the first drawn message
    Delta      // seconds since the previous drawn message
};

struct LadderOptions {
    LadderTimeMode timeMode = LadderTimeMode::Relative;
    int timeDigits = 3;  // fraction digits of times, 0..9
    // SVG and HTML: rows spaced evenly (compact) or by time, with long gaps capped.
    bool compact = true;
    // Endpoint -> lane name: the addresses of one node (an SBC's two sides) share one lane.
    std::map<std::string, std::string> mergeLanes;
    // Endpoints (or merged lane names) whose messages are left out.
    std::set<std::string> hiddenLanes;
    std::string title;     // empty: "Call <Call-ID>"
    bool unicode = false;  // text: box-drawing characters and UTF-8 labels instead of ASCII
    int textWidth = 80;    // text: columns
};

// The diagram in one format; text is deterministic and never wider than options.textWidth.
std::string renderLadder(const LadderInput& input, LadderFormat format,
                         const LadderOptions& options = {});

std::optional<LadderFormat> parseLadderFormat(std::string_view name);      // "text", "svg", ...
std::optional<LadderTimeMode> parseLadderTimeMode(std::string_view name);  // "absolute", ...

}  // namespace sipscope::analyzer
