#include "bridge/store/sqlite/db.h"

#include "bridge/core/assert.h"
#include "bridge/store/store.h"

namespace bridge::store::sqlite {

Error store_error(std::string message) {
  return make_error(ErrorDomain::store, static_cast<int>(StoreErrc::unavailable),
                    std::move(message));
}

namespace {
Error statement_error(sqlite3_stmt* stmt, int rc) {
  sqlite3* db = sqlite3_db_handle(stmt);
  const char* sql = sqlite3_sql(stmt);
  const auto code =
      (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? StoreErrc::unavailable : StoreErrc::corrupt;
  return make_error(ErrorDomain::store, static_cast<int>(code),
                    std::string(sqlite3_db_filename(db, "main")) + ": " + sqlite3_errmsg(db) +
                        " (in: " + (sql ? sql : "?") + ")");
}
}  // namespace

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return statement_error(stmt_, rc);
}

Result<void> Statement::run() {
  BRIDGE_TRY(auto row, step());
  (void)row;
  return ok();
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
std::string Statement::column_text(int index) const {
  const auto* p = sqlite3_column_text(stmt_, index);
  const int n = sqlite3_column_bytes(stmt_, index);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string();
}
bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}
void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg =
        path + ": cannot open database: " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return store_error(std::move(msg));
  }
  std::unique_ptr<Connection> conn(new Connection(db, path));
  sqlite3_busy_timeout(db, busy_timeout_ms);
  BRIDGE_TRY(conn->exec("PRAGMA journal_mode=WAL"));
  // FULL: the WAL is fsync'ed at every commit, so an acknowledged change survives power loss.
  BRIDGE_TRY(conn->exec("PRAGMA synchronous=FULL"));
  BRIDGE_TRY(conn->exec("PRAGMA foreign_keys=ON"));
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Result<void> Connection::exec(const std::string& sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = path_ + ": " + (err ? err : sqlite3_errstr(rc)) + " (in: " + sql + ")";
    sqlite3_free(err);
    const auto code =
        (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) ? StoreErrc::unavailable : StoreErrc::corrupt;
    return make_error(ErrorDomain::store, static_cast<int>(code), std::move(msg));
  }
  return ok();
}

Result<Statement> Connection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return make_error(ErrorDomain::store, static_cast<int>(StoreErrc::corrupt),
                        path_ + ": " + sqlite3_errmsg(db_) + " (preparing: " + sql + ")");
    }
    it = cache_.emplace(sql, stmt).first;
  }
  Statement s(it->second);
  s.reset();
  return s;
}

Result<Transaction> Transaction::begin(Connection& db, bool write) {
  BRIDGE_TRY(db.exec(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_) (void)db_->exec("ROLLBACK");
}

Result<void> Transaction::commit() {
  BRIDGE_ASSERT(db_ != nullptr, "commit() on a finished transaction");
  Connection* db = db_;
  BRIDGE_TRY(db->exec("COMMIT"));
  db_ = nullptr;
  return ok();
}

}  // namespace bridge::store::sqlite
