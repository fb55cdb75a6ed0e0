// libFuzzer target for the store's filter pushdown (store/filter_sql.hpp): for any filter that
// parses, the call list's query (SQL narrowing, then the filter on the rows it reads, or the SQL
// alone when it is exact) must return exactly the calls that evaluating the filter on every
// stored call returns. The calls are written once, by the store's own writer, into a database
// in the temporary directory, with values chosen around the translator's edge cases (NULL and
// empty columns, case, numbers as text, start times a nanosecond apart).

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "query/call_subject.hpp"
#include "store/call_query.hpp"
#include "store/store_reader.hpp"
#include "store/store_writer.hpp"

using namespace sipscope;
using namespace sipscope::analyzer;

namespace {

constexpr std::int64_t kT0 = 1'795'602'600'000'000'000;  // 2026-11-26 ... UTC, on a second

CallRecord record(std::uint64_t key, CallKind kind, CallState state, std::optional<int> code) {
    CallRecord c;
    c.key = key;
    c.number = key % 3 == 0 ? 0 : key;  // some still in progress
    c.callId = "c" + std::to_string(key) + "@fuzz";
    c.callIds = {c.callId};
    c.kind = kind;
    c.state = state;
    c.finalCode = code;
    c.startNs = kT0 + static_cast<std::int64_t>(key) * 999'999'999 - 1;
    c.messages = static_cast<std::uint32_t>(key * 3 % 11);
    c.legs = static_cast<std::uint32_t>(key % 3);
    return c;
}

std::vector<CallRecord> records() {
    std::vector<CallRecord> out;
    out.push_back(record(1, CallKind::Call, CallState::Answered, 200));
    out.back().fromUser = "4915112345";
    out.back().toUser = "bob";
    out.back().method = "INVITE";
    out.back().transport = "udp";
    out.back().userAgent = "Asterisk PBX 18.1";
    out.back().answerNs = out.back().startNs + 1'500'000'000;
    out.back().endNs = *out.back().answerNs + 60'000'000'000;
    out.back().metrics.pddMs = 1.349;
    out.back().finalReason = "OK";
    out.push_back(record(2, CallKind::Call, CallState::Failed, 503));
    out.back().fromUser = "49";
    out.back().method = "invite";
    out.back().transport = "TCP";
    out.back().callIds.push_back("b2b-2@fuzz");
    out.push_back(record(3, CallKind::Call, CallState::Busy, 486));
    out.back().fromUser = "0049301234";
    out.back().toUser = "";
    out.back().userAgent = "Yealink \xC3\xA9";
    out.push_back(record(4, CallKind::Options, CallState::Answered, 200));
    out.back().method = "OPTIONS";
    out.push_back(record(5, CallKind::Register, CallState::Rejected, 401));
    out.back().fromUser = "1e3";
    out.back().method = "REGISTER";
    out.push_back(record(6, CallKind::Call, CallState::InProgress, std::nullopt));
    out.back().fromUser = "49.0";
    out.back().toUser = "Bob";
    out.push_back(record(7, CallKind::Message, CallState::Timeout, 408));
    out.back().finalReason = "Request Timeout";
    out.push_back(record(8, CallKind::Call, CallState::Cancelled, 487));
    out.back().startNs = kT0;  // exactly on a second
    out.push_back(record(9, CallKind::Subscribe, CallState::Ringing, std::nullopt));
    out.back().startNs = kT0 - 1;  // a nanosecond before it
    return out;
}

std::string g_path;  // removed at exit

void removeDatabase() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((g_path + suffix).c_str());
}

// The database, written once per process.
store::StoreReader& reader() {
    static const std::string path = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::string p = std::string(tmp ? tmp : "/tmp") + "/sipscope-fuzz-filter-sql-" +
                        std::to_string(::getpid()) + ".sqlite";
        g_path = p;
        removeDatabase();
        std::atexit(removeDatabase);
        std::int64_t capture = 0;
        {
            store::StoreWriter writer(p);
            capture = writer.beginCapture({"fuzz.pcap", "fuzz", "pcap", 0});
        }
        sql::Database db(p, sql::Database::Mode::ReadWrite);
        store::Batch batch;
        batch.calls = records();
        store::writeBatch(db, capture, batch);
        return p;
    }();
    static store::StoreReader r(path);
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto parsed = parseFilter(input);
    if (!parsed) return 0;
    store::StoreReader& r = reader();
    store::CallQuery q;
    q.filter = std::move(parsed).value();
    const std::atomic<bool> cancel{false};
    std::vector<std::int64_t> pushed = store::findCallRows(r, q, cancel);
    std::vector<std::int64_t> plain;
    r.calls(std::nullopt, std::nullopt, [&](const store::StoredCall& c) {
        if (q.filter.matches(CallRecordSubject(c.record, HeaderLookup()))) plain.push_back(c.row);
        return true;
    });
    std::sort(pushed.begin(), pushed.end());
    std::sort(plain.begin(), plain.end());
    if (pushed != plain) {
        std::fprintf(stderr, "pushdown differs: %zu calls vs %zu evaluated row by row\n",
                     pushed.size(), plain.size());
        std::abort();
    }
    return 0;
}
