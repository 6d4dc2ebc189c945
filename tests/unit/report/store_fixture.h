#pragma once
// A bridge store built by hand for the report's tests: created with the real schema (by opening
// SqliteStore), then filled with rows by SQL, as the bridge would have written them.

#include "bridge/report/report.h"
#include "bridge/store/sqlite/sqlite_store.h"
#include "tests/unit/support/temp_dir.h"

#include <boost/test/unit_test.hpp>
#include <sqlite3.h>

#include <string>

namespace bridge::report::test {

// 2026-11-28T12:00:00Z: the report's "now" in these tests.
inline constexpr std::int64_t kNow = 1795867200000;
inline constexpr std::int64_t kHour = 3600000;
inline constexpr std::int64_t kDay = 24 * kHour;

class StoreFixture {
 public:
  StoreFixture() : path_(tmp_.file("bridge.db")) {
    auto store = store::sqlite::SqliteStore::open({path_, 1, 5000});
    BOOST_REQUIRE_MESSAGE(store, "cannot create the store");
    BOOST_REQUIRE(sqlite3_open(path_.c_str(), &db_) == SQLITE_OK);
  }
  ~StoreFixture() { sqlite3_close(db_); }
  StoreFixture(const StoreFixture&) = delete;
  StoreFixture& operator=(const StoreFixture&) = delete;

  void sql(const std::string& text) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    const std::string message = err ? err : "";
    sqlite3_free(err);
    BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, message + " in: " + text);
  }

  bool has_column(const std::string& table, const std::string& column) {
    sqlite3_stmt* stmt = nullptr;
    const std::string q =
        "SELECT 1 FROM pragma_table_info('" + table + "') WHERE name = '" + column + "'";
    sqlite3_prepare_v2(db_, q.c_str(), -1, &stmt, nullptr);
    const bool found = sqlite3_step(stmt) == SQLITE_ROW;
    sqlite3_finalize(stmt);
    return found;
  }

  void inbox(const std::string& besked, std::int64_t received_ms, int type, const std::string& code,
             const std::string& status = "accepted", const std::string& reason = "",
             const std::string& stage = "queued", int duplicates = 0,
             const std::string& last_error = "") {
    sql("INSERT INTO inbox_message (besked_identifier, received_at_ms, source, recipient_type, "
        "recipient_code, layout, raw, sha256, status, reason, detail, cpr, ekstern_identifier, "
        "miljoe, haendelses_tid, duplicates, stage, last_error) VALUES ('" +
        besked + "', " + std::to_string(received_ms) + ", 'webhook', " + std::to_string(type) +
        ", '" + code + "', 'flat', '{}', 'x', '" + status + "', '" + reason + "', '', " +
        "'0101901234', 'e', 'PROD', '', " + std::to_string(duplicates) + ", '" + stage + "', '" +
        last_error + "')");
  }

  void sequence(const std::string& id, const std::string& consumer, const std::string& sub_queue,
                const std::string& state, std::int64_t created_ms,
                const std::string& ended_ms = "NULL") {
    sql("INSERT INTO wsrm_sequence (id, consumer, sub_queue, state, created_at_ms, ended_at_ms, "
        "message_count) VALUES ('" +
        id + "', '" + consumer + "', '" + sub_queue + "', '" + state + "', " +
        std::to_string(created_ms) + ", " + ended_ms + ", 1)");
  }

  void message(const std::string& consumer, const std::string& sub_queue,
               const std::string& operation, const std::string& key, int state,
               std::int64_t queued_ms) {
    sql("INSERT INTO queue_message (consumer, sub_queue, operation, message_identifier, "
        "idempotency_key, queued_at_ms, state) VALUES ('" +
        consumer + "', '" + sub_queue + "', '" + operation + "', 'm-" + key + "', '" + key + "', " +
        std::to_string(queued_ms) + ", " + std::to_string(state) + ")");
  }

  // A compare_run row; result_json as given.
  void run(int id, const std::string& org, std::int64_t started_ms, bool passed,
           const std::string& result_json, int pairs = 7, int counted = 0) {
    sql("INSERT INTO compare_run (id, started_at_ms, finished_at_ms, label, organisation, "
        "legacy_source, bridge_source, noise_source, rules_file, passed, pairs, legacy_only, "
        "bridge_only, counted, result_json) VALUES (" +
        std::to_string(id) + ", " + std::to_string(started_ms) + ", " +
        std::to_string(started_ms + 1000) + ", 'run " + std::to_string(id) + "', '" + org +
        "', 'l', 'b', '', 'rules.toml', " + (passed ? "1" : "0") + ", " + std::to_string(pairs) +
        ", 0, 0, " + std::to_string(counted) + ", '" + result_json + "')");
  }

  void field(int run_id, const std::string& operation, const std::string& field,
             const std::string& row, int observed, int different, int ignored = 0) {
    sql("INSERT INTO compare_field (run_id, operation, field, row_ref, observed, equal, "
        "equivalent, different, missing, extra, ignored, noise) VALUES (" +
        std::to_string(run_id) + ", '" + operation + "', '" + field + "', '" + row + "', " +
        std::to_string(observed) + ", " + std::to_string(observed - different) + ", 0, " +
        std::to_string(different) + ", 0, 0, " + std::to_string(ignored) + ", 0)");
  }

  const std::string& path() const { return path_; }
  const bridge::test::TempDir& dir() const { return tmp_; }

 private:
  bridge::test::TempDir tmp_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

inline ReportOptions options_at_now() {
  ReportOptions o;
  o.now_ms = kNow;
  o.docs_base = "../docs/";
  return o;
}

// Coverage of three operations; `gap_op` (if any) has one gap.
inline Coverage coverage_of(const std::vector<std::string>& ops, const std::string& gap_op = "") {
  Coverage c;
  c.loaded = true;
  for (const auto& op : ops) {
    CoverageOperation o;
    o.operation = op;
    o.table = op + ".toml";
    o.anchor = mapping_anchor(op, "table");
    o.leaves = 2;
    o.mapped = op == gap_op ? 1 : 2;
    o.gap = op == gap_op ? 1 : 0;
    c.operations.push_back(o);
    c.leaves.push_back(
        {op, "Title", "string", false, "mapped", "_f.toml#titel", "", mapping_anchor(op, "titel")});
    c.leaves.push_back({op, "Description", "string", false, op == gap_op ? "gap" : "mapped",
                        op == gap_op ? "" : "_f.toml#beskrivelse", "",
                        op == gap_op ? o.anchor : mapping_anchor(op, "beskrivelse")});
  }
  return c;
}

}  // namespace bridge::report::test
