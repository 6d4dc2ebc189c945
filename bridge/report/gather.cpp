// The report's figures, read from the bridge's SQLite file in one read transaction (one
// consistent snapshot, never a write). Tables or columns an older file lacks read as empty.

#include "bridge/report/report.h"
#include "bridge/report/text.h"
#include "bridge/store/sqlite/db.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

namespace bridge::report {
namespace {

using store::sqlite::Connection;

Result<bool> has_table(Connection& db, const std::string& table) {
  BRIDGE_TRY(auto q, db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1"));
  q.bind(1, table);
  return q.step();
}

Result<bool> has_column(Connection& db, const std::string& table, const std::string& column) {
  BRIDGE_TRY(auto q, db.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2"));
  q.bind(1, table).bind(2, column);
  return q.step();
}

// A single-row query's first column as an integer (0 when NULL or no row).
Result<std::int64_t> scalar(Connection& db, const std::string& sql) {
  BRIDGE_TRY(auto q, db.prepare(sql));
  BRIDGE_TRY(bool row, q.step());
  return row && !q.column_is_null(0) ? q.column_int(0) : 0;
}

// The value the nearest-rank method gives for percentile p of sorted values.
std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, int p) {
  const std::size_t n = sorted.size();
  std::size_t rank = (static_cast<std::size_t>(p) * n + 99) / 100;  // ceil(p/100 * n)
  if (rank < 1) rank = 1;
  return sorted[rank - 1];
}

Result<void> gather_consumer(Connection& db, const queue::Consumer& c, const ReportOptions& o,
                             bool pipeline_columns, ConsumerFacts& f) {
  f.id = c.id;
  for (const auto& org : c.organisations) f.organisations.push_back(queue::to_string(org));
  f.message_types = c.message_types;
  f.sub_queues = c.sub_queues;
  {
    // A poll is a CreateSequence (a sequence row, also for an empty queue) or the consumer
    // ending a sequence (terminate or close); an expiry is the bridge's doing, not a poll.
    BRIDGE_TRY(auto q,
               db.prepare("SELECT MAX(created_at_ms), MAX(CASE WHEN state IN ('terminated', "
                          "'closed') THEN ended_at_ms END) FROM wsrm_sequence WHERE consumer = "
                          "?1 AND sub_queue = ''"));
    q.bind(1, c.id);
    BRIDGE_TRY(bool row, q.step());
    if (row) {
      std::optional<std::int64_t> last;
      if (!q.column_is_null(0)) last = q.column_int(0);
      if (!q.column_is_null(1)) last = std::max(last.value_or(0), q.column_int(1));
      f.last_poll_ms = last;
    }
  }
  const std::int64_t window_ms = std::int64_t{o.poll_window_hours} * 3600000;
  f.polls_bridge = f.last_poll_ms && *f.last_poll_ms >= o.now_ms - window_ms;
  {
    BRIDGE_TRY(auto q, db.prepare("SELECT state, COUNT(*) FROM wsrm_sequence WHERE consumer = ?1 "
                                  "AND sub_queue = '' GROUP BY state"));
    q.bind(1, c.id);
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      const std::string state = q.column_text(0);
      const std::int64_t n = q.column_int(1);
      if (state == "open") f.sequences_open = n;
      if (state == "terminated") f.sequences_terminated = n;
      if (state == "closed") f.sequences_closed = n;
      if (state == "expired") f.sequences_expired = n;
    }
  }
  {
    BRIDGE_TRY(auto q, db.prepare("SELECT operation, COUNT(*) FROM queue_message WHERE consumer = "
                                  "?1 AND sub_queue = '' AND state = 2 GROUP BY operation ORDER "
                                  "BY operation"));
    q.bind(1, c.id);
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      f.delivered_by_operation.push_back({q.column_text(0), q.column_int(1)});
    }
  }
  {
    BRIDGE_TRY(auto q, db.prepare("SELECT COUNT(*), MIN(queued_at_ms) FROM queue_message WHERE "
                                  "consumer = ?1 AND sub_queue = '' AND state IN (0, 1)"));
    q.bind(1, c.id);
    BRIDGE_TRY(bool row, q.step());
    if (row) {
      f.backlog = q.column_int(0);
      if (!q.column_is_null(1)) f.oldest_undelivered_ms = q.column_int(1);
    }
  }
  std::map<std::string, std::int64_t> reasons;
  for (const auto& org : c.organisations) {
    BRIDGE_TRY(auto q, db.prepare(pipeline_columns
                                      ? "SELECT reason, COUNT(*) FROM inbox_message WHERE "
                                        "recipient_type = ?1 AND recipient_code = ?2 AND (status "
                                        "= 'quarantined' OR stage = 'quarantined') GROUP BY reason"
                                      : "SELECT reason, COUNT(*) FROM inbox_message WHERE "
                                        "recipient_type = ?1 AND recipient_code = ?2 AND status "
                                        "= 'quarantined' GROUP BY reason"));
    q.bind(1, std::int64_t{org.type}).bind(2, org.code);
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      reasons[q.column_text(0)] += q.column_int(1);
      f.quarantined += q.column_int(1);
    }
  }
  for (const auto& [reason, n] : reasons) f.quarantined_by_reason.push_back({reason, n});
  return ok();
}

