#include "store/store_writer.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>

#include "store/schema.hpp"

namespace sipscope::analyzer::store {

namespace {

std::int64_t unixNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Imports interrupted by a crash or kill -9 stay 'importing' with a pid that no longer runs.
void markAbandoned(sql::Database& db) {
    sql::Statement find(db, "SELECT id, importer_pid FROM captures WHERE status = 'importing'");
    std::vector<std::int64_t> dead;
    while (find.step()) {
        const auto pid = static_cast<pid_t>(find.integer(1));
        if (pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH)) dead.push_back(find.integer(0));
    }
    sql::Statement mark(db,
                        "UPDATE captures SET status = 'incomplete', "
                        "error = 'import interrupted' WHERE id = ?");
    for (auto id : dead) {
        mark.bind(1, id);
        mark.step();
        mark.reset();
    }
}

}  // namespace

StoreWriter::StoreWriter(const std::string& path, std::size_t maxQueuedBatches)
    : m_path(path), m_maxQueued(maxQueuedBatches) {
    {
        // Schema first, in this thread, so an unusable file is reported to the caller.
        sql::Database db(path, sql::Database::Mode::ReadWrite);
        migrate(db);
        markAbandoned(db);
    }
    m_thread = std::thread([this] { run(); });
}

StoreWriter::~StoreWriter() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    m_thread.join();
}

void StoreWriter::run() {
    std::optional<sql::Database> db;
    try {
        db.emplace(m_path, sql::Database::Mode::ReadWrite);
        configure(*db);
        // Per connection: in WAL mode NORMAL syncs at checkpoints only, and a crash of this
        // process (kill -9) still loses no committed batch.
        db->exec("PRAGMA synchronous = NORMAL");
        db->exec("PRAGMA cache_size = -32768");
        // Checkpoint when the WAL holds about 64 MiB, whatever the page size.
        sql::Statement pageSize(*db, "PRAGMA page_size");
        const std::int64_t page =
            pageSize.step() ? std::max<std::int64_t>(pageSize.integer(0), 512) : 4096;
        db->exec("PRAGMA wal_autocheckpoint = " + std::to_string((std::int64_t{64} << 20) / page));
    } catch (const sql::Error& e) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_error = e.message;
    }
    for (;;) {
        Task task;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [this] { return m_stop || !m_queue.empty(); });
            if (m_queue.empty()) return;  // stopping, everything written
            task = std::move(m_queue.front());
            m_queue.pop_front();
            m_busy = true;
        }
        m_changed.notify_all();
        bool failed = !db;
        if (db) {
            try {
                task(*db);
            } catch (const sql::Error& e) {
                std::lock_guard<std::mutex> lock(m_mutex);
                if (!m_error) m_error = e.message;
                failed = true;
            }
        }
        (void)failed;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_busy = false;
        }
        m_changed.notify_all();
    }
}

void StoreWriter::post(Task task) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return m_queue.size() < m_maxQueued; });
    m_queue.push_back(std::move(task));
    lock.unlock();
    m_changed.notify_all();
}

template <class R>
R StoreWriter::call(std::function<R(sql::Database&)> f) {
    auto promise = std::make_shared<std::promise<R>>();
    auto result = promise->get_future();
    post([f = std::move(f), promise](sql::Database& db) {
        try {
            promise->set_value(f(db));
        } catch (const sql::Error&) {
            promise->set_exception(std::current_exception());
            throw;
        }
    });
    return result.get();
}

std::optional<std::int64_t> StoreWriter::findComplete(const std::string& hash) {
    return call<std::optional<std::int64_t>>([hash](sql::Database& db) {
        sql::Statement s(db,
                         "SELECT id FROM captures WHERE hash = ? AND status = 'complete' "
                         "ORDER BY id LIMIT 1");
        s.bind(1, std::string_view(hash));
        return s.step() ? std::optional<std::int64_t>(s.integer(0)) : std::nullopt;
    });
}

