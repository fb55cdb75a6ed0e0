#include "transport/tls.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

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

SslPtr newClientSession(const TlsClientParams& params, int fd, std::string& error) {
    SslPtr ssl(SSL_new(params.ctx));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
        error = "cannot create TLS session: " + opensslError();
        return nullptr;
    }
    const std::string& name = params.name;
    const bool isIp = SockAddr::fromLiteral(name, 0).valid();
    std::string bare = name;
    if (bare.size() > 2 && bare.front() == '[') bare = bare.substr(1, bare.size() - 2);
    // RFC 6066 §3: SNI carries host names only, never literals.
    if (!isIp) SSL_set_tlsext_host_name(ssl.get(), bare.c_str());
    if (params.verify) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl.get());
        // RFC 5922 §7.1: the server's identity is the host of the URI we connect for.
        if (isIp)
            X509_VERIFY_PARAM_set1_ip_asc(param, bare.c_str());
        else
            SSL_set1_host(ssl.get(), bare.c_str());
    }
    SSL_set_connect_state(ssl.get());
    // Queued messages are written from a buffer that may move between retries.
    SSL_set_mode(ssl.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ssl;
}

SslPtr newServerSession(SSL_CTX* ctx, int fd, std::string& error) {
    SslPtr ssl(SSL_new(ctx));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
        error = "cannot create TLS session: " + opensslError();
        return nullptr;
    }
    SSL_set_accept_state(ssl.get());
    SSL_set_mode(ssl.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ssl;
}

HandshakeStep stepHandshake(SSL* ssl, const std::string& verifyName, std::string& error) {
    ERR_clear_error();
    const int rc = SSL_do_handshake(ssl);
    if (rc == 1) return HandshakeStep::Done;
    const int why = SSL_get_error(ssl, rc);
    if (why == SSL_ERROR_WANT_READ) return HandshakeStep::WantRead;
    if (why == SSL_ERROR_WANT_WRITE) return HandshakeStep::WantWrite;
    error = ERR_peek_error() == 0 && (why == SSL_ERROR_SYSCALL || why == SSL_ERROR_ZERO_RETURN)
                ? "TLS handshake failed: the peer closed the connection"
                : "TLS handshake failed: " + opensslError();
    if (!verifyName.empty()) {
        std::string bare = verifyName;
        if (bare.size() > 2 && bare.front() == '[') bare = bare.substr(1, bare.size() - 2);
        const long vr = SSL_get_verify_result(ssl);
        if (vr != X509_V_OK) error = verifyErrorMessage(vr, bare);
    }
    return HandshakeStep::Failed;
}

}  // namespace sipscope::stack::net
