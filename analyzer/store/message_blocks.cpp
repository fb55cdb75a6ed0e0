#include "store/message_blocks.hpp"

#include <zlib.h>

#include <limits>

#include "store/deflate_bound.hpp"
#include "store/zstd_codec.hpp"

namespace sipscope::analyzer::store {

std::string compressBlock(std::string_view raw) {
    std::string out;
    zstd::compress(raw, out);
    return out;  // empty only on allocation failure: the writer reports the block's rows
}

namespace {

// A zlib stream (schema 4-6 blocks).
std::optional<std::string> inflateLegacy(std::string_view data, std::size_t rawSize) {
    if (data.size() > std::numeric_limits<uLong>::max()) return std::nullopt;
    if (rawSize / kDeflateMaxRatio > data.size()) return std::nullopt;
    std::string out(rawSize, '\0');
    uLongf size = static_cast<uLongf>(rawSize);
    uLong used = static_cast<uLong>(data.size());
    // uncompress2 refuses a zero-sized destination buffer pointer; give it a byte to point at.
    Bytef scratch = 0;
    Bytef* dest = rawSize ? reinterpret_cast<Bytef*>(out.data()) : &scratch;
    const int rc = uncompress2(dest, &size, reinterpret_cast<const Bytef*>(data.data()), &used);
    if (rc != Z_OK || size != rawSize) return std::nullopt;
    return out;
}

}  // namespace

std::optional<std::string> expandBlock(std::string_view data, std::size_t rawSize) {
    // A block is at most one message larger than kMessageBlockBytes, and messages are bounded
    // by the framer; anything claiming more than 256 MiB is not a block this writer made.
    if (rawSize > (std::size_t{256} << 20)) return std::nullopt;
    if (!zstd::isFrame(data)) return inflateLegacy(data, rawSize);
    if (rawSize / zstd::kMaxRatio > data.size()) return std::nullopt;
    std::string out(rawSize, '\0');
    if (!zstd::expand(data, out.data(), rawSize)) return std::nullopt;
    return out;
}

std::optional<std::string_view> sliceBlock(std::string_view block, std::int64_t offset,
                                           std::int64_t length) {
    if (offset < 0 || length < 0) return std::nullopt;
    const auto off = static_cast<std::uint64_t>(offset), len = static_cast<std::uint64_t>(length);
    if (off > block.size() || len > block.size() - off) return std::nullopt;
    return block.substr(off, len);
}

const CachedBlock* BlockCache::find(std::int64_t id) {
    for (auto it = m_blocks.begin(); it != m_blocks.end(); ++it) {
        if (it->first != id) continue;
        m_blocks.splice(m_blocks.begin(), m_blocks, it);
        return &m_blocks.front().second;
    }
    return nullptr;
}

CachedBlock& BlockCache::insert(std::int64_t id, std::string raw) {
    m_blocks.emplace_front(id, CachedBlock{std::move(raw), {}});
    if (m_blocks.size() > m_capacity) m_blocks.pop_back();
    return m_blocks.front().second;
}

void BlockCache::erase(std::int64_t id) {
    m_blocks.remove_if([id](const auto& entry) { return entry.first == id; });
}

}  // namespace sipscope::analyzer::store
