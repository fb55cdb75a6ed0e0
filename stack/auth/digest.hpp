#pragma once
// HTTP Digest authentication for SIP clients (RFC 3261 §22.4, RFC 2617 §3.2.2, RFC 7616 §3.4,
// RFC 8760 for SHA-256 in SIP): the response to a WWW-Authenticate (401) or
// Proxy-Authenticate (407) challenge and the Authorization / Proxy-Authorization value that
// carries it. Sans-I/O: the client nonce comes from an injected random source.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "message/auth.hpp"
#include "message/sip_message.hpp"

namespace sipscope::stack::auth {

enum class DigestAlgorithm : std::uint8_t { Md5, Md5Sess, Sha256, Sha256Sess };

// RFC 7616 §3.3 / RFC 8760 §2.1: algorithm tokens, case-insensitive; nullopt when unsupported.
std::optional<DigestAlgorithm> parseAlgorithm(std::string_view token) noexcept;
std::string_view algorithmName(DigestAlgorithm a) noexcept;

// Lower-case hex digest of `data` with the algorithm's hash (MD5 or SHA-256).
std::string digestHex(DigestAlgorithm a, std::string_view data);

// Everything that goes into one response computation.
struct DigestInput {
    DigestAlgorithm algorithm = DigestAlgorithm::Md5;
    std::string username, password, realm, nonce, cnonce, method, uri;
    std::string qop;  // "" (RFC 2069 compatibility) or "auth"
    std::uint32_t nonceCount = 0;
    std::string body;  // only for qop=auth-int, unused for auth
};

// RFC 2617 §3.2.2.1 / RFC 7616 §3.4.1: request-digest = KD(H(A1), nonce ":" nc ":" cnonce ":"
// qop ":" H(A2)) with qop, KD(H(A1), nonce ":" H(A2)) without.
std::string computeResponse(const DigestInput& in);
// "00000001": the 8 hex digits of nc (RFC 2617 §3.2.2).
std::string formatNonceCount(std::uint32_t nc);

struct Credentials {
    std::string username, password;
};

// The header a challenge is answered with.
struct AuthorizationHeader {
    bool proxy = false;  // Proxy-Authorization (407) instead of Authorization (401)
    std::string value;
};

enum class ChallengeVerdict : std::uint8_t {
    Answer,       // a new header to retry with
    Stale,        // RFC 2617 §3.2.1 stale=TRUE: retry with the new nonce, not a failed round
    GiveUp,       // the same realm refused the credentials twice (RFC 3261 §22.2)
    Unsupported,  // no Digest challenge with an algorithm and qop we can answer
};

struct ChallengeAnswer {
    ChallengeVerdict verdict = ChallengeVerdict::Unsupported;
    std::string realm;
    std::vector<AuthorizationHeader> headers;  // one per answered challenge
    std::string error;                         // why, for GiveUp / Unsupported
};

// A UAC's digest state across the challenges of one request series (a call, a registration):
// nonce counts per nonce, failures per realm. Random bytes for cnonce come from `random`.
class DigestClient {
  public:
    using RandomSource = std::function<std::uint64_t()>;
    DigestClient(Credentials credentials, RandomSource random);

    // Answers the 401/407 `response` to a request of `method` sent to `requestUri`: every
    // WWW-Authenticate / Proxy-Authenticate challenge of it, preferring SHA-256 over MD5 when
    // one realm offers both (RFC 8760 §2.4).
    ChallengeAnswer answer(const SipMessage& response, std::string_view method,
                           std::string_view requestUri);
    // Answers one challenge value (also the fuzzing entry point).
    Result<std::string> answerOne(const AuthValue& challenge, std::string_view method,
                                  std::string_view requestUri);

    int rounds() const noexcept { return m_rounds; }

  private:
    Credentials m_credentials;
    RandomSource m_random;
    std::map<std::string, std::uint32_t> m_nonceCounts;  // nonce -> last nc used
    std::map<std::string, int> m_realmFailures;          // realm -> non-stale challenges
    int m_rounds = 0;
};

}  // namespace sipscope::stack::auth