// operations[] and the exceeded fields[] of a stored result (docs/comparison.md).
void read_verdicts(const nlohmann::json& result, CompareRunFacts& run) {
  std::map<std::string, OperationVerdict> by_op;
  if (result.contains("operations") && result["operations"].is_array()) {
    for (const auto& o : result["operations"]) {
      if (!o.is_object()) continue;
      OperationVerdict v;
      v.operation = o.value("operation", "");
      v.present = true;
      v.exceeded = o.value("exceeded", false);
      v.pairs = o.value("pairs", std::int64_t{0});
      v.pairs_with_differences = o.value("pairs_with_differences", std::int64_t{0});
      if (o.contains("legacy_only") && o["legacy_only"].is_array()) {
        v.legacy_only = static_cast<std::int64_t>(o["legacy_only"].size());
      }
      if (o.contains("bridge_only") && o["bridge_only"].is_array()) {
        v.bridge_only = static_cast<std::int64_t>(o["bridge_only"].size());
      }
      by_op[v.operation] = std::move(v);
    }
  }
  if (result.contains("fields") && result["fields"].is_array()) {
    for (const auto& fl : result["fields"]) {
      if (!fl.is_object() || !fl.value("exceeded", false)) continue;
      auto& v = by_op[fl.value("operation", "")];
      v.operation = fl.value("operation", "");
      v.exceeded = true;
      std::string row = fl.contains("row") && fl["row"].is_string() ? fl["row"].get<std::string>()
                                                                    : std::string();
      v.failed_fields.push_back(
          fl.value("field", "") + ": " + std::to_string(fl.value("counted", std::int64_t{0})) +
          " counted difference(s) in " + std::to_string(fl.value("observed", std::int64_t{0})) +
          " pair(s)" + (row.empty() ? std::string() : " (mapping row " + row + ")"));
    }
  }
  for (auto& [op, v] : by_op) run.operations.push_back(std::move(v));
}

