#pragma once
// A thin RAII layer over the SQLite C API: one owner per sqlite3* and per sqlite3_stmt*, errors
// as values, a transaction scope that rolls back unless committed.

#include "bridge/core/result.h"

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bridge::store::sqlite {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  // Resetting releases the statement's read snapshot as soon as the caller is done with it.
  ~Statement() {
    if (stmt_) sqlite3_reset(stmt_);
  }

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);

  // true: a row is available; false: done. Errors carry the SQL and SQLite's message.
  Result<bool> step();
  Result<void> run();  // step to completion, expecting no rows

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

  void reset();

 private:
  sqlite3_stmt* stmt_ = nullptr;  // owned by the Connection's cache
};

class Connection {
 public:
  // Opens (creating if needed) the file with WAL journaling and synchronous=FULL, so that a
  // commit is on disk before the caller answers anyone.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Result<void> exec(const std::string& sql);
  // A prepared statement cached per connection, reset and cleared of bindings.
  Result<Statement> prepare(const std::string& sql);
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  const std::string& path() const { return path_; }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

// BEGIN IMMEDIATE on construction (take the write lock up front: no upgrade deadlocks);
// ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& db, bool write);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Result<void> commit();

 private:
  explicit Transaction(Connection* db) : db_(db) {}
  Connection* db_;
};

Error store_error(std::string message);

}  // namespace bridge::store::sqlite
