#pragma once
// DNS messages (RFC 1035 §4.1): header, questions and resource records, with the record types
// SIP server location needs (A, AAAA, CNAME, SRV of RFC 2782, NAPTR of RFC 3403). Sans-I/O:
// queries are encoded to bytes, responses decoded from bytes; a malformed response yields an
// Error with the byte offset where decoding stopped. Names are kept in dotted text form, without
// the trailing dot; a label byte that is not a printable letter, digit or hyphen-like character
// is written as \DDD (RFC 1035 §5.1) so names never alias each other.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace sipscope::stack::dns {

enum class RrType : std::uint16_t {
    A = 1,
    Ns = 2,
    Cname = 5,
    Soa = 6,
    Ptr = 12,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Naptr = 35,
    Opt = 41,
};

inline constexpr std::uint16_t kClassIn = 1;

// RFC 1035 §4.1.1 RCODE values.
enum class Rcode : std::uint8_t {
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
};

std::string rrTypeName(std::uint16_t type);  // "A", "SRV", "TYPE99"
std::string rcodeName(std::uint8_t rcode);   // "NXDOMAIN", "RCODE9"

struct Header {
    std::uint16_t id = 0;
    bool response = false;  // QR
    std::uint8_t opcode = 0;
    bool authoritative = false;       // AA
    bool truncated = false;           // TC: RFC 1035 §4.2.1, retry over TCP
    bool recursionDesired = true;     // RD
    bool recursionAvailable = false;  // RA
    std::uint8_t rcode = 0;
};

struct Question {
    std::string name;
    std::uint16_t type = 0;
    std::uint16_t klass = kClassIn;
};

struct Ipv4Data {
    std::array<std::uint8_t, 4> bytes{};
};
struct Ipv6Data {
    std::array<std::uint8_t, 16> bytes{};
};
struct NameData {  // CNAME, NS, PTR
    std::string name;
};
struct SrvData {  // RFC 2782
    std::uint16_t priority = 0, weight = 0, port = 0;
    std::string target;
};
struct NaptrData {  // RFC 3403 §4.1
    std::uint16_t order = 0, preference = 0;
    std::string flags, services, regexp;
    std::string replacement;
};
// Any other type: the RDATA as received.
struct OpaqueData {
    std::vector<std::uint8_t> bytes;
};

using RData = std::variant<OpaqueData, Ipv4Data, Ipv6Data, NameData, SrvData, NaptrData>;

struct ResourceRecord {
    std::string name;
    std::uint16_t type = 0;
    std::uint16_t klass = kClassIn;
    std::uint32_t ttl = 0;
    RData data;
};

struct Message {
    Header header;
    std::vector<Question> questions;
    std::vector<ResourceRecord> answers, authority, additional;
};

// Decoding limits: RFC 1035 §2.3.4 sizes and a bound on compression pointers followed per name.
inline constexpr std::size_t kMaxNameOctets = 255;
inline constexpr std::size_t kMaxLabelOctets = 63;
inline constexpr std::size_t kMaxPointerHops = 64;
inline constexpr std::size_t kMaxRecordsPerSection = 512;

// A standard query (opcode 0, RD set) for one name and type, class IN.
Result<std::vector<std::uint8_t>> encodeQuery(std::uint16_t id, std::string_view name, RrType type);
// Any message, without name compression (a test server's responses, round trips).
Result<std::vector<std::uint8_t>> encodeMessage(const Message& message);
// RFC 1035 §4.1: header, then QDCOUNT questions and the three record sections.
Result<Message> decodeMessage(std::span<const std::uint8_t> bytes);

// Names compare case-insensitively (RFC 4343); a trailing dot is ignored.
bool sameName(std::string_view a, std::string_view b) noexcept;
// "192.0.2.1", "2001:db8::1" (RFC 5952 §4: lowercase, longest zero run compressed).
std::string addressText(const Ipv4Data& a);
std::string addressText(const Ipv6Data& a);

// The codec's error: "DNS: <what> at byte N (<where>)", `where` naming the section/record.
Error dnsError(ErrorCode code, std::size_t offset, std::string_view where, std::string what);

}  // namespace sipscope::stack::dns
