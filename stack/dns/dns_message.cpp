// Decoding DNS messages (RFC 1035 §4.1) with compression pointers, and the text forms of names,
// types and addresses. Encoding is in dns_encode.cpp.

#include "dns/dns_message.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace sipscope::stack::dns {

namespace {

Error fail(ErrorCode code, std::size_t offset, std::string_view where, std::string what) {
    return dnsError(code, offset, where, std::move(what));
}

class Reader {
  public:
    explicit Reader(std::span<const std::uint8_t> bytes) : m_bytes(bytes) {}

    std::size_t pos() const noexcept { return m_pos; }
    std::size_t size() const noexcept { return m_bytes.size(); }
    void seek(std::size_t p) noexcept { m_pos = p; }
    std::string where;  // the section and item being decoded, for error messages

    bool has(std::size_t n) const noexcept { return m_bytes.size() - m_pos >= n; }
    Error truncated(std::string_view what) const {
        return fail(ErrorCode::Incomplete, m_pos, where,
                    "message ends inside " + std::string(what));
    }
    std::uint8_t u8() noexcept { return m_bytes[m_pos++]; }
    std::uint16_t u16() noexcept {
        const auto v = static_cast<std::uint16_t>(m_bytes[m_pos] << 8 | m_bytes[m_pos + 1]);
        m_pos += 2;
        return v;
    }
    std::uint32_t u32() noexcept {
        const std::uint32_t hi = u16();
        return hi << 16 | u16();
    }
    std::uint8_t at(std::size_t p) const noexcept { return m_bytes[p]; }

  private:
    std::span<const std::uint8_t> m_bytes;
    std::size_t m_pos = 0;
};

void appendLabelByte(std::string& out, std::uint8_t c) {
    if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
        out.push_back(static_cast<char>(c));
        return;
    }
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
    out.append(buf);
}

// RFC 1035 §4.1.4: a name is labels ending in a zero octet or a pointer to a prior occurrence.
// A pointer must point before itself, which rules out loops; hops and length are bounded too.
Result<std::string> readName(Reader& r, std::size_t limit) {
    std::string out;
    std::size_t p = r.pos();
    std::size_t resume = 0;  // where decoding continues after the first pointer
    std::size_t octets = 1;  // the root label
    std::size_t hops = 0;
    for (;;) {
        if (p >= limit) {
            r.seek(p);
            return r.truncated("a domain name");
        }
        const std::uint8_t len = r.at(p);
        if ((len & 0xC0) == 0xC0) {
            if (p + 1 >= limit) {
                r.seek(p);
                return r.truncated("a compression pointer");
            }
            const std::size_t target = static_cast<std::size_t>(len & 0x3F) << 8 | r.at(p + 1);
            if (target >= p)
                return fail(ErrorCode::BadBody, p, r.where,
                            "compression pointer to byte " + std::to_string(target) +
                                " does not point backwards (loop)");
            if (++hops > kMaxPointerHops)
                return fail(ErrorCode::TooLarge, p, r.where, "too many compression pointers");
            if (resume == 0) resume = p + 2;
            p = target;
            continue;
        }
        if ((len & 0xC0) != 0)
            return fail(ErrorCode::ValueOutOfRange, p, r.where,
                        "reserved label type " + std::to_string(len >> 6));
        if (len == 0) {
            r.seek(resume != 0 ? resume : p + 1);
            return out;
        }
        octets += 1u + len;
        if (octets > kMaxNameOctets)
            return fail(ErrorCode::TooLarge, p, r.where, "domain name longer than 255 octets");
        if (p + 1 + len > limit) {
            r.seek(p + 1);
            return r.truncated("a label");
        }
        if (!out.empty()) out.push_back('.');
        for (std::size_t i = 0; i < len; ++i) appendLabelByte(out, r.at(p + 1 + i));
        p += 1u + len;
    }
}

