// The dialog observer over one hop: dialogs made from a creating request and its responses,
// including 2xx from other forks that come after the first 2xx (RFC 3261 §13.2.2.4), when the
// observer keeps only the request's dialog lines (dialog_observer.hpp, Request::compact).

#include <QtTest>

#include "observe/dialog_observer.hpp"

using namespace sipscope::stack;

namespace {

constexpr std::string_view kAlice = "10.0.0.1:5060";
constexpr std::string_view kProxy = "10.0.0.9:5060";

// Through a proxy (two Vias, Record-Route), with compact From and Call-ID, a folded Contact and
// an SDP body: what the observer keeps of it must still make the same dialogs.
const std::string kInvite =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-p1\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-a1\r\n"
    "Max-Forwards: 69\r\n"
    "Record-Route: <sip:10.0.0.9;lr>\r\n"
    "f: \"Alice\" <sip:alice@example.com>;tag=alice-1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "i: fork-1@10.0.0.1\r\n"
    "CSeq: 7 INVITE\r\n"
    "Contact:\r\n <sip:alice@10.0.0.1:5060>\r\n"
    "User-Agent: test\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 61\r\n\r\n"
    "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";

std::string ok(std::string_view tag, std::string_view contact) {
    return "SIP/2.0 200 OK\r\n"
           "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK-p1\r\n"
           "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-a1\r\n"
           "Record-Route: <sip:10.0.0.9;lr>\r\n"
           "From: \"Alice\" <sip:alice@example.com>;tag=alice-1\r\n"
           "To: <sip:bob@example.com>;tag=" +
           std::string(tag) + "\r\nCall-ID: fork-1@10.0.0.1\r\nCSeq: 7 INVITE\r\nContact: <" +
           std::string(contact) + ">\r\nContent-Length: 0\r\n\r\n";
}

std::string bye(std::string_view toTag) {
    return "BYE sip:bob@10.0.0.3 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-bye\r\n"
           "From: <sip:alice@example.com>;tag=alice-1\r\n"
           "To: <sip:bob@example.com>;tag=" +
           std::string(toTag) + "\r\nCall-ID: fork-1@10.0.0.1\r\nCSeq: 8 BYE\r\n\r\n";
}

SipMessage parsed(const std::string& text) {
    auto r = SipMessage::parse(text);
    if (!r.ok()) qFatal("test message does not parse");
    return std::move(r).value();
}

struct Driver {
    std::vector<DialogEvent> events;
    DialogObserver observer{[this](const DialogEvent& e) { events.push_back(e); },
                            [](const Anomaly&) {}};
    std::uint64_t nextId = 1;

    void see(const SipMessage& m, std::string_view src, std::string_view dst, MessageRole role,
             std::uint64_t tx, std::chrono::milliseconds at) {
        Observation o;
        o.id = nextId++;
        o.at = Instant(at);
        o.message = &m;
        o.src = src;
        o.dst = dst;
        observer.observe(o, MessageVerdict{role, tx, 0});
    }
};

}  // namespace

class TestDialogObserver : public QObject {
    Q_OBJECT
  private slots:
    void secondForkAnsweredAfterTheFirst();
};

// RFC 3261 §13.2.2.4: every 2xx with a new To tag makes a dialog of its own, the first one
// (parsed request) and the later ones (the request kept as its dialog lines) alike.
void TestDialogObserver::secondForkAnsweredAfterTheFirst() {
    using namespace std::chrono_literals;
    Driver d;
    const SipMessage invite = parsed(kInvite);
    const SipMessage okA = parsed(ok("bob-a", "sip:bob@10.0.0.2"));
    const SipMessage okB = parsed(ok("bob-b", "sip:bob@10.0.0.3"));
    d.see(invite, kAlice, kProxy, MessageRole::Request, 1, 0ms);
    d.see(okA, kProxy, kAlice, MessageRole::Response, 1, 100ms);
    d.see(okB, kProxy, kAlice, MessageRole::Response, 1, 900ms);
    QCOMPARE(d.observer.openDialogs(), std::size_t{2});
    QCOMPARE(d.events.size(), std::size_t{2});
    for (std::size_t i = 0; i < 2; ++i) {
        const DialogEvent& e = d.events[i];
        QVERIFY(e.created);
        QCOMPARE(e.to, DialogState::Confirmed);
        QCOMPARE(e.method, std::string("INVITE"));
        QCOMPARE(e.callId, std::string("fork-1@10.0.0.1"));
        QCOMPARE(e.uacTag, std::string("alice-1"));
        QCOMPARE(e.uasTag, std::string(i == 0 ? "bob-a" : "bob-b"));
        QCOMPARE(e.uac, std::string(kAlice));
        QCOMPARE(e.uas, std::string(kProxy));
    }
    QCOMPARE(d.events[1].messageId, std::uint64_t{3});

    // The second fork's dialog is a dialog like the first: its BYE ends it, the other stays.
    const SipMessage byeB = parsed(bye("bob-b"));
    d.see(byeB, kAlice, kProxy, MessageRole::Request, 2, 5000ms);
    QCOMPARE(d.events.size(), std::size_t{3});
    QCOMPARE(d.events[2].uasTag, std::string("bob-b"));
    QCOMPARE(d.events[2].to, DialogState::Terminated);
    QCOMPARE(d.events[2].reason, DialogReason::Bye);
    QCOMPARE(d.observer.openDialogs(), std::size_t{1});
}

QTEST_APPLESS_MAIN(TestDialogObserver)
#include "tst_dialog_observer.moc"
