#include "observe/dialog_observer.hpp"

#include <algorithm>
#include <utility>

#include "message/key_headers.hpp"

namespace sipscope::stack {

namespace {

bool createsDialog(std::string_view method) noexcept {
    return method == "INVITE" || method == "SUBSCRIBE" || method == "REFER";
}

// What dialogs are made from (RFC 3261 §12.1.1, §12.1.2): the start line, From, To, Call-ID,
// CSeq, the top Via (the key headers read it), Contact and Record-Route. A request waiting up
// to 64*T1 for more 2xx keeps these lines alone, not its datagram with the body.
Bytes dialogLines(const SipMessage& m) {
    std::string out;
    out.reserve(384);
    out.append(m.startLine()).append("\r\n");
    bool via = false;
    for (const HeaderField& h : m.headers()) {
        switch (h.id) {
            case HeaderId::Via:
                if (std::exchange(via, true)) continue;
                break;
            case HeaderId::From:
            case HeaderId::To:
            case HeaderId::CallId:
            case HeaderId::CSeq:
            case HeaderId::Contact:
            case HeaderId::RecordRoute:
                break;
            default:
                continue;
        }
        out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    out.append("\r\n");
    return makeBytes(out);
}

}  // namespace

DialogObserver::DialogObserver(EventSink events, AnomalySink anomalies)
    : m_events(std::move(events)), m_anomalies(std::move(anomalies)) {}

void DialogObserver::observe(const Observation& observed, const MessageVerdict& v) {
    if (v.role != MessageRole::Request && v.role != MessageRole::Response) return;
    Observation o = observed;
    if (!o.keys) o.keys = &o.message->keyHeaders();  // read once, kept with the message
    if (v.role == MessageRole::Request) onRequest(o, v.transaction);
    if (v.role == MessageRole::Response) onResponse(o, v.transaction);
}

void DialogObserver::transactionEnded(const TransactionRecord& r, Instant now) {
    // RFC 6026 §8.4 / RFC 3261 §13.2.2.4: early dialogs of a dialog-creating request that were
    // never confirmed end with its client transaction (lost forks, failed or timed-out request).
    // The transaction's Call-ID is its responses' (the observer's matching key includes it).
    // One still waiting for its final response when the input ended leaves its early dialogs
    // early: that is their state at the end of the capture.
    Dialogs* dialogs = createsDialog(r.method) && !r.openAtEnd ? dialogsOf(r.callId) : nullptr;
    std::vector<Dialogs::iterator> early;
    if (dialogs)
        for (auto it = dialogs->begin(); it != dialogs->end(); ++it)
            if (it->second.creatingTx == r.id && it->second.uac.state() == DialogState::Early)
                early.push_back(it);
    // In the order they were created.
    std::sort(early.begin(), early.end(),
              [](auto a, auto b) { return a->second.created < b->second.created; });
    for (auto it : early) {
        const DialogUpdate u = it->second.uac.terminate(
            r.finalCode && *r.finalCode < 300 ? DialogReason::Forked : DialogReason::External);
        it->second.uas.terminate(it->second.uac.endReason());
        report(it->first, it->second, u, nullptr, false, now);
    }
    if (!early.empty()) eraseEnded(r.callId, early);
    m_requests.erase(r.id);
}

const SipMessage& DialogObserver::Request::message() {
    if (!parsed) {
        auto again = SipMessage::parse(bytes);
        parsed = again.ok() ? std::move(again).value() : SipMessage{};
        bytes = nullptr;
    }
    return *parsed;
}

void DialogObserver::Request::compact() {
    if (!parsed) return;
    bytes = dialogLines(*parsed);
    parsed.reset();
}

void DialogObserver::onRequest(const Observation& o, std::uint64_t tx) {
    const SipMessage& m = *o.message;
    const KeyHeaders& k = *o.keys;
    const bool creating = createsDialog(m.method()) && k.toTag.empty();
    if (creating) {
        m_requests.insertOrAssign(tx, std::make_unique<Request>(m, o.src, o.dst, true));
        return;
    }
    if (k.toTag.empty() || m.method() == "ACK" || m.method() == "CANCEL") return;
    const auto dialogs = inDialog(m, o.src, o.dst);
    // Responses to requests inside a known dialog refresh or end it (§12.2.1.2).
    if (!dialogs.empty())
        m_requests.insertOrAssign(tx, std::make_unique<Request>(m, o.src, o.dst, false));
    for (auto it : dialogs) {
        Pair& p = it->second;
        // Sent by the UAC side when its From tag is the UAC's local tag (RFC 3261 §12.2.1.1).
        const bool fromUac = k.fromTag == it->first.uacTag;
        const DialogUpdate u = p.uac.onRequest(m, fromUac ? Direction::Sent : Direction::Received);
        const DialogUpdate us = p.uas.onRequest(m, fromUac ? Direction::Received : Direction::Sent);
        if ((fromUac ? us : u).cseqOutOfOrder) {
            // RFC 3261 §12.2.2: a lower CSeq than the remote sequence number must be rejected.
            Anomaly a;
            a.code = "cseq_out_of_order";
            a.messageIds = {o.id};
            a.rfc = "RFC 3261 §12.2.2";
            a.text = std::string(m.method()) + " with a CSeq lower than an earlier request's";
            a.at = o.at;
            a.transaction = tx;
            m_anomalies(a);
        }
        report(it->first, p, u, &o);
    }
    eraseEnded(k.callId, dialogs);
}

void DialogObserver::onResponse(const Observation& o, std::uint64_t tx) {
    std::unique_ptr<Request>* found = m_requests.find(tx);
    if (!found) return;
    Request& req = **found;
    const SipMessage& m = *o.message;
    const int code = m.status().value_or(0);
    if (req.creating) {
        onCreatingResponse(o, req, tx);
        // Only more 2xx (other forks, RFC 3261 §13.2.2.4) may follow a final response: after
        // a non-2xx the request is not needed any more.
        if (code >= 300)
            m_requests.erase(tx);
        else if (code >= 200)
            req.compact();
        return;
    }
    const SipMessage& request = req.message();
    const KeyHeaders& rk = request.keyHeaders();
    const auto dialogs = inDialog(request, req.client, req.server);
    for (auto it : dialogs) {
        Pair& p = it->second;
        const bool fromUac = rk.fromTag == it->first.uacTag;
        const DialogUpdate u =
            p.uac.onResponse(request, m, fromUac ? Direction::Received : Direction::Sent);
        p.uas.onResponse(request, m, fromUac ? Direction::Sent : Direction::Received);
        report(it->first, p, u, &o);
    }
    eraseEnded(rk.callId, dialogs);
    // A request inside a dialog has one final response (RFC 3261 §17.1.3): its bytes can go.
    if (code >= 200) m_requests.erase(tx);
}

void DialogObserver::onCreatingResponse(const Observation& o, Request& req, std::uint64_t tx) {
    const SipMessage& m = *o.message;
    const KeyHeaders& k = *o.keys;
    Key key{std::string(k.callId), std::string(k.fromTag), std::string(k.toTag), req.client,
            req.server};
    Dialogs* dialogs = dialogsOf(key.callId);
    auto it = dialogs ? dialogs->find(key) : Dialogs::iterator{};
    if (!dialogs || it == dialogs->end()) {
        // RFC 3261 §12.1: a 101-199 with a To tag or a 2xx creates the dialog on both sides.
        const SipMessage& request = req.message();
        auto uac = Dialog::createAsUac(request, m);
        auto uas = Dialog::createAsUas(request, m);
        if (!uac || !uas) return;
        if (!dialogs) dialogs = &m_dialogs[key.callId];
        auto [pos, inserted] = dialogs->emplace(
            key,
            Pair{std::move(*uac), std::move(*uas), tx, m_created++, std::string(request.method())});
        ++m_open;
        DialogUpdate u;
        u.matched = true;
        u.to = pos->second.uac.state();
        report(pos->first, pos->second, u, &o, true);
        return;
    }
    Pair& p = it->second;
    const DialogUpdate u = p.uac.onResponse(req.message(), m, Direction::Received);
    p.uas.onResponse(req.message(), m, Direction::Sent);
    report(it->first, p, u, &o);
    eraseEnded(key.callId, {it});
}

DialogObserver::Dialogs* DialogObserver::dialogsOf(std::string_view callId) {
    auto it = m_dialogs.find(callId);
    return it == m_dialogs.end() ? nullptr : &it->second;
}

void DialogObserver::eraseEnded(std::string_view callId,
                                const std::vector<Dialogs::iterator>& candidates) {
    auto all = m_dialogs.find(callId);
    if (all == m_dialogs.end()) return;
    for (auto it : candidates) {
        if (it->second.uac.state() != DialogState::Terminated) continue;
        all->second.erase(it);
        --m_open;
    }
    if (all->second.empty()) m_dialogs.erase(all);
}

std::vector<DialogObserver::Dialogs::iterator> DialogObserver::inDialog(const SipMessage& m,
                                                                        std::string_view a,
                                                                        std::string_view b) {
    const KeyHeaders& k = m.keyHeaders();
    std::vector<Dialogs::iterator> sameHop, anyHop;
    Dialogs* dialogs = dialogsOf(k.callId);
    if (!dialogs) return {};
    for (auto it = dialogs->begin(); it != dialogs->end(); ++it) {
        const Key& key = it->first;
        const bool tags = (key.uacTag == k.fromTag && key.uasTag == k.toTag) ||
                          (key.uacTag == k.toTag && key.uasTag == k.fromTag);
        if (!tags) continue;
        anyHop.push_back(it);
        if ((key.uac == a && key.uas == b) || (key.uac == b && key.uas == a)) sameHop.push_back(it);
    }
    // The request on this hop belongs to this hop's dialog view; a request that travels
    // elsewhere (no Record-Route: straight between the UAs) ends every view of the dialog.
    return sameHop.empty() ? anyHop : sameHop;
}

void DialogObserver::report(const Key& k, const Pair& p, const DialogUpdate& u,
                            const Observation* o, bool created, Instant now) {
    if (!created && !u.stateChanged) return;
    DialogEvent e;
    e.callId = k.callId;
    e.uacTag = k.uacTag;
    e.uasTag = k.uasTag;
    e.uac = k.uac;
    e.uas = k.uas;
    e.method = p.method;
    e.created = created;
    e.from = u.from;
    e.to = created ? p.uac.state() : u.to;
    e.reason = p.uac.endReason();
    e.at = o ? o->at : now;
    e.messageId = o ? o->id : 0;
    m_events(e);
}

}  // namespace sipscope::stack
