// libFuzzer target for the call filter language. Any bytes must parse or fail with an error that
// names a column inside the input. Whatever parses must normalize into text that parses back to
// the same text and evaluates the same on fixed call records; startRange() must contain the start
// of every record the filter matches.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "calls/call_record.hpp"
#include "query/call_subject.hpp"
#include "query/filter.hpp"

using namespace sipscope;
using namespace sipscope::analyzer;

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

void check(bool condition, const char* what) {
    if (!condition) fail(what);
}

std::vector<CallRecord> makeRecords() {
    CallRecord a;
    a.callId = "call-1@sipscope.test";
    a.callIds = {a.callId, "b2b-1@x"};
    a.kind = CallKind::Call;
    a.method = "INVITE";
    a.fromUser = "4915112345";
    a.toUser = "bob";
    a.caller = "192.0.2.1:5060";
    a.callee = "[2001:db8::1]:5070";
    a.userAgent = "Asterisk PBX 18.1";
    a.transport = "udp";
    a.startNs = 1795602600469655123;
    a.answerNs = a.startNs + 2'000'000'000;
    a.endNs = *a.answerNs + 60'500'000'000;
    a.state = CallState::Answered;
    a.finalCode = 200;
    a.finalReason = "OK";
    a.messages = 7;
    a.legs = 2;
    MediaSummary m;
    m.codecs = {"PCMU", "telephone-event"};
    a.media = {m};
    a.metrics.pddMs = 1.349;
    stack::Anomaly an;
    an.code = "ack_missing";
    a.anomalies = {an};

    CallRecord b;  // mostly absent values
    b.callId = "x";
    b.callIds = {"x"};
    b.kind = CallKind::Options;
    b.startNs = -5'000'000'000;
    return {a, b};
}

std::vector<std::string> headers(std::string_view name) {
    if (name == "User-Agent") return {"Asterisk PBX 18.1"};
    if (name == "X") return {"", "a\nb"};
    return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Parsed straight from libFuzzer's buffer (exactly `size` bytes), so ASan sees any overread.
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto parsed = parseFilter(input);
    if (!parsed) {
        const auto& e = parsed.error();
        check(e.offset <= size, "error offset past the input");
        check(e.message.find("at column " + std::to_string(e.offset)) != std::string::npos,
              "error message does not name its column");
        return 0;
    }
    const std::string norm = parsed->normalized();
    const auto again = parseFilter(norm);
    if (!again && again.error().code == stack::ErrorCode::TooLarge && norm.size() > size)
        return 0;  // the canonical text of an input near the length limit may exceed it
    check(again.ok(), "normalized text does not parse");
    check(again->normalized() == norm, "normalized text is not a fixed point");
    check(parsed->startRange() == again->startRange(), "startRange differs after normalizing");

    static const std::vector<CallRecord> records = makeRecords();
    for (const auto& r : records) {
        for (const bool withHeaders : {false, true}) {
            const CallRecordSubject s(r, withHeaders ? HeaderLookup(headers) : HeaderLookup());
            const bool match = parsed->matches(s);
            check(again->matches(s) == match, "normalized filter evaluates differently");
            const auto range = parsed->startRange();
            const double start = static_cast<double>(r.startNs / 1000) / 1e6;
            if (match && range)
                check(range->first <= start && start <= range->second,
                      "a matching call starts outside startRange()");
        }
    }
    return 0;
}
