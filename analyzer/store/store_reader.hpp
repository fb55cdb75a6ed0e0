#pragma once
// Read-only access to a SipScope database (the CLI's --db commands, later the GUI's models):
// its own connection, usable while a writer imports (WAL).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calls/call_record.hpp"
#include "store/filter_sql.hpp"
#include "store/message_blocks.hpp"
#include "store/sqlite.hpp"

namespace sipscope::analyzer::store {

struct StoredCall {
    std::int64_t row = 0, captureId = 0, key = 0;
    std::string callId, json;  // json: exactly what `calls FILE --json` printed for it
    std::int64_t startNs = 0;
    std::uint64_t firstSeq = 0;
    // The call's scalar fields, anomaly codes and codecs as stored (for filters and tables;
    // media details and message lists stay in the JSON and the message blocks).
    CallRecord record;
};

struct StoredMessage {
    std::int64_t captureId = 0;
    std::uint64_t seq = 0, transaction = 0, original = 0;
    std::int64_t tsNs = 0;
    std::string src, dst, transport, role, frames;
    std::uint16_t sport = 0, dport = 0;
    std::uint8_t ipVersion = 4;
    std::string bytes;
};

struct StoredCapture {
    std::int64_t id = 0;
    std::string path, status, error;
    std::uint64_t messages = 0, calls = 0;
};

// The message seqs of an anomaly row ("12,13"); anything but digits separates numbers.
std::vector<std::uint64_t> parseMessageSeqs(std::string_view text);

class StoreReader {
  public:
    explicit StoreReader(const std::string& path);  // throws sql::Error

    // Calls in start order; `startFrom`/`startTo` (ns, inclusive) narrow through the index.
    // `visit` returns false to stop.
    void calls(std::optional<std::int64_t> startFrom, std::optional<std::int64_t> startTo,
               const std::function<bool(StoredCall&)>& visit);
    // The same, only the rows `narrow` selects (a filter's SQL part, filter_sql.hpp).
    void calls(std::optional<std::int64_t> startFrom, std::optional<std::int64_t> startTo,
               const FilterSql& narrow, const std::function<bool(StoredCall&)>& visit);
    // The calls one of whose Call-IDs is `callId` (several captures may hold it).
    std::vector<StoredCall> callsById(const std::string& callId);
    std::vector<StoredMessage> messagesOf(const StoredCall& call);
    std::optional<StoredMessage> message(std::int64_t captureId, std::uint64_t seq);
    std::vector<std::pair<std::string, std::string>> legsOf(const StoredCall& call);
    // Anomaly codes by the message seqs they name.
    std::map<std::uint64_t, std::vector<std::string>> anomaliesOf(const StoredCall& call);
    std::vector<StoredCapture> captures();
    // The calls with these row ids, in the given order, without their JSON (missing rows are
    // left out): the GUI's call list fetches its visible window this way.
    std::vector<StoredCall> callsByRows(const std::vector<std::int64_t>& rows);
    // Calls selected by `tail` ("WHERE ... ORDER BY ...", built by trusted code, never from
    // user text), without their JSON; `bind` binds its parameters; `visit` returns false to stop.
    void callsWhere(const std::string& tail, const std::function<void(sql::Statement&)>& bind,
                    const std::function<bool(StoredCall&)>& visit);
    sql::Database& database() noexcept { return m_db; }

  private:
    StoredMessage messageOf(const sql::Statement& s);
    const CachedBlock& block(std::int64_t id);
    int blocksVersion();
    std::string messageBytes(const sql::Statement& s, int column);

    sql::Database m_db;
    int m_version = 0;
    std::string m_columns, m_columnsNoJson;  // the calls columns of this schema version
    std::string m_messageColumns;            // the messages columns of this schema version
    BlockCache m_blocks;
};

}  // namespace sipscope::analyzer::store
