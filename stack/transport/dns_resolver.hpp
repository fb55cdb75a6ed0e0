#pragma once
// A small stub resolver for RFC 3263 server location: it sends the ServerLocator's queries over
// UDP to the nameservers of /etc/resolv.conf (or the caller's list), matches each reply by id,
// source and question (RFC 5452 §4.2), retries over TCP when the reply is truncated (RFC 1035
// §4.2.1, RFC 7766 §5) and bounds every wait: a timeout per attempt, `attempts` rounds over the
// servers and a limit on the whole lookup. It blocks (poll() with timeouts): it runs before the
// user agent's event loop starts.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/dns_message.hpp"
#include "dns/rfc3263.hpp"
#include "transport/address.hpp"

namespace sipscope::stack::net {

struct DnsConfig {
    std::vector<SockAddr> servers;
    std::chrono::milliseconds timeout{2000};  // per attempt and server (resolv.conf timeout:)
    int attempts = 2;                         // rounds over the servers (resolv.conf attempts:)
    std::chrono::milliseconds totalLimit{10000};
};

// "192.0.2.1", "192.0.2.1:5353", "::1", "[::1]:5353" (port 53 when absent); nullopt otherwise.
std::optional<SockAddr> parseDnsServer(std::string_view text);
// resolv.conf(5): `nameserver ADDR` lines and `options timeout:N attempts:N` (capped at 30 s
// and 5 attempts); other lines are ignored.
DnsConfig parseResolvConf(std::string_view text);
// parseResolvConf of the file; no servers when it cannot be read.
DnsConfig systemDnsConfig(const std::string& path = "/etc/resolv.conf");

struct DnsReply {
    std::optional<dns::Message> message;
    std::string error;  // set when there is no message
};

class DnsResolver {
  public:
    DnsResolver(DnsConfig config, std::function<std::uint64_t()> random);
    ~DnsResolver();
    DnsResolver(const DnsResolver&) = delete;
    DnsResolver& operator=(const DnsResolver&) = delete;

    // Asks every question (in parallel over UDP); one reply or error per question, in order.
    std::vector<DnsReply> ask(const std::vector<dns::Question>& questions);
    // Drives `locator` to the end within config.totalLimit.
    void run(dns::ServerLocator& locator);
    // Whether any server answered any query (false: none is reachable).
    bool anyAnswer() const noexcept { return m_anyAnswer; }

  private:
    using Clock = std::chrono::steady_clock;
    struct Pending;
    int socketFor(const SockAddr& server, std::string& error);
    // False when the server refused (ICMP port unreachable on the connected socket).
    bool receive(int fd, const SockAddr& server, std::vector<Pending>& pending,
                 Clock::time_point attemptEnd);
    DnsReply overTcp(const SockAddr& server, const Pending& p, Clock::time_point end);
    std::string timeoutText() const;
    static std::string refusedText(const std::vector<SockAddr>& refused);

    DnsConfig m_config;
    std::function<std::uint64_t()> m_random;
    // One connected UDP socket per server: the kernel drops datagrams from anyone else (RFC 5452
    // §9.1) and reports an ICMP port unreachable as ECONNREFUSED instead of a silent timeout.
    std::map<SockAddr, int> m_udp;
    Clock::time_point m_deadline;
    bool m_anyAnswer = false;
    std::string m_deadError;  // once nothing answered at all, later queries fail at once
};

}  // namespace sipscope::stack::net
