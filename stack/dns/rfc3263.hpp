#pragma once
// Locating SIP servers (RFC 3263 §4) as a sans-I/O procedure: it says which DNS queries it needs,
// is fed the decoded responses (or "no answer"), and ends with an ordered list of targets
// (transport, address, port) to try in turn (§4.3). No sockets and no clock: the caller sends the
// queries (stack/transport/dns_resolver) and the random source for RFC 2782 weights is injected.
//
// Order of work: a numeric host is used as is; an explicit port or ;transport= skips NAPTR (§4.1);
// else NAPTR (RFC 3403) -> SRV (RFC 2782) -> A/AAAA, falling back to SRV queries of our own
// (_sips._tcp, _sip._tcp, _sip._udp, in that order of preference) when there is no usable NAPTR,
// and to A/AAAA on the host with the default transport and port when there is no SRV either.
// Records in the additional section are used instead of asking again; CNAMEs are followed up
// to kMaxCnameHops. Addresses of one host are listed A first, then AAAA.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dns/dns_message.hpp"

namespace sipscope::stack::dns {

enum class SipTransport : std::uint8_t { Udp, Tcp, Tls };

std::string_view transportName(SipTransport t) noexcept;  // "udp", "tcp", "tls"

struct LocateInput {
    std::string host;  // the URI host; an IPv6 reference may keep its brackets
    std::optional<std::uint16_t> port;
    std::optional<SipTransport> transport;  // ;transport= (or the user's explicit choice)
    bool sips = false;
    std::vector<SipTransport> supported{SipTransport::Udp, SipTransport::Tcp, SipTransport::Tls};
};

struct LocatedTarget {
    SipTransport transport = SipTransport::Udp;
    std::string host;     // the name the address belongs to (SRV target or URI host)
    std::string address;  // an IPv4 or IPv6 literal, no brackets
    std::uint16_t port = 0;
    std::string how;  // "naptr", "srv", "a" or "literal"
};

// Uniform 64-bit values; RFC 2782 selection takes them modulo the weight sum.
using RandomFn = std::function<std::uint64_t()>;

inline constexpr std::size_t kMaxCnameHops = 8;
inline constexpr std::size_t kMaxQueries = 48;
inline constexpr std::size_t kMaxNaptrUsed = 8;
inline constexpr std::size_t kMaxSrvTargets = 16;

class ServerLocator {
  public:
    ServerLocator(LocateInput input, RandomFn random);

    // The queries to send now; each is handed out once. Empty when done() or while waiting.
    std::vector<Question> takeQueries();
    // The response to `asked` (the resolver matched id and question).
    void onResponse(const Question& asked, const Message& response);
    // No usable response to `asked` (timeouts, unreachable servers): `why` is kept for error().
    void onNoAnswer(const Question& asked, std::string why);

    bool done() const noexcept { return m_phase == Phase::Done; }
    const std::vector<LocatedTarget>& targets() const noexcept { return m_targets; }
    // Why there are no targets (set once done() and targets() is empty).
    const std::string& error() const noexcept { return m_error; }

  private:
    using Key = std::pair<std::string, std::uint16_t>;  // lower-case name, type
    struct Entry {
        bool answered = false;
        bool nxdomain = false;
        std::string alias;  // the CNAME target still to be asked for
        std::vector<RData> records;
    };
    struct SrvStep {
        std::string name;
        SipTransport transport;
        const char* how;
    };
    struct HostStep {
        std::string host;
        std::uint16_t port;
        SipTransport transport;
        const char* how;
    };
    enum class Phase { Naptr, Srv, Address, Done };

    static Key keyOf(std::string_view name, RrType type);
    std::optional<Key> resolve(Key key) const;
    const Entry* entryFor(std::string_view name, RrType type) const;
    std::vector<Key> needs() const;
    void collectQueries(std::vector<Question>& out);
    void noteLongChain(const Key& need);
    void advance();
    void afterNaptr();
    void afterSrv();
    void afterAddress();
    void srvGuesses();
    void addressFallback();
    void finish(std::string error);
    std::vector<SrvData> orderSrv(std::vector<SrvData> records);
    bool supports(SipTransport t) const;
    SipTransport defaultTransport() const;

    LocateInput m_in;
    RandomFn m_random;
    Phase m_phase = Phase::Naptr;
    std::map<Key, Entry> m_cache;
    std::set<Key> m_asked;
    std::vector<SrvStep> m_srvSteps;
    std::vector<HostStep> m_hostSteps;
    std::vector<LocatedTarget> m_targets;
    std::vector<std::string> m_failures;
    bool m_srvDeclined = false;
    std::string m_error;
};

}  // namespace sipscope::stack::dns