Result<void> gather_runs(Connection& db, ReportData& data) {
  BRIDGE_TRY(bool runs_table, has_table(db, "compare_run"));
  if (!runs_table) return ok();
  const bool unmask = data.options.unmask;
  std::map<std::string, std::size_t> latest;  // organisation → index in data.runs
  std::map<std::int64_t, nlohmann::json> results;
  {
    BRIDGE_TRY(auto q, db.prepare("SELECT id, started_at_ms, finished_at_ms, label, organisation, "
                                  "passed, pairs, legacy_only, bridge_only, counted, result_json "
                                  "FROM compare_run ORDER BY started_at_ms, id"));
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      CompareRunFacts r;
      r.id = q.column_int(0);
      r.started_at_ms = q.column_int(1);
      r.finished_at_ms = q.column_int(2);
      r.label = maybe_mask(q.column_text(3), unmask);
      r.organisation = q.column_text(4);
      r.passed = q.column_int(5) != 0;
      r.pairs = q.column_int(6);
      r.legacy_only = q.column_int(7);
      r.bridge_only = q.column_int(8);
      r.counted = q.column_int(9);
      auto json = nlohmann::json::parse(q.column_text(10), nullptr, false);
      r.readable = json.is_object();
      if (r.readable) read_verdicts(json, r);
      latest[r.organisation] = data.runs.size();  // ordered by time: the last one wins
      results[r.id] = std::move(json);
      data.runs.push_back(std::move(r));
    }
  }
  for (const auto& [org, index] : latest) {
    CompareRunFacts& run = data.runs[index];
    run.latest = true;
    std::vector<FieldRate> fields;
    BRIDGE_TRY(auto q, db.prepare("SELECT operation, field, row_ref, observed, equal, equivalent, "
                                  "different, missing, extra, ignored, noise FROM compare_field "
                                  "WHERE run_id = ?1 ORDER BY operation, field"));
    q.bind(1, run.id);
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      FieldRate f;
      f.run_id = run.id;
      f.organisation = org;
      f.operation = q.column_text(0);
      f.field = q.column_text(1);
      f.row = q.column_text(2);
      f.observed = q.column_int(3);
      f.equal = q.column_int(4);
      f.equivalent = q.column_int(5);
      f.different = q.column_int(6);
      f.missing = q.column_int(7);
      f.extra = q.column_int(8);
      f.ignored = q.column_int(9);
      f.noise = q.column_int(10);
      fields.push_back(std::move(f));
    }
    // The top differences of the run: its fields with counted differences, each with the first
    // counted example of the stored result.
    const nlohmann::json& result = results[run.id];
    for (const auto& f : fields) {
      if (f.counted() <= 0) continue;
      TopDifference t;
      t.run_id = run.id;
      t.organisation = org;
      t.operation = f.operation;
      t.field = f.field;
      t.row = f.row;
      t.counted = f.counted();
      t.observed = f.observed;
      if (result.is_object() && result.contains("differences") &&
          result["differences"].is_array()) {
        for (const auto& d : result["differences"]) {
          if (!d.is_object() || d.value("operation", "") != f.operation ||
              d.value("field", "") != f.field || !d.contains("standing") ||
              !d["standing"].is_string() || d["standing"].get<std::string>() != "counted") {
            continue;
          }
          t.has_example = true;
          t.outcome = d.value("outcome", "");
          t.key = maybe_mask(d.value("key", ""), unmask);
          t.legacy = maybe_mask(d.value("legacy", ""), unmask);
          t.bridge = maybe_mask(d.value("bridge", ""), unmask);
          t.reason = maybe_mask(d.value("reason", ""), unmask);
          break;
        }
      }
      data.top_differences.push_back(std::move(t));
    }
    data.latest_fields.insert(data.latest_fields.end(), fields.begin(), fields.end());
  }
  std::stable_sort(
      data.top_differences.begin(), data.top_differences.end(),
      [](const TopDifference& a, const TopDifference& b) { return a.counted > b.counted; });
  return ok();
}

