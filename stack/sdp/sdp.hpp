#pragma once
// Session Description Protocol bodies (RFC 8866) as SIP carries them in offers and answers
// (RFC 3264). Every string_view in the result is a slice of the parsed body, so the caller keeps
// the body alive. The parser is tolerant where deployed phones deviate harmlessly (missing o=/s=,
// bare LF, blank lines) and records each such deviation in SdpSession::issues; it fails only when
// the structure itself cannot be recovered.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sipscope::stack {

struct SdpSession;

// A line the parser keeps but does not model (i=, u=, e=, p=, b=, t=, r=, z=, k=, unknown letters,
// extra c= lines), so that nothing on the wire is lost.
struct SdpLine {
    char type = 0;
    std::string_view value;
    std::size_t offset = 0;  // byte offset of the line within the body
};

struct SdpAttribute {
    std::string_view name;
    std::string_view value;  // empty when !hasValue
    bool hasValue = false;
};

// c=<nettype> <addrtype> <connection-address>, e.g. c=IN IP4 224.2.1.1/127/3 (RFC 8866 §5.7).
struct SdpConnection {
    std::string_view netType;
    std::string_view addrType;
    std::string_view address;  // without the /ttl and /count suffixes
    std::optional<int> ttl;    // IPv4 multicast only
    int count = 1;             // number of consecutive multicast addresses

    // 0.0.0.0 (RFC 3264 §8.4, the RFC 2543 way to put a call on hold) or the IPv6 "::".
    bool isUnspecified() const noexcept;
};

struct SdpOrigin {
    std::string_view username;
    std::string_view sessId;
    std::string_view sessVersion;
    std::string_view netType;
    std::string_view addrType;
    std::string_view address;
};

// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (RFC 8866 §6.6).
struct SdpRtpmap {
    int payloadType = 0;
    std::string_view encoding;
    int clockRate = 0;
    std::string_view channels;  // encoding parameters; "" when absent
};

// a=fmtp:<format> <format specific parameters> (RFC 8866 §6.15).
struct SdpFmtp {
    int payloadType = 0;
    std::string_view params;
};

enum class SdpDirection : std::uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };

struct SdpMedia {
    std::string_view type;  // audio, video, application, image, ...
    std::uint16_t port = 0;
    int portCount = 1;
    std::string_view proto;
    std::vector<std::string_view> formats;
    std::optional<SdpConnection> connection;  // the first media-level c= line
    std::vector<SdpAttribute> attributes;     // every a= line, typed ones included
    std::vector<SdpRtpmap> rtpmaps;
    std::vector<SdpFmtp> fmtps;
    std::optional<SdpDirection> direction;  // media-level a=sendrecv/sendonly/recvonly/inactive
    std::optional<std::uint16_t> rtcpPort;  // a=rtcp (RFC 3605 §2.1)
    std::string_view rtcpNetType;
    std::string_view rtcpAddrType;
    std::string_view rtcpAddress;
    bool rtcpMux = false;  // a=rtcp-mux (RFC 5761 §5.1.1)
    std::vector<SdpLine> otherLines;
    std::size_t offset = 0;  // byte offset of the m= line within the body

    // Media attribute, else session attribute, else sendrecv (RFC 8866 §6.7).
    SdpDirection effectiveDirection(const SdpSession& session) const noexcept;
    // Media-level c=, else session-level c=, else nullptr.
    const SdpConnection* effectiveConnection(const SdpSession& session) const noexcept;
    // Encoding name from a=rtpmap, else from the RFC 3551 static table when the transport is RTP;
    // "" when unknown.
    std::string_view encodingOf(int payloadType) const noexcept;
    const SdpRtpmap* rtpmap(int payloadType) const noexcept;
    const SdpFmtp* fmtp(int payloadType) const noexcept;
    const SdpAttribute* attribute(std::string_view name) const noexcept;  // first, case-insensitive
};

struct SdpSession {
    int version = 0;
    SdpOrigin origin;  // all empty when o= is missing (an issue says so)
    std::string_view sessionName;
    std::optional<SdpConnection> connection;
    std::vector<SdpAttribute> attributes;
    std::optional<SdpDirection> direction;  // session-level direction attribute
    std::vector<SdpMedia> media;
    std::vector<SdpLine> otherLines;
    std::vector<std::string> issues;  // tolerated oddities, each with its byte offset

    // True when every active (port != 0) audio stream is sendonly or inactive, or has the
    // connection address 0.0.0.0 (RFC 3264 §8.4) without ICE. False without active audio.
    bool isHold() const noexcept;
    const SdpAttribute* attribute(std::string_view name) const noexcept;  // first, case-insensitive
};

// RFC 3551 §6 Table 4/5 static payload types.
struct SdpStaticPayload {
    std::string_view encoding;
    int clockRate = 0;
    int channels = 0;  // 0 for video
};
// nullptr for dynamic, reserved or unassigned payload types.
const SdpStaticPayload* staticPayload(int payloadType) noexcept;

// Parses a whole SDP body. Errors carry ErrorCode::BadBody and a byte offset within `body`: the
// offending line or field, or the end of the line when a mandatory field is missing.
Result<SdpSession> parseSdp(std::string_view body);

std::string_view directionName(SdpDirection direction) noexcept;

}  // namespace sipscope::stack
