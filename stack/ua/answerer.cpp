#include "ua/answerer.hpp"

#include "message/key_headers.hpp"
#include "message/message_builder.hpp"
#include "transaction/matching.hpp"
#include "ua/prack.hpp"
#include "ua/reliable_provisional.hpp"

namespace sipscope::stack::ua {

struct Answerer::Call {
    ServerRequest invite;
    std::string toTag;
    CallState state = CallState::Ringing;
    std::optional<SipMessage> ok, provisional;
    std::optional<ReliableProvisional> reliable;  // RFC 3262 §3, when the 180 is reliable
    bool answerDue = false;  // the delay is over but the reliable 180 awaits its PRACK
    std::optional<Dialog> dialog;
    std::unique_ptr<RtpSession> rtp;
    net::EventLoop::TimerId answerTimer = 0, retransmitTimer = 0, giveUpTimer = 0, prackTimer = 0;
    Instant answeredAt{0};
    AnsweredCall summary;
    int payload = -1;
    std::uint64_t sessionId = 0, sdpVersion = 1;
};

Answerer::Answerer(SipEndpoint& endpoint, AnswerOptions options)
    : m_endpoint(endpoint), m_options(std::move(options)) {}

Answerer::~Answerer() {
    for (auto& [id, timer] : m_reapTimers) m_endpoint.loop().cancelTimer(timer);
    for (auto& [id, c] : m_calls) {
        m_endpoint.loop().cancelTimer(c->answerTimer);
        m_endpoint.loop().cancelTimer(c->retransmitTimer);
        m_endpoint.loop().cancelTimer(c->giveUpTimer);
        m_endpoint.loop().cancelTimer(c->prackTimer);
    }
}

std::size_t Answerer::activeCalls() const noexcept {
    std::size_t n = 0;
    for (const auto& [id, c] : m_calls) n += c->state == CallState::Ended ? 0 : 1;
    return n;
}

void Answerer::reply(const ServerRequest& r, int code) {
    if (auto resp = makeResponse(r.request, code); resp.ok())
        m_endpoint.respond(r.key, resp.value());
}

bool Answerer::onRequest(const ServerRequest& r) {
    const std::string_view method = r.request.method();
    const std::string callId(extractKeyHeaders(r.request).callId);
    auto it = m_calls.find(callId);
    if (method == "INVITE") {
        if (it != m_calls.end()) {
            onReinvite(*it->second, r);
            return true;
        }
        onInvite(r);
    } else if (method == "ACK") {
        if (it != m_calls.end()) onAck(*it->second);
    } else if (method == "CANCEL") {
        onCancel(r);
    } else if (method == "BYE") {
        onBye(r);
    } else if (method == "PRACK") {
        onPrack(r);
    } else if (method == "OPTIONS" || method == "MESSAGE") {
        reply(r, 200);  // RFC 3261 §11.2 (OPTIONS), RFC 3428 §7 (MESSAGE)
    } else {
        reply(r, 501);  // RFC 3261 §8.2.1: method not implemented
    }
    return true;
}

void Answerer::onInvite(const ServerRequest& r) {
    if (!m_options.rel100 && hasOptionTag(r.request, HeaderId::Require, k100rel)) {
        // RFC 3261 §8.2.2.3: a required extension we do not support: 420 naming it.
        if (auto resp = makeResponse(r.request, 420); resp.ok()) {
            resp.value().setHeader(HeaderId::Unsupported, std::string(k100rel));
            m_endpoint.respond(r.key, resp.value());
        }
        return;
    }
    auto call = std::make_unique<Call>();
    Call& c = *call;
    c.invite = r;
    // A wildcard socket (0.0.0.0, ::) knows no address for Contact and SDP: take the one the
    // kernel routes the caller from.
    if (const std::string ip = r.local.ip(); ip == "0.0.0.0" || ip == "::") {
        net::SockAddr routed = net::localAddressFor(r.from);
        routed.setPort(r.local.port());
        if (routed.valid()) c.invite.local = routed;
    }
    c.toTag = m_endpoint.newToken();
    const auto k = extractKeyHeaders(r.request);
    c.summary.callId = std::string(k.callId);
    c.summary.from = std::string(r.request.headerValue(HeaderId::From));
    c.summary.to = std::string(r.request.headerValue(HeaderId::To));
    c.summary.code = m_options.code;
    m_calls[c.summary.callId] = std::move(call);
    if (m_options.code >= 200) sendRinging(c);
    c.answerTimer = m_endpoint.loop().addTimer(m_options.delay, [this, &c] { answer(c); });
}

std::string Answerer::contactOf(const Call& c) const {
    return "<sip:sipscope@" + c.invite.local.hostPort() +
           (c.invite.protocol == net::Protocol::Udp
                ? std::string()
                : ";transport=" + std::string(net::protocolParam(c.invite.protocol))) +
           ">";
}

void Answerer::sendRinging(Call& c) {
    // RFC 3261 §13.3.1.1: progress (the IST has sent 100 Trying already).
    auto ringing = makeResponse(c.invite.request, 180, {}, c.toTag);
    if (!ringing.ok()) return;
    SipMessage response = ringing.value();
    const SipMessage& invite = c.invite.request;
    // RFC 3262 §3: reliable when the INVITE supports or requires 100rel and we were asked to.
    if (m_options.rel100 && (hasOptionTag(invite, HeaderId::Supported, k100rel) ||
                             hasOptionTag(invite, HeaderId::Require, k100rel))) {
        c.reliable.emplace(m_endpoint.timers(),
                           m_options.firstRseq.value_or(
                               static_cast<std::uint32_t>(m_endpoint.random() & 0x7fffffffu)));
        // RFC 3261 §12.1.1: a 1xx that creates an (early) dialog carries a Contact; the PRACK
        // is sent to it.
        response.setHeader(HeaderId::Contact, contactOf(c));
        if (c.reliable->stamp(response, extractKeyHeaders(invite).cseq.value_or(0))) {
            ++c.summary.reliableProvisionals;
            c.prackTimer = m_endpoint.loop().addTimer(c.reliable->firstInterval(),
                                                      [this, &c] { onReliableTimer(c); });
        }
        c.provisional = response;
    }
    m_endpoint.respond(c.invite.key, response);
}

void Answerer::onReliableTimer(Call& c) {
    if (c.state != CallState::Ringing || !c.reliable || !c.provisional) return;
    const auto step = c.reliable->onTimer();
    if (step.retransmit) {
        m_endpoint.respond(c.invite.key, *c.provisional);  // RFC 3262 §3: until the PRACK
        c.prackTimer = m_endpoint.loop().addTimer(step.next, [this, &c] { onReliableTimer(c); });
    } else if (step.giveUp) {
        // RFC 3262 §3: no PRACK for 64*T1: the INVITE is rejected with a 5xx.
        c.summary.code = 500;
        if (auto resp = makeResponse(c.invite.request, 500, "No PRACK", c.toTag); resp.ok())
            m_endpoint.respond(c.invite.key, resp.value());
        end(c, "timeout");
    }
}

void Answerer::onPrack(const ServerRequest& r) {
    auto it = m_calls.find(std::string(extractKeyHeaders(r.request).callId));
    if (it == m_calls.end() || !it->second->reliable || !it->second->reliable->onPrack(r.request)) {
        reply(r, 481);  // RFC 3262 §3: no unacknowledged reliable provisional matches
        return;
    }
    Call& c = *it->second;
    m_endpoint.loop().cancelTimer(c.prackTimer);
    ++c.summary.pracks;
    reply(r, 200);  // RFC 3262 §3: the PRACK is answered like any non-INVITE request
    if (c.answerDue) answer(c);
}

void Answerer::answer(Call& c) {
    if (c.state != CallState::Ringing) return;
    // RFC 3262 §3: the final response waits until the reliable provisional is acknowledged.
    if (c.reliable && c.reliable->state() == ReliableProvisional::State::Pending) {
        c.answerDue = true;
        return;
    }
    const int code = m_options.code;
    auto resp = makeResponse(c.invite.request, code, {}, c.toTag);
    if (!resp.ok()) return end(c, "rejected");
    SipMessage response = resp.value();
    if (code >= 300 || code < 200) {
        // RFC 3261 §13.3.1.3: rejection; the IST absorbs the ACK (§17.2.1).
        m_endpoint.respond(c.invite.key, response);
        if (code >= 300) end(c, "rejected");
        return;
    }
    response.setHeader(HeaderId::Contact, contactOf(c));
    const auto remote = remoteMedia(c.invite.request.body(), m_options.codecs);
    if (m_options.media && remote.ok) {
        c.rtp = std::make_unique<RtpSession>(m_endpoint.loop());
        std::string error;
        if (c.rtp->open(c.invite.local, error)) {
            c.rtp->setSource(m_options.audio);
            LocalMedia media;
            media.address = c.invite.local.ip();
            media.ipv6 = c.invite.local.isV6();
            media.port = c.rtp->port();
            media.payloads = {remote.payload};
            media.telephoneEvent = false;
            media.sessionId = m_endpoint.random() % 1000000000ULL;
            c.payload = remote.payload;
            c.sessionId = media.sessionId;
            std::string sdp = buildSdp(media);
            response.setHeader(HeaderId::ContentType, "application/sdp");
            response.setBody(sdp);
            c.rtp->start(net::SockAddr::fromLiteral(remote.address, remote.port), remote.payload);
            c.summary.media = true;
        } else {
            c.rtp.reset();
        }
    }
    c.ok = response;
    c.dialog = Dialog::createAsUas(c.invite.request, response);
    c.answeredAt = m_endpoint.loop().now();
    // RFC 3261 §13.3.1.4: Ringing -> Answered; the 2xx is resent until the ACK arrives.
    c.state = CallState::Answered;
    m_endpoint.respond(c.invite.key, response);
    if (c.invite.protocol == net::Protocol::Udp) retransmit2xx(c, m_endpoint.timers().t1);
    c.giveUpTimer = m_endpoint.loop().addTimer(m_endpoint.timers().sixtyFourT1(), [this, &c] {
        // RFC 3261 §13.3.1.4: no ACK within 64*T1: the dialog ends with a BYE (here: ends).
        if (c.state == CallState::Answered) end(c, "timeout");
    });
}

void Answerer::onReinvite(Call& c, const ServerRequest& r) {
    // RFC 3261 §14.2: a re-INVITE in the dialog; RFC 3264 §6.1: its offer is answered with our
    // same stream, the direction mirrored (a=sendonly -> a=recvonly for hold).
    if (!c.dialog || c.state == CallState::Ended) return reply(r, 481);
    auto resp = makeResponse(r.request, 200, {}, c.toTag);
    if (!resp.ok()) return;
    SipMessage response = resp.value();
    if (c.ok)
        response.setHeader(HeaderId::Contact, std::string(c.ok->headerValue(HeaderId::Contact)));
    if (c.rtp && !r.request.body().empty()) {
        LocalMedia media;
        media.address = c.invite.local.ip();
        media.ipv6 = c.invite.local.isV6();
        media.port = c.rtp->port();
        media.payloads = {c.payload};
        media.telephoneEvent = false;
        media.sessionId = c.sessionId;
        media.version = ++c.sdpVersion;
        media.direction = answerDirection(r.request.body());
        response.setHeader(HeaderId::ContentType, "application/sdp");
        response.setBody(buildSdp(media));
    }
    c.dialog->onRequest(r.request, Direction::Received);
    ++c.summary.reinvites;
    m_endpoint.respond(r.key, response);
}

void Answerer::retransmit2xx(Call& c, Duration interval) {
    c.retransmitTimer = m_endpoint.loop().addTimer(interval, [this, &c, interval] {
        if (c.state != CallState::Answered || !c.ok) return;
        m_endpoint.respond(c.invite.key, *c.ok);  // RFC 6026 §8.7: sent in Accepted
        retransmit2xx(c, std::min(interval * 2, m_endpoint.timers().t2));
    });
}

void Answerer::onAck(Call& c) {
    if (c.state != CallState::Answered) return;
    // RFC 3261 §13.3.1.4: Answered -> Confirmed on the ACK.
    c.state = CallState::Confirmed;
    m_endpoint.loop().cancelTimer(c.retransmitTimer);
    m_endpoint.loop().cancelTimer(c.giveUpTimer);
}

void Answerer::onCancel(const ServerRequest& r) {
    const auto target = cancelTargetKey(r.request);
    auto it = m_calls.find(std::string(extractKeyHeaders(r.request).callId));
    if (!target || it == m_calls.end() || !(it->second->invite.key == *target)) {
        reply(r, 481);  // RFC 3261 §9.2: no matching transaction
        return;
    }
    reply(r, 200);  // RFC 3261 §9.2: the CANCEL itself is answered 200
    Call& c = *it->second;
    if (c.state != CallState::Ringing) return;  // already answered: the CANCEL has no effect
    if (auto resp = makeResponse(c.invite.request, 487, {}, c.toTag); resp.ok())
        m_endpoint.respond(c.invite.key, resp.value());
    end(c, "cancelled");
}

void Answerer::onBye(const ServerRequest& r) {
    auto it = m_calls.find(std::string(extractKeyHeaders(r.request).callId));
    if (it == m_calls.end() || !it->second->dialog ||
        Dialog::idOf(r.request, DialogRole::Uas, Direction::Received) != it->second->dialog->id()) {
        reply(r, 481);  // RFC 3261 §15.1.2: no such dialog
        return;
    }
    reply(r, 200);
    Call& c = *it->second;
    c.dialog->onRequest(r.request, Direction::Received);  // §15.1.2: -> Terminated
    c.summary.durationS =
        std::chrono::duration<double>(m_endpoint.loop().now() - c.answeredAt).count();
    end(c, "answered");
}

void Answerer::end(Call& c, std::string result) {
    if (c.state == CallState::Ended) return;
    c.state = CallState::Ended;
    m_endpoint.loop().cancelTimer(c.answerTimer);
    m_endpoint.loop().cancelTimer(c.retransmitTimer);
    m_endpoint.loop().cancelTimer(c.giveUpTimer);
    m_endpoint.loop().cancelTimer(c.prackTimer);
    c.summary.result = std::move(result);
    if (c.rtp) {
        c.rtp->stop();
        c.summary.rtp = c.rtp->stats();
        c.rtp.reset();
    }
    // Kept 64*T1 more so retransmissions (a late BYE, a 2xx's ACK) still find the call.
    const std::string id = c.summary.callId;
    m_reapTimers[id] = m_endpoint.loop().addTimer(m_endpoint.timers().sixtyFourT1(), [this, id] {
        m_reapTimers.erase(id);
        m_calls.erase(id);
    });
    if (onCallEnded) onCallEnded(c.summary);
}

}  // namespace sipscope::stack::ua
