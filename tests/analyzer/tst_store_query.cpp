// The call filter pushed down into SQL (store/filter_sql.hpp): on a database of a few thousand
// varied calls (NULL and empty columns, mixed case, unicode, numbers as text, names the reader
// does not know, times on microsecond boundaries), hand-written and generated filters select the
// same rows through the narrowed query as plain per-row evaluation does, both for the GUI's
// findCallRows and for the CLI's StoreReader::calls; the common filters translate exactly, and
// their queries use an index.

#include <QTemporaryDir>
#include <QtTest>

#include <random>

#include "query/call_subject.hpp"
#include "store/call_query.hpp"
#include "store/filter_sql.hpp"
#include "store/schema.hpp"
#include "store/store_reader.hpp"

using namespace sipscope;
using namespace sipscope::analyzer;
using namespace sipscope::analyzer::store;

namespace {

constexpr std::int64_t kNoonNs = 1'795'694'400'000'000'000;  // 2026-11-26T12:00:00Z
constexpr int kCalls = 4000;

template <std::size_t N>
const char* pick(std::mt19937& rng, const char* const (&values)[N]) {
    return values[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

// Binds a text value; nullptr binds NULL.
void bindText(sql::Statement& s, int i, const char* v) {
    if (v)
        s.bind(i, std::string_view(v));
    else
        s.bindNull(i);
}

// Start times around noon: whole hours and the nanoseconds either side of a microsecond.
std::int64_t startOf(std::mt19937& rng, int i) {
    constexpr std::int64_t kEdges[] = {
        0, -1, 999, 1000, 1001, 3'600'000'000'000 - 1, 3'600'000'000'000, -3'600'000'000'000};
    if (i < 64) return kNoonNs + kEdges[i % 8] + (i / 8) * 1000;
    return kNoonNs + std::uniform_int_distribution<std::int64_t>(-3, 3)(rng) * 3'600'000'000'000 +
           std::uniform_int_distribution<std::int64_t>(0, 3'600'000'000'000)(rng);
}

void bindTimes(sql::Statement& s, std::mt19937& rng, int i) {
    const std::int64_t start = startOf(rng, i);
    s.bind(6, start);
    if (rng() % 3)
        s.bind(7, start + static_cast<std::int64_t>(rng() % 5'000'000'000));
    else
        s.bindNull(7);
    if (rng() % 4)
        s.bind(8, start + static_cast<std::int64_t>(rng() % 90'000'000'000));
    else
        s.bindNull(8);
}

void bindOutcome(sql::Statement& s, std::mt19937& rng) {
    static const char* const kStates[] = {"answered", "failed",  "busy",      "rejected",
                                          "timeout",  "ringing", "cancelled", "in_progress",
                                          "FAILED",   "odd"};
    static const char* const kReasons[] = {"OK", "Busy Here", "", nullptr, "Service Unavailable"};
    static const std::int64_t kCodes[] = {200, 486, 500, 503, 503, 603, 404, 0, 180};
    bindText(s, 9, pick(rng, kStates));
    if (rng() % 5 == 0)
        s.bindNull(10);
    else if (rng() % 17 == 0)
        s.bind(10, std::string_view("503"));  // INTEGER affinity stores it as 503
    else
        s.bind(10, kCodes[rng() % std::size(kCodes)]);
    bindText(s, 11, pick(rng, kReasons));
    if (rng() % 4 == 0)
        s.bindNull(12);
    else
        s.bind(12, static_cast<double>(rng() % 4000) / 2);
}

void bindParties(sql::Statement& s, std::mt19937& rng, int i) {
    static const char* const kKinds[] = {"call",    "call",      "register", "options",
                                         "message", "subscribe", "other",    "weird"};
    static const char* const kMethods[] = {"INVITE",  "invite", "REGISTER", "OPTIONS", "Options",
                                           "MESSAGE", "",       nullptr,    "5"};
    static const char* const kUsers[] = {"4912345", "0049123",      "49",
                                         "",        nullptr,        "alice",
                                         "Alice",   "\xC3\xA5lice", "\xE5\x90\x8D\xE5\x89\x8D",
                                         "123",     "1e3",          "+49 30",
                                         "49.0",    "bob\"q",       "a'b",
                                         "%_",      "4:",           "49\xFF",
                                         "\xFF"};
    static const char* const kTransports[] = {"udp", "UDP", "tcp", "tls", nullptr, ""};
    static const char* const kAgents[] = {"Asterisk PBX 18", "", nullptr, "Zoiper \xE2\x98\x85",
                                          "FreeSWITCH"};
    bindText(s, 2, pick(rng, kKinds));
    bindText(s, 3, pick(rng, kMethods));
    if (rng() % 3 == 0)
        s.bind(4, std::string_view("49" + std::to_string(rng() % 100000)));
    else
        bindText(s, 4, pick(rng, kUsers));
    bindText(s, 5, pick(rng, kUsers));
    bindText(s, 13, pick(rng, kTransports));
    bindText(s, 14, pick(rng, kAgents));
    const std::string id = "id-" + std::to_string(i) + "@test";
    s.bind(15, std::string_view(id));
    const std::string ids = i % 7 == 0 ? id + "\nleg-" + std::to_string(i) : id;
    s.bind(16, std::string_view(ids));
}

std::string makeDatabase(const QTemporaryDir& dir) {
    const std::string path = dir.filePath("filters.sqlite").toStdString();
    sql::Database db(path, sql::Database::Mode::ReadWrite);
    migrate(db);
    db.exec(
        "INSERT INTO captures(path, size, hash, status, started_at) "
        "VALUES ('t', 0, 't', 'complete', 0)");
    sql::Transaction t(db);
    sql::Statement s(db,
                     "INSERT INTO calls(capture_id, key, number, kind, method, from_user, "
                     "to_user, start_ns, answer_ns, end_ns, state, final_code, reason, pdd_ms, "
                     "transport, user_agent, call_id, call_ids, messages, retransmissions, "
                     "duplicates, legs, transactions, auth_challenges, anomaly_codes, json) "
                     "VALUES (1, ?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                     "?15, ?16, ?17, ?18, 0, ?19, 1, 0, ?20, '{}')");
    std::mt19937 rng(20261126);
    for (int i = 1; i <= kCalls; ++i) {
        s.bind(1, std::int64_t{i});
        bindParties(s, rng, i);
        bindTimes(s, rng, i);
        bindOutcome(s, rng);
        s.bind(17, static_cast<std::int64_t>(rng() % 12));
        s.bind(18, static_cast<std::int64_t>(rng() % 3));
        s.bind(19, static_cast<std::int64_t>(1 + rng() % 3));
        bindText(s, 20, rng() % 9 == 0 ? "ack_missing" : nullptr);
        s.step();
        s.reset();
    }
    t.commit();
    return path;
}

// The reference: every call read and the whole filter evaluated on it, in findCallRows' order.
std::vector<std::int64_t> perRow(StoreReader& reader, const Filter& filter) {
    std::vector<std::int64_t> rows;
    reader.callsWhere("ORDER BY start_ns, id", {}, [&](StoredCall& c) {
        if (filter.matches(CallRecordSubject(c.record))) rows.push_back(c.row);
        return true;
    });
    return rows;
}

// What `calls --db` does: the narrowed query, the filter evaluated unless the SQL is exact.
std::vector<std::int64_t> cliRows(StoreReader& reader, const Filter& filter) {
    const FilterSql narrow = filterSql(filter);
    std::vector<std::int64_t> rows;
    reader.calls(std::nullopt, std::nullopt, narrow, [&](StoredCall& c) {
        if (narrow.exact || filter.matches(CallRecordSubject(c.record))) rows.push_back(c.row);
        return true;
    });
    return rows;  // in start order, ties by number (here the row id), as perRow() orders
}

std::vector<std::string> handWritten() {
    return {"state == \"failed\"",
            "state == FAILED",
            "state != failed",
            "state in [busy, rejected]",
            "state not in [busy, null]",
            "state ~ \"^fa\"",
            "state == null",
            "state != null",
            "state == in_progress",
            "state < \"c\"",
            "kind == options",
            "not kind == \"options\"",
            "kind == other",
            "kind in [other, call]",
            "kind !~ \"o\"",
            "method == invite",
            "method != \"INVITE\"",
            "method == null",
            "method < \"m\"",
            "method ~ \"^INV\"",
            "method == 5",
            "transport == UDP",
            "transport in [null, \"tcp\"]",
            "transport not in [UDP]",
            "from_user == \"49\"",
            "from_user == 49",
            "from_user > \"4\"",
            "from_user <= \"alice\"",
            "from_user ~ \"^49\"",
            "from_user ~ \"^49*\"",
            "from_user ~ \"^\xC3\xA5l\"",
            "from_user ~ \"^49\\xff\"",
            "from_user ~ \"^\\xff\"",
            "from_user !~ \"^49\"",
            "from_user == null",
            "from_user != null",
            "from_user in [\"alice\", \"\xE5\x90\x8D\xE5\x89\x8D\", null]",
            "from_user not in [\"alice\", \"bob\\\"q\"]",
            "to_user == \"\"",
            "to_user != \"\"",
            "to_user >= \"%_\"",
            "user_agent ~ \"Asterisk\"",
            "reason == \"Busy Here\"",
            "final_code >= 500",
            "final_code == 503",
            "final_code != 200",
            "final_code == null",
            "final_code in [486, 503, null]",
            "final_code not in [200]",
            "final_code between 400 and 499",
            "final_code ~ \"^5\"",
            "final_code < 0",
            "final_code == 503.0",
            "final_code > 502.5",
            "messages > 5",
            "legs between 2 and 2",
            "pdd_ms > 100.5",
            "pdd_ms == null",
            "pdd_ms in [0, 1000.5]",
            "start between \"2026-11-26 12:00\" and \"2026-11-26 13:00\"",
            "start >= \"2026-11-26 12:00\" and start < \"2026-11-26 13:00\"",
            "start == \"2026-11-26 12:00\"",
            "start != \"2026-11-26T12:00:00Z\"",
            "start == 1795694400.000001",
            "start in [1795694400, 1795694400.000002]",
            "start > 1795694399.999999",
            "start <= 1795694400.0000005",
            "answer > \"2026-11-26 13:00\"",
            "end == null",
            "end != null and end < 1795694460",
            "duration_s > 30",
            "call_id == \"id-7@test\"",
            "call_id == \"leg-14\"",
            "call_id in [\"id-1@test\", leg-7]",
            "call_id != \"id-7@test\"",
            "anomaly == ack_missing",
            "header(\"User-Agent\") ~ \"x\"",
            "state == \"failed\" and final_code == 503",
            "not (state == failed or final_code >= 500)",
            "(from_user ~ \"^49\" or to_user ~ \"^49\") and not transport == udp",
            "codec == PCMA or state == busy",
            "not (call_id == \"x\" and from_user == \"alice\")",
            "not from_user ~ \"^49\"",
            "not (method == null or final_code == null)"};
}

// Random comparisons joined by and/or/not, over values the data holds.
std::vector<std::string> generated(int count) {
    static const char* const kComparisons[] = {
        "state == failed",        "state in [busy, odd]",
        "kind == register",       "kind != call",
        "method == options",      "method != null",
        "transport == tcp",       "from_user == alice",
        "from_user < \"49\"",     "from_user ~ \"^49\"",
        "to_user != \"\"",        "to_user == null",
        "user_agent ~ \"^Zo\"",   "reason != OK",
        "final_code >= 500",      "final_code == null",
        "final_code in [0, 180]", "messages <= 3",
        "retransmissions != 0",   "legs > 1",
        "pdd_ms < 500",           "start < 1795690000",
        "start >= 1795700000.5",  "answer == null",
        "end > 1795694400",       "duration_s < 2",
        "anomaly != ack_missing", "call_id == \"id-21@test\""};
    std::mt19937 rng(7);
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) {
        std::string f = pick(rng, kComparisons);
        for (unsigned n = rng() % 3; n > 0; --n) {
            const std::string next = rng() % 4 == 0 ? std::string("not ") + pick(rng, kComparisons)
                                                    : pick(rng, kComparisons);
            f = (rng() % 3 == 0 ? "not (" + f + ")" : "(" + f + ")") +
                (rng() % 2 ? " and " : " or ") + next;
        }
        out.push_back(f);
    }
    return out;
}

}  // namespace

class TestStoreQuery : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void sameRowsAsPerRowEvaluation();
    void commonFiltersAreExact();
    void queryPlansUseIndexes();

  private:
    QTemporaryDir m_dir;
    std::string m_db;
};

void TestStoreQuery::initTestCase() {
    m_db = makeDatabase(m_dir);
}

void TestStoreQuery::sameRowsAsPerRowEvaluation() {
    StoreReader reader(m_db);
    std::vector<std::string> filters = handWritten();
    const auto more = generated(40);
    filters.insert(filters.end(), more.begin(), more.end());
    std::size_t exact = 0, nonEmpty = 0;
    for (const auto& text : filters) {
        auto parsed = parseFilter(text);
        QVERIFY2(parsed.ok(), text.c_str());
        const Filter filter = parsed.value();
        const auto expected = perRow(reader, filter);
        CallQuery q;
        q.filter = filter;
        const std::atomic<bool> cancel{false};
        const auto gui = findCallRows(reader, q, cancel);
        const std::string what = text + " -> " + filterSql(filter).where;
        QVERIFY2(gui == expected, what.c_str());
        QVERIFY2(cliRows(reader, filter) == expected, what.c_str());
        exact += filterSql(filter).exact;
        nonEmpty += !expected.empty() && expected.size() < std::size_t(kCalls);
    }
    // The data exercise the filters: most select some rows but not all, most translate exactly.
    QVERIFY2(nonEmpty * 10 >= filters.size() * 8, std::to_string(nonEmpty).c_str());
    QVERIFY2(exact * 10 >= filters.size() * 6, std::to_string(exact).c_str());
}

void TestStoreQuery::commonFiltersAreExact() {
    const char* exact[] = {"state == \"failed\"",
                           "final_code >= 500",
                           "state == \"failed\" and final_code == 503",
                           "not kind == \"options\"",
                           "start between \"2026-11-26 12:00\" and \"2026-11-26 13:00\"",
                           "method == invite or transport in [tcp, null]",
                           "from_user == null"};
    for (const char* text : exact) QVERIFY2(filterSql(parseFilter(text).value()).exact, text);
    const char* narrowed[] = {"from_user ~ \"^49\"", "header(\"X\") == y", "anomaly == a",
                              "call_id == x", "not (from_user ~ \"^49\")"};
    for (const char* text : narrowed) QVERIFY2(!filterSql(parseFilter(text).value()).exact, text);
    QCOMPARE(filterSql(parseFilter("not (from_user ~ \"^49\")").value()).where, std::string("1"));
    QVERIFY(filterSql(parseFilter("from_user ~ \"^49\"").value()).where.find("from_user >=") !=
            std::string::npos);
    QVERIFY(filterSql(Filter{}).exact);
}

void TestStoreQuery::queryPlansUseIndexes() {
    sql::Database db(m_db, sql::Database::Mode::ReadOnly);
    const std::pair<const char*, const char*> cases[] = {
        {"start between \"2026-11-26 12:00\" and \"2026-11-26 13:00\"", "calls_by_start"},
        {"state == \"failed\"", "calls_by_state"},
        {"state == \"failed\" and final_code == 503", "calls_by_state"},
        {"from_user == \"alice\"", "calls_by_from"},
    };
    for (const auto& [text, index] : cases) {
        CallQuery q;
        q.filter = parseFilter(text).value();
        sql::Statement s(db, "EXPLAIN QUERY PLAN " + callQuerySql(q));
        std::string plan;
        while (s.step()) plan += s.text(3) + "\n";
        QVERIFY2(plan.find(index) != std::string::npos, (text + std::string("\n") + plan).c_str());
    }
}

QTEST_GUILESS_MAIN(TestStoreQuery)
#include "tst_store_query.moc"
