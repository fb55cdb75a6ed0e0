#pragma once
// Writing stored messages back as a capture: each message becomes an Ethernet + IPv4/IPv6 +
// UDP (or TCP, with consistent sequence numbers per connection) frame with its original
// endpoints and timestamp, in a pcap file with nanosecond timestamps. The original frames
// (fragments, segments, tunnels) are not kept; the SIP messages, addresses and times are.

#include <string>
#include <vector>

#include "store/store_reader.hpp"

namespace sipscope::analyzer::store {

// False and `error` set when the file cannot be written.
bool writeMessagesPcap(const std::string& path, const std::vector<StoredMessage>& messages,
                       std::string& error);

}  // namespace sipscope::analyzer::store
