// RFC 3261 §12 dialogs seen from both ends of one call: Alice (UAC) calls Bob (UAS) through two
// record-routing proxies. Creation (§12.1.1, §12.1.2), ids, early -> confirmed -> terminated,
// forking, route set recomputation (§13.2.2.4), CSeq ordering and target refresh (§12.2),
// 481/408 (§12.2.1.2), BYE (§15) and NOTIFY terminated (RFC 6665 §4.4.1).

#include <QtTest>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dialog/dialog.hpp"
#include "message/key_headers.hpp"
#include "message/message_builder.hpp"

using namespace sipscope::stack;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Party {
    std::string uri, tag, contact;
};

const std::string kCallId = "a84b4c76e66710@pc33.atlanta.example.com";
const Party kAlice{"sip:alice@atlanta.example.com", "1928301774",
                   "sip:alice@pc33.atlanta.example.com"};
const Party kBob{"sip:bob@biloxi.example.com", "a6c85cf", "sip:bob@192.0.2.4"};
const Party kBobNoTag{kBob.uri, "", ""};
// The INVITE as Bob receives it: p1 (next to Alice) added its entry first, p2 on top.
const Headers kRecordRoute{{"Record-Route", "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>"}};
constexpr std::uint32_t kInviteCseq = 314159;

QString q(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QStringList list(const std::vector<std::string>& v) {
    QStringList out;
    for (const auto& s : v) out << q(s);
    return out;
}

qint64 seq(std::optional<std::uint32_t> s) {
    return s ? qint64(*s) : -1;
}

// "unmatched", or "<from>><to>" on a transition / "=<state>" without one, plus flags.
QString outcome(const DialogUpdate& u) {
    if (!u.matched) {
        return u.stateChanged || u.targetRefreshed || u.cseqOutOfOrder ? "unmatched+flags"
                                                                       : "unmatched";
    }
    QString s = u.stateChanged ? q(dialogStateLabel(u.from)) + ">" + q(dialogStateLabel(u.to))
                               : "=" + q(dialogStateLabel(u.to));
    if (!u.stateChanged && u.from != u.to) s += "!from";
    if (u.targetRefreshed) s += " target";
    if (u.cseqOutOfOrder) s += " out_of_order";
    return s;
}

QString state(const Dialog& d) {
    return q(dialogStateLabel(d.state())) + "/" + q(dialogReasonLabel(d.endReason()));
}

SipMessage build(const MessageBuilder& b) {
    auto r = b.build();
    if (!r.ok()) qFatal("message did not build");
    return std::move(r).value();
}

std::string nameAddr(const Party& p) {
    std::string s = "<" + p.uri + ">";
    if (!p.tag.empty()) s += ";tag=" + p.tag;
    return s;
}

// A request from `from` to `to` (a To without tag makes it dialog-creating), with `from`'s
// Contact when it has one.
SipMessage request(std::string_view method, std::uint32_t cseq, const Party& from, const Party& to,
                   const Headers& extra = {}, std::string_view requestUri = {}) {
    const std::string m(method), n = std::to_string(cseq);
    auto b = MessageBuilder::request(method, requestUri.empty() ? to.uri : requestUri);
    b.header("Via", "SIP/2.0/UDP host.example.com;branch=z9hG4bK" + m + n)
        .header("Max-Forwards", "70")
        .header("From", nameAddr(from))
        .header("To", nameAddr(to))
        .header("Call-ID", kCallId)
        .header("CSeq", n + " " + m);
    if (!from.contact.empty()) b.header("Contact", "<" + from.contact + ">");
    for (const auto& [name, value] : extra) b.header(name, value);
    return build(b);
}

// A response to `request`; `toTag` is added when To has none.
SipMessage reply(const SipMessage& request, int status, std::string_view toTag,
                 std::string_view contact = {}, const Headers& extra = {}) {
    auto b = MessageBuilder::response(status);
    for (const auto& h : request.headers()) {
        if (h.id == HeaderId::Via || h.id == HeaderId::From || h.id == HeaderId::CallId ||
            h.id == HeaderId::CSeq)
            b.header(h.id, h.value);
        if (h.id != HeaderId::To) continue;
        std::string to(h.value);
        if (!toTag.empty() && headerParam(h.value, "tag").empty())
            to += ";tag=" + std::string(toTag);
        b.header(h.id, to);
    }
    if (!contact.empty()) b.header("Contact", "<" + std::string(contact) + ">");
    for (const auto& [name, value] : extra) b.header(name, value);
    return build(b);
}

SipMessage invite(const Headers& extra = kRecordRoute) {
    return request("INVITE", kInviteCseq, kAlice, kBobNoTag, extra);
}

Dialog must(std::optional<Dialog> d) {
    if (!d) qFatal("dialog not created");
    return std::move(*d);
}

// Alice's and Bob's dialogs after Bob answered `status` (180 or 200) to the INVITE.
Dialog aliceDialog(int status = 200) {
    const SipMessage inv = invite();
    return must(Dialog::createAsUac(inv, reply(inv, status, kBob.tag, kBob.contact, kRecordRoute)));
}
Dialog bobDialog(int status = 200) {
    const SipMessage inv = invite();
    return must(Dialog::createAsUas(inv, reply(inv, status, kBob.tag, kBob.contact, kRecordRoute)));
}

Dialog dialogFor(DialogRole role, int status = 200) {
    return role == DialogRole::Uac ? aliceDialog(status) : bobDialog(status);
}
const Party& owner(DialogRole role) {
    return role == DialogRole::Uac ? kAlice : kBob;
}
const Party& peer(DialogRole role) {
    return role == DialogRole::Uac ? kBob : kAlice;
}

}  // namespace

