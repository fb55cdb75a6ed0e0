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

// What a client session checks: the server `name` (a host name gets SNI and a DNS name check,
// an IP literal an IP address check) when `verify`.
struct TlsClientParams {
    SSL_CTX* ctx = nullptr;
    std::string name;
    bool verify = true;
};

// A client session on the connected socket `fd`, or a server session; the handshake is not
// started. nullptr and `error` set when OpenSSL cannot create it.
SslPtr newClientSession(const TlsClientParams& params, int fd, std::string& error);
SslPtr newServerSession(SSL_CTX* ctx, int fd, std::string& error);

// One non-blocking step of the handshake (SSL_connect / SSL_accept, as the session was made):
// Done, or the socket event it waits for, or Failed with `error` naming the cause (name
// mismatch, expired, self-signed or unknown CA when `verifyName` is set, handshake failure).
enum class HandshakeStep { Done, WantRead, WantWrite, Failed };
HandshakeStep stepHandshake(SSL* ssl, const std::string& verifyName, std::string& error);

// The message for a failed X.509 verification result (X509_V_ERR_*).
std::string verifyErrorMessage(long verifyResult, const std::string& name);

}  // namespace sipscope::stack::net
