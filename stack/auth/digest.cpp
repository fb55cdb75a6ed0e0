#include "auth/digest.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "message/header_id.hpp"
#include "message/sip_message.hpp"
#include "syntax/char_class.hpp"

namespace sipscope::stack::auth {

namespace {

bool isSess(DigestAlgorithm a) noexcept {
    return a == DigestAlgorithm::Md5Sess || a == DigestAlgorithm::Sha256Sess;
}

std::string hexOf(const unsigned char* data, unsigned int len) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(kHex[data[i] >> 4]);
        out.push_back(kHex[data[i] & 0xf]);
    }
    return out;
}

// RFC 2617 §1.2 quoted-string: a backslash escapes '"' and '\'.
std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

// RFC 7616 §3.3: qop-options is a quoted comma-separated list; we answer "auth" only.
std::optional<std::string> chooseQop(const AuthValue& challenge) {
    const auto qop = challenge.param("qop");
    if (!qop) return std::string();  // RFC 2069 compatibility: no qop
    std::string_view rest = *qop;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (syntax::iequals(item, "auth")) return std::string("auth");
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return std::nullopt;  // auth-int only: we do not hash bodies
}

int preference(DigestAlgorithm a) noexcept {
    return (a == DigestAlgorithm::Sha256 || a == DigestAlgorithm::Sha256Sess) ? 2 : 1;
}

}  // namespace

std::optional<DigestAlgorithm> parseAlgorithm(std::string_view token) noexcept {
    using syntax::iequals;
    if (iequals(token, "MD5")) return DigestAlgorithm::Md5;
    if (iequals(token, "MD5-sess")) return DigestAlgorithm::Md5Sess;
    if (iequals(token, "SHA-256")) return DigestAlgorithm::Sha256;
    if (iequals(token, "SHA-256-sess")) return DigestAlgorithm::Sha256Sess;
    return std::nullopt;
}

std::string_view algorithmName(DigestAlgorithm a) noexcept {
    switch (a) {
        case DigestAlgorithm::Md5:
            return "MD5";
        case DigestAlgorithm::Md5Sess:
            return "MD5-sess";
        case DigestAlgorithm::Sha256:
            return "SHA-256";
        case DigestAlgorithm::Sha256Sess:
            return "SHA-256-sess";
    }
    return "MD5";
}

std::string digestHex(DigestAlgorithm a, std::string_view data) {
    const EVP_MD* md = preference(a) == 2 ? EVP_sha256() : EVP_md5();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) return {};
    return hexOf(out, len);
}

std::string formatNonceCount(std::uint32_t nc) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(nc));
    return buf;
}

std::string computeResponse(const DigestInput& in) {
    const auto h = [&](const std::string& s) { return digestHex(in.algorithm, s); };
    // RFC 2617 §3.2.2.2: A1 = user ":" realm ":" password; -sess appends nonce and cnonce to
    // its hash.
    std::string ha1 = h(in.username + ":" + in.realm + ":" + in.password);
    if (isSess(in.algorithm)) ha1 = h(ha1 + ":" + in.nonce + ":" + in.cnonce);
    // RFC 2617 §3.2.2.3: A2 = method ":" digest-uri (qop=auth or none).
    const std::string ha2 = h(in.method + ":" + in.uri);
    if (in.qop.empty()) return h(ha1 + ":" + in.nonce + ":" + ha2);
    return h(ha1 + ":" + in.nonce + ":" + formatNonceCount(in.nonceCount) + ":" + in.cnonce + ":" +
             in.qop + ":" + ha2);
}

DigestClient::DigestClient(Credentials credentials, RandomSource random)
    : m_credentials(std::move(credentials)), m_random(std::move(random)) {}

