#pragma once
// Link, network and tunnel decoding of captured frames down to UDP datagrams, TCP segments and
// SCTP chunks: Ethernet, 802.1Q/QinQ, PPPoE/PPP, MPLS, Linux SLL/SLL2, raw IP, BSD NULL/LOOP,
// IPv4/IPv6 (extension headers, fragments), IP-in-IP, GRE (PPP, ERSPAN II/III, transparent
// Ethernet), VXLAN and GTP-U. HEP is handed on as UDP payload (decode/hep.hpp).

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "capture/packet_source.hpp"
#include "core/ip_address.hpp"
#include "decode/bytes.hpp"
#include "decode/layer_path.hpp"

namespace sipscope::analyzer {

class IpDefragmenter;

enum class L4 : std::uint8_t { Udp, Tcp, Sctp };

struct TransportPacket {
    L4 proto = L4::Udp;
    Endpoint src, dst;
    std::uint8_t ipVersion = 4;
    ByteSpan payload;
    std::uint32_t seq = 0;      // TCP
    std::uint8_t tcpFlags = 0;  // TCP: FIN 0x01, SYN 0x02, RST 0x04
    std::uint64_t frame = 0;
    std::int64_t tsNs = 0;
    const LayerPath* path = nullptr;
    const std::vector<std::uint64_t>* fragmentFrames = nullptr;  // set for reassembled datagrams
};

struct DecodeStats {
    std::uint64_t packets = 0;
    std::uint64_t unsupportedLink = 0;  // link types we do not decode
    std::uint64_t malformed = 0;        // headers cut short or inconsistent
    std::uint64_t nonIp = 0;            // ARP, LLDP, STP, …
    std::uint64_t otherIpProtocol = 0;  // ICMP without a quote, OSPF, ESP, …
    std::uint64_t fragments = 0;
    std::uint64_t reassembled = 0;
    std::uint64_t icmpErrors = 0;  // ICMP errors (their quoted datagrams are not traffic)
};

class PacketDecoder {
  public:
    using Sink = std::function<void(const TransportPacket&)>;

    explicit PacketDecoder(Sink sink);
    ~PacketDecoder();
    PacketDecoder(const PacketDecoder&) = delete;
    PacketDecoder& operator=(const PacketDecoder&) = delete;

    void decode(const RawPacket& packet);
    void expire(std::int64_t nowNs);  // fragment timeouts, on the pipeline clock
    const DecodeStats& stats() const noexcept { return m_stats; }

  private:
    struct Ctx {
        std::uint64_t frame;
        std::int64_t tsNs;
        LayerPath path;
        int depth;
        const std::vector<std::uint64_t>* fragmentFrames;
    };
    void link(int linkType, ByteSpan d, Ctx& c);
    void ethernet(ByteSpan d, Ctx& c);
    void ethertype(std::uint16_t type, ByteSpan d, Ctx& c);
    void ppp(ByteSpan d, Ctx& c);
    void mpls(ByteSpan d, Ctx& c);
    void ip(ByteSpan d, Ctx& c);
    void ipv4(ByteSpan d, Ctx& c);
    void ipv6(ByteSpan d, Ctx& c);
    void ipPayload(std::uint8_t proto, const IpAddress& src, const IpAddress& dst, ByteSpan d,
                   Ctx& c);
    void gre(ByteSpan d, Ctx& c);
    void udp(const IpAddress& src, const IpAddress& dst, ByteSpan d, Ctx& c);
    void tcp(const IpAddress& src, const IpAddress& dst, ByteSpan d, Ctx& c);
    void sctp(const IpAddress& src, const IpAddress& dst, ByteSpan d, Ctx& c);
    TransportPacket transportPacket(L4 proto, const IpAddress& src, std::uint16_t sport,
                                    const IpAddress& dst, std::uint16_t dport, const Ctx& c) const;
    bool tunnelUdp(std::uint16_t sport, std::uint16_t dport, ByteSpan d, Ctx& c);

    Sink m_sink;
    DecodeStats m_stats;
    std::unique_ptr<IpDefragmenter> m_defrag;
};

}  // namespace sipscope::analyzer