std::int64_t StoreWriter::beginCapture(const CaptureInfo& info) {
    return call<std::int64_t>([info](sql::Database& db) {
        sql::Transaction t(db);
        sql::Statement s(db,
                         "INSERT INTO captures(path, size, hash, format, status, importer_pid, "
                         "started_at) VALUES (?, ?, ?, ?, 'importing', ?, ?)");
        s.bind(1, std::string_view(info.path))
            .bind(2, static_cast<std::int64_t>(info.size))
            .bind(3, std::string_view(info.hash))
            .bind(4, std::string_view(info.format))
            .bind(5, static_cast<std::int64_t>(getpid()))
            .bind(6, unixNow());
        s.step();
        const std::int64_t id = db.lastInsertId();
        t.commit();
        return id;
    });
}

std::size_t StoreWriter::pending() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_queue.size() + (m_busy ? 1 : 0);
}

void StoreWriter::submit(std::int64_t captureId, Batch&& batch) {
    auto shared = std::make_shared<Batch>(std::move(batch));
    post([captureId, shared](sql::Database& db) {
        sql::Transaction t(db);
        writeBatch(db, captureId, *shared);
        t.commit();
    });
}

void StoreWriter::finishCapture(std::int64_t captureId, const CaptureTotals& totals) {
    call<bool>([captureId, totals](sql::Database& db) {
        sql::Transaction t(db);
        sql::Statement s(db,
                         "UPDATE captures SET status = ?, link_types = ?, error = ?, packets = ?, "
                         "messages = ?, calls = ?, first_ts_ns = ?, last_ts_ns = ?, "
                         "finished_at = ? WHERE id = ?");
        s.bind(1, std::string_view(totals.status)).bind(2, std::string_view(totals.linkTypes));
        if (totals.error.empty())
            s.bindNull(3);
        else
            s.bind(3, std::string_view(totals.error));
        s.bind(4, static_cast<std::int64_t>(totals.packets))
            .bind(5, static_cast<std::int64_t>(totals.messages))
            .bind(6, static_cast<std::int64_t>(totals.calls))
            .bind(7, totals.firstTsNs)
            .bind(8, totals.lastTsNs)
            .bind(9, unixNow())
            .bind(10, captureId);
        s.step();
        t.commit();
        return true;
    });
}

void StoreWriter::saveNodes(const std::map<std::string, NodeInfo>& nodes) {
    auto copy = std::make_shared<std::map<std::string, NodeInfo>>(nodes);
    post([copy](sql::Database& db) {
        sql::Transaction t(db);
        sql::Statement s(db,
                         "INSERT INTO nodes(address, role, user_agent) VALUES (?, ?, ?) "
                         "ON CONFLICT(address) DO UPDATE SET role = CASE WHEN excluded.role = "
                         "'UA' THEN nodes.role ELSE excluded.role END, user_agent = "
                         "COALESCE(NULLIF(excluded.user_agent, ''), nodes.user_agent)");
        for (const auto& [address, info] : *copy) {
            s.bind(1, std::string_view(address))
                .bind(2, std::string_view(info.role))
                .bind(3, std::string_view(info.userAgent));
            s.step();
            s.reset();
        }
        t.commit();
    });
}

void StoreWriter::finishMedia(std::int64_t captureId) {
    post([captureId](sql::Database& db) {
        sql::Transaction t(db);
        sql::Statement orphans(db,
                               "DELETE FROM media_chunks WHERE capture_id = ?1 AND stream_index "
                               "NOT IN (SELECT stream_index FROM media_streams WHERE "
                               "capture_id = ?1 AND stream_index IS NOT NULL)");
        orphans.bind(1, captureId);
        orphans.step();
        t.commit();
    });
}

std::optional<std::string> StoreWriter::error() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_error;
}

}  // namespace sipscope::analyzer::store
