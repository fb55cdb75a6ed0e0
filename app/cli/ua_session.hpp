#pragma once
// What the active commands (call, options, register, listen) share: their common options, the
// next hop from the target URI, and one event loop + transports + transaction layer (+ the
// --db recorder and the --trace writer) wired together.

#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/digest.hpp"
#include "commands.hpp"
#include "transport/event_loop.hpp"
#include "transport/transport.hpp"
#include "ua/request_factory.hpp"
#include "ua/sip_endpoint.hpp"
#include "ua_recorder.hpp"
#include "ua_trace.hpp"

namespace sipscope::cli {

struct UaCommonOptions {
    std::string uri;  // the target (call, options, register)
    std::optional<stack::net::Protocol> transport;
    std::string from;
    std::optional<stack::auth::Credentials> credentials;
    std::string authUser, password;
    std::string db;
    std::string trace;  // --trace FILE, "-" for standard error ("": none)
    stack::net::TlsOptions tls;
    stack::TimerConfig timers;
    std::string bind;  // local address to bind ("" = any of the target's family)
    std::uint16_t localPort = 0;
    stack::Duration connectTimeout{5000};  // TCP connect + TLS handshake (--connect-timeout)
    std::vector<stack::net::SockAddr> dnsServers;  // --dns-server (RFC 3263 lookups)
};

// One option of the common set at args[i] (advancing i past its value). 1: consumed, 0: not a
// common option, -1: bad value (`error` says why).
int parseCommonOption(const Args& args, std::size_t& i, UaCommonOptions& o, std::string& error);

// --wav FILE: the file's audio as 8 kHz samples for RtpSession; nullptr and `error` (naming the
// file, the format or the byte offset) when it cannot be used.
std::shared_ptr<const std::vector<std::int16_t>> loadCallAudio(const std::string& path,
                                                               std::string& error);

// The common options' help text.
extern const char* const kUaCommonHelp;

class UaSession {
  public:
    UaSession();
    ~UaSession();

    // Resolves the target URI (when `needTarget`), opens the transports and the recorder.
    bool open(const UaCommonOptions& options, bool needTarget, const std::string& description,
              std::string& error);

    stack::net::EventLoop& loop() noexcept { return m_loop; }
    stack::net::TransportLayer& transport() noexcept { return *m_transport; }
    stack::ua::SipEndpoint& endpoint() noexcept { return *m_endpoint; }
    const stack::ua::Target& target() const noexcept { return m_target; }
    // How the target was found: "naptr", "srv", "a", "literal", "getaddrinfo" ("" without one).
    const std::string& targetHow() const noexcept { return m_targetHow; }
    // RFC 3263 §4.3: the next hops after target(), in order, for a request that fails there.
    std::vector<stack::ua::Target> alternates() const;
    // The hop the `tried`-th send went to (1: target()); nullptr without a target.
    const stack::ua::NextHop* hopTried(int tried) const;
    std::string fromUri() const;
    UaRecorder& recorder() noexcept { return m_recorder; }

    // Runs the loop until `done()` or SIGINT/SIGTERM or `limit`; false when interrupted or
    // out of time.
    template <class Done>
    bool runUntil(Done done, stack::Duration limit) {
        const auto end = m_loop.now() + limit;
        while (!done()) {
            if (interrupted() || m_loop.now() >= end) return false;
            m_loop.runOnce(stack::Duration{100});
        }
        return true;
    }
    static bool interrupted() noexcept;
    static void installSignalHandlers();

  private:
    // RFC 3263 §4.3: the first hop that takes a connection (UDP hops are taken as they come).
    bool chooseTarget(const std::vector<stack::ua::NextHop>& hops, std::string& error);
    // A UDP socket for each other address family among the alternates (dropping the UDP hops
    // of a family that cannot have one).
    void openAlternateFamilies();

    UaCommonOptions m_options;
    stack::net::EventLoop m_loop;
    std::unique_ptr<stack::net::TransportLayer> m_transport;
    std::unique_ptr<stack::ua::SipEndpoint> m_endpoint;
    stack::ua::Target m_target;
    std::string m_targetHow;
    std::vector<stack::ua::NextHop> m_hops;  // the chosen hop first, then the alternates
    UaRecorder m_recorder;
    UaTrace m_trace;
};

}  // namespace sipscope::cli