Q_DECLARE_METATYPE(DialogRole)
Q_DECLARE_METATYPE(Direction)

class TestDialog : public QObject {
    Q_OBJECT

  private slots:
    void labels();
    void createAsUas();
    void createAsUac();
    void routeSetOrder_data();
    void routeSetOrder();
    void secure_data();
    void secure();
    void noDialog_data();
    void noDialog();
    void idOf_data();
    void idOf();
    void lifecycleUac();
    void lifecycleUas();
    void forking();
    void routeSetRecomputedBy2xx();
    void non2xxEndsEarly_data();
    void non2xxEndsEarly();
    void cseqOrder();
    void cseqOrderFromEmpty();
    void targetRefreshByRequest_data();
    void targetRefreshByRequest();
    void targetRefreshBy2xx_data();
    void targetRefreshBy2xx();
    void calleeRequestWithCreatingCseq();
    void failureInDialog_data();
    void failureInDialog();
    void bye_data();
    void bye();
    void notify_data();
    void notify();
    void otherDialogs();
    void terminatedAbsorbs();
};

void TestDialog::labels() {
    QCOMPARE(q(dialogStateLabel(DialogState::Early)), "early");
    QCOMPARE(q(dialogStateLabel(DialogState::Confirmed)), "confirmed");
    QCOMPARE(q(dialogStateLabel(DialogState::Terminated)), "terminated");
    QCOMPARE(q(dialogReasonLabel(DialogReason::None)), "none");
    QCOMPARE(q(dialogReasonLabel(DialogReason::Bye)), "bye");
    QCOMPARE(q(dialogReasonLabel(DialogReason::FinalNon2xx)), "final_non_2xx");
    QCOMPARE(q(dialogReasonLabel(DialogReason::FailureInDialog)), "failure_in_dialog");
    QCOMPARE(q(dialogReasonLabel(DialogReason::SubscriptionEnded)), "subscription_ended");
    QCOMPARE(q(dialogReasonLabel(DialogReason::Forked)), "forked");
    QCOMPARE(q(dialogReasonLabel(DialogReason::External)), "external");
}

void TestDialog::createAsUas() {
    const Dialog early = bobDialog(180);
    QCOMPARE(state(early), "early/none");
    const Dialog d = bobDialog(200);
    QCOMPARE(state(d), "confirmed/none");
    QVERIFY(d.role() == DialogRole::Uas);
    QVERIFY(d.id() == (DialogId{kCallId, kBob.tag, kAlice.tag}));
    QCOMPARE(q(d.localUri()), q(kBob.uri));
    QCOMPARE(q(d.remoteUri()), q(kAlice.uri));
    QCOMPARE(q(d.remoteTarget()), q(kAlice.contact));  // §12.1.1: the request's Contact
    QCOMPARE(list(d.routeSet()), QStringList({"sip:p2.example.com;lr", "sip:p1.example.com;lr"}));
    QCOMPARE(seq(d.remoteSeq()), qint64(kInviteCseq));
    QCOMPARE(seq(d.localSeq()), qint64(-1));
    QCOMPARE(q(d.method()), "INVITE");
    QVERIFY(!d.secure());
}

void TestDialog::createAsUac() {
    const Dialog early = aliceDialog(183);
    QCOMPARE(state(early), "early/none");
    const Dialog d = aliceDialog(200);
    QCOMPARE(state(d), "confirmed/none");
    QVERIFY(d.role() == DialogRole::Uac);
    QVERIFY(d.id() == (DialogId{kCallId, kAlice.tag, kBob.tag}));
    QCOMPARE(q(d.localUri()), q(kAlice.uri));
    QCOMPARE(q(d.remoteUri()), q(kBob.uri));
    QCOMPARE(q(d.remoteTarget()), q(kBob.contact));  // §12.1.2: the response's Contact
    QCOMPARE(list(d.routeSet()), QStringList({"sip:p1.example.com;lr", "sip:p2.example.com;lr"}));
    QCOMPARE(seq(d.localSeq()), qint64(kInviteCseq));
    QCOMPARE(seq(d.remoteSeq()), qint64(-1));
    QCOMPARE(q(d.method()), "INVITE");
    QVERIFY(!d.secure());
}

void TestDialog::routeSetOrder_data() {
    QTest::addColumn<QStringList>("lines");  // Record-Route header lines, top first
    QTest::addColumn<QStringList>("uas");
    QTest::addColumn<QStringList>("uac");
    const QString p1 = "sip:p1.example.com;lr", p2 = "sip:p2.example.com;lr";
    QTest::newRow("none") << QStringList() << QStringList() << QStringList();
    QTest::newRow("one value") << QStringList({"<sip:p1.example.com;lr>"}) << QStringList({p1})
                               << QStringList({p1});
    QTest::newRow("one header, two values")
        << QStringList({"<sip:p2.example.com;lr>, <sip:p1.example.com;lr>"})
        << QStringList({p2, p1}) << QStringList({p1, p2});
    QTest::newRow("two headers") << QStringList(
                                        {"<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"})
                                 << QStringList({p2, p1}) << QStringList({p1, p2});
    QTest::newRow("mixed, params and display names")
        << QStringList({"Edge <sip:p3.example.com:5070;transport=tcp;lr>, <sip:p2.example.com;lr>",
                        "<sip:10.0.0.1;lr;ftag=1928301774>"})
        << QStringList(
               {"sip:p3.example.com:5070;transport=tcp;lr", p2, "sip:10.0.0.1;lr;ftag=1928301774"})
        << QStringList(
               {"sip:10.0.0.1;lr;ftag=1928301774", p2, "sip:p3.example.com:5070;transport=tcp;lr"});
}