// RFC 1035 §3.3: <character-string> is a length octet and that many octets.
Result<std::string> readCharString(Reader& r, std::size_t end) {
    if (r.pos() >= end) return r.truncated("a character-string");
    const std::size_t len = r.u8();
    if (r.pos() + len > end) return r.truncated("a character-string");
    std::string out;
    for (std::size_t i = 0; i < len; ++i) out.push_back(static_cast<char>(r.u8()));
    return out;
}

Result<RData> readRData(Reader& r, std::uint16_t type, std::size_t end) {
    const std::size_t start = r.pos();
    const auto fixed = [&](std::size_t n) { return end - start == n; };
    const auto wrongLength = [&] {
        return fail(ErrorCode::BadBody, start, r.where,
                    "RDLENGTH " + std::to_string(end - start) + " does not fit type " +
                        std::string(rrTypeName(type)));
    };
    switch (static_cast<RrType>(type)) {
        case RrType::A: {
            if (!fixed(4)) return wrongLength();
            Ipv4Data a;
            for (auto& b : a.bytes) b = r.u8();
            return RData{a};
        }
        case RrType::Aaaa: {  // RFC 3596 §2.2
            if (!fixed(16)) return wrongLength();
            Ipv6Data a;
            for (auto& b : a.bytes) b = r.u8();
            return RData{a};
        }
        case RrType::Cname:
        case RrType::Ns:
        case RrType::Ptr: {
            auto name = readName(r, end);
            if (!name) return std::move(name).error();
            return RData{NameData{std::move(name.value())}};
        }
        case RrType::Srv: {  // RFC 2782: priority, weight, port, target
            if (end - start < 7) return wrongLength();
            SrvData s;
            s.priority = r.u16();
            s.weight = r.u16();
            s.port = r.u16();
            auto name = readName(r, end);
            if (!name) return std::move(name).error();
            s.target = std::move(name.value());
            return RData{std::move(s)};
        }
        case RrType::Naptr: {  // RFC 3403 §4.1
            if (end - start < 7) return wrongLength();
            NaptrData n;
            n.order = r.u16();
            n.preference = r.u16();
            for (std::string* field : {&n.flags, &n.services, &n.regexp}) {
                auto s = readCharString(r, end);
                if (!s) return std::move(s).error();
                *field = std::move(s.value());
            }
            auto name = readName(r, end);
            if (!name) return std::move(name).error();
            n.replacement = std::move(name.value());
            return RData{std::move(n)};
        }
        default: {
            OpaqueData o;
            while (r.pos() < end) o.bytes.push_back(r.u8());
            return RData{std::move(o)};
        }
    }
}

Result<ResourceRecord> readRecord(Reader& r) {
    ResourceRecord rr;
    auto name = readName(r, r.size());
    if (!name) return std::move(name).error();
    rr.name = std::move(name.value());
    if (!r.has(10)) return r.truncated("a resource record header");
    rr.type = r.u16();
    rr.klass = r.u16();
    rr.ttl = r.u32();
    const std::size_t rdlength = r.u16();
    if (!r.has(rdlength)) return r.truncated("RDATA of " + std::to_string(rdlength) + " bytes");
    const std::size_t end = r.pos() + rdlength;
    auto data = readRData(r, rr.type, end);
    if (!data) return std::move(data).error();
    if (r.pos() != end)
        return fail(ErrorCode::BadBody, r.pos(), r.where,
                    std::to_string(end - r.pos()) + " unused bytes inside RDATA");
    rr.data = std::move(data.value());
    return rr;
}

char lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string rrTypeName(std::uint16_t type) {
    switch (static_cast<RrType>(type)) {
        case RrType::A:
            return "A";
        case RrType::Ns:
            return "NS";
        case RrType::Cname:
            return "CNAME";
        case RrType::Soa:
            return "SOA";
        case RrType::Ptr:
            return "PTR";
        case RrType::Txt:
            return "TXT";
        case RrType::Aaaa:
            return "AAAA";
        case RrType::Srv:
            return "SRV";
        case RrType::Naptr:
            return "NAPTR";
        case RrType::Opt:
            return "OPT";
    }
    return "TYPE" + std::to_string(type);
}

