#pragma once
// A SipScope database with N synthetic calls written by one SQL statement (no capture needed):
// the call list's million-call tests and bench_gui use it. Call i (1-based) starts at
// kSyntheticStartNs + i ms, is "failed"/503 when i % 10 == 0, "busy"/486 when i % 10 == 5 and
// "answered"/200 otherwise; from_user "49<i % 1000>", to_user "bob<i % 97>", user agent
// "UA-<i % 7>", Call-ID "gen-<i>@synthetic".

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/schema.hpp"
#include "store/sqlite.hpp"

namespace sipscope::test {

inline constexpr std::int64_t kSyntheticStartNs = 1'764'000'000'000'000'000;

// Creates the schema, then one capture row (`name`) and its calls inserted by `insert` in one
// transaction, with the call indexes dropped during the load and built once after it (much
// faster than updating five B-trees per row).
inline void bulkLoadCalls(analyzer::sql::Database& db, const char* name,
                          const std::function<void(std::int64_t capture)>& insert) {
    analyzer::store::migrate(db);
    std::vector<std::string> names, indexes;
    {
        analyzer::sql::Statement q(
            db,
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' "
            "AND sql IS NOT NULL");
        while (q.step()) {
            names.push_back(q.text(0));
            indexes.push_back(q.text(1));
        }
    }
    for (const auto& index : names) db.exec("DROP INDEX " + index);
    analyzer::sql::Transaction t(db);
    analyzer::sql::Statement c(db,
                               "INSERT INTO captures(path, size, hash, status, started_at, calls) "
                               "VALUES (?, 0, ?, 'complete', 0, 0)");
    c.bind(1, std::string_view(name)).bind(2, std::string_view(name));
    c.step();
    insert(db.lastInsertId());
    for (const auto& sql : indexes) db.exec(sql);
    t.commit();
}

inline void writeSyntheticCalls(const std::string& path, std::int64_t calls) {
    analyzer::sql::Database db(path, analyzer::sql::Database::Mode::ReadWrite);
    bulkLoadCalls(db, "synthetic", [&](std::int64_t capture) {
        analyzer::sql::Statement s(
            db,
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO calls(capture_id, key, number, call_id, call_ids, kind, method, "
            "from_user, to_user, start_ns, answer_ns, end_ns, state, final_code, reason, "
            "messages, retransmissions, duplicates, legs, transactions, auth_challenges, src, "
            "sport, dst, dport, transport, user_agent, pdd_ms, anomaly_codes, first_seq, json) "
            "SELECT ?, i, i, 'gen-' || i || '@synthetic', 'gen-' || i || '@synthetic', 'call', "
            "'INVITE', '49' || (i % 1000), 'bob' || (i % 97), ? + i * 1000000, "
            "CASE WHEN i % 10 IN (0, 5) THEN NULL ELSE ? + i * 1000000 + 2000000000 END, "
            "? + i * 1000000 + 62000000000, "
            "CASE i % 10 WHEN 0 THEN 'failed' WHEN 5 THEN 'busy' ELSE 'answered' END, "
            "CASE i % 10 WHEN 0 THEN 503 WHEN 5 THEN 486 ELSE 200 END, "
            "CASE i % 10 WHEN 0 THEN 'Service Unavailable' WHEN 5 THEN 'Busy Here' ELSE 'OK' END, "
            "7, 0, 0, 1, 2, 0, '192.0.2.' || (i % 200), 5060, '198.51.100.1', 5060, 'udp', "
            "'UA-' || (i % 7), 100 + i % 900, CASE WHEN i % 50 = 0 THEN 'ack_missing' ELSE '' END, "
            "0, '{}' FROM n");
        s.bind(1, calls).bind(2, capture).bind(3, kSyntheticStartNs);
        s.bind(4, kSyntheticStartNs).bind(5, kSyntheticStartNs);
        s.step();
    });
}

}  // namespace sipscope::test