void TestDialog::routeSetOrder() {
    QFETCH(QStringList, lines);
    QFETCH(QStringList, uas);
    QFETCH(QStringList, uac);
    Headers rr;
    for (const QString& l : lines) rr.emplace_back("Record-Route", l.toStdString());
    const SipMessage inv = invite(rr);
    const SipMessage ok = reply(inv, 200, kBob.tag, kBob.contact, rr);
    QCOMPARE(list(must(Dialog::createAsUas(inv, ok)).routeSet()), uas);
    QCOMPARE(list(must(Dialog::createAsUac(inv, ok)).routeSet()), uac);
}

void TestDialog::secure_data() {
    QTest::addColumn<QString>("requestUri");
    QTest::addColumn<bool>("secure");
    QTest::newRow("sip") << "sip:bob@biloxi.example.com" << false;
    QTest::newRow("sip over tls") << "sip:bob@biloxi.example.com;transport=tls" << false;
    QTest::newRow("sips") << "sips:bob@biloxi.example.com" << true;
}

void TestDialog::secure() {
    QFETCH(QString, requestUri);
    QFETCH(bool, secure);
    const SipMessage inv =
        request("INVITE", kInviteCseq, kAlice, kBobNoTag, {}, requestUri.toStdString());
    const SipMessage ok = reply(inv, 200, kBob.tag, kBob.contact);
    QCOMPARE(must(Dialog::createAsUac(inv, ok)).secure(), secure);
    QCOMPARE(must(Dialog::createAsUas(inv, ok)).secure(), secure);
}

void TestDialog::noDialog_data() {
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("toTag");
    QTest::addColumn<QString>("fromTag");
    QTest::addColumn<QString>("callId");
    const QString bob = q(kBob.tag), alice = q(kAlice.tag), call = q(kCallId);
    QTest::newRow("100 with tag") << 100 << bob << alice << call;
    QTest::newRow("486") << 486 << bob << alice << call;
    QTest::newRow("302") << 302 << bob << alice << call;
    QTest::newRow("603") << 603 << bob << alice << call;
    QTest::newRow("180 without To tag") << 180 << QString() << alice << call;
    QTest::newRow("200 without To tag") << 200 << QString() << alice << call;
    QTest::newRow("request without From tag") << 200 << bob << QString() << call;
    QTest::newRow("no Call-ID") << 200 << bob << alice << QString();
}

void TestDialog::noDialog() {
    QFETCH(int, status);
    QFETCH(QString, toTag);
    QFETCH(QString, fromTag);
    QFETCH(QString, callId);
    auto b = MessageBuilder::request("INVITE", kBob.uri)
                 .header("Via", "SIP/2.0/UDP host.example.com;branch=z9hG4bKx")
                 .header("From", "<" + kAlice.uri + ">" +
                                     (fromTag.isEmpty() ? "" : ";tag=" + fromTag.toStdString()))
                 .header("To", "<" + kBob.uri + ">")
                 .header("CSeq", "1 INVITE")
                 .header("Contact", "<" + kAlice.contact + ">");
    if (!callId.isEmpty()) b.header("Call-ID", callId.toStdString());
    const SipMessage inv = build(b);
    const SipMessage resp = reply(inv, status, toTag.toStdString(), kBob.contact);
    QVERIFY(!Dialog::createAsUac(inv, resp));
    QVERIFY(!Dialog::createAsUas(inv, resp));
}

void TestDialog::idOf_data() {
    QTest::addColumn<QString>("message");
    QTest::addColumn<DialogRole>("role");
    QTest::addColumn<Direction>("dir");
    QTest::addColumn<QString>("local");
    QTest::addColumn<QString>("remote");
    const QString a = q(kAlice.tag), b = q(kBob.tag);
    const auto uac = DialogRole::Uac, uas = DialogRole::Uas;
    const auto sent = Direction::Sent, received = Direction::Received;
    QTest::newRow("uac sends request") << "alice request" << uac << sent << a << b;
    QTest::newRow("uac receives response") << "response to alice" << uac << received << a << b;
    QTest::newRow("uac receives request") << "bob request" << uac << received << a << b;
    QTest::newRow("uac sends response") << "response to bob" << uac << sent << a << b;
    QTest::newRow("uas receives request") << "alice request" << uas << received << b << a;
    QTest::newRow("uas sends response") << "response to alice" << uas << sent << b << a;
    QTest::newRow("uas sends request") << "bob request" << uas << sent << b << a;
    QTest::newRow("uas receives response") << "response to bob" << uas << received << b << a;
    QTest::newRow("creating request sent") << "invite" << uac << sent << a << QString();
    QTest::newRow("creating request received") << "invite" << uas << received << QString() << a;
}

