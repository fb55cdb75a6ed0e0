#pragma once
// TLS for SIP over TCP (RFC 3261 §26.3.1, RFC 5922 §7.1 server identity) with OpenSSL 3:
// certificate verification on by default against the system CA store (or --ca FILE), SNI,
// an optional client certificate, and one clear message per verification failure.

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "core/clock.hpp"

namespace sipscope::stack::net {

struct TlsOptions {
    std::string caFile;             // trust these CAs instead of the system store
    bool insecure = false;          // no verification at all (--insecure)
    std::string certFile, keyFile;  // client certificate (client) or server certificate
};

struct SslCtxDeleter {
    void operator()(SSL_CTX* c) const noexcept { SSL_CTX_free(c); }
};
struct SslDeleter {
    void operator()(SSL* s) const noexcept { SSL_free(s); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

// A client or server context; nullptr and `error` set when the CA file, certificate or key
// cannot be loaded.
SslCtxPtr makeClientContext(const TlsOptions& options, std::string& error);
SslCtxPtr makeServerContext(const TlsOptions& options, std::string& error);

// Runs the client handshake on the connected socket `fd` for the server `name` (a host name
// gets SNI and a DNS name check, an IP literal an IP address check), waiting at most `timeout`.
// nullptr and `error` set on failure, the error naming the cause (name mismatch, expired,
// self-signed or unknown CA, handshake failure).
SslPtr connectTls(SSL_CTX* ctx, int fd, const std::string& name, bool verify, Duration timeout,
                  std::string& error);
SslPtr acceptTls(SSL_CTX* ctx, int fd, Duration timeout, std::string& error);

// The message for a failed X.509 verification result (X509_V_ERR_*).
std::string verifyErrorMessage(long verifyResult, const std::string& name);

}  // namespace sipscope::stack::net
