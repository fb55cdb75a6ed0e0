#include "reassembly/ip_defrag.hpp"

#include <algorithm>
#include <cstring>

namespace sipscope::analyzer {

std::size_t IpDefragmenter::KeyHash::operator()(const Key& k) const noexcept {
    const EndpointHash h;
    std::size_t v = h(Endpoint{k.src, 0}) * 31 + h(Endpoint{k.dst, 0});
    v = (v ^ k.id) * 1099511628211ull;
    return v ^ k.protocol;
}

std::optional<ReassembledDatagram> IpDefragmenter::add(const IpFragment& f) {
    ++m_stats.fragments;
    // RFC 791 §3.2: a datagram is identified by source, destination, protocol and id.
    // RFC 8200 §4.5: source, destination and id only; Next Header may differ between fragments.
    const Key key{f.src, f.dst, f.id, f.src.version == 6 ? std::uint8_t{0} : f.protocol};
    const std::uint64_t end64 = std::uint64_t{f.offset} + f.payload.size();
    auto it = m_entries.find(key);
    if (it != m_entries.end() && f.tsNs - it->second.firstTs > m_limits.timeoutNs) {
        // expire() was not called in time; the old datagram is dead all the same, and this
        // fragment starts a new one with the same id (ids wrap quickly on busy IPv4 hosts).
        if (!it->second.dropped) ++m_stats.expired;
        erase(it);
        it = m_entries.end();
    }
    if (it == m_entries.end() && f.offset == 0 && !f.more && end64 <= m_limits.maxDatagramBytes) {
        ReassembledDatagram d{f.src, f.dst, f.id, f.protocol, {}, {f.frame}, false, f.tsNs, f.tsNs};
        d.payload.assign(f.payload.begin(), f.payload.end());
        ++m_stats.reassembled;
        return d;
    }
    if (it == m_entries.end()) it = create(key, f.tsNs);
    Entry& e = it->second;
    e.lastTs = std::max(e.lastTs, f.tsNs);
    if (e.dropped) {
        ++m_stats.fragmentsDropped;
        return std::nullopt;
    }
    if (end64 > m_limits.maxDatagramBytes) {
        // Cannot be a legal datagram (RFC 791 Total Length is 16 bits): the whole datagram goes.
        dropForLimits(e);
        ++m_stats.fragmentsDropped;
        return std::nullopt;
    }
    e.frames.push_back(f.frame);
    if (f.offset == 0) e.protocol = f.protocol;
    const auto end = static_cast<std::uint32_t>(end64);
    std::span<const std::uint8_t> payload = f.payload;
    bool inconsistent = false;
    if (!f.more) {
        const std::uint32_t highest = e.have.empty() ? 0 : e.have.back().second;
        // A second, different last fragment or bytes already beyond this end: the first claim
        // stays (first-arrived wins, as for overlapping bytes).
        if ((e.total && *e.total != end) || highest > end)
            inconsistent = true;
        else
            e.total = end;
    }
    if (e.total && end > *e.total) {
        inconsistent = true;
        payload = payload.first(f.offset < *e.total ? *e.total - f.offset : 0);
    }
    if (inconsistent) {
        ++m_stats.inconsistent;
        e.conflict = true;
    }
    merge(e, f.offset, payload);
    if (!enforceByteLimit(it) || !complete(e)) return std::nullopt;

    ReassembledDatagram d{
        f.src,      f.dst,     f.id,    e.protocol, std::move(e.data), std::move(e.frames),
        e.conflict, e.firstTs, e.lastTs};
    m_buffered -= d.payload.size();
    e.data = {};
    erase(it);
    ++m_stats.reassembled;
    return d;
}

std::size_t IpDefragmenter::expire(std::int64_t nowNs) {
    std::size_t n = 0;
    while (!m_age.empty() && nowNs - m_age.begin()->first.first > m_limits.timeoutNs) {
        const auto it = m_entries.find(m_age.begin()->second);
        if (!it->second.dropped) {
            ++m_stats.expired;
            ++n;
        }
        erase(it);
    }
    return n;
}

IpDefragmenter::Map::iterator IpDefragmenter::create(const Key& key, std::int64_t tsNs) {
    // Full: the oldest datagram goes (like Linux's LRU eviction). The newest fragments are the
    // ones most likely to still complete.
    while (!m_entries.empty() &&
           m_entries.size() >= std::max<std::size_t>(m_limits.maxDatagrams, 1)) {
        const auto oldest = m_entries.find(m_age.begin()->second);
        if (!oldest->second.dropped) ++m_stats.droppedForLimits;
        erase(oldest);
    }
    const auto age = m_age.emplace(std::make_pair(tsNs, ++m_created), key).first;
    auto [it, inserted] = m_entries.try_emplace(key);
    (void)inserted;
    it->second.firstTs = it->second.lastTs = tsNs;
    it->second.age = age;
    return it;
}

void IpDefragmenter::erase(Map::iterator it) {
    m_buffered -= it->second.data.size();
    m_age.erase(it->second.age);
    m_entries.erase(it);
}

void IpDefragmenter::dropForLimits(Entry& e) {
    m_buffered -= e.data.size();
    e.data = {};
    e.have = {};
    e.frames = {};
    e.dropped = true;
    ++m_stats.droppedForLimits;
}

// Copies the bytes not yet held and compares the ones that are: first-arrived data wins.
void IpDefragmenter::merge(Entry& e, std::uint32_t begin, std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return;
    const auto end = static_cast<std::uint32_t>(begin + bytes.size());
    if (e.data.size() < end) {
        m_buffered += end - e.data.size();
        e.data.resize(end);
    }
    bool overlapped = false, differs = false, copied = false;
    const auto copy = [&](std::uint32_t from, std::uint32_t to) {
        std::memcpy(e.data.data() + from, bytes.data() + (from - begin), to - from);
        copied = true;
    };
    std::uint32_t pos = begin;
    auto r = std::partition_point(e.have.begin(), e.have.end(),
                                  [&](const Range& x) { return x.second <= begin; });
    for (; r != e.have.end() && r->first < end; ++r) {
        if (pos < r->first) copy(pos, r->first);
        const std::uint32_t a = std::max(begin, r->first), b = std::min(end, r->second);
        overlapped = true;
        if (std::memcmp(e.data.data() + a, bytes.data() + (a - begin), b - a) != 0) differs = true;
        pos = std::max(pos, b);
    }
    if (pos < end) copy(pos, end);

    // Ranges that overlap or touch [begin, end) collapse into one.
    const auto first = std::partition_point(e.have.begin(), e.have.end(),
                                            [&](const Range& x) { return x.second < begin; });
    const auto last =
        std::partition_point(first, e.have.end(), [&](const Range& x) { return x.first <= end; });
    Range merged{begin, end};
    if (first != last) {
        merged.first = std::min(begin, first->first);
        merged.second = std::max(end, std::prev(last)->second);
    }
    const auto at = e.have.erase(first, last);
    e.have.insert(at, merged);

    if (overlapped) ++m_stats.overlaps;
    if (differs) {
        ++m_stats.conflicts;
        e.conflict = true;
    } else if (overlapped && !copied) {
        ++m_stats.duplicates;
    }
}

// Over the byte limit: drop the oldest datagrams first, or `current` alone when it is larger
// than the whole budget. Returns false when `current` itself had to go.
bool IpDefragmenter::enforceByteLimit(Map::iterator current) {
    if (current->second.data.size() > m_limits.maxBufferedBytes) {
        dropForLimits(current->second);  // could never fit: the others stay
        return false;
    }
    for (auto a = m_age.begin(); m_buffered > m_limits.maxBufferedBytes && a != m_age.end(); ++a) {
        const auto it = a->second == current->first ? current : m_entries.find(a->second);
        if (it->second.dropped) continue;
        dropForLimits(it->second);
        if (it == current) return false;
    }
    return !current->second.dropped;
}

bool IpDefragmenter::complete(const Entry& e) noexcept {
    if (!e.total) return false;
    if (*e.total == 0) return e.have.empty();
    return e.have.size() == 1 && e.have[0].first == 0 && e.have[0].second == *e.total;
}

}  // namespace sipscope::analyzer