void TestDialog::idOf() {
    QFETCH(QString, message);
    QFETCH(DialogRole, role);
    QFETCH(Direction, dir);
    QFETCH(QString, local);
    QFETCH(QString, remote);
    const SipMessage fromAlice = request("INFO", 314160, kAlice, kBob);
    const SipMessage fromBob = request("INFO", 7, kBob, kAlice);
    const SipMessage m = message == "alice request"       ? fromAlice
                         : message == "bob request"       ? fromBob
                         : message == "response to alice" ? reply(fromAlice, 200, {})
                         : message == "response to bob"   ? reply(fromBob, 200, {})
                                                          : invite();
    const DialogId id = Dialog::idOf(m, role, dir);
    QCOMPARE(q(id.callId), q(kCallId));
    QCOMPARE(q(id.localTag), local);
    QCOMPARE(q(id.remoteTag), remote);
    // The From tag is the tag of whoever sent the transaction's request, whatever the role.
    const DialogRole other = role == DialogRole::Uac ? DialogRole::Uas : DialogRole::Uac;
    QVERIFY(Dialog::idOf(m, other, dir) == id);
}

void TestDialog::lifecycleUac() {
    const SipMessage inv = invite();
    const Headers rr = kRecordRoute;
    Dialog d = must(Dialog::createAsUac(inv, reply(inv, 180, kBob.tag, kBob.contact, rr)));
    QCOMPARE(state(d), "early/none");
    // §12.1.2: later provisionals keep it early; their Contact is the remote target.
    QCOMPARE(outcome(d.onResponse(inv, reply(inv, 183, kBob.tag, "sip:bob@192.0.2.5", rr),
                                  Direction::Received)),
             "=early target");
    QCOMPARE(q(d.remoteTarget()), "sip:bob@192.0.2.5");
    QCOMPARE(outcome(d.onResponse(inv, reply(inv, 180, kBob.tag, "sip:bob@192.0.2.5", rr),
                                  Direction::Received)),
             "=early");
    QCOMPARE(outcome(d.onResponse(inv, reply(inv, 200, kBob.tag, kBob.contact, rr),
                                  Direction::Received)),
             "early>confirmed target");
    QCOMPARE(state(d), "confirmed/none");
    QCOMPARE(q(d.remoteTarget()), q(kBob.contact));
    // A retransmitted 2xx changes nothing.
    QCOMPARE(outcome(d.onResponse(inv, reply(inv, 200, kBob.tag, "sip:bob@192.0.2.9", rr),
                                  Direction::Received)),
             "=confirmed");
    QCOMPARE(q(d.remoteTarget()), q(kBob.contact));
    QCOMPARE(outcome(d.onRequest(request("ACK", kInviteCseq, kAlice, kBob), Direction::Sent)),
             "=confirmed");
    QCOMPARE(seq(d.localSeq()), qint64(kInviteCseq));
    QCOMPARE(outcome(d.onRequest(request("BYE", 314160, kAlice, kBob), Direction::Sent)),
             "confirmed>terminated");
    QCOMPARE(state(d), "terminated/bye");
    QCOMPARE(seq(d.localSeq()), qint64(314160));
    QCOMPARE(seq(d.remoteSeq()), qint64(-1));
}

void TestDialog::lifecycleUas() {
    const SipMessage inv = invite();
    const Headers rr = kRecordRoute;
    Dialog d = must(Dialog::createAsUas(inv, reply(inv, 180, kBob.tag, kBob.contact, rr)));
    QCOMPARE(state(d), "early/none");
    QCOMPARE(outcome(d.onResponse(inv, reply(inv, 183, kBob.tag, "sip:bob@192.0.2.5", rr),
                                  Direction::Sent)),
             "=early");
    QCOMPARE(q(d.remoteTarget()), q(kAlice.contact));  // its own Contact is not the target
    QCOMPARE(
        outcome(d.onResponse(inv, reply(inv, 200, kBob.tag, kBob.contact, rr), Direction::Sent)),
        "early>confirmed");
    QCOMPARE(state(d), "confirmed/none");
    QCOMPARE(list(d.routeSet()), QStringList({"sip:p2.example.com;lr", "sip:p1.example.com;lr"}));
    QCOMPARE(outcome(d.onRequest(request("ACK", kInviteCseq, kAlice, kBob), Direction::Received)),
             "=confirmed");
    QCOMPARE(seq(d.remoteSeq()), qint64(kInviteCseq));
    QCOMPARE(outcome(d.onRequest(request("BYE", 314160, kAlice, kBob), Direction::Received)),
             "confirmed>terminated");
    QCOMPARE(state(d), "terminated/bye");
    QCOMPARE(seq(d.remoteSeq()), qint64(314160));
    QCOMPARE(seq(d.localSeq()), qint64(-1));
}

