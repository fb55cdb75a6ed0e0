#pragma once
// HEP (Homer Encapsulation Protocol) v2 and v3 datagrams from capture agents: each carries one
// captured payload with its original endpoints and timestamp. v3 payloads may be
// zlib-compressed (chunk 16).

#include <cstdint>
#include <optional>
#include <string>

#include "core/ip_address.hpp"
#include "decode/bytes.hpp"

namespace sipscope::analyzer {

struct HepPacket {
    Endpoint src, dst;
    std::uint8_t ipVersion = 4;
    std::uint8_t ipProtocol = 17;      // 17 UDP, 6 TCP, 132 SCTP of the original packet
    std::optional<std::int64_t> tsNs;  // capture time at the agent
    std::uint8_t payloadType = 1;      // HEP3 chunk 11: 1 = SIP
    std::uint32_t captureId = 0;
    std::string payload;  // decompressed when it was compressed
};

// True when the datagram starts like HEP v3 ("HEP3") or a well-formed v2 header.
bool looksLikeHep(ByteSpan d) noexcept;
// Decodes one HEP datagram; nullopt when it is not well-formed HEP.
std::optional<HepPacket> decodeHep(ByteSpan d);

}  // namespace sipscope::analyzer
