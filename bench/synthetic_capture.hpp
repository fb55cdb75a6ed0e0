#pragma once
// Writes synthetic SIP captures for the benchmarks: complete calls (INVITE with SDP, 100, 180,
// 200 with SDP, ACK, BYE, 200) between many endpoint pairs over Ethernet/IPv4, either as UDP
// datagrams or as TCP streams whose segments carry several messages and split messages.

#include <cstdint>
#include <string>

namespace sipscope::bench {

struct SyntheticOptions {
    std::uint64_t targetBytes = 200ull << 20;
    bool tcp = false;
    std::uint32_t seed = 1;
    std::uint32_t usPerMessage = 37;  // time between consecutive messages
};

struct SyntheticResult {
    std::uint64_t packets = 0, messages = 0, bytes = 0, sipBytes = 0;
};

// Writes a pcap file; false when it cannot be written.
bool writeSyntheticCapture(const std::string& path, const SyntheticOptions& options,
                           SyntheticResult& out);

}  // namespace sipscope::bench
