// Call-query benchmark (issue target: "calls query for one hour of a 1 M-call database < 50 ms").
// Builds a database of N synthetic calls spread over one week (kinds, states, final codes, users
// and user agents mixed as in a carrier's capture; records packed as an import packs them),
// then times, over several repetitions:
//   1. one hour in the middle of the week, as `sipscope-cli calls --db --json --filter` runs it
//      (a child process, its output read and counted) and as the GUI call list runs it
//      (findCallRows, then every row read with callsByRows);
//   2. selective filters over the whole week (GUI: findCallRows and the first page of rows;
//      CLI: the whole JSON output);
//   3. the unfiltered list sorted by start and by final code.
//   bench_query [--calls N] [--reps N] [--db PATH] [--keep] [--no-cli] [--cli PATH]

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "calls/call_json.hpp"
#include "store/call_json_blob.hpp"
#include "store/call_query.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"
#include "store/store_reader.hpp"
#include "synthetic_store.hpp"

using namespace sipscope;
using namespace sipscope::analyzer;

namespace {

constexpr std::int64_t kWeekStartNs = 1'795'392'000'000'000'000;  // 2026-11-23T00:00:00Z
constexpr std::int64_t kWeekNs = 7LL * 86'400'000'000'000;
// The hour 12:00-13:00 of Thursday 2026-11-26, the middle of the week.
constexpr const char* kOneHour = "start between \"2026-11-26 12:00\" and \"2026-11-26 13:00\"";

// One INSERT ... SELECT over a recursive counter; h is a multiplicative hash of the row number
// that picks each call's kind, state, users and times.
constexpr const char* kGenerate = R"sql(
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1),
g AS (SELECT i, (i * 2654435761) % 4294967296 AS h, ?3 + (i - 1) * (?4 / ?1) AS t FROM n),
c AS (SELECT i, h, t,
  CASE WHEN h % 100 < 70 THEN 'call' WHEN h % 100 < 85 THEN 'register'
       WHEN h % 100 < 95 THEN 'options' WHEN h % 100 < 98 THEN 'message' ELSE 'subscribe' END AS k,
  (h / 100) % 100 AS s FROM g),
r AS (SELECT i, h, t, k,
  CASE k WHEN 'call' THEN 'INVITE' WHEN 'register' THEN 'REGISTER' WHEN 'options' THEN 'OPTIONS'
         WHEN 'message' THEN 'MESSAGE' ELSE 'SUBSCRIBE' END AS m,
  CASE WHEN s < 55 THEN 'answered' WHEN s < 65 THEN 'busy' WHEN s < 75 THEN 'rejected'
       WHEN s < 80 THEN 'cancelled' WHEN s < 85 THEN 'timeout' WHEN s < 93 THEN 'failed'
       WHEN s < 97 THEN 'ringing' ELSE 'in_progress' END AS st,
  CASE WHEN s < 55 THEN 200 WHEN s < 65 THEN 486 WHEN s < 70 THEN 403 WHEN s < 75 THEN 404
       WHEN s < 80 THEN 487 WHEN s < 83 THEN 408 WHEN s < 85 THEN NULL
       WHEN s < 93 THEN 500 + (h / 10000) % 5 ELSE NULL END AS code,
  CASE WHEN (h / 1000) % 10 < 6 THEN '49' || (h / 7) % 100000000
       WHEN (h / 1000) % 10 < 9 THEN '33' || (h / 11) % 10000000
       ELSE 'user' || (h / 13) % 5000 END AS fu,
  CASE WHEN (h / 3) % 10 < 5 THEN '49' || (h / 17) % 100000000 ELSE 'svc' || (h / 19) % 300 END
    AS tu
  FROM c)
INSERT INTO calls(capture_id, key, number, call_id, call_ids, kind, method, from_user, to_user,
  start_ns, answer_ns, end_ns, state, final_code, reason, messages, retransmissions, duplicates,
  legs, transactions, auth_challenges, src, sport, dst, dport, transport, user_agent, pdd_ms,
  anomaly_codes, codecs, first_seq, json)
