#include "dns/rfc3263.hpp"

#include <algorithm>

namespace sipscope::stack::dns {

namespace {

std::string lowered(std::string_view s) {
    std::string out(s);
    if (!out.empty() && out.back() == '.') out.pop_back();
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool isIpv4Literal(std::string_view h) {
    int dots = 0, digits = 0;
    for (char c : h) {
        if (c == '.') {
            if (digits == 0) return false;
            ++dots;
            digits = 0;
        } else if (c >= '0' && c <= '9') {
            if (++digits > 3) return false;
        } else {
            return false;
        }
    }
    return dots == 3 && digits > 0;
}

// Names never contain ':'; an IPv6 reference always does (RFC 3261 §25.1 IPv6reference).
bool isIpv6Literal(std::string_view h) {
    return h.find(':') != std::string_view::npos && std::all_of(h.begin(), h.end(), [](char c) {
               return c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                      (c >= 'A' && c <= 'F');
           });
}

std::uint16_t defaultPortFor(SipTransport t) {
    return t == SipTransport::Tls ? 5061 : 5060;  // RFC 3261 §19.1.2
}

// RFC 3263 §4.1 NAPTR services: SIP+D2U, SIP+D2T, SIPS+D2T (case-insensitive, RFC 3403 §4.1).
std::optional<SipTransport> naptrTransport(std::string_view services, bool sips) {
    const std::string s = lowered(services);
    if (s == "sips+d2t") return SipTransport::Tls;
    if (sips) return std::nullopt;  // §4.1: a SIPS URI only takes SIPS+D2T
    if (s == "sip+d2u") return SipTransport::Udp;
    if (s == "sip+d2t") return SipTransport::Tcp;
    return std::nullopt;
}

std::string srvName(SipTransport t, std::string_view host) {
    switch (t) {
        case SipTransport::Tls:
            return "_sips._tcp." + std::string(host);
        case SipTransport::Tcp:
            return "_sip._tcp." + std::string(host);
        case SipTransport::Udp:
            break;
    }
    return "_sip._udp." + std::string(host);
}

}  // namespace

std::string_view transportName(SipTransport t) noexcept {
    switch (t) {
        case SipTransport::Udp:
            return "udp";
        case SipTransport::Tcp:
            return "tcp";
        case SipTransport::Tls:
            return "tls";
    }
    return "udp";
}

ServerLocator::ServerLocator(LocateInput input, RandomFn random)
    : m_in(std::move(input)), m_random(std::move(random)) {
    std::string& host = m_in.host;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (isIpv4Literal(host) || isIpv6Literal(host)) {
        // §4.1: a numeric IP address uses the transport param or the scheme's default; §4.2:
        // the port given, else the transport's default. No DNS.
        const SipTransport t = defaultTransport();
        m_targets.push_back(
            LocatedTarget{t, host, host, m_in.port.value_or(defaultPortFor(t)), "literal"});
        m_phase = Phase::Done;
    } else if (m_in.port) {
        // §4.2: an explicit port means A/AAAA lookups only, no SRV.
        m_hostSteps.push_back(HostStep{host, *m_in.port, defaultTransport(), "a"});
        m_phase = Phase::Address;
    } else if (m_in.transport) {
        // §4.1: a transport parameter skips NAPTR; §4.2: its SRV record gives host and port.
        m_srvSteps.push_back(SrvStep{srvName(*m_in.transport, host), *m_in.transport, "srv"});
        m_phase = Phase::Srv;
    } else {
        m_phase = Phase::Naptr;
    }
    advance();
}

ServerLocator::Key ServerLocator::keyOf(std::string_view name, RrType type) {
    return Key{lowered(name), static_cast<std::uint16_t>(type)};
}

// Follows CNAME aliases between entries; nullopt when the chain is too long (or loops).
std::optional<ServerLocator::Key> ServerLocator::resolve(Key key) const {
    for (std::size_t hops = 0; hops <= kMaxCnameHops; ++hops) {
        const auto it = m_cache.find(key);
        if (it == m_cache.end() || it->second.alias.empty()) return key;
        key.first = lowered(it->second.alias);
    }
    return std::nullopt;
}

const ServerLocator::Entry* ServerLocator::entryFor(std::string_view name, RrType type) const {
    const auto key = resolve(keyOf(name, type));
    if (!key) return nullptr;
    const auto it = m_cache.find(*key);
    return it == m_cache.end() ? nullptr : &it->second;
}

std::vector<ServerLocator::Key> ServerLocator::needs() const {
    std::vector<Key> out;
    switch (m_phase) {
        case Phase::Naptr:
            out.push_back(keyOf(m_in.host, RrType::Naptr));
            break;
        case Phase::Srv:
            for (const auto& s : m_srvSteps) out.push_back(keyOf(s.name, RrType::Srv));
            break;
        case Phase::Address:
            for (const auto& h : m_hostSteps) {
                out.push_back(keyOf(h.host, RrType::A));
                out.push_back(keyOf(h.host, RrType::Aaaa));
            }
            break;
        case Phase::Done:
            break;
    }
    return out;
}

std::vector<Question> ServerLocator::takeQueries() {
    std::vector<Question> out;
    // Entries closed here (too long a chain, too many lookups) may end the phase, whose
    // successor then has queries of its own: a few rounds, each a phase further.
    for (int round = 0; round < 4 && out.empty() && !done(); ++round) {
        collectQueries(out);
        advance();
    }
    return out;
}

void ServerLocator::collectQueries(std::vector<Question>& out) {
    for (const Key& need : needs()) {
        const auto key = resolve(need);
        if (!key) {
            noteLongChain(need);
            continue;
        }
        if (m_cache[*key].answered || m_asked.count(*key) != 0) continue;
        if (m_asked.size() >= kMaxQueries) {
            m_cache[*key].answered = true;
            m_failures.push_back("DNS: more than " + std::to_string(kMaxQueries) +
                                 " lookups needed");
            continue;
        }
        m_asked.insert(*key);
        out.push_back(Question{key->first, key->second, kClassIn});
    }
}

void ServerLocator::onResponse(const Question& asked, const Message& response) {
    const Key key{lowered(asked.name), asked.type};
    Entry entry;
    entry.answered = true;
    if (response.header.rcode == static_cast<std::uint8_t>(Rcode::NxDomain)) {
        entry.nxdomain = true;
    } else if (response.header.rcode != static_cast<std::uint8_t>(Rcode::NoError)) {
        m_failures.push_back("DNS: " + rcodeName(response.header.rcode) + " for " + asked.name +
                             " " + rrTypeName(asked.type));
    }
    // RFC 1034 §3.6.2: the answer may be a CNAME chain ending in the records asked for.
    std::string name = asked.name;
    for (std::size_t hops = 0; hops <= kMaxCnameHops; ++hops) {
        for (const auto& rr : response.answers)
            if (rr.type == asked.type && sameName(rr.name, name)) entry.records.push_back(rr.data);
        if (!entry.records.empty()) break;
        const auto cname = std::find_if(
            response.answers.begin(), response.answers.end(), [&](const ResourceRecord& rr) {
                return rr.type == static_cast<std::uint16_t>(RrType::Cname) &&
                       sameName(rr.name, name);
            });
        if (cname == response.answers.end()) break;
        name = std::get_if<NameData>(&cname->data) ? std::get<NameData>(cname->data).name : "";
        if (name.empty()) break;
    }
    // The chain ended without the records: resolve() leads the next query to its end.
    if (entry.records.empty() && !entry.nxdomain && !sameName(name, asked.name)) entry.alias = name;
    m_cache[key] = std::move(entry);
    // §4.1, §4.2: SRV, A and AAAA records in the additional section save queries.
    std::map<Key, std::vector<RData>> extra;
    for (const auto* section : {&response.answers, &response.additional})
        for (const auto& rr : *section) {
            const auto t = static_cast<RrType>(rr.type);
            if (t != RrType::Srv && t != RrType::A && t != RrType::Aaaa) continue;
            extra[keyOf(rr.name, t)].push_back(rr.data);
        }
    for (auto& [k, records] : extra) {
        Entry& e = m_cache[k];
        if (e.answered || m_asked.count(k) != 0) continue;
        e.answered = true;
        e.records = std::move(records);
    }
    advance();
}

// The alias chain from `need` is too long or loops: that lookup ends without records.
void ServerLocator::noteLongChain(const Key& need) {
    std::string why = "DNS: CNAME chain of " + need.first + " is too long";
    if (std::find(m_failures.begin(), m_failures.end(), why) == m_failures.end())
        m_failures.push_back(std::move(why));
}

void ServerLocator::onNoAnswer(const Question& asked, std::string why) {
    Entry& e = m_cache[Key{lowered(asked.name), asked.type}];
    e.answered = true;
    m_failures.push_back(std::move(why));
    advance();
}

void ServerLocator::advance() {
    for (int guard = 0; guard < 8 && m_phase != Phase::Done; ++guard) {
        for (const Key& need : needs()) {
            const auto key = resolve(need);
            if (!key) noteLongChain(need);
            if (key && !m_cache[*key].answered) return;  // still waiting
        }
        switch (m_phase) {
            case Phase::Naptr:
                afterNaptr();
                break;
            case Phase::Srv:
                afterSrv();
                break;
            case Phase::Address:
                afterAddress();
                break;
            case Phase::Done:
                break;
        }
    }
}

void ServerLocator::afterNaptr() {
    const Entry* e = entryFor(m_in.host, RrType::Naptr);
    if (e && e->nxdomain) {
        // RFC 8020 §2: nothing exists at or below a name that does not exist; no SRV or A.
        finish("DNS: " + m_in.host + " does not exist (NXDOMAIN)");
        return;
    }
    std::vector<NaptrData> usable;
    for (const RData& d : e ? e->records : std::vector<RData>{}) {
        const auto* n = std::get_if<NaptrData>(&d);
        // §4.1: only the "s" flag (an SRV lookup comes next) and the SIP D2x services.
        if (!n || lowered(n->flags) != "s" || n->replacement.empty()) continue;
        const auto t = naptrTransport(n->services, m_in.sips);
        if (t && supports(*t)) usable.push_back(*n);
    }
    // RFC 3403 §4.1: lowest order first, then lowest preference.
    std::stable_sort(usable.begin(), usable.end(), [](const NaptrData& a, const NaptrData& b) {
        return a.order != b.order ? a.order < b.order : a.preference < b.preference;
    });
    if (usable.size() > kMaxNaptrUsed) usable.resize(kMaxNaptrUsed);
    for (const auto& n : usable)
        m_srvSteps.push_back(
            SrvStep{n.replacement, *naptrTransport(n.services, m_in.sips), "naptr"});
    if (m_srvSteps.empty()) srvGuesses();
    m_phase = m_srvSteps.empty() ? Phase::Address : Phase::Srv;
    if (m_srvSteps.empty()) addressFallback();
}

// §4.1: without NAPTR, SRV queries for the transports we support.
void ServerLocator::srvGuesses() {
    for (SipTransport t : {SipTransport::Tls, SipTransport::Tcp, SipTransport::Udp}) {
        if (!supports(t) || (m_in.sips && t != SipTransport::Tls)) continue;
        m_srvSteps.push_back(SrvStep{srvName(t, m_in.host), t, "srv"});
    }
}

void ServerLocator::afterSrv() {
    for (const SrvStep& step : m_srvSteps) {
        const Entry* e = entryFor(step.name, RrType::Srv);
        std::vector<SrvData> records;
        for (const RData& d : e ? e->records : std::vector<RData>{})
            if (const auto* s = std::get_if<SrvData>(&d)) records.push_back(*s);
        for (const SrvData& s : orderSrv(std::move(records))) {
            // RFC 2782: a Target of "." means the service is decidedly not available here.
            if (s.target.empty()) {
                m_srvDeclined = true;
                continue;
            }
            if (m_hostSteps.size() < kMaxSrvTargets)
                m_hostSteps.push_back(HostStep{s.target, s.port, step.transport, step.how});
        }
    }
    if (m_hostSteps.empty() && m_srvDeclined) {
        finish("DNS: the SRV records of " + m_in.host + " say SIP is not available there");
        return;
    }
    m_phase = Phase::Address;
    if (m_hostSteps.empty()) addressFallback();
}

// §4.2: no SRV records: the host's A/AAAA records, default transport (§4.1) and port.
void ServerLocator::addressFallback() {
    const SipTransport t = m_in.transport.value_or(defaultTransport());
    m_hostSteps.push_back(HostStep{m_in.host, m_in.port.value_or(defaultPortFor(t)), t, "a"});
    m_phase = Phase::Address;
}

void ServerLocator::afterAddress() {
    bool hostMissing = false;
    for (const HostStep& h : m_hostSteps) {
        for (RrType type : {RrType::A, RrType::Aaaa}) {
            const Entry* e = entryFor(h.host, type);
            if (!e) continue;
            hostMissing = hostMissing || (e->nxdomain && sameName(h.host, m_in.host));
            for (const RData& d : e->records) {
                std::string address;
                if (const auto* a = std::get_if<Ipv4Data>(&d)) address = addressText(*a);
                if (const auto* a6 = std::get_if<Ipv6Data>(&d)) address = addressText(*a6);
                if (!address.empty())
                    m_targets.push_back(LocatedTarget{h.transport, h.host, address, h.port, h.how});
            }
        }
    }
    if (!m_targets.empty()) {
        finish({});
    } else if (hostMissing) {
        finish("DNS: " + m_in.host + " does not exist (NXDOMAIN)");
    } else if (!m_failures.empty()) {
        finish(m_failures.front());
    } else {
        finish("DNS: " + m_in.host + " has no " + (m_in.port ? "A/AAAA" : "SRV/A/AAAA") +
               " records");
    }
}

void ServerLocator::finish(std::string error) {
    m_error = std::move(error);
    m_phase = Phase::Done;
}

// RFC 2782 "Usage rules": lowest priority first; within a priority, weighted random order, the
// weight-0 records placed first so they are picked only when the random value is 0.
std::vector<SrvData> ServerLocator::orderSrv(std::vector<SrvData> records) {
    std::stable_sort(records.begin(), records.end(),
                     [](const SrvData& a, const SrvData& b) { return a.priority < b.priority; });
    std::vector<SrvData> out;
    for (std::size_t begin = 0; begin < records.size();) {
        std::size_t end = begin;
        while (end < records.size() && records[end].priority == records[begin].priority) ++end;
        std::vector<SrvData> group(records.begin() + static_cast<std::ptrdiff_t>(begin),
                                   records.begin() + static_cast<std::ptrdiff_t>(end));
        std::stable_partition(group.begin(), group.end(),
                              [](const SrvData& s) { return s.weight == 0; });
        while (!group.empty()) {
            std::uint64_t sum = 0;
            for (const auto& s : group) sum += s.weight;
            const std::uint64_t pick = m_random ? m_random() % (sum + 1) : 0;
            std::uint64_t running = 0;
            std::size_t chosen = group.size() - 1;
            for (std::size_t i = 0; i < group.size(); ++i) {
                running += group[i].weight;
                if (running >= pick) {
                    chosen = i;
                    break;
                }
            }
            out.push_back(group[chosen]);
            group.erase(group.begin() + static_cast<std::ptrdiff_t>(chosen));
        }
        begin = end;
    }
    return out;
}

bool ServerLocator::supports(SipTransport t) const {
    return std::find(m_in.supported.begin(), m_in.supported.end(), t) != m_in.supported.end();
}

// §4.1: the transport parameter, else TLS for a SIPS URI, else UDP.
SipTransport ServerLocator::defaultTransport() const {
    if (m_in.transport) return *m_in.transport;
    return m_in.sips ? SipTransport::Tls : SipTransport::Udp;
}

}  // namespace sipscope::stack::dns