Result<void> gather_ingest(Connection& db, bool pipeline_columns, ReportData& data) {
  IngestFacts& in = data.ingest;
  BRIDGE_TRY(bool inbox, has_table(db, "inbox_message"));
  if (!inbox) return ok();
  BRIDGE_TRY(in.messages, scalar(db, "SELECT COUNT(*) FROM inbox_message"));
  BRIDGE_TRY(in.duplicates, scalar(db, "SELECT SUM(duplicates) FROM inbox_message"));
  BRIDGE_TRY(bool conflicts, has_table(db, "inbox_conflict"));
  if (conflicts) {
    BRIDGE_TRY(in.conflicts, scalar(db, "SELECT COUNT(*) FROM inbox_conflict"));
  }
  {
    BRIDGE_TRY(auto q, db.prepare("SELECT received_at_ms / 86400000, COUNT(*) FROM inbox_message "
                                  "GROUP BY 1 ORDER BY 1"));
    std::map<std::int64_t, std::int64_t> days;
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      days[q.column_int(0)] = q.column_int(1);
    }
    if (!days.empty()) {
      // Every day from the first to the last (at most the last 366), with the empty days.
      const std::int64_t last = days.rbegin()->first;
      const std::int64_t first = std::max(days.begin()->first, last - 365);
      for (std::int64_t d = first; d <= last; ++d) {
        auto it = days.find(d);
        in.per_day.push_back({format_day_utc(d * 86400000), it == days.end() ? 0 : it->second});
      }
    }
  }
  {
    BRIDGE_TRY(auto q, db.prepare(pipeline_columns
                                      ? "SELECT recipient_type, recipient_code, reason, COUNT(*) "
                                        "FROM inbox_message WHERE status = 'quarantined' OR stage "
                                        "= 'quarantined' GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3"
                                      : "SELECT recipient_type, recipient_code, reason, COUNT(*) "
                                        "FROM inbox_message WHERE status = 'quarantined' GROUP BY "
                                        "1, 2, 3 ORDER BY 4 DESC, 1, 2, 3"));
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      in.quarantined.push_back({std::to_string(q.column_int(0)) + "/" + q.column_text(1),
                                q.column_text(2), q.column_int(3)});
      in.quarantined_total += q.column_int(3);
    }
  }
  BRIDGE_TRY(bool snapshots, has_table(db, "dfdg_snapshot"));
  if (snapshots) {
    BRIDGE_TRY(in.not_visible, scalar(db,
                                      "SELECT COUNT(DISTINCT inbox_id) FROM dfdg_snapshot "
                                      "WHERE visibility = 'not_visible'"));
  }
  if (pipeline_columns) {
    BRIDGE_TRY(in.parked, scalar(db, "SELECT COUNT(*) FROM inbox_message WHERE stage = 'parked'"));
    BRIDGE_TRY(in.retrying, scalar(db,
                                   "SELECT COUNT(*) FROM inbox_message WHERE stage IN "
                                   "('received', 'enriched') AND last_error != ''"));
    BRIDGE_TRY(auto q, db.prepare("SELECT last_error, COUNT(*) FROM inbox_message WHERE stage = "
                                  "'parked' GROUP BY last_error ORDER BY 2 DESC, 1 LIMIT 20"));
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      in.parked_errors.push_back(
          {maybe_mask(q.column_text(0), data.options.unmask), q.column_int(1)});
    }
  }
  BRIDGE_TRY(in.latency_recorded, has_column(db, "inbox_message", "stored_at_ms"));
  if (in.latency_recorded) {
    // Rows stored before the column existed have 0: not measured, left out.
    BRIDGE_TRY(auto q, db.prepare("SELECT stored_at_ms - received_at_ms FROM inbox_message WHERE "
                                  "stored_at_ms > 0 ORDER BY 1"));
    std::vector<std::int64_t> values;
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      values.push_back(q.column_int(0));
    }
    in.latency_samples = static_cast<std::int64_t>(values.size());
    if (!values.empty()) {
      in.p50_ms = nearest_rank(values, 50);
      in.p90_ms = nearest_rank(values, 90);
      in.p99_ms = nearest_rank(values, 99);
    }
  }
  return ok();
}

}  // namespace

Result<ReportData> gather(const std::string& store_path,
                          const std::vector<queue::Consumer>& consumers, Coverage coverage,
                          const ReportOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(store_path, ec)) {
    return make_error(ErrorDomain::io, static_cast<int>(ReportErrc::no_store),
                      store_path +
                          ": no such file: the report reads the bridge's store ([store] "
                          "sqlite_path of the configuration) and never creates it");
  }
  ReportData data;
  data.options = options;
  data.store_path = store_path;
  data.coverage = std::move(coverage);
  BRIDGE_TRY(auto db, Connection::open(store_path, 10000));
  // One snapshot for every figure: a bridge serving meanwhile does not skew the totals.
  BRIDGE_TRY(auto tx, store::sqlite::Transaction::begin(*db, false));
  BRIDGE_TRY(bool versioned, has_table(*db, "bridge_schema"));
  if (versioned) {
    BRIDGE_TRY(data.schema_version, scalar(*db, "SELECT MAX(version) FROM bridge_schema"));
  }
  BRIDGE_TRY(bool queue_tables, has_table(*db, "wsrm_sequence"));
  if (!queue_tables) {
    return make_error(ErrorDomain::store, static_cast<int>(ReportErrc::unreadable),
                      store_path + ": not a wsrm-bridge store (no wsrm_sequence table)");
  }
  BRIDGE_TRY(bool pipeline_columns, has_column(*db, "inbox_message", "stage"));
  for (const auto& c : consumers) {
    ConsumerFacts f;
    BRIDGE_TRY(gather_consumer(*db, c, options, pipeline_columns, f));
    data.consumers.push_back(std::move(f));
  }
  BRIDGE_TRY(gather_runs(*db, data));
  BRIDGE_TRY(gather_ingest(*db, pipeline_columns, data));
  data.readiness = assess_readiness(data);
  return data;
}

}  // namespace bridge::report
