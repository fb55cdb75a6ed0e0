#include "store/call_json_blob.hpp"

#include <zlib.h>

#include <cstdint>
#include <limits>

#include "store/deflate_bound.hpp"
#include "store/varint.hpp"
#include "store/zstd_codec.hpp"

namespace sipscope::analyzer::store {

namespace {

// 1: zlib raw deflate with kDictionary (schema 5-6); 2: one zstd frame with kDictionary as raw
// content (schema 7; about 3x faster to write at the same size).
constexpr unsigned char kDeflated = 1, kZstd = 2;
// A record never comes near this; a larger claim is damage, refused before any allocation.
constexpr std::size_t kMaxJson = std::size_t{64} << 20;

// What deflate may copy from: the keys and common values of call_json.cpp's records, the most
// frequent last (zlib codes nearer distances in fewer bits). Changing it makes the rows
// written before unreadable: a new dictionary needs a new format octet.
constexpr std::string_view kDictionary =
    R"("other_exchanges":{"registrations":,"sessions":,"final_codes":{"min":,"max":,"mean":,)"
    R"("count":,"states":{"requests":,"responses":,"acks":,"branch":"z9hG4bK","cseq":,"id":,)"
    R"("timeout":true,"anomalies":[{"code":"","message_ids":[],"rfc":"RFC 3261 §","text":""}],)"
    R"("kind":"register","method":"REGISTER","kind":"options","method":"OPTIONS","state":)"
    R"("failed","state":"rejected","state":"busy","state":"cancelled","state":"timeout",)"
    R"("state":"in_progress","state":"ringing","reason":"Request Terminated","final_code":487,)"
    R"("final_code":486,"reason":"Busy Here","final_code":404,"reason":"Not Found","transport":)"
    R"("tcp","transport":"tls","codecs":["G722/8000","opus/48000/2","G729/8000","PCMU/8000",)"
    R"("PCMA/8000","telephone-event/8000"],"direction":"sendonly","direction":"recvonly",)"
    R"("direction":"inactive","hold":true,"type":"video","auth_ok":true,"auth_ok":false,)"
    R"({"call_id":"","call_ids":[""],"kind":"call","method":"INVITE","from_user":"","to_user":)"
    R"("","start":17,"answer":17,"end":17,"duration_s":,"state":"answered","final_code":200,)"
    R"("reason":"OK","messages":7,"retransmissions":0,"duplicates":0,"legs":1,"dialogs":)"
    R"({"early":0,"confirmed":0,"terminated":1},"transactions":2,"auth_challenges":0,)"
    R"("auth_ok":null,"src":"","sport":5060,"dst":"","dport":5060,"transport":"udp",)"
    R"("user_agent":"","media":[{"origin":"offer","message_id":1,"type":"audio","address":)"
    R"("","port":,"direction":"sendrecv","codecs":["PCMU","PCMA","telephone-event"],"hold":)"
    R"(false},{"origin":"answer","message_id":4,"type":"audio","address":"","port":,)"
    R"("direction":"sendrecv","codecs":["PCMU","PCMA","telephone-event"],"hold":false}],)"
    R"("media_problems":[],"metrics":{"pdd_ms":,"srd_ms":,"sdd_ms":,"sdt_ms":,"rrd_ms":null},)"
    R"("anomalies":[]})";

const Bytef* bytesOf(std::string_view s) {
    return reinterpret_cast<const Bytef*>(s.data());
}

struct Inflater {
    z_stream z{};
    bool ok = false;
    Inflater() { ok = inflateInit2(&z, -15) == Z_OK; }
    ~Inflater() {
        if (ok) inflateEnd(&z);
    }
};

const zstd::Dictionary& dictionary() {
    static const zstd::Dictionary d(kDictionary);
    return d;
}

// Format 1, from the rows of schema 5 and 6.
bool inflateRecord(std::string_view blob, std::string& out) {
    thread_local Inflater f;
    if (blob.size() > std::numeric_limits<uInt>::max()) return false;
    if (!f.ok || inflateReset(&f.z) != Z_OK ||
        inflateSetDictionary(&f.z, bytesOf(kDictionary), static_cast<uInt>(kDictionary.size())) !=
            Z_OK)
        return false;
    Bytef scratch = 0;  // zlib wants somewhere to point at for an empty output
    f.z.next_in = const_cast<Bytef*>(bytesOf(blob));
    f.z.avail_in = static_cast<uInt>(blob.size());
    f.z.next_out = out.empty() ? &scratch : reinterpret_cast<Bytef*>(out.data());
    f.z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&f.z, Z_FINISH);
    return rc == Z_STREAM_END && f.z.avail_out == 0 && f.z.avail_in == 0;
}

}  // namespace

std::string packCallJson(std::string_view json) {
    std::string out(1, static_cast<char>(kZstd));
    putVarint(out, json.size());
    if (json.size() > kMaxJson || !zstd::compress(json, out, &dictionary())) return {};
    return out;  // empty only on allocation failure: the writer stores an empty record
}

std::optional<std::string> unpackCallJson(std::string_view blob) {
    if (blob.empty()) return std::nullopt;
    const auto format = static_cast<unsigned char>(blob.front());
    if (format != kDeflated && format != kZstd) return std::nullopt;
    blob.remove_prefix(1);
    std::uint64_t size = 0;
    if (!getVarint(blob, size) || size > kMaxJson) return std::nullopt;
    // A larger claim than the stream could expand to is refused before allocating it.
    const std::size_t maxRatio = format == kDeflated ? kDeflateMaxRatio : zstd::kMaxRatio;
    if (size / maxRatio > blob.size()) return std::nullopt;
    std::string out(size, '\0');
    const bool ok = format == kDeflated ? inflateRecord(blob, out)
                                        : zstd::expand(blob, out.data(), out.size(), &dictionary());
    if (!ok) return std::nullopt;
    return out;
}

}  // namespace sipscope::analyzer::store
