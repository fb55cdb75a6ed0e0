#pragma once
// RFC 3261 §12 dialog state machine (early -> confirmed -> terminated), shared by the active user
// agent and the passive observer's dialog shadows. One Dialog is one side's view: the UAC that
// sent the dialog-creating request, or the UAS that answered it. Sans-I/O: it only records state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "message/key_headers.hpp"
#include "message/sip_message.hpp"

namespace sipscope::stack {

enum class DialogState : std::uint8_t { Early, Confirmed, Terminated };
enum class DialogRole : std::uint8_t { Uac, Uas };
// Seen from the owner of the dialog: a request or response it sent or received.
enum class Direction : std::uint8_t { Sent, Received };

std::string_view dialogStateLabel(DialogState s) noexcept;  // "early", "confirmed", "terminated"

// RFC 3261 §12: Call-ID, local tag, remote tag.
struct DialogId {
    std::string callId, localTag, remoteTag;
    bool operator==(const DialogId&) const = default;
    auto operator<=>(const DialogId&) const = default;
};

// Why a dialog ended (or did not accept a request).
enum class DialogReason : std::uint8_t {
    None,
    Bye,              // §15: BYE sent or received
    FinalNon2xx,      // §12.3: non-2xx final response to the creating request ends an early dialog
    FailureInDialog,  // §12.2.1.2: 481 or 408 to a request inside the dialog
    SubscriptionEnded,  // RFC 6665 §4.4.1: NOTIFY with Subscription-State: terminated
    Forked,   // §13.2.2.4 / RFC 6026: another fork was confirmed, this early dialog ended
    External  // terminate() called by the owner (e.g. transaction timeout)
};
std::string_view dialogReasonLabel(DialogReason r) noexcept;

// Result of feeding one message to a dialog.
struct DialogUpdate {
    bool matched = false;  // the message belongs to this dialog
    bool stateChanged = false;
    DialogState from = DialogState::Early, to = DialogState::Early;
    bool targetRefreshed = false;  // remote target replaced (§12.2.1.2 / §12.2.2)
    // §12.2.2: a received request whose CSeq is lower than the remote sequence number (not ACK
    // or CANCEL): the UAS must reject it with 500.
    bool cseqOutOfOrder = false;
};

class Dialog {
  public:
    // RFC 3261 §12.1.2: the UAC's dialog from the request it sent (INVITE, SUBSCRIBE, REFER) and
    // a received 101-199 response with a To tag (early) or 2xx (confirmed). Route set = the
    // response's Record-Route in reverse order; remote target = its Contact; local sequence =
    // the request's CSeq; remote sequence empty. nullopt when the response has no To tag or is
    // not a dialog-creating response (100, >= 300), or the request lacks a From tag / Call-ID.
    static std::optional<Dialog> createAsUac(const SipMessage& request, const SipMessage& response);
    // RFC 3261 §12.1.1: the UAS's dialog from the received request and the response it sent
    // (101-199 with To tag -> early, 2xx -> confirmed). Route set = the request's Record-Route in
    // order; remote target = the request's Contact; remote sequence = the request's CSeq.
    static std::optional<Dialog> createAsUas(const SipMessage& request, const SipMessage& response);

    // The dialog id a message belongs to, seen from `role` for a message moving in `dir`:
    // for the UAC, a sent request has local tag = From tag, a received response has local tag =
    // From tag and remote tag = To tag; received requests swap them. Empty tags stay empty.
    static DialogId idOf(const SipMessage& message, DialogRole role, Direction dir);

    // A request inside the dialog (not the creating request), sent or received by the owner.
    // Sent: local sequence = its CSeq (ACK/CANCEL excepted). Received: §12.2.2 CSeq check,
    // remote sequence updated, target refresh (INVITE, UPDATE: Contact replaces remote target),
    // BYE -> Terminated (§15.1), NOTIFY with Subscription-State terminated -> Terminated.
    DialogUpdate onRequest(const SipMessage& request, Direction dir);
    // A response to `request` (the creating request or one inside the dialog), sent or received:
    // for the creating INVITE: 1xx keeps Early (remote target from Contact), 2xx Early ->
    // Confirmed with the route set recomputed from the 2xx on the UAC side (§13.2.2.4), non-2xx
    // final Early -> Terminated (§12.3). In dialog: 2xx to INVITE/UPDATE refreshes the target
    // (§12.2.1.2, UAC side: the response's Contact), 481/408 -> Terminated (§12.2.1.2).
    DialogUpdate onResponse(const SipMessage& request, const SipMessage& response, Direction dir);
    // Ends the dialog for a reason decided outside (fork lost, transaction timeout).
    DialogUpdate terminate(DialogReason reason);

    const DialogId& id() const noexcept { return m_id; }
    DialogRole role() const noexcept { return m_role; }
    DialogState state() const noexcept { return m_state; }
    DialogReason endReason() const noexcept { return m_endReason; }
    std::optional<std::uint32_t> localSeq() const noexcept { return m_localSeq; }
    std::optional<std::uint32_t> remoteSeq() const noexcept { return m_remoteSeq; }
    const std::string& localUri() const noexcept { return m_localUri; }    // From (UAC) / To (UAS)
    const std::string& remoteUri() const noexcept { return m_remoteUri; }  // the other one
    const std::string& remoteTarget() const noexcept { return m_remoteTarget; }       // Contact URI
    const std::vector<std::string>& routeSet() const noexcept { return m_routeSet; }  // URIs
    bool secure() const noexcept { return m_secure; }  // §12.1.1: sips Request-URI over TLS
    std::string_view method() const noexcept { return m_method; }  // creating method

  private:
    Dialog() = default;
    DialogUpdate transition(DialogState to, DialogReason reason);
    // The message (its key headers) belongs to this dialog, seen in direction `dir`.
    bool sameDialog(const KeyHeaders& k, bool isRequest, Direction dir) const noexcept;
    static std::optional<Dialog> create(const SipMessage& request, const SipMessage& response,
                                        DialogRole role);
    DialogUpdate onCreatingResponse(const SipMessage& response, int status);
    DialogUpdate onInDialogResponse(std::string_view method, const SipMessage& response, int status,
                                    Direction dir);
    bool refreshTarget(const SipMessage& message);  // Contact replaces the remote target

    DialogId m_id;
    DialogRole m_role = DialogRole::Uac;
    DialogState m_state = DialogState::Early;
    DialogReason m_endReason = DialogReason::None;
    std::optional<std::uint32_t> m_localSeq, m_remoteSeq;
    std::uint32_t m_creatingCseq = 0;
    std::string m_method, m_localUri, m_remoteUri, m_remoteTarget;
    std::vector<std::string> m_routeSet;
    bool m_secure = false;
};

}  // namespace sipscope::stack
