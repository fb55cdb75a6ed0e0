#pragma once
// RTP and RTCP wire formats as the passive media analysis reads them: the RTP fixed header
// (RFC 3550 §5.1, header extension §5.3.1), RTCP compound packets (RFC 3550 §6.4: SR, RR,
// SDES, BYE, APP; RFC 3611 XR block headers), and RFC 4733 telephone-event payloads. Decoders
// take a span, never read outside it, and report malformed input with its byte offset.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "decode/bytes.hpp"

namespace sipscope::analyzer {

struct RtpHeader {
    std::uint8_t version = 0;
    bool padding = false;
    bool extension = false;
    bool marker = false;
    std::uint8_t csrcCount = 0;
    std::uint8_t payloadType = 0;
    std::uint16_t seq = 0;
    std::uint32_t timestamp = 0;
    std::uint32_t ssrc = 0;
    std::array<std::uint32_t, 15> csrc{};  // first csrcCount entries are valid
    std::uint16_t extensionProfile = 0;    // §5.3.1 "defined by profile"
    std::uint16_t extensionWords = 0;      // extension length in 32-bit words
    std::uint8_t paddingBytes = 0;         // includes the count octet itself
    std::size_t headerSize = 0;            // fixed header + CSRCs + extension
    ByteSpan payload;                      // between the header and the padding
};

// RFC 3550 §5.1. Errors: Empty/Incomplete (cut short), BadVersion (not 2), BadBody (padding
// count larger than the payload), each with the offset of the offending field.
stack::Result<RtpHeader> decodeRtp(ByteSpan data);

// RFC 3550 §6.4.1 sender info of an SR.
struct RtcpSenderInfo {
    std::uint64_t ntpTimestamp = 0;
    std::uint32_t rtpTimestamp = 0;
    std::uint32_t packetCount = 0;
    std::uint32_t octetCount = 0;
};

// RFC 3550 §6.4.1 report block: how the reporter receives the source `ssrc`.
struct RtcpReportBlock {
    std::uint32_t ssrc = 0;
    std::uint8_t fractionLost = 0;    // fixed point, /256
    std::int32_t cumulativeLost = 0;  // signed 24 bits (duplicates can make it negative)
    std::uint32_t highestSeq = 0;     // extended highest sequence number received
    std::uint32_t jitter = 0;         // interarrival jitter in timestamp units
    std::uint32_t lastSr = 0, delaySinceLastSr = 0;
};

// RFC 3611 §3 report block header inside an XR packet.
struct RtcpXrBlock {
    std::uint8_t blockType = 0;  // 1 loss RLE, 2 dup RLE, 3 times, 4 RRT, 5 DLRR, 6 stats, 7 VoIP
    std::uint8_t typeSpecific = 0;
    std::uint16_t lengthWords = 0;
};

enum class RtcpType : std::uint8_t {
    SR = 200,
    RR = 201,
    SDES = 202,
    BYE = 203,
    APP = 204,
    RTPFB = 205,
    PSFB = 206,
    XR = 207
};

struct RtcpPacket {
    std::uint8_t packetType = 0;  // RtcpType values, others kept undecoded
    std::uint8_t count = 0;       // RC / SC / FMT field
    std::uint32_t ssrc = 0;       // sender (SR, RR, XR, APP, feedback); first SSRC of BYE
    std::optional<RtcpSenderInfo> sender;
    std::vector<RtcpReportBlock> reports;
    std::vector<std::uint32_t> byeSsrcs;
    std::vector<RtcpXrBlock> xrBlocks;
    std::size_t offset = 0;  // within the compound packet
    std::size_t size = 0;    // bytes, from the length field
};

struct RtcpCompound {
    std::vector<RtcpPacket> packets;
};

// RFC 3550 §6.1: a sequence of RTCP packets, each version 2 with a length that fits. SDES and
// APP contents are skipped. Errors carry the offset of the packet or field that is wrong.
stack::Result<RtcpCompound> decodeRtcp(ByteSpan data);

// RFC 4733 §2.3 telephone-event payload.
struct TelephoneEvent {
    std::uint8_t event = 0;  // 0-9, 10 '*', 11 '#', 12-15 'A'-'D', 16 flash
    bool end = false;
    std::uint8_t volume = 0;     // -dBm0, 0..63
    std::uint16_t duration = 0;  // timestamp units
};

stack::Result<TelephoneEvent> decodeTelephoneEvent(ByteSpan payload);

// '0'..'9', '*', '#', 'A'..'D', '!' for flash (16), '?' otherwise.
char dtmfSymbol(std::uint8_t event) noexcept;

// RFC 5761 §4: a second octet 192..223 (payload types 64..95 with the marker bit) is RTCP when
// RTP and RTCP share a port.
bool isRtcpPacketTypeOctet(std::uint8_t octet) noexcept;

// Heuristic for UDP flows on ports no SDP announced: version 2, a payload type outside the
// RTCP range 72..79 (RFC 5761 §4, packet types 200..207 with the marker bit), a header that
// fits with its CSRCs and extension, and some payload after it.
bool looksLikeRtp(ByteSpan data) noexcept;

// The same for an RTCP compound: version 2, first packet SR, RR, SDES, BYE, APP, feedback or
// XR (RFC 3550 §6.1 says the first is SR or RR; XR-only and feedback-only exist too), and a
// length that fits.
bool looksLikeRtcp(ByteSpan data) noexcept;

}  // namespace sipscope::analyzer