SELECT ?2, i, i, 'q' || h || '-' || i || '@bench', 'q' || h || '-' || i || '@bench', k, m, fu, tu,
  t + h % 1000000,
  CASE WHEN st = 'answered' THEN t + 2000000000 ELSE NULL END,
  CASE WHEN st IN ('ringing', 'in_progress') THEN NULL ELSE t + (5 + h % 600) * 1000000000 END,
  st, code, CASE WHEN code IS NULL THEN NULL ELSE 'Reason ' || code END,
  4 + h % 9, h % 3, 0, 1 + h % 2, 1 + h % 3, h % 2,
  '10.' || (h % 250) || '.' || (h / 250 % 250) || '.1', 5060, '192.0.2.10', 5060,
  CASE WHEN h % 10 < 7 THEN 'udp' WHEN h % 10 < 9 THEN 'tcp' ELSE 'tls' END,
  CASE h % 5 WHEN 0 THEN 'Asterisk PBX 18.2' WHEN 1 THEN 'FreeSWITCH-mod_sofia/1.10'
    WHEN 2 THEN 'Yealink SIP-T46S' WHEN 3 THEN 'Linphone/5.0' ELSE NULL END,
  CASE WHEN k = 'call' THEN 100 + h % 3000 ELSE NULL END,
  CASE WHEN h % 40 = 0 THEN 'ack_missing' ELSE NULL END, 'PCMA,PCMU', i,
  '{"number":' || i || ',"call_id":"q' || h || '-' || i || '@bench","kind":"' || k ||
  '","from_user":"' || fu || '","to_user":"' || tu || '","state":"' || st ||
  '","final_code":' || COALESCE(code, 'null') || ',"messages":' || (4 + h % 9) || '}'
FROM r
)sql";

// Gives every call the record an import stores (schema 5): its columns written out as the JSON
// of `calls --db`, with an SDP offer and answer, packed (store/call_json_blob.hpp). Reading
// the records back, the CLI then unpacks ~1 KB of JSON per call, as it does on real imports.
void packRecords(const std::string& path) {
    store::StoreReader reader(path);
    sql::Database db(path, sql::Database::Mode::ReadWrite);
    std::vector<std::pair<std::int64_t, std::string>> pending;
    const auto flush = [&] {
        sql::Transaction t(db);
        sql::Statement& u = db.prepared("UPDATE calls SET json = ? WHERE id = ?");
        for (const auto& [row, packed] : pending) {
            u.bindBlob(1, packed).bind(2, row);
            u.step();
            u.reset();
        }
        t.commit();
        pending.clear();
    };
    JsonWriter w;
    reader.calls(std::nullopt, std::nullopt, [&](const store::StoredCall& c) {
        CallRecord r = c.record;
        r.callIds = {r.callId};
        r.media.clear();
        for (const char* origin : {"offer", "answer"}) {
            MediaSummary m;
            m.origin = origin;
            m.messageId = r.firstMessageId + (m.origin == "offer" ? 0 : 3);
            m.type = "audio";
            m.address = "10.1." + std::to_string(c.row % 250) + ".7";
            m.port = static_cast<std::uint16_t>(10000 + 2 * (c.row % 20000));
            m.direction = "sendrecv";
            m.codecs = {"PCMA/8000", "PCMU/8000", "telephone-event/8000"};
            r.media.push_back(m);
        }
        w.clear();
        writeCall(w, r);
        pending.emplace_back(c.row, store::packCallJson(w.str()));
        if (pending.size() == 20000) flush();
        return true;
    });
    flush();
}

void generate(const std::string& path, std::int64_t calls) {
    {
        sql::Database db(path, sql::Database::Mode::ReadWrite);
        test::bulkLoadCalls(db, "bench-week", [&](std::int64_t capture) {
            sql::Statement s(db, kGenerate);
            s.bind(1, calls).bind(2, capture).bind(3, kWeekStartNs).bind(4, kWeekNs);
            s.step();
        });
    }
    packRecords(path);
    // The packing read all rows while it wrote, so the WAL could not be recycled: fold it back
    // into the database, as a finished import leaves it, before anything is timed.
    sql::Database db(path, sql::Database::Mode::ReadWrite);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

struct Timing {
    double medianMs = 0, maxMs = 0;
    std::size_t rows = 0;
};

Timing measure(int reps, const std::function<std::size_t()>& run) {
    std::vector<double> ms;
    std::size_t rows = 0;
    for (int r = 0; r < reps; ++r) {
        const auto start = bench::Clock::now();
        rows = run();
        ms.push_back(bench::secondsSince(start) * 1000);
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.back(), rows};
}

void print(const char* how, const std::string& what, const Timing& t) {
    std::printf("%-4s %-62s %9.1f ms median %9.1f ms max %8zu rows\n", how, what.c_str(),
                t.medianMs, t.maxMs, t.rows);
    std::fflush(stdout);
}

// `sipscope-cli calls --db PATH --json [--filter F]` in a child process: lines of its output.
std::size_t runCli(const char* cli, const std::string& db, const std::string& filter) {
    int fds[2];
    if (pipe(fds) != 0) return 0;
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (filter.empty())
            execl(cli, cli, "calls", "--db", db.c_str(), "--json", nullptr);
        else
            execl(cli, cli, "calls", "--db", db.c_str(), "--json", "--filter", filter.c_str(),
                  nullptr);
        _exit(127);
    }
    close(fds[1]);
    std::size_t lines = 0;
    char buf[1 << 16];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
        lines += static_cast<std::size_t>(std::count(buf, buf + n, '\n'));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return lines;
}