Result<std::string> DigestClient::answerOne(const AuthValue& challenge, std::string_view method,
                                            std::string_view requestUri) {
    if (!challenge.isDigest())
        return makeError(ErrorCode::BadHeaderValue, 0, "not a Digest challenge");
    const auto algorithm = parseAlgorithm(challenge.algorithm());
    if (!algorithm)
        return makeError(ErrorCode::BadHeaderValue, 0,
                         "unsupported digest algorithm " + challenge.algorithm());
    const auto qop = chooseQop(challenge);
    if (!qop) return makeError(ErrorCode::BadHeaderValue, 0, "qop offers no \"auth\"");
    DigestInput in;
    in.algorithm = *algorithm;
    in.username = m_credentials.username;
    in.password = m_credentials.password;
    in.realm = challenge.realm();
    in.nonce = challenge.nonce();
    in.method = std::string(method);
    in.uri = std::string(requestUri);
    in.qop = *qop;
    if (!in.qop.empty() || isSess(in.algorithm)) {
        const std::uint64_t r = m_random ? m_random() : 0;
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(r));
        in.cnonce = buf;
    }
    // RFC 2617 §3.2.2: nc counts the requests sent with this nonce, starting at 1.
    if (!in.qop.empty()) in.nonceCount = ++m_nonceCounts[in.nonce];

    std::string v = "Digest username=" + quote(in.username) + ", realm=" + quote(in.realm) +
                    ", nonce=" + quote(in.nonce) + ", uri=" + quote(in.uri) +
                    ", response=" + quote(computeResponse(in)) +
                    ", algorithm=" + std::string(algorithmName(in.algorithm));
    if (!in.cnonce.empty()) v += ", cnonce=" + quote(in.cnonce);
    // RFC 2617 §3.2.2: opaque is echoed unchanged.
    if (const auto opaque = challenge.param("opaque")) v += ", opaque=" + quote(*opaque);
    if (!in.qop.empty()) v += ", qop=" + in.qop + ", nc=" + formatNonceCount(in.nonceCount);
    return v;
}

ChallengeAnswer DigestClient::answer(const SipMessage& response, std::string_view method,
                                     std::string_view requestUri) {
    ChallengeAnswer out;
    const bool proxy = response.status() == 407;
    const HeaderId id = proxy ? HeaderId::ProxyAuthenticate : HeaderId::WwwAuthenticate;
    // Per realm, the best challenge we can answer (RFC 8760 §2.4: most preferred first).
    std::map<std::string, std::pair<int, AuthValue>> best;
    for (const auto& h : response.headers()) {
        if (h.id != id) continue;
        auto parsed = AuthValue::parse(h.value);
        if (!parsed.ok() || !parsed->isDigest()) continue;
        const auto alg = parseAlgorithm(parsed->algorithm());
        if (!alg || !chooseQop(*parsed)) continue;
        auto& slot = best[parsed->realm()];
        if (preference(*alg) > slot.first) slot = {preference(*alg), *parsed};
    }
    if (best.empty()) {
        out.error = "no Digest challenge with a supported algorithm and qop";
        return out;
    }
    bool allStale = true;
    for (auto& [realm, choice] : best) {
        out.realm = realm;
        const AuthValue& challenge = choice.second;
        // RFC 2617 §3.2.1: stale=TRUE means the credentials were right and only the nonce
        // expired: retry with the new nonce, it is not a refusal.
        if (!challenge.stale()) {
            allStale = false;
            // RFC 3261 §22.2: a second challenge for a realm we already answered means the
            // credentials were refused; give up after two refusals.
            if (++m_realmFailures[realm] > 2) {
                out.verdict = ChallengeVerdict::GiveUp;
                out.error = "credentials refused twice for realm \"" + realm + "\"";
                out.headers.clear();
                return out;
            }
        }
        auto value = answerOne(challenge, method, requestUri);
        if (!value.ok()) continue;
        out.headers.push_back(AuthorizationHeader{proxy, std::move(value.value())});
    }
    if (out.headers.empty()) {
        out.error = "no challenge could be answered";
        return out;
    }
    out.verdict = allStale ? ChallengeVerdict::Stale : ChallengeVerdict::Answer;
    ++m_rounds;  // every answered challenge is a round; only non-stale ones are refusals
    return out;
}

}  // namespace sipscope::stack::auth