std::string rcodeName(std::uint8_t rcode) {
    static constexpr const char* kNames[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                             "NXDOMAIN", "NOTIMP",  "REFUSED"};
    if (rcode < std::size(kNames)) return kNames[rcode];
    return "RCODE" + std::to_string(rcode);
}

Result<Message> decodeMessage(std::span<const std::uint8_t> bytes) {
    Reader r(bytes);
    Message m;
    r.where = "header";
    if (!r.has(12)) return r.truncated("the 12-byte header");
    m.header.id = r.u16();
    const std::uint8_t b2 = r.u8(), b3 = r.u8();
    m.header.response = (b2 & 0x80) != 0;
    m.header.opcode = static_cast<std::uint8_t>((b2 >> 3) & 0x0F);
    m.header.authoritative = (b2 & 0x04) != 0;
    m.header.truncated = (b2 & 0x02) != 0;
    m.header.recursionDesired = (b2 & 0x01) != 0;
    m.header.recursionAvailable = (b3 & 0x80) != 0;
    m.header.rcode = b3 & 0x0F;
    std::size_t counts[4];
    for (auto& c : counts) c = r.u16();
    r.where = "question";
    for (std::size_t i = 0; i < counts[0]; ++i) {
        r.where = "question " + std::to_string(i + 1);
        if (i >= kMaxRecordsPerSection)
            return fail(ErrorCode::TooLarge, r.pos(), r.where, "too many questions");
        auto name = readName(r, r.size());
        if (!name) return std::move(name).error();
        if (!r.has(4)) return r.truncated("a question");
        Question q{std::move(name.value()), 0, 0};
        q.type = r.u16();
        q.klass = r.u16();
        m.questions.push_back(std::move(q));
    }
    static constexpr const char* kSections[] = {"answer", "authority", "additional"};
    std::vector<ResourceRecord>* sections[] = {&m.answers, &m.authority, &m.additional};
    for (std::size_t s = 0; s < 3; ++s) {
        for (std::size_t i = 0; i < counts[s + 1]; ++i) {
            r.where = std::string(kSections[s]) + " " + std::to_string(i + 1);
            if (i >= kMaxRecordsPerSection)
                return fail(ErrorCode::TooLarge, r.pos(), r.where, "too many records");
            auto rr = readRecord(r);
            if (!rr) return std::move(rr).error();
            sections[s]->push_back(std::move(rr.value()));
        }
    }
    return m;
}

bool sameName(std::string_view a, std::string_view b) noexcept {
    if (!a.empty() && a.back() == '.') a.remove_suffix(1);
    if (!b.empty() && b.back() == '.') b.remove_suffix(1);
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

std::string addressText(const Ipv4Data& a) {
    return std::to_string(a.bytes[0]) + "." + std::to_string(a.bytes[1]) + "." +
           std::to_string(a.bytes[2]) + "." + std::to_string(a.bytes[3]);
}

std::string addressText(const Ipv6Data& a) {
    std::uint16_t g[8];
    for (int i = 0; i < 8; ++i)
        g[i] = static_cast<std::uint16_t>(a.bytes[2 * i] << 8 | a.bytes[2 * i + 1]);
    // RFC 5952 §4.2: compress the longest run of two or more zero groups (the first if tied).
    int bestAt = -1, bestLen = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > bestLen) {
            bestAt = i;
            bestLen = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    std::string out;
    char buf[8];
    for (int i = 0; i < 8; ++i) {
        if (i == bestAt) {
            out.append("::");
            i += bestLen - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out.push_back(':');
        std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(g[i]));
        out.append(buf);
    }
    return out;
}

Error dnsError(ErrorCode code, std::size_t offset, std::string_view where, std::string what) {
    return makeError(code, offset,
                     "DNS: " + what + " at byte " + std::to_string(offset) +
                         (where.empty() ? "" : " (" + std::string(where) + ")"),
                     std::string(where));
}

}  // namespace sipscope::stack::dns