void TestDialog::forking() {
    const SipMessage inv = invite({});
    const SipMessage ringA = reply(inv, 180, "fork-a", "sip:bob@192.0.2.10");
    const SipMessage ringB = reply(inv, 180, "fork-b", "sip:bob@192.0.2.20");
    Dialog a = must(Dialog::createAsUac(inv, ringA));
    Dialog b = must(Dialog::createAsUac(inv, ringB));
    QVERIFY(a.id() == (DialogId{kCallId, kAlice.tag, "fork-a"}));
    QVERIFY(b.id() == (DialogId{kCallId, kAlice.tag, "fork-b"}));
    QCOMPARE(q(a.remoteTarget()), "sip:bob@192.0.2.10");
    QCOMPARE(q(b.remoteTarget()), "sip:bob@192.0.2.20");
    // Each fork's responses go to its own dialog only.
    QCOMPARE(outcome(a.onResponse(inv, ringB, Direction::Received)), "unmatched");
    const SipMessage okB = reply(inv, 200, "fork-b", "sip:bob@192.0.2.20");
    QCOMPARE(outcome(a.onResponse(inv, okB, Direction::Received)), "unmatched");
    QCOMPARE(state(a), "early/none");
    QCOMPARE(q(a.remoteTarget()), "sip:bob@192.0.2.10");
    QCOMPARE(outcome(b.onResponse(inv, okB, Direction::Received)), "early>confirmed");
    // §13.2.2.4: the owner ends the losing fork.
    QCOMPARE(outcome(a.terminate(DialogReason::Forked)), "early>terminated");
    QCOMPARE(state(a), "terminated/forked");
    QCOMPARE(outcome(a.terminate(DialogReason::External)), "=terminated");
    QCOMPARE(state(a), "terminated/forked");
    QCOMPARE(state(b), "confirmed/none");
}

void TestDialog::routeSetRecomputedBy2xx() {
    const SipMessage inv = invite();
    Dialog d =
        must(Dialog::createAsUac(inv, reply(inv, 180, kBob.tag, kBob.contact, kRecordRoute)));
    QCOMPARE(list(d.routeSet()), QStringList({"sip:p1.example.com;lr", "sip:p2.example.com;lr"}));
    // §13.2.2.4: the 2xx took another path; its Record-Route (reversed) is the route set.
    const Headers other{{"Record-Route", "<sip:p3.example.com;lr>"},
                        {"Record-Route", "<sip:p1.example.com;lr>"}};
    QCOMPARE(outcome(d.onResponse(inv, reply(inv, 200, kBob.tag, "sip:bob@192.0.2.77", other),
                                  Direction::Received)),
             "early>confirmed target");
    QCOMPARE(list(d.routeSet()), QStringList({"sip:p1.example.com;lr", "sip:p3.example.com;lr"}));
    QCOMPARE(q(d.remoteTarget()), "sip:bob@192.0.2.77");
    // The UAS keeps the route set of the request, whatever its 2xx says.
    Dialog uas =
        must(Dialog::createAsUas(inv, reply(inv, 180, kBob.tag, kBob.contact, kRecordRoute)));
    QCOMPARE(outcome(uas.onResponse(inv, reply(inv, 200, kBob.tag, kBob.contact, other),
                                    Direction::Sent)),
             "early>confirmed");
    QCOMPARE(list(uas.routeSet()), QStringList({"sip:p2.example.com;lr", "sip:p1.example.com;lr"}));
}

void TestDialog::non2xxEndsEarly_data() {
    QTest::addColumn<DialogRole>("role");
    QTest::addColumn<int>("status");
    for (int status : {302, 404, 486, 487, 500, 603}) {
        QTest::addRow("uac %d", status) << DialogRole::Uac << status;
        QTest::addRow("uas %d", status) << DialogRole::Uas << status;
    }
}

void TestDialog::non2xxEndsEarly() {
    QFETCH(DialogRole, role);
    QFETCH(int, status);
    const SipMessage inv = invite();
    Dialog d = dialogFor(role, 180);
    const Direction dir = role == DialogRole::Uac ? Direction::Received : Direction::Sent;
    // §12.3: the final non-2xx carries the same To tag as the provisional.
    QCOMPARE(outcome(d.onResponse(inv, reply(inv, status, kBob.tag), dir)), "early>terminated");
    QCOMPARE(state(d), "terminated/final_non_2xx");
    // A non-2xx to the creating request after it was confirmed (a race) changes nothing.
    Dialog confirmed = dialogFor(role, 200);
    QCOMPARE(outcome(confirmed.onResponse(inv, reply(inv, status, kBob.tag), dir)), "=confirmed");
    QCOMPARE(state(confirmed), "confirmed/none");
}

void TestDialog::cseqOrder() {
    Dialog d = bobDialog();  // remote sequence 314159 from the INVITE
    const Party moved{kAlice.uri, kAlice.tag, "sip:alice@198.51.100.7"};
    const auto in = [&](std::string_view method, std::uint32_t cseq, const Party& from = kAlice) {
        return outcome(d.onRequest(request(method, cseq, from, kBob), Direction::Received));
    };
    QCOMPARE(in("INFO", 314161), "=confirmed");
    QCOMPARE(seq(d.remoteSeq()), qint64(314161));
    // §12.2.2: lower than the remote sequence: rejected, nothing else happens.
    QCOMPARE(in("INVITE", 314160, moved), "=confirmed out_of_order");
    QCOMPARE(seq(d.remoteSeq()), qint64(314161));
    QCOMPARE(q(d.remoteTarget()), q(kAlice.contact));
    QCOMPARE(in("BYE", 314160), "=confirmed out_of_order");
    QCOMPARE(state(d), "confirmed/none");
    // ACK and CANCEL reuse their request's number: exempt, and they do not move it.
    QCOMPARE(in("ACK", kInviteCseq), "=confirmed");
    QCOMPARE(in("CANCEL", 1), "=confirmed");
    QCOMPARE(seq(d.remoteSeq()), qint64(314161));
    // Equal is not lower (§12.2.2 only rejects lower numbers).
    QCOMPARE(in("INFO", 314161), "=confirmed");
    QCOMPARE(in("UPDATE", 400000, moved), "=confirmed target");
    QCOMPARE(seq(d.remoteSeq()), qint64(400000));
    // Sent requests move the local sequence only, without ordering checks.
    QCOMPARE(outcome(d.onRequest(request("INFO", 5, kBob, kAlice), Direction::Sent)), "=confirmed");
    QCOMPARE(seq(d.localSeq()), qint64(5));
    QCOMPARE(seq(d.remoteSeq()), qint64(400000));
}

