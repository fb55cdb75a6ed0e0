#pragma once
// Messages and action lists shared by the transaction tests.

#include <QStringList>
#include <QtTest>

#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "message/message_builder.hpp"
#include "transaction/transaction_types.hpp"

namespace sipscope::test {

using namespace sipscope::stack;

// A request as a UA behind a proxy sends it (two Vias, a route set); its CSeq names `method`.
inline SipMessage makeRequest(std::string_view method) {
    auto r = MessageBuilder::request(method, "sip:bob@biloxi.example.com")
                 .header("Via", "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds")
                 .header("Via", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKold")
                 .header("Route", "<sip:p1.example.com;lr>")
                 .header("Route", "<sip:p2.example.com;lr>")
                 .header("Max-Forwards", "70")
                 .header("To", "Bob <sip:bob@biloxi.example.com>")
                 .header("From", "Alice <sip:alice@atlanta.example.com>;tag=1928301774")
                 .header("Call-ID", "a84b4c76e66710@pc33.atlanta.example.com")
                 .header("CSeq", std::string("314159 ") + std::string(method))
                 .header("Contact", "<sip:alice@pc33.atlanta.example.com>")
                 .build();
    if (!r.ok()) qFatal("request did not build");
    return std::move(r).value();
}

inline SipMessage makeReply(const SipMessage& request, int code) {
    auto r = makeResponse(request, code, {}, "a6c85cf");
    if (!r.ok()) qFatal("response did not build");
    return std::move(r).value();
}

inline QStringList toList(const Actions& actions) {
    QStringList out;
    for (const auto& s : describe(actions)) out << QString::fromStdString(s);
    return out;
}

// Runs a script of "event | expected state | expected actions" lines through a transaction
// `fsm` with a ManualClock and a TimerQueue. Events here: start, tperr, and "fire X@T" (advance
// the clock to the next deadline, which must be timer X at T ms, and fire it); any other goes to
// `onEvent(event, actions)`, which returns false for an event it does not know. After each line
// the actions and the state must be exactly the expected ones; timers the machine starts and
// stops are kept in the queue, which must be empty once the machine is Terminated.
template <class Fsm, class OnEvent>
void runTransactionScript(Fsm& fsm, const QStringList& script, OnEvent onEvent) {
    ManualClock clock;
    TimerQueue<TimerName> timers;
    for (const QString& line : script) {
        const QStringList parts = line.split('|');
        QCOMPARE(parts.size(), 3);
        const QString event = parts[0].trimmed();
        Actions actions;
        if (event == "start") {
            actions = fsm.start();
        } else if (event == "tperr") {
            actions = fsm.onTransportError();
        } else if (event.startsWith("fire ")) {
            const QStringList spec = event.mid(5).split('@');
            QVERIFY2(!timers.empty(), qPrintable(line));
            const Instant deadline = timers.nextDeadline();
            QVERIFY(clock.advanceTo(deadline));
            const auto due = timers.popNextDue(clock.now());
            QCOMPARE(due.size(), std::size_t{1});
            QCOMPARE(QString::fromUtf8(timerLabel(due[0].id)), spec[0]);
            QCOMPARE(std::chrono::duration_cast<Duration>(deadline).count(), spec[1].toLongLong());
            actions = fsm.onTimer(due[0].id);
        } else if (!onEvent(event, actions)) {
            QFAIL(qPrintable("unknown event " + event));
        }
        for (const auto& a : actions) {
            if (const auto* s = std::get_if<StartTimer>(&a))
                timers.schedule(s->timer, clock.now() + s->duration);
            if (const auto* s = std::get_if<StopTimer>(&a))
                QVERIFY2(timers.cancel(s->timer), qPrintable(line));
        }
        QStringList expected;
        for (const QString& a : parts[2].trimmed().split(',', Qt::SkipEmptyParts))
            expected << a.trimmed();
        QCOMPARE(toList(actions), expected);
        QCOMPARE(QString::fromUtf8(stateLabel(fsm.state())), parts[1].trimmed());
    }
    if (fsm.state() == TransactionState::Terminated) {
        QVERIFY2(timers.empty(), "timers left running after Terminated");
        QVERIFY(fsm.onTransportError().empty());  // Terminated absorbs everything
    }
}

}  // namespace sipscope::test
