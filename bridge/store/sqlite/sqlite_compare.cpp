#include "bridge/store/sqlite/sqlite_compare.h"

#include "bridge/store/sqlite/db.h"
#include "bridge/store/sqlite/schema.h"

#include <filesystem>

namespace bridge::store::sqlite {

namespace {
constexpr int kBusyTimeoutMs = 5000;
}

Result<std::vector<QueuedItem>> read_queued_items(const std::string& path,
                                                  const std::string& consumer,
                                                  const std::string& sub_queue) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return store_error(path + ": no such store file");
  }
  BRIDGE_TRY(auto db, Connection::open(path, kBusyTimeoutMs));
  BRIDGE_TRY(migrate(*db));
  BRIDGE_TRY(auto q,
             db->prepare("SELECT m.seq, m.operation, m.message_identifier, m.queued_at_ms, "
                         "i.item_xml FROM queue_message m JOIN queue_item i ON i.seq = m.seq "
                         "WHERE m.consumer = ?1 AND m.sub_queue = ?2 ORDER BY m.seq"));
  q.bind(1, consumer).bind(2, sub_queue);
  std::vector<QueuedItem> out;
  while (true) {
    BRIDGE_TRY(bool row, q.step());
    if (!row) break;
    out.push_back(
        {q.column_int(0), q.column_text(1), q.column_text(2), q.column_int(3), q.column_text(4)});
  }
  return out;
}

Result<std::vector<InboxTrace>> inbox_trace(const std::string& path,
                                            const std::string& ekstern_identifier) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return store_error(path + ": no such store file");
  }
  BRIDGE_TRY(auto db, Connection::open(path, kBusyTimeoutMs));
  BRIDGE_TRY(migrate(*db));
  BRIDGE_TRY(auto q, db->prepare("SELECT besked_identifier, recipient_type, recipient_code, "
                                 "haendelses_tid, status, reason, stage, last_error, outcome "
                                 "FROM inbox_message WHERE ekstern_identifier = ?1 ORDER BY id"));
  q.bind(1, ekstern_identifier);
  std::vector<InboxTrace> out;
  while (true) {
    BRIDGE_TRY(bool row, q.step());
    if (!row) break;
    out.push_back({q.column_text(0), std::to_string(q.column_int(1)) + "/" + q.column_text(2),
                   q.column_text(3), q.column_text(4), q.column_text(5), q.column_text(6),
                   q.column_text(7), q.column_text(8)});
  }
  return out;
}

Result<std::int64_t> save_compare_run(const std::string& path, const CompareRunRow& run,
                                      const std::vector<CompareFieldRow>& fields) {
  BRIDGE_TRY(auto db, Connection::open(path, kBusyTimeoutMs));
  BRIDGE_TRY(migrate(*db));
  BRIDGE_TRY(auto tx, Transaction::begin(*db, true));
  std::int64_t id = 0;
  {
    BRIDGE_TRY(auto ins,
               db->prepare("INSERT INTO compare_run (started_at_ms, finished_at_ms, label, "
                           "organisation, legacy_source, bridge_source, noise_source, "
                           "rules_file, passed, pairs, legacy_only, bridge_only, counted, "
                           "result_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                           "?12, ?13, ?14)"));
    ins.bind(1, run.started_at_ms)
        .bind(2, run.finished_at_ms)
        .bind(3, run.label)
        .bind(4, run.organisation)
        .bind(5, run.legacy_source)
        .bind(6, run.bridge_source)
        .bind(7, run.noise_source)
        .bind(8, run.rules_file)
        .bind(9, std::int64_t{run.passed ? 1 : 0})
        .bind(10, run.pairs)
        .bind(11, run.legacy_only)
        .bind(12, run.bridge_only)
        .bind(13, run.counted)
        .bind(14, run.result_json);
    BRIDGE_TRY(ins.run());
    id = db->last_insert_rowid();
  }
  for (const auto& f : fields) {
    BRIDGE_TRY(auto ins,
               db->prepare("INSERT INTO compare_field (run_id, operation, field, row_ref, "
                           "observed, equal, equivalent, different, missing, extra, ignored, "
                           "noise) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
    ins.bind(1, id)
        .bind(2, f.operation)
        .bind(3, f.field)
        .bind(4, f.row_ref)
        .bind(5, f.observed)
        .bind(6, f.equal)
        .bind(7, f.equivalent)
        .bind(8, f.different)
        .bind(9, f.missing)
        .bind(10, f.extra)
        .bind(11, f.ignored)
        .bind(12, f.noise);
    BRIDGE_TRY(ins.run());
  }
  BRIDGE_TRY(tx.commit());
  return id;
}

}  // namespace bridge::store::sqlite
