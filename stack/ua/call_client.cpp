#include "ua/call_client.hpp"

#include "message/header_id.hpp"
#include "message/key_headers.hpp"
#include "message/message_builder.hpp"

namespace sipscope::stack::ua {

namespace {

std::string contactFor(const Target& target, const net::SockAddr& local) {
    std::string c = "sip:sipscope@" + local.hostPort();
    if (target.protocol != net::Protocol::Udp)
        c += ";transport=" + std::string(net::protocolParam(target.protocol));
    return c;
}

// RFC 3261 §22.1: credentials accepted for the INVITE go on the ACK for its 2xx too.
ExtraHeaders credentialsOf(const SipMessage& request) {
    ExtraHeaders out;
    for (const auto& h : request.headers())
        if (h.id == HeaderId::Authorization || h.id == HeaderId::ProxyAuthorization)
            out.emplace_back(std::string(h.name), std::string(h.value));
    return out;
}

}  // namespace

CallClient::CallClient(SipEndpoint& endpoint, CallOptions options)
    : m_endpoint(endpoint),
      m_options(std::move(options)),
      m_targets(m_options.target, m_options.alternates),
      m_digest(m_options.credentials.value_or(auth::Credentials{}),
               [&endpoint] { return endpoint.random(); }) {}

CallClient::~CallClient() {
    m_endpoint.loop().cancelTimer(m_timeoutTimer);
    m_endpoint.loop().cancelTimer(m_byeTimer);
    m_endpoint.loop().cancelTimer(m_holdTimer);
}

double CallClient::msSinceStart() const {
    return std::chrono::duration<double, std::milli>(m_endpoint.loop().now() - m_startedAt).count();
}

void CallClient::start() {
    m_startedAt = m_endpoint.loop().now();
    m_series.requestUri = m_options.targetUri;
    m_series.toUri = m_options.targetUri;
    m_series.fromUri = m_options.fromUri;
    m_series.fromTag = m_endpoint.newToken();
    m_series.callId = m_endpoint.newToken() + "@sipscope";
    m_report.callId = m_series.callId;
    m_state = State::Inviting;
    if (!sendInvite({})) return;
    if (m_options.timeout)
        m_timeoutTimer = m_endpoint.loop().addTimer(*m_options.timeout, [this] { onTimeout(); });
}

bool CallClient::sendInvite(const ExtraHeaders& auth) {
    const Target target = m_targets.current();
    m_auth = auth;
    m_report.targetsTried = m_targets.tried();
    const auto local = m_endpoint.prepare(target);
    if (!local.ok) {
        if (tryNextTarget(TargetFailure::Transport)) return m_state != State::Done;
        m_report.error = local.error;
        finish("error");
        return false;
    }
    m_series.contact = contactFor(target, local.local);
    std::optional<BodyPart> body;
    if (m_options.media) {
        std::string error;
        if (m_rtp && m_media.ipv6 != local.local.isV6()) m_rtp.reset();  // another family
        if (!m_rtp) {
            m_rtp = std::make_unique<RtpSession>(m_endpoint.loop());
            if (!m_rtp->open(local.local, error))
                m_rtp.reset();
            else
                m_rtp->setSource(m_options.audio);
        }
        LocalMedia media;
        media.address = local.local.ip();
        media.ipv6 = local.local.isV6();
        media.port = m_rtp ? m_rtp->port() : 9;
        media.payloads = m_options.codecs;
        media.sessionId = m_endpoint.random() % 1000000000ULL;
        m_media = media;
        body = BodyPart{"application/sdp", buildSdp(media)};
    }
    ExtraHeaders extra = auth;
    extra.emplace_back("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK");
    // RFC 3262 §4: the UAC asks for reliable provisional responses.
    if (m_options.rel100 == Rel100::Supported) extra.emplace_back("Supported", "100rel");
    if (m_options.rel100 == Rel100::Required) extra.emplace_back("Require", "100rel");
    const std::string via = m_endpoint.viaFor(target, local.local, m_endpoint.newBranch());
    auto invite = buildRequest(m_series, "INVITE", via, extra, body);
    if (!invite.ok()) {
        m_report.error = "cannot build the INVITE: " + invite.error().message;
        finish("error");
        return false;
    }
    m_invite = invite.value();
    m_provisional = false;
    std::string error;
    // Callbacks of a transaction abandoned for the next target (a late 503's ACK failing, a
    // 2xx retransmission) are not this INVITE's any more.
    const std::uint64_t attempt = ++m_attempt;
    ClientCallbacks cb{[this, attempt](const SipMessage& r) {
                           if (attempt == m_attempt) onInviteResponse(r);
                       },
                       [this, attempt](bool timeout, const std::string& why) {
                           if (attempt == m_attempt) onInviteFailure(timeout, why);
                       }};
    if (!m_endpoint.sendRequest(*m_invite, target, guarded(m_guard, std::move(cb)), error)) {
        if (tryNextTarget(TargetFailure::Transport)) return m_state != State::Done;
        m_report.error = error;
        finish("error");
        return false;
    }
    return true;
}

void CallClient::onInviteResponse(const SipMessage& r) {
    const int code = r.status().value_or(0);
    if (code < 200) return onProvisional(r);
    if (code < 300) return onAnswered(r);
    if (m_state == State::Done) return;
    // RFC 3263 §4.3: a 503 means trying the next target (RFC 3261 §21.5.4: this server is
    // unavailable, another one may not be).
    if (code == 503 && tryNextTarget(TargetFailure::Unavailable)) return;
    if ((code == 401 || code == 407) && m_state != State::Cancelling && retryWithAuth(r)) return;
    onRejected(r);
}

void CallClient::onProvisional(const SipMessage& r) {
    if (m_state == State::Done) return;
    m_provisional = true;
    // RFC 6076 §4.1-style post-dial delay: INVITE to the first ringing/progress response.
    if (r.status().value_or(0) >= 180 && !m_report.pddMs) m_report.pddMs = msSinceStart();
    // RFC 3261 §13.2.2.1: a provisional response; CANCEL is now allowed (§9.1).
    if (m_state == State::Inviting) m_state = State::Early;
    if (m_state != State::Early) return;  // RFC 3262 §4: PRACKs belong to the early dialog
    const auto decision = m_prack.onProvisional(r);
    m_report.reliableProvisionals = m_prack.acknowledged();
    if (decision.verdict == PrackTracker::Verdict::Acknowledge) sendPrack(r, decision.rack);
}

void CallClient::sendPrack(const SipMessage& r, const std::string& rack) {
    // RFC 3262 §4 / RFC 3261 §12.1.2: the reliable 1xx creates (or updates) the early dialog
    // the PRACK is sent in.
    const std::string toTag(extractKeyHeaders(r).toTag);
    auto it = m_earlyDialogs.find(toTag);
    if (it == m_earlyDialogs.end()) {
        auto created = Dialog::createAsUac(*m_invite, r);
        if (!created) return;
        it = m_earlyDialogs.emplace(toTag, *created).first;
    } else {
        it->second.onResponse(*m_invite, r, Direction::Received);
    }
    Dialog& early = it->second;
    const Target target = dialogTarget(early, m_targets.current());
    const auto local = m_endpoint.prepare(target);
    if (!local.ok) return;
    // RFC 3262 §7.2: RAck names the response; RFC 3261 §12.2.1.1: CSeq one past the last.
    const std::uint32_t cseq = early.localSeq().value_or(m_series.cseq) + 1;
    auto prack = buildInDialog(early, "PRACK", cseq,
                               m_endpoint.viaFor(target, local.local, m_endpoint.newBranch()),
                               m_series.contact, {{"RAck", rack}});
    if (!prack.ok()) return;
    early.onRequest(prack.value(), Direction::Sent);
    std::string error;
    ClientCallbacks cb{[this](const SipMessage& resp) {
                           if (resp.status().value_or(0) >= 200) m_report.prackCode = resp.status();
                       },
                       [this](bool, const std::string& why) { m_report.error = "PRACK: " + why; }};
    // RFC 3262 §4: the PRACK is a non-INVITE request with its own client transaction.
    if (m_endpoint.sendRequest(prack.value(), target, guarded(m_guard, std::move(cb)), error))
        ++m_report.prackSent;
    else
        m_report.error = "PRACK: " + error;
}

void CallClient::onAnswered(const SipMessage& r) {
    if (!m_dialog) {
        // RFC 3261 §13.2.2.4: the early dialog of this To tag (if a PRACK used it) is confirmed,
        // keeping its local CSeq, so later requests number past the PRACKs (§12.2.1.1).
        auto early = m_earlyDialogs.find(std::string(extractKeyHeaders(r).toTag));
        if (early != m_earlyDialogs.end()) {
            m_dialog = early->second;
            m_dialog->onResponse(*m_invite, r, Direction::Received);
        } else {
            m_dialog = Dialog::createAsUac(*m_invite, r);
        }
    }
    sendAck(*m_invite);  // RFC 3261 §13.2.2.4: every 2xx is acknowledged, even after a CANCEL
    if (m_state == State::Done || m_state == State::Confirmed || m_state == State::Terminating)
        return;
    m_endpoint.loop().cancelTimer(m_timeoutTimer);
    m_report.setupMs = msSinceStart();
    m_report.finalCode = r.status();
    m_report.reason = std::string(r.reason());
    m_answeredAt = m_endpoint.loop().now();
    // RFC 3261 §13.2.2.4: 2xx -> Confirmed (a 2xx that crossed our CANCEL too, §9.1).
    const bool cancelled = m_state == State::Cancelling;
    m_state = State::Confirmed;
    startMedia(r);
    if (cancelled) return sendBye();
    m_byeTimer = m_endpoint.loop().addTimer(m_options.duration, [this] { sendBye(); });
    if (m_options.holdAfter)
        m_holdTimer = m_endpoint.loop().addTimer(*m_options.holdAfter, [this] { sendHold(); });
}

void CallClient::onRejected(const SipMessage& r) {
    const int code = r.status().value_or(0);
    m_report.finalCode = code;
    m_report.reason = std::string(r.reason());
    // RFC 3261 §9.1: 487 answers the INVITE we cancelled.
    if (m_state == State::Cancelling && code == 487) return finish("cancelled");
    if (code == 486 || code == 600) return finish("busy");
    finish("rejected");
}

bool CallClient::retryWithAuth(const SipMessage& r) {
    if (!m_options.credentials) {
        m_report.error = "authentication required but no credentials given (--auth-user)";
        return false;
    }
    const auto answer = m_digest.answer(r, "INVITE", m_series.requestUri);
    m_report.authRounds = m_digest.rounds();
    if (answer.verdict == auth::ChallengeVerdict::GiveUp ||
        answer.verdict == auth::ChallengeVerdict::Unsupported) {
        m_report.error = "authentication failed: " + answer.error;
        return false;
    }
    ExtraHeaders extra;
    for (const auto& h : answer.headers)
        extra.emplace_back(h.proxy ? "Proxy-Authorization" : "Authorization", h.value);
    // RFC 3261 §22.2: the retry is a new request: same Call-ID and From tag, CSeq + 1.
    ++m_series.cseq;
    m_state = State::Inviting;
    sendInvite(extra);
    return true;
}

void CallClient::onTimeout() {
    if (m_state == State::Inviting) {
        // RFC 3261 §9.1: no provisional yet, so no CANCEL: the call timed out.
        m_report.error = "no provisional response within the timeout";
        return finish("timeout");
    }
    if (m_state != State::Early) return;
    auto cancel = buildCancel(*m_invite);
    if (!cancel.ok()) return finish("error");
    std::string error;
    ClientCallbacks cb{[](const SipMessage&) {}, [](bool, const std::string&) {}};
    // RFC 3261 §9.1: Early -> Cancelling; the 487 to the INVITE ends the call.
    m_state = State::Cancelling;
    // RFC 3261 §9.1: the CANCEL goes where the INVITE went.
    if (!m_endpoint.sendRequest(cancel.value(), m_targets.current(),
                                guarded(m_guard, std::move(cb)), error)) {
        m_report.error = error;
        return finish("error");
    }
    // RFC 3261 §9.1: no final response 64*T1 after the CANCEL: consider the INVITE cancelled.
    m_timeoutTimer = m_endpoint.loop().addTimer(m_endpoint.timers().sixtyFourT1(),
                                                [this] { finish("cancelled"); });
}

void CallClient::hangUp() {
    if (m_state == State::Inviting) {
        // RFC 3261 §9.1: no CANCEL before a provisional response; the call just ends here.
        m_report.error = "hung up before any provisional response";
        return finish("error");
    }
    if (m_state == State::Early) return onTimeout();  // CANCEL
    if (m_state == State::Confirmed) sendBye();
}

void CallClient::onInviteFailure(bool timeout, const std::string& why) {
    if (m_state == State::Done) return;
    if (m_state == State::Cancelling) return finish("cancelled");
    if (m_state == State::Confirmed || m_state == State::Terminating) return;
    if (tryNextTarget(timeout ? TargetFailure::Timeout : TargetFailure::Transport)) return;
    m_report.error = why;
    finish(timeout ? "timeout" : "error");
}

bool CallClient::tryNextTarget(TargetFailure failure) {
    // Only the INVITE that sets the call up fails over: not a CANCELled one (§9.1); once
    // answered, the dialog decides where requests go (RFC 3261 §12.2.1.1).
    if (m_state != State::Inviting && m_state != State::Early) return false;
    if (!m_targets.failOver(failure, m_provisional)) return false;
    // RFC 3263 §4.3: "a new request, which is identical to the previous, but has a different
    // value of the Via branch ID" (a new transaction; same Call-ID, From tag and CSeq, RFC 3261
    // §8.1.1), sent to the next target. Early dialogs with the failed one are gone (§12.3).
    m_state = State::Inviting;
    m_earlyDialogs.clear();
    m_prack = PrackTracker{};
    sendInvite(m_auth);
    return true;
}

void CallClient::sendAck(const SipMessage& invite) {
    if (!m_dialog) return;
    const Target target = dialogTarget(*m_dialog, m_targets.current());
    const auto local = m_endpoint.prepare(target);
    if (!local.ok) return;
    // RFC 3261 §13.2.2.4: the ACK carries the INVITE's CSeq number and a new branch.
    const auto k = extractKeyHeaders(invite);
    auto ack = buildInDialog(*m_dialog, "ACK", k.cseq.value_or(1),
                             m_endpoint.viaFor(target, local.local, m_endpoint.newBranch()), {},
                             credentialsOf(invite));
    if (!ack.ok()) return;
    m_ack = ack.value();
    std::string error;
    m_endpoint.sendStateless(*m_ack, target, error);
}

void CallClient::sendHold() {
    if (m_state != State::Confirmed || !m_dialog || m_reinvite) return;
    const Target target = dialogTarget(*m_dialog, m_targets.current());
    const auto local = m_endpoint.prepare(target);
    if (!local.ok) return;
    // RFC 3264 §8.4: a new offer (version + 1) marking our stream sendonly puts the peer on hold.
    LocalMedia media = m_media;
    media.version = m_media.version + 1;
    media.direction = "sendonly";
    const std::uint32_t cseq = m_dialog->localSeq().value_or(m_series.cseq) + 1;
    auto reinvite = buildInDialog(
        *m_dialog, "INVITE", cseq, m_endpoint.viaFor(target, local.local, m_endpoint.newBranch()),
        m_series.contact, {}, BodyPart{"application/sdp", buildSdp(media)});
    if (!reinvite.ok()) return;
    m_reinvite = reinvite.value();
    m_dialog->onRequest(*m_reinvite, Direction::Sent);  // §12.2.1.1: local CSeq advances
    std::string error;
    ClientCallbacks cb{[this](const SipMessage& r) { onHoldResponse(r); },
                       [this](bool, const std::string& why) { m_report.error = "hold: " + why; }};
    if (!m_endpoint.sendRequest(*m_reinvite, target, guarded(m_guard, std::move(cb)), error))
        m_report.error = "hold: " + error;
}

void CallClient::onHoldResponse(const SipMessage& r) {
    const int code = r.status().value_or(0);
    if (code < 200 || !m_dialog) return;
    m_report.holdCode = code;
    if (code >= 300) return;  // RFC 3261 §14.1: a failed re-INVITE leaves the session as it was
    m_dialog->onResponse(*m_reinvite, r, Direction::Received);  // §12.2.1.2: target refresh
    sendAck(*m_reinvite);  // RFC 3261 §13.2.2.4, for each 2xx (retransmissions too)
}

void CallClient::onStrayResponse(const SipMessage& response) {
    // RFC 3261 §13.2.2.4: a retransmitted 2xx is acknowledged again with the same ACK.
    if (!m_ack || response.status().value_or(0) / 100 != 2) return;
    if (extractKeyHeaders(response).callId != m_series.callId) return;
    std::string error;
    m_endpoint.sendStateless(*m_ack, dialogTarget(*m_dialog, m_targets.current()), error);
}

void CallClient::startMedia(const SipMessage& response) {
    if (!m_rtp || !m_options.media) return;
    const auto remote = remoteMedia(response.body(), m_options.codecs);
    if (!remote.ok) return;
    const auto addr = net::SockAddr::fromLiteral(remote.address, remote.port);
    if (!addr.valid()) return;
    m_report.codec = remote.codec;
    m_report.mediaStarted = true;
    m_rtp->start(addr, remote.payload);
}

void CallClient::sendBye() {
    if (m_state != State::Confirmed || !m_dialog) return;
    m_endpoint.loop().cancelTimer(m_byeTimer);
    const Target target = dialogTarget(*m_dialog, m_targets.current());
    const auto local = m_endpoint.prepare(target);
    const std::uint32_t cseq = m_dialog->localSeq().value_or(m_series.cseq) + 1;
    auto bye = buildInDialog(*m_dialog, "BYE", cseq,
                             m_endpoint.viaFor(target, local.local, m_endpoint.newBranch()), {});
    // RFC 3261 §15.1.1: Confirmed -> Terminating; the BYE's final response ends the call.
    m_state = State::Terminating;
    m_report.durationS =
        std::chrono::duration<double>(m_endpoint.loop().now() - m_answeredAt).count();
    if (!local.ok || !bye.ok()) return finish("answered");
    m_dialog->onRequest(bye.value(), Direction::Sent);
    std::string error;
    ClientCallbacks cb{[this](const SipMessage& r) {
                           if (r.status().value_or(0) >= 200) finish("answered");
                       },
                       [this](bool, const std::string& why) {
                           m_report.error = "BYE: " + why;
                           finish("answered");
                       }};
    if (!m_endpoint.sendRequest(bye.value(), target, guarded(m_guard, std::move(cb)), error)) {
        m_report.error = "BYE: " + error;
        finish("answered");
    }
}

bool CallClient::onRequest(const ServerRequest& req) {
    if (!m_dialog || req.request.method() != "BYE") return false;
    if (Dialog::idOf(req.request, DialogRole::Uac, Direction::Received) != m_dialog->id())
        return false;
    // RFC 3261 §15.1.2: the peer hung up: answer 200 and end the call.
    if (auto ok = makeResponse(req.request, 200); ok.ok()) m_endpoint.respond(req.key, ok.value());
    if (m_state == State::Confirmed)
        m_report.durationS =
            std::chrono::duration<double>(m_endpoint.loop().now() - m_answeredAt).count();
    finish("answered");
    return true;
}

void CallClient::finish(std::string result) {
    if (m_state == State::Done) return;
    m_state = State::Done;
    m_endpoint.loop().cancelTimer(m_timeoutTimer);
    m_endpoint.loop().cancelTimer(m_byeTimer);
    m_endpoint.loop().cancelTimer(m_holdTimer);
    m_report.result = std::move(result);
    if (m_rtp) {
        m_rtp->stop();
        m_report.rtp = m_rtp->stats();
    }
    if (m_report.mediaStarted) {
        const auto& first = m_report.rtp.firstReceived;
        m_report.oneWayAudio = !first || (*first - m_answeredAt) > m_options.oneWayAfter;
    }
    if (onDone) onDone();
}

}  // namespace sipscope::stack::ua
