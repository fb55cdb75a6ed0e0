// Encoding DNS messages (RFC 1035 §4.1), without name compression: queries for the resolver and
// whole messages for test servers and round trips.

#include <string>
#include <utility>

#include "dns/dns_message.hpp"

namespace sipscope::stack::dns {

namespace {

Error fail(ErrorCode code, std::size_t offset, std::string_view where, std::string what) {
    return dnsError(code, offset, where, std::move(what));
}

void putU16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

void putU32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    putU16(out, static_cast<std::uint16_t>(v >> 16));
    putU16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}

// The text form back to labels: "\DDD" and "\X" escapes, dots between labels.
Result<std::vector<std::uint8_t>> nameToWire(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    std::vector<std::uint8_t> out;
    std::vector<std::uint8_t> label;
    const auto flush = [&]() -> bool {
        if (label.empty() || label.size() > kMaxLabelOctets) return false;
        out.push_back(static_cast<std::uint8_t>(label.size()));
        out.insert(out.end(), label.begin(), label.end());
        label.clear();
        return true;
    };
    const auto digit = [&](std::size_t i) {
        return i < name.size() && name[i] >= '0' && name[i] <= '9';
    };
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if (c == '.') {
            if (!flush()) return fail(ErrorCode::BadParam, i, "name", "empty or over-long label");
        } else if (c == '\\' && digit(i + 1) && digit(i + 2) && digit(i + 3)) {
            const int v =
                (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
            if (v > 255) return fail(ErrorCode::BadParam, i, "name", "bad \\DDD escape");
            label.push_back(static_cast<std::uint8_t>(v));
            i += 3;
        } else if (c == '\\' && i + 1 < name.size()) {
            label.push_back(static_cast<std::uint8_t>(name[++i]));
        } else {
            label.push_back(static_cast<std::uint8_t>(c));
        }
    }
    if (!name.empty() && !flush())
        return fail(ErrorCode::BadParam, name.size(), "name", "empty or over-long label");
    out.push_back(0);
    if (out.size() > kMaxNameOctets)
        return fail(ErrorCode::TooLarge, 0, "name", "domain name longer than 255 octets");
    return out;
}

bool putName(std::vector<std::uint8_t>& out, std::string_view name, Error& error) {
    auto wire = nameToWire(name);
    if (!wire) {
        error = std::move(wire).error();
        return false;
    }
    out.insert(out.end(), wire->begin(), wire->end());
    return true;
}

bool putCharString(std::vector<std::uint8_t>& out, const std::string& s) {
    if (s.size() > 255) return false;
    out.push_back(static_cast<std::uint8_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
    return true;
}

bool putRData(std::vector<std::uint8_t>& out, const RData& data, Error& error) {
    if (const auto* a = std::get_if<Ipv4Data>(&data)) {
        out.insert(out.end(), a->bytes.begin(), a->bytes.end());
    } else if (const auto* a6 = std::get_if<Ipv6Data>(&data)) {
        out.insert(out.end(), a6->bytes.begin(), a6->bytes.end());
    } else if (const auto* n = std::get_if<NameData>(&data)) {
        return putName(out, n->name, error);
    } else if (const auto* s = std::get_if<SrvData>(&data)) {
        putU16(out, s->priority);
        putU16(out, s->weight);
        putU16(out, s->port);
        return putName(out, s->target, error);
    } else if (const auto* np = std::get_if<NaptrData>(&data)) {
        putU16(out, np->order);
        putU16(out, np->preference);
        for (const std::string* f : {&np->flags, &np->services, &np->regexp}) {
            if (!putCharString(out, *f)) {
                error = fail(ErrorCode::TooLarge, out.size(), "NAPTR", "string over 255 bytes");
                return false;
            }
        }
        return putName(out, np->replacement, error);
    } else if (const auto* o = std::get_if<OpaqueData>(&data)) {
        out.insert(out.end(), o->bytes.begin(), o->bytes.end());
    }
    return true;
}

bool putRecord(std::vector<std::uint8_t>& out, const ResourceRecord& rr, Error& error) {
    if (!putName(out, rr.name, error)) return false;
    putU16(out, rr.type);
    putU16(out, rr.klass);
    putU32(out, rr.ttl);
    const std::size_t lengthAt = out.size();
    putU16(out, 0);
    if (!putRData(out, rr.data, error)) return false;
    const std::size_t rdlength = out.size() - lengthAt - 2;
    if (rdlength > 0xFFFF) {
        error = fail(ErrorCode::TooLarge, lengthAt, "record", "RDATA over 65535 bytes");
        return false;
    }
    out[lengthAt] = static_cast<std::uint8_t>(rdlength >> 8);
    out[lengthAt + 1] = static_cast<std::uint8_t>(rdlength & 0xFF);
    return true;
}
}  // namespace

Result<std::vector<std::uint8_t>> encodeQuery(std::uint16_t id, std::string_view name,
                                              RrType type) {
    Message m;
    m.header.id = id;
    m.header.recursionDesired = true;
    m.questions.push_back(Question{std::string(name), static_cast<std::uint16_t>(type), kClassIn});
    return encodeMessage(m);
}

Result<std::vector<std::uint8_t>> encodeMessage(const Message& m) {
    std::vector<std::uint8_t> out;
    const Header& h = m.header;
    putU16(out, h.id);
    // RFC 1035 §4.1.1: QR Opcode AA TC RD | RA Z RCODE
    out.push_back(static_cast<std::uint8_t>(
        (h.response ? 0x80 : 0) | (h.opcode & 0x0F) << 3 | (h.authoritative ? 0x04 : 0) |
        (h.truncated ? 0x02 : 0) | (h.recursionDesired ? 0x01 : 0)));
    out.push_back(static_cast<std::uint8_t>((h.recursionAvailable ? 0x80 : 0) | (h.rcode & 0x0F)));
    for (std::size_t n :
         {m.questions.size(), m.answers.size(), m.authority.size(), m.additional.size()}) {
        if (n > 0xFFFF) return fail(ErrorCode::TooLarge, 0, "header", "section over 65535 items");
        putU16(out, static_cast<std::uint16_t>(n));
    }
    Error error;
    for (const Question& q : m.questions) {
        if (!putName(out, q.name, error)) return error;
        putU16(out, q.type);
        putU16(out, q.klass);
    }
    for (const auto* section : {&m.answers, &m.authority, &m.additional})
        for (const ResourceRecord& rr : *section)
            if (!putRecord(out, rr, error)) return error;
    return out;
}
}  // namespace sipscope::stack::dns
