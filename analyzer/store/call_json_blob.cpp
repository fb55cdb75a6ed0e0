#include "store/call_json_blob.hpp"

#include <zlib.h>

#include <cstdint>
#include <limits>

#include "store/varint.hpp"

namespace sipscope::analyzer::store {

namespace {

constexpr unsigned char kFormat = 1;
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

// One deflate stream per thread, reset for each record: setting up a stream costs far more
// than deflating a record.
struct Deflater {
    z_stream z{};
    bool ok = false;
    Deflater() { ok = deflateInit2(&z, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK; }
    ~Deflater() {
        if (ok) deflateEnd(&z);
    }
};
struct Inflater {
    z_stream z{};
    bool ok = false;
    Inflater() { ok = inflateInit2(&z, -15) == Z_OK; }
    ~Inflater() {
        if (ok) inflateEnd(&z);
    }
};

}  // namespace

std::string packCallJson(std::string_view json) {
    thread_local Deflater d;
    std::string out(1, static_cast<char>(kFormat));
    putVarint(out, json.size());
    if (!d.ok || json.size() > kMaxJson || deflateReset(&d.z) != Z_OK ||
        deflateSetDictionary(&d.z, bytesOf(kDictionary), static_cast<uInt>(kDictionary.size())) !=
            Z_OK)
        return {};  // only on allocation failure: the writer stores an empty record
    const std::size_t head = out.size();
    out.resize(head + deflateBound(&d.z, static_cast<uLong>(json.size())));
    d.z.next_in = const_cast<Bytef*>(bytesOf(json));
    d.z.avail_in = static_cast<uInt>(json.size());
    d.z.next_out = reinterpret_cast<Bytef*>(out.data() + head);
    d.z.avail_out = static_cast<uInt>(out.size() - head);
    if (deflate(&d.z, Z_FINISH) != Z_STREAM_END) return {};
    out.resize(out.size() - d.z.avail_out);
    return out;
}

std::optional<std::string> unpackCallJson(std::string_view blob) {
    thread_local Inflater f;
    if (blob.empty() || static_cast<unsigned char>(blob.front()) != kFormat) return std::nullopt;
    blob.remove_prefix(1);
    std::uint64_t size = 0;
    if (!getVarint(blob, size) || size > kMaxJson) return std::nullopt;
    // Deflate expands at most 1032:1; a larger claim is refused before allocating it.
    if (size / 1032 > blob.size() || blob.size() > std::numeric_limits<uInt>::max())
        return std::nullopt;
    if (!f.ok || inflateReset(&f.z) != Z_OK ||
        inflateSetDictionary(&f.z, bytesOf(kDictionary), static_cast<uInt>(kDictionary.size())) !=
            Z_OK)
        return std::nullopt;
    std::string out(size, '\0');
    Bytef scratch = 0;  // zlib wants somewhere to point at for an empty output
    f.z.next_in = const_cast<Bytef*>(bytesOf(blob));
    f.z.avail_in = static_cast<uInt>(blob.size());
    f.z.next_out = size ? reinterpret_cast<Bytef*>(out.data()) : &scratch;
    f.z.avail_out = static_cast<uInt>(size);
    const int rc = inflate(&f.z, Z_FINISH);
    if (rc != Z_STREAM_END || f.z.avail_out != 0 || f.z.avail_in != 0) return std::nullopt;
    return out;
}

}  // namespace sipscope::analyzer::store