void TestDialog::cseqOrderFromEmpty() {
    Dialog d = aliceDialog();  // §12.1.2: the UAC's remote sequence starts empty
    QCOMPARE(seq(d.remoteSeq()), qint64(-1));
    QCOMPARE(outcome(d.onRequest(request("INFO", 10, kBob, kAlice), Direction::Received)),
             "=confirmed");
    QCOMPARE(seq(d.remoteSeq()), qint64(10));
    QCOMPARE(outcome(d.onRequest(request("INFO", 9, kBob, kAlice), Direction::Received)),
             "=confirmed out_of_order");
    QCOMPARE(seq(d.remoteSeq()), qint64(10));
    QCOMPARE(seq(d.localSeq()), qint64(kInviteCseq));
}

void TestDialog::targetRefreshByRequest_data() {
    QTest::addColumn<DialogRole>("role");
    QTest::addColumn<QString>("method");
    QTest::addColumn<bool>("refreshed");
    for (const auto role : {DialogRole::Uac, DialogRole::Uas}) {
        const char* r = role == DialogRole::Uac ? "uac" : "uas";
        QTest::addRow("%s re-INVITE", r) << role << "INVITE" << true;
        QTest::addRow("%s UPDATE", r) << role << "UPDATE" << true;
        QTest::addRow("%s INFO", r) << role << "INFO" << false;
    }
}

void TestDialog::targetRefreshByRequest() {
    QFETCH(DialogRole, role);
    QFETCH(QString, method);
    QFETCH(bool, refreshed);
    Dialog d = dialogFor(role);
    const std::string before = d.remoteTarget();
    Party from = peer(role);
    from.contact = "sip:moved@198.51.100.7";
    const SipMessage req = request(method.toStdString(), 500000, from, owner(role));
    QCOMPARE(outcome(d.onRequest(req, Direction::Received)),
             refreshed ? "=confirmed target" : "=confirmed");
    QCOMPARE(q(d.remoteTarget()), refreshed ? "sip:moved@198.51.100.7" : q(before));
    // The 2xx the owner sends back carries its own Contact: not the remote target.
    const SipMessage ok = reply(req, 200, {}, "sip:owner@203.0.113.1");
    QCOMPARE(outcome(d.onResponse(req, ok, Direction::Sent)), "=confirmed");
    QCOMPARE(q(d.remoteTarget()), refreshed ? "sip:moved@198.51.100.7" : q(before));
    // The same Contact again is no change.
    QCOMPARE(outcome(d.onRequest(request(method.toStdString(), 500001, from, owner(role)),
                                 Direction::Received)),
             "=confirmed");
}

void TestDialog::targetRefreshBy2xx_data() {
    QTest::addColumn<DialogRole>("role");
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("refreshed");
    for (const auto role : {DialogRole::Uac, DialogRole::Uas}) {
        const char* r = role == DialogRole::Uac ? "uac" : "uas";
        QTest::addRow("%s re-INVITE 200", r) << role << "INVITE" << 200 << true;
        QTest::addRow("%s UPDATE 200", r) << role << "UPDATE" << 200 << true;
        QTest::addRow("%s re-INVITE 202", r) << role << "INVITE" << 202 << true;
        QTest::addRow("%s re-INVITE 180", r) << role << "INVITE" << 180 << false;
        QTest::addRow("%s re-INVITE 488", r) << role << "INVITE" << 488 << false;
        QTest::addRow("%s INFO 200", r) << role << "INFO" << 200 << false;
    }
}

void TestDialog::targetRefreshBy2xx() {
    QFETCH(DialogRole, role);
    QFETCH(QString, method);
    QFETCH(int, status);
    QFETCH(bool, refreshed);
    Dialog d = dialogFor(role);
    const std::string before = d.remoteTarget();
    const SipMessage req = request(method.toStdString(), 600000, owner(role), peer(role));
    QCOMPARE(outcome(d.onRequest(req, Direction::Sent)), "=confirmed");
    QCOMPARE(seq(d.localSeq()), qint64(600000));
    // §12.2.1.2: the peer's 2xx to a target refresh the owner sent names its new target.
    const SipMessage resp = reply(req, status, {}, "sip:peer@198.51.100.9");
    QCOMPARE(outcome(d.onResponse(req, resp, Direction::Received)),
             refreshed ? "=confirmed target" : "=confirmed");
    QCOMPARE(q(d.remoteTarget()), refreshed ? "sip:peer@198.51.100.9" : q(before));
}

