#pragma once
// A thin RAII layer over the SQLite C API: the only place in SipScope that includes sqlite3.h
// (ARCHITECTURE.md "Storage": neither the GUI nor the CLI depend on SQLite's API).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace sipscope::analyzer::sql {

class Database;

// A prepared statement: bind by 1-based index, step, read columns by 0-based index.
class Statement {
  public:
    Statement() = default;
    Statement(Database& db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    // Text that stays alive and unchanged until reset(): SQLite reads it in place instead of
    // copying it (the bulk writer binds the fields of rows it holds).
    Statement& bindStatic(int index, std::string_view text);
    Statement& bindBlob(int index, std::string_view bytes);
    Statement& bindStaticBlob(int index, std::string_view bytes);  // as bindStatic
    Statement& bindNull(int index);
    template <class T>
    Statement& bindOptional(int index, const std::optional<T>& v) {
        return v ? bind(index, *v) : bindNull(index);
    }

    bool step();   // true: a row is available; false: done (errors throw sql::Error)
    void reset();  // ready to bind and step again

    bool isNull(int column) const;
    bool isBlob(int column) const;
    std::int64_t integer(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    std::string_view blob(int column) const;  // valid until the next step()

  private:
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
};

// "?,?,?": `count` parameter markers for an IN (...) list.
std::string placeholders(std::size_t count);

struct Error {
    std::string message;
};

class Database {
  public:
    enum class Mode { ReadWrite, ReadOnly };
    // Opens (and with ReadWrite creates) the file; throws sql::Error.
    Database(const std::string& path, Mode mode);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(std::string_view sql);  // one or more statements without results
    // The statement for `sql`, prepared on first use and kept for the connection's life (the
    // writer's INSERTs run once per row); reset and ready to bind.
    Statement& prepared(const std::string& sql);
    std::int64_t lastInsertId() const;
    sqlite3* handle() const noexcept { return m_db; }
    const std::string& path() const noexcept { return m_path; }

  private:
    sqlite3* m_db = nullptr;
    std::string m_path;
    std::unordered_map<std::string, std::unique_ptr<Statement>> m_prepared;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when not committed.
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();

  private:
    Database& m_db;
    bool m_done = false;
};

}  // namespace sipscope::analyzer::sql
