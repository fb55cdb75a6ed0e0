#include "transport/tls.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <chrono>

#include "transport/address.hpp"

namespace sipscope::stack::net {

namespace {

std::string opensslError() {
    const unsigned long e = ERR_get_error();
    if (e == 0) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

bool loadCertificate(SSL_CTX* ctx, const TlsOptions& options, std::string& error) {
    if (options.certFile.empty()) return true;
    const std::string key = options.keyFile.empty() ? options.certFile : options.keyFile;
    if (SSL_CTX_use_certificate_chain_file(ctx, options.certFile.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
        error = "cannot load certificate " + options.certFile + ": " + opensslError();
        return false;
    }
    return true;
}

// Drives SSL_connect / SSL_accept on a non-blocking socket until done or `timeout`.
template <class Step>
bool handshake(SSL* ssl, int fd, Duration timeout, Step step, std::string& error) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        ERR_clear_error();
        const int rc = step(ssl);
        if (rc == 1) return true;
        const int why = SSL_get_error(ssl, rc);
        short events = 0;
        if (why == SSL_ERROR_WANT_READ) events = POLLIN;
        if (why == SSL_ERROR_WANT_WRITE) events = POLLOUT;
        if (events == 0) {
            error = "TLS handshake failed: " + opensslError();
            return false;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            error = "TLS handshake timed out";
            return false;
        }
        pollfd p{fd, events, 0};
        ::poll(&p, 1, static_cast<int>(left.count()));
    }
}

}  // namespace

SslCtxPtr makeClientContext(const TlsOptions& options, std::string& error) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) {
        error = "cannot create TLS context: " + opensslError();
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    if (!options.insecure) {
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
        const bool loaded =
            options.caFile.empty()
                ? SSL_CTX_set_default_verify_paths(ctx.get()) == 1
                : SSL_CTX_load_verify_locations(ctx.get(), options.caFile.c_str(), nullptr) == 1;
        if (!loaded) {
            error = "cannot load CA certificates " + options.caFile + ": " + opensslError();
            return nullptr;
        }
    }
    if (!loadCertificate(ctx.get(), options, error)) return nullptr;
    return ctx;
}

SslCtxPtr makeServerContext(const TlsOptions& options, std::string& error) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) {
        error = "cannot create TLS context: " + opensslError();
        return nullptr;
    }
    if (options.certFile.empty()) {
        error = "a TLS server needs a certificate";
        return nullptr;
    }
    if (!loadCertificate(ctx.get(), options, error)) return nullptr;
    return ctx;
}

std::string verifyErrorMessage(long result, const std::string& name) {
    const std::string detail = X509_verify_cert_error_string(result);
    switch (result) {
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return "TLS certificate name mismatch: the certificate is not valid for " + name;
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "TLS certificate expired (" + detail + ")";
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "TLS certificate not yet valid (" + detail + ")";
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            return "TLS certificate self-signed and not trusted (" + detail + ")";
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
            return "TLS certificate issued by an unknown CA (" + detail + ")";
        default:
            return "TLS certificate verification failed (" + detail + ")";
    }
}

SslPtr connectTls(SSL_CTX* ctx, int fd, const std::string& name, bool verify, Duration timeout,
                  std::string& error) {
    SslPtr ssl(SSL_new(ctx));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
        error = "cannot create TLS session: " + opensslError();
        return nullptr;
    }
    const bool isIp = SockAddr::fromLiteral(name, 0).valid();
    std::string bare = name;
    if (bare.size() > 2 && bare.front() == '[') bare = bare.substr(1, bare.size() - 2);
    // RFC 6066 §3: SNI carries host names only, never literals.
    if (!isIp) SSL_set_tlsext_host_name(ssl.get(), bare.c_str());
    if (verify) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
        // RFC 5922 §7.1: the server's identity is the host of the URI we connect for.
        if (isIp)
            X509_VERIFY_PARAM_set1_ip_asc(param, bare.c_str());
        else
            SSL_set1_host(ssl.get(), bare.c_str());
    }
    if (!handshake(ssl.get(), fd, timeout, SSL_connect, error)) {
        const long vr = SSL_get_verify_result(ssl.get());
        if (verify && vr != X509_V_OK) error = verifyErrorMessage(vr, bare);
        return nullptr;
    }
    return ssl;
}

SslPtr acceptTls(SSL_CTX* ctx, int fd, Duration timeout, std::string& error) {
    SslPtr ssl(SSL_new(ctx));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
        error = "cannot create TLS session: " + opensslError();
        return nullptr;
    }
    if (!handshake(ssl.get(), fd, timeout, SSL_accept, error)) return nullptr;
    return ssl;
}

}  // namespace sipscope::stack::net