// Bob's own CSeq space may reuse the INVITE's number: only the UAC's request is the creating one.
void TestDialog::calleeRequestWithCreatingCseq() {
    Dialog bob = bobDialog();
    const SipMessage reinvite = request("INVITE", kInviteCseq, kBob, kAlice);
    QCOMPARE(outcome(bob.onRequest(reinvite, Direction::Sent)), "=confirmed");
    const SipMessage ok = reply(reinvite, 200, {}, "sip:alice@198.51.100.3");
    QCOMPARE(outcome(bob.onResponse(reinvite, ok, Direction::Received)), "=confirmed target");
    QCOMPARE(q(bob.remoteTarget()), "sip:alice@198.51.100.3");

    Dialog alice = aliceDialog();
    QCOMPARE(outcome(alice.onRequest(reinvite, Direction::Received)), "=confirmed");
    QCOMPARE(seq(alice.remoteSeq()), qint64(kInviteCseq));
    QCOMPARE(outcome(alice.onResponse(reinvite, reply(reinvite, 408, {}), Direction::Sent)),
             "confirmed>terminated");
    QCOMPARE(state(alice), "terminated/failure_in_dialog");
}

void TestDialog::failureInDialog_data() {
    QTest::addColumn<DialogRole>("role");
    QTest::addColumn<bool>("ownerSent");  // the owner sent the in-dialog request
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("result");
    for (const auto role : {DialogRole::Uac, DialogRole::Uas}) {
        for (const bool sent : {true, false}) {
            const QString tag =
                QString(role == DialogRole::Uac ? "uac " : "uas ") + (sent ? "sent " : "received ");
            for (const int status : {481, 408})
                QTest::newRow(qPrintable(tag + "INFO " + QString::number(status)))
                    << role << sent << "INFO" << status << "terminated/failure_in_dialog";
            QTest::newRow(qPrintable(tag + "re-INVITE 481"))
                << role << sent << "INVITE" << 481 << "terminated/failure_in_dialog";
            QTest::newRow(qPrintable(tag + "INFO 500"))
                << role << sent << "INFO" << 500 << "confirmed/none";
            QTest::newRow(qPrintable(tag + "INFO 404"))
                << role << sent << "INFO" << 404 << "confirmed/none";
            QTest::newRow(qPrintable(tag + "CANCEL 481"))
                << role << sent << "CANCEL" << 481 << "confirmed/none";
        }
    }
}

void TestDialog::failureInDialog() {
    QFETCH(DialogRole, role);
    QFETCH(bool, ownerSent);
    QFETCH(QString, method);
    QFETCH(int, status);
    QFETCH(QString, result);
    Dialog d = dialogFor(role);
    const Party& from = ownerSent ? owner(role) : peer(role);
    const Party& to = ownerSent ? peer(role) : owner(role);
    const SipMessage req = request(method.toStdString(), 700000, from, to);
    const SipMessage resp = reply(req, status, {});
    const DialogUpdate u =
        d.onResponse(req, resp, ownerSent ? Direction::Received : Direction::Sent);
    QCOMPARE(state(d), result);
    QCOMPARE(outcome(u),
             d.state() == DialogState::Terminated ? "confirmed>terminated" : "=confirmed");
}

void TestDialog::bye_data() {
    QTest::addColumn<DialogRole>("role");
    QTest::addColumn<bool>("ownerSent");
    QTest::addColumn<qint64>("localSeq");
    QTest::addColumn<qint64>("remoteSeq");
    // Alice's BYE is 314160, Bob's own CSeq space starts at 20.
    QTest::newRow("caller hangs up, uac sends")
        << DialogRole::Uac << true << qint64(314160) << qint64(-1);
    QTest::newRow("callee hangs up, uac receives")
        << DialogRole::Uac << false << qint64(kInviteCseq) << qint64(20);
    QTest::newRow("caller hangs up, uas receives")
        << DialogRole::Uas << false << qint64(-1) << qint64(314160);
    QTest::newRow("callee hangs up, uas sends")
        << DialogRole::Uas << true << qint64(20) << qint64(kInviteCseq);
}

void TestDialog::bye() {
    QFETCH(DialogRole, role);
    QFETCH(bool, ownerSent);
    QFETCH(qint64, localSeq);
    QFETCH(qint64, remoteSeq);
    Dialog d = dialogFor(role);
    const Party& from = ownerSent ? owner(role) : peer(role);
    const Party& to = ownerSent ? peer(role) : owner(role);
    const SipMessage bye = request("BYE", &from == &kAlice ? 314160 : 20, from, to);
    QCOMPARE(outcome(d.onRequest(bye, ownerSent ? Direction::Sent : Direction::Received)),
             "confirmed>terminated");
    QCOMPARE(state(d), "terminated/bye");
    QCOMPARE(seq(d.localSeq()), localSeq);
    QCOMPARE(seq(d.remoteSeq()), remoteSeq);
    // The 200 to the BYE finds the dialog gone and changes nothing.
    QCOMPARE(outcome(d.onResponse(bye, reply(bye, 200, {}),
                                  ownerSent ? Direction::Received : Direction::Sent)),
             "=terminated");
    QCOMPARE(state(d), "terminated/bye");
}