// The GUI call list: the matching rows, then `fetch` of them read as the table reads them.
std::size_t runGui(store::StoreReader& reader, const store::CallQuery& q, std::size_t fetch) {
    const std::atomic<bool> cancel{false};
    const auto rows = store::findCallRows(reader, q, cancel);
    std::vector<std::int64_t> page(
        rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(std::min(fetch, rows.size())));
    const auto calls = reader.callsByRows(page);
    if (calls.size() != page.size()) std::fprintf(stderr, "bench_query: rows went missing\n");
    return rows.size();
}

store::CallQuery guiQuery(const std::string& filter, store::CallSortKey sort) {
    store::CallQuery q;
    if (!filter.empty()) q.filter = parseFilter(filter).value();
    q.filterUsesHeaders = store::filterTextUsesHeaders(filter);
    q.sort = sort;
    return q;
}

}  // namespace

int main(int argc, char** argv) {
    std::int64_t calls = 1'000'000;
    int reps = 5;
    bool keep = false, cli = true;
    const char* cliPath = SIPSCOPE_CLI;
    std::string db = "/tmp/bench_query_" + std::to_string(getpid()) + ".sqlite";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--calls" && i + 1 < argc)
            calls = std::strtoll(argv[++i], nullptr, 10);
        else if (a == "--reps" && i + 1 < argc)
            reps = std::max(1, std::atoi(argv[++i]));
        else if (a == "--db" && i + 1 < argc)
            db = argv[++i];
        else if (a == "--keep")
            keep = true;
        else if (a == "--no-cli")
            cli = false;
        else if (a == "--cli" && i + 1 < argc)
            cliPath = argv[++i];
        else {
            std::fprintf(stderr,
                         "usage: bench_query [--calls N] [--reps N] [--db PATH] [--keep] "
                         "[--no-cli] [--cli PATH]\n");
            return 2;
        }
    }
    if (access(db.c_str(), F_OK) != 0) {
        const auto start = bench::Clock::now();
        generate(db, calls);
        std::printf("generated %lld calls over one week in %.1f s: %s\n",
                    static_cast<long long>(calls), bench::secondsSince(start), db.c_str());
    } else {
        std::printf("using the existing database %s\n", db.c_str());
    }
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) == 3)
        std::printf("load average %.2f %.2f %.2f, %d repetitions\n", load[0], load[1], load[2],
                    reps);
    store::StoreReader reader(db);
    using Sort = store::CallSortKey;
    constexpr std::size_t kAll = static_cast<std::size_t>(-1), kPage = 100;
    print("gui", std::string("one hour, rows read: ") + kOneHour,
          measure(reps, [&] { return runGui(reader, guiQuery(kOneHour, Sort::Start), kAll); }));
    if (cli) print("cli", kOneHour, measure(reps, [&] { return runCli(cliPath, db, kOneHour); }));
    const char* selective[] = {"state == \"failed\"", "final_code >= 500", "from_user ~ \"^49\"",
                               "state == \"failed\" and final_code == 503",
                               "not kind == \"options\""};
    for (const char* f : selective)
        print("gui", std::string(f) + ", first page read",
              measure(reps, [&] { return runGui(reader, guiQuery(f, Sort::Start), kPage); }));
    if (cli)
        for (const char* f : selective)
            print("cli", f, measure(std::min(reps, 3), [&] { return runCli(cliPath, db, f); }));
    print("gui", "no filter, by start, first page read",
          measure(reps, [&] { return runGui(reader, guiQuery("", Sort::Start), kPage); }));
    print("gui", "no filter, by final code, first page read",
          measure(reps, [&] { return runGui(reader, guiQuery("", Sort::FinalCode), kPage); }));
    if (!keep) {
        for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
    } else {
        std::printf("kept %s\n", db.c_str());
    }
    return 0;
}
