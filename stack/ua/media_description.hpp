#pragma once
// The SDP the user agent offers and answers (RFC 3264 offer/answer, RFC 4566/8866 syntax):
// one audio stream with G.711 (PCMU 0, PCMA 8, RFC 3551 §6) and telephone-event
// (RFC 4733 §7.1.1), and the remote RTP address chosen from the peer's SDP.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipscope::stack::ua {

inline constexpr int kPcmu = 0;
inline constexpr int kPcma = 8;
inline constexpr int kTelephoneEvent = 101;

struct LocalMedia {
    std::string address;  // IP without brackets
    bool ipv6 = false;
    std::uint16_t port = 0;
    std::vector<int> payloads{kPcmu, kPcma};  // preference order
    bool telephoneEvent = true;
    std::uint64_t sessionId = 1;
    std::uint64_t version = 1;  // o= sess-version, incremented by each new offer (RFC 3264 §8)
    std::string_view direction = "sendrecv";
};

std::string buildSdp(const LocalMedia& media);

struct RemoteMedia {
    bool ok = false;
    std::string address;  // RTP destination (no brackets)
    std::uint16_t port = 0;
    int payload = -1;   // first format of the peer's list that we support (RFC 3264 §6.1)
    std::string codec;  // "PCMU", "PCMA"
    std::string error;
};

// RFC 3264 §6.1: the direction that answers the offer's first audio stream (sendonly ->
// recvonly, recvonly -> sendonly, inactive -> inactive, else sendrecv).
std::string_view answerDirection(std::string_view offerSdp);

// The audio stream of `sdp` and the first G.711 payload of `acceptable` it lists.
RemoteMedia remoteMedia(std::string_view sdp, const std::vector<int>& acceptable);

}  // namespace sipscope::stack::ua
