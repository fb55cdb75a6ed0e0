#include "store/zstd_codec.hpp"

#include <zstd.h>

namespace sipscope::analyzer::store::zstd {

namespace {

constexpr int kLevel = 1;

struct Compressor {
    ZSTD_CCtx* ctx = ZSTD_createCCtx();
    ~Compressor() { ZSTD_freeCCtx(ctx); }
};
struct Expander {
    ZSTD_DCtx* ctx = ZSTD_createDCtx();
    ~Expander() { ZSTD_freeDCtx(ctx); }
};

}  // namespace

struct Dictionary::Prepared {
    ZSTD_CDict* cdict = nullptr;
    ZSTD_DDict* ddict = nullptr;
};

Dictionary::Dictionary(std::string_view content) : m_prepared(std::make_unique<Prepared>()) {
    // Content without zstd's dictionary magic number is taken as raw content (ZSTD_dct_auto).
    m_prepared->cdict = ZSTD_createCDict(content.data(), content.size(), kLevel);
    m_prepared->ddict = ZSTD_createDDict(content.data(), content.size());
}

Dictionary::~Dictionary() {
    ZSTD_freeCDict(m_prepared->cdict);
    ZSTD_freeDDict(m_prepared->ddict);
}

bool isFrame(std::string_view data) noexcept {
    return data.size() >= 4 && static_cast<unsigned char>(data[0]) == 0x28 &&
           static_cast<unsigned char>(data[1]) == 0xB5 &&
           static_cast<unsigned char>(data[2]) == 0x2F &&
           static_cast<unsigned char>(data[3]) == 0xFD;
}

bool compress(std::string_view in, std::string& out, const Dictionary* dict) {
    thread_local Compressor c;
    if (!c.ctx || (dict && !dict->prepared()->cdict)) return false;
    const std::size_t head = out.size();
    out.resize(head + ZSTD_compressBound(in.size()));
    const std::size_t n =
        dict ? ZSTD_compress_usingCDict(c.ctx, out.data() + head, out.size() - head, in.data(),
                                        in.size(), dict->prepared()->cdict)
             : ZSTD_compressCCtx(c.ctx, out.data() + head, out.size() - head, in.data(), in.size(),
                                 kLevel);
    if (ZSTD_isError(n)) {
        out.resize(head);
        return false;
    }
    out.resize(head + n);
    return true;
}

bool expand(std::string_view in, char* out, std::size_t size, const Dictionary* dict) {
    thread_local Expander e;
    if (!e.ctx || (dict && !dict->prepared()->ddict) || !isFrame(in)) return false;
    char scratch = 0;  // somewhere to point at for an empty output
    const std::size_t n =
        dict ? ZSTD_decompress_usingDDict(e.ctx, size ? out : &scratch, size, in.data(), in.size(),
                                          dict->prepared()->ddict)
             : ZSTD_decompressDCtx(e.ctx, size ? out : &scratch, size, in.data(), in.size());
    return !ZSTD_isError(n) && n == size;
}

}  // namespace sipscope::analyzer::store::zstd
