#include "store/media_audio.hpp"

#include <strings.h>

#include <algorithm>
#include <map>

#include "codec/g711.hpp"
#include "media/rtp.hpp"
#include "store/media_packets.hpp"

namespace sipscope::analyzer::store {

using stack::decodeG711;
using stack::G711Law;

namespace {

constexpr int kComfortNoise = 13;  // RFC 3389
// Longest silence put in for a gap in the timestamps: a longer jump (a sender restarting
// its clock, a long hold) is not worth minutes of silence and is appended without one.
constexpr std::int64_t kMaxGapSamples = 30 * 8000;

struct AudioPacket {
    std::int64_t ext = 0;  // extended sequence number
    std::uint32_t timestamp = 0;
    std::int64_t tsNs = 0;
    int payloadType = 0;
    std::string_view payload;
};

// RFC 3550 §A.1: the sequence number extended over wraps, relative to the highest so far.
std::int64_t extend(std::uint16_t seq, std::int64_t& highest, bool first) {
    if (first) return highest = seq;
    const std::int64_t cycle = highest & ~std::int64_t{0xFFFF};
    std::int64_t ext = cycle | seq;
    if (ext - highest > 0x8000)
        ext -= 0x10000;
    else if (highest - ext > 0x8000)
        ext += 0x10000;
    highest = std::max(highest, ext);
    return ext;
}

// The packets in sequence order without duplicates; the audio payload type is the most
// common one other than comfort noise and telephone events (short 4-byte payloads).
std::vector<AudioPacket> ordered(const StreamPackets& in, int& audioPt) {
    std::vector<AudioPacket> out;
    std::map<int, std::uint64_t> counts;
    std::int64_t highest = 0;
    for (const MediaPacket& p : in.packets) {
        const ByteSpan bytes(reinterpret_cast<const std::uint8_t*>(p.payload.data()),
                             p.payload.size());
        auto h = decodeRtp(bytes);
        if (!h) continue;
        AudioPacket a;
        a.ext = extend(h->seq, highest, out.empty());
        a.timestamp = h->timestamp;
        a.tsNs = p.tsNs;
        a.payloadType = h->payloadType;
        a.payload = p.payload.substr(h->headerSize, h->payload.size());
        if (a.payloadType != kComfortNoise && a.payload.size() > 4) ++counts[a.payloadType];
        out.push_back(a);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const AudioPacket& a, const AudioPacket& b) { return a.ext < b.ext; });
    out.erase(
        std::unique(out.begin(), out.end(),
                    [](const AudioPacket& a, const AudioPacket& b) { return a.ext == b.ext; }),
        out.end());
    audioPt = -1;
    std::uint64_t best = 0;
    for (const auto& [pt, n] : counts)
        if (n > best) best = n, audioPt = pt;
    return out;
}

bool lawOf(const std::string& encoding, G711Law& law) {
    if (strcasecmp(encoding.c_str(), "PCMU") == 0)
        law = G711Law::Ulaw;
    else if (strcasecmp(encoding.c_str(), "PCMA") == 0)
        law = G711Law::Alaw;
    else
        return false;
    return true;
}

}  // namespace

StreamAudio readStreamAudio(sql::Database& db, std::int64_t streamId) {
    StreamAudio out;
    const auto streams =
        readMediaStreamsWhere(db, "id = ?", [streamId](sql::Statement& s) { s.bind(1, streamId); });
    if (streams.empty()) {
        out.error = "no stream " + std::to_string(streamId);
        return out;
    }
    const StoredStream& st = streams.front();
    out.encoding = st.row.encoding;
    G711Law law{};
    if (!lawOf(st.row.encoding, law)) {
        out.error =
            "stream " + std::to_string(streamId) + " is " +
            (st.row.encoding.empty() ? std::string("of an unknown codec") : st.row.encoding) +
            ": only G.711 (PCMU, PCMA) is decoded";
        return out;
    }
    const StreamPackets packets = readStreamPackets(db, st);
    if (packets.packets.empty()) {
        out.error = packets.error.empty() ? "stream " + std::to_string(streamId) +
                                                ": no packets stored (imported without them "
                                                "or by a SipScope older than schema 3)"
                                          : packets.error;
        return out;
    }
    int audioPt = -1;
    const std::vector<AudioPacket> list = ordered(packets, audioPt);
    bool started = false;
    std::uint32_t baseTs = 0;
    for (const AudioPacket& p : list) {
        if (p.payloadType != audioPt) continue;
        if (!started) {
            started = true;
            baseTs = p.timestamp;
            out.startNs = p.tsNs;
        }
        // Where the packet's first sample belongs on the timestamp axis (modulo 2^32).
        const auto at = static_cast<std::int64_t>(static_cast<std::int32_t>(p.timestamp - baseTs));
        const auto have = static_cast<std::int64_t>(out.samples.size());
        if (at > have && at - have <= kMaxGapSamples) {
            out.gapSamples += static_cast<std::uint64_t>(at - have);
            out.samples.resize(static_cast<std::size_t>(at), 0);
        }
        decodeG711(law, p.payload, out.samples);
        ++out.packets;
    }
    out.ok = out.packets > 0;
    if (!out.ok) out.error = "stream " + std::to_string(streamId) + ": no audio packets";
    return out;
}

std::vector<std::int16_t> interleaveAligned(const std::vector<const StreamAudio*>& channels) {
    if (channels.empty()) return {};
    std::int64_t start = channels.front()->startNs;
    for (const StreamAudio* c : channels) start = std::min(start, c->startNs);
    std::vector<std::size_t> offsets;
    std::size_t frames = 0;
    for (const StreamAudio* c : channels) {
        const auto offset =
            static_cast<std::size_t>((c->startNs - start) * c->sampleRate / 1000000000);
        offsets.push_back(offset);
        frames = std::max(frames, offset + c->samples.size());
    }
    const std::size_t n = channels.size();
    std::vector<std::int16_t> out(frames * n, 0);
    for (std::size_t ch = 0; ch < n; ++ch) {
        const auto& samples = channels[ch]->samples;
        for (std::size_t i = 0; i < samples.size(); ++i)
            out[(offsets[ch] + i) * n + ch] = samples[i];
    }
    return out;
}

}  // namespace sipscope::analyzer::store