void TestDialog::notify_data() {
    QTest::addColumn<QString>("method");  // creating method
    QTest::addColumn<int>("status");
    QTest::addColumn<DialogRole>("role");
    QTest::addColumn<QString>("subscriptionState");
    QTest::addColumn<QString>("result");
    const QString ended = "terminated/subscription_ended";
    for (const auto role : {DialogRole::Uac, DialogRole::Uas}) {
        const QString r = role == DialogRole::Uac ? "subscriber " : "notifier ";
        QTest::newRow(qPrintable(r + "SUBSCRIBE active"))
            << "SUBSCRIBE" << 200 << role << "active;expires=600"
            << "confirmed/none";
        QTest::newRow(qPrintable(r + "SUBSCRIBE terminated"))
            << "SUBSCRIBE" << 200 << role << "terminated;reason=timeout" << ended;
        QTest::newRow(qPrintable(r + "SUBSCRIBE Terminated"))
            << "SUBSCRIBE" << 200 << role << "Terminated" << ended;
        QTest::newRow(qPrintable(r + "REFER terminated"))
            << "REFER" << 202 << role << "terminated;reason=noresource" << ended;
        QTest::newRow(qPrintable(r + "REFER pending")) << "REFER" << 202 << role << "pending"
                                                       << "confirmed/none";
        QTest::newRow(qPrintable(r + "INVITE dialog lives on"))
            << "INVITE" << 200 << role << "terminated;reason=noresource"
            << "confirmed/none";
    }
}

void TestDialog::notify() {
    QFETCH(QString, method);
    QFETCH(int, status);
    QFETCH(DialogRole, role);
    QFETCH(QString, subscriptionState);
    QFETCH(QString, result);
    const SipMessage sub =
        request(method.toStdString(), 1, kAlice, kBobNoTag, {{"Event", "presence"}});
    const SipMessage ok = reply(sub, status, kBob.tag, kBob.contact);
    Dialog d =
        must(role == DialogRole::Uac ? Dialog::createAsUac(sub, ok) : Dialog::createAsUas(sub, ok));
    QCOMPARE(q(d.method()), method);
    // The notifier (Bob, the UAS) sends the NOTIFY; the subscriber receives it.
    const SipMessage notify =
        request("NOTIFY", 1, kBob, kAlice,
                {{"Event", "presence"}, {"Subscription-State", subscriptionState.toStdString()}});
    const DialogUpdate u =
        d.onRequest(notify, role == DialogRole::Uac ? Direction::Received : Direction::Sent);
    QCOMPARE(state(d), result);
    QCOMPARE(outcome(u),
             d.state() == DialogState::Terminated ? "confirmed>terminated" : "=confirmed");
}

void TestDialog::otherDialogs() {
    Dialog d = aliceDialog();
    Party otherBob = kBob;
    otherBob.tag = "someone-else";
    Party otherAlice = kAlice;
    otherAlice.tag = "another-call";
    const SipMessage wrongRemote = request("BYE", 900, otherBob, kAlice);
    const SipMessage wrongLocal = request("BYE", 900, kBob, otherAlice);
    const SipMessage noTag = request("BYE", 900, kBob, Party{kAlice.uri, "", ""});
    auto b = MessageBuilder::request("BYE", kAlice.contact)
                 .header("Via", "SIP/2.0/UDP host.example.com;branch=z9hG4bKother")
                 .header("From", nameAddr(kBob))
                 .header("To", nameAddr(kAlice))
                 .header("Call-ID", "other-call@example.com")
                 .header("CSeq", "900 BYE");
    const SipMessage wrongCall = build(b);
    for (const SipMessage* m : {&wrongRemote, &wrongLocal, &noTag, &wrongCall}) {
        QCOMPARE(outcome(d.onRequest(*m, Direction::Received)), "unmatched");
        QCOMPARE(outcome(d.onResponse(*m, reply(*m, 481, {}), Direction::Sent)), "unmatched");
    }
    // Right tags, wrong direction: Bob's BYE is not one Alice sent.
    const SipMessage bobBye = request("BYE", 900, kBob, kAlice);
    QCOMPARE(outcome(d.onRequest(bobBye, Direction::Sent)), "unmatched");
    QCOMPARE(state(d), "confirmed/none");
    QCOMPARE(seq(d.remoteSeq()), qint64(-1));
    QCOMPARE(seq(d.localSeq()), qint64(kInviteCseq));
    // A response fed as a request, a request as a response.
    // Their tags would match in these directions.
    const SipMessage aliceInfo = request("INFO", 900, kAlice, kBob);
    QCOMPARE(outcome(d.onRequest(reply(aliceInfo, 200, {}), Direction::Received)), "unmatched");
    QCOMPARE(outcome(d.onResponse(aliceInfo, aliceInfo, Direction::Sent)), "unmatched");
    QCOMPARE(state(d), "confirmed/none");
}

void TestDialog::terminatedAbsorbs() {
    Dialog d = aliceDialog(180);
    QCOMPARE(outcome(d.terminate(DialogReason::External)), "early>terminated");
    QCOMPARE(state(d), "terminated/external");
    const SipMessage inv = invite();
    Party moved = kBob;
    moved.contact = "sip:bob@198.51.100.50";
    QCOMPARE(
        outcome(d.onResponse(inv, reply(inv, 200, kBob.tag, moved.contact), Direction::Received)),
        "=terminated");
    QCOMPARE(outcome(d.onRequest(request("INVITE", 30, moved, kAlice), Direction::Received)),
             "=terminated");
    QCOMPARE(outcome(d.onRequest(request("BYE", 31, kBob, kAlice), Direction::Received)),
             "=terminated");
    QCOMPARE(state(d), "terminated/external");
    QCOMPARE(q(d.remoteTarget()), q(kBob.contact));
    QCOMPARE(seq(d.remoteSeq()), qint64(-1));
}

QTEST_APPLESS_MAIN(TestDialog)
#include "tst_dialog.moc"
