#pragma once
// IP defragmentation for the passive pipeline: IPv4 (RFC 791 §3.2, "reassembly") and the IPv6
// Fragment header (RFC 8200 §4.5). The caller has decoded the IP header; it hands over the
// fragment's identity, offset, More-Fragments flag and payload, and gets the reassembled
// payload back once every byte of it arrived, in any order, with duplicates and overlaps.
//
// Overlaps: the first-arrived bytes are kept (the BSD "first" policy) and a differing later copy
// sets overlapConflict. Hosts disagree here (Linux and RFC 5722 for IPv6 drop the datagram,
// Windows keeps the first, some stacks the last), so an analyzer cannot know what the receiver
// saw; it shows one consistent version and says that another one was on the wire.
//
// Time is the capture time of the fragments; expire(nowNs) is driven by the pipeline clock.
// Not thread-safe; one instance per capture.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/ip_address.hpp"

namespace sipscope::analyzer {

struct DefragLimits {
    std::size_t maxDatagrams = 4096;                  // incomplete datagrams held at once
    std::size_t maxBufferedBytes = 32 * 1024 * 1024;  // payload bytes held by all of them
    // Largest reassembled payload. IPv4 Total Length and the IPv6 Payload Length are 16 bits;
    // jumbograms (RFC 2675) cannot be fragmented.
    std::size_t maxDatagramBytes = 65535;
    std::int64_t timeoutNs = 30'000'000'000;  // from the first fragment, like Linux ipfrag_time
};

struct IpFragment {
    IpAddress src, dst;         // the version is IpAddress::version
    std::uint32_t id = 0;       // IPv4 Identification (16 bits) / IPv6 Identification (32)
    std::uint8_t protocol = 0;  // IPv4 Protocol / IPv6 Next Header of the Fragment header
    std::uint32_t offset = 0;   // in bytes (the header field × 8)
    bool more = false;          // More Fragments
    std::span<const std::uint8_t> payload;  // IPv4: after the IP header; IPv6: after Fragment hdr
    std::uint64_t frame = 0;
    std::int64_t tsNs = 0;
};

struct ReassembledDatagram {
    IpAddress src, dst;
    std::uint32_t id = 0;
    // IPv4: the Protocol field. IPv6: the Next Header of the offset-zero fragment, the only one
    // that counts (RFC 8200 §4.5).
    std::uint8_t protocol = 0;
    std::vector<std::uint8_t> payload;
    std::vector<std::uint64_t> frames;  // every fragment's frame, in arrival order
    bool overlapConflict = false;       // overlapping fragments carried different bytes
    std::int64_t firstTsNs = 0, lastTsNs = 0;
};

struct DefragStats {
    std::uint64_t fragments = 0;         // add() calls
    std::uint64_t reassembled = 0;       // datagrams completed
    std::uint64_t expired = 0;           // incomplete datagrams dropped by the timeout
    std::uint64_t droppedForLimits = 0;  // datagrams dropped: in-flight, byte or size limit
    std::uint64_t fragmentsDropped = 0;  // fragments of a datagram already dropped
    std::uint64_t overlaps = 0;      // fragments overlapping bytes already held (duplicates too)
    std::uint64_t duplicates = 0;    // fragments wholly inside held bytes, same data
    std::uint64_t conflicts = 0;     // fragments whose overlapping bytes differed
    std::uint64_t inconsistent = 0;  // fragments contradicting the known datagram end
};

class IpDefragmenter {
  public:
    explicit IpDefragmenter(DefragLimits limits = {}) : m_limits(limits) {}

    // Adds one fragment. Returns the datagram when this fragment completed it. A fragment with
    // offset 0 and More=0 (a whole datagram) is returned at once.
    std::optional<ReassembledDatagram> add(const IpFragment& fragment);
    // Drops incomplete datagrams whose first fragment is more than timeoutNs older than nowNs.
    // Returns how many were dropped (also counted in stats().expired).
    std::size_t expire(std::int64_t nowNs);

    const DefragStats& stats() const noexcept { return m_stats; }
    std::size_t inFlight() const noexcept { return m_entries.size(); }
    std::size_t bufferedBytes() const noexcept { return m_buffered; }
    const DefragLimits& limits() const noexcept { return m_limits; }

  private:
    struct Key {
        IpAddress src, dst;
        std::uint32_t id = 0;
        std::uint8_t protocol = 0;  // 0 for IPv6: not part of its identity (RFC 8200 §4.5)
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };
    using Range = std::pair<std::uint32_t, std::uint32_t>;  // [begin, end)
    using AgeIndex = std::map<std::pair<std::int64_t, std::uint64_t>, Key>;
    struct Entry {
        std::vector<std::uint8_t> data;      // up to the highest byte received
        std::vector<Range> have;             // received ranges: sorted, disjoint, merged
        std::optional<std::uint32_t> total;  // known once the More=0 fragment arrived
        std::vector<std::uint64_t> frames;
        std::uint8_t protocol = 0;
        bool conflict = false;
        bool dropped = false;  // over a limit: later fragments are swallowed until the timeout
        std::int64_t firstTs = 0, lastTs = 0;
        AgeIndex::iterator age;
    };
    using Map = std::unordered_map<Key, Entry, KeyHash>;

    Map::iterator create(const Key& key, std::int64_t tsNs);
    void erase(Map::iterator it);
    void dropForLimits(Entry& e);
    void merge(Entry& e, std::uint32_t begin, std::span<const std::uint8_t> bytes);
    bool enforceByteLimit(Map::iterator current);
    static bool complete(const Entry& e) noexcept;

    DefragLimits m_limits;
    Map m_entries;
    AgeIndex m_age;  // (first fragment time, creation number) → key: oldest first
    std::uint64_t m_created = 0;
    std::size_t m_buffered = 0;
    DefragStats m_stats;
};

}  // namespace sipscope::analyzer
