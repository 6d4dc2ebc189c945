#include "bridge/store/sqlite/sqlite_inbox.h"

#include "bridge/store/sqlite/db.h"
#include "bridge/store/sqlite/schema.h"

#include <chrono>

namespace bridge::store::sqlite {
namespace {

constexpr const char* kColumns =
    "id, besked_identifier, received_at_ms, source, recipient_type, recipient_code, layout, raw, "
    "sha256, status, reason, detail, cpr, ekstern_identifier, entitetstype_id, aendringstype_id, "
    "miljoe, haendelses_tid, duplicates, "
    "(SELECT COUNT(*) FROM inbox_conflict c WHERE c.besked_identifier = m.besked_identifier), "
    "stage, attempts, next_attempt_at_ms, last_error, outcome";

InboxEntry read_entry(const Statement& q) {
  InboxEntry e;
  e.id = q.column_int(0);
  InboxRecord& r = e.record;
  r.besked_identifier = q.column_text(1);
  r.received_at = from_epoch_ms(q.column_int(2));
  r.source = q.column_text(3);
  r.recipient_type = static_cast<int>(q.column_int(4));
  r.recipient_code = q.column_text(5);
  r.layout = q.column_text(6);
  r.raw = q.column_text(7);
  r.sha256 = q.column_text(8);
  r.status = q.column_text(9);
  r.reason = q.column_text(10);
  r.detail = q.column_text(11);
  r.cpr = q.column_text(12);
  r.ekstern_identifier = q.column_text(13);
  if (!q.column_is_null(14)) r.entitetstype_id = static_cast<int>(q.column_int(14));
  if (!q.column_is_null(15)) r.aendringstype_id = static_cast<int>(q.column_int(15));
  r.miljoe = q.column_text(16);
  r.haendelses_tid = q.column_text(17);
  e.duplicates = q.column_int(18);
  e.conflicts = q.column_int(19);
  e.pipeline.stage = q.column_text(20);
  e.pipeline.attempts = static_cast<int>(q.column_int(21));
  e.pipeline.next_attempt_at = from_epoch_ms(q.column_int(22));
  e.pipeline.last_error = q.column_text(23);
  e.pipeline.outcome = q.column_text(24);
  return e;
}

void bind_optional(Statement& s, int index, const std::optional<int>& v) {
  if (v) {
    s.bind(index, static_cast<std::int64_t>(*v));
  } else {
    s.bind_null(index);
  }
}

}  // namespace

SqliteInbox::SqliteInbox(std::unique_ptr<Connection> writer, std::unique_ptr<Connection> reader)
    : writer_(std::move(writer)), reader_(std::move(reader)) {}

SqliteInbox::~SqliteInbox() = default;

Result<std::unique_ptr<SqliteInbox>> SqliteInbox::open(const std::string& path,
                                                       int busy_timeout_ms) {
  BRIDGE_TRY(auto writer, Connection::open(path, busy_timeout_ms));
  BRIDGE_TRY(migrate(*writer));
  BRIDGE_TRY(auto reader, Connection::open(path, busy_timeout_ms));
  return std::unique_ptr<SqliteInbox>(new SqliteInbox(std::move(writer), std::move(reader)));
}

Result<std::vector<InboxOutcome>> SqliteInbox::store_batch(
    const std::vector<InboxRecord>& records) {
  std::lock_guard lock(write_mutex_);
  Connection& db = *writer_;
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  std::vector<InboxOutcome> outcomes;
  outcomes.reserve(records.size());
  for (const InboxRecord& r : records) {
    BRIDGE_TRY(auto ins,
               db.prepare("INSERT INTO inbox_message (besked_identifier, received_at_ms, source, "
                          "recipient_type, recipient_code, layout, raw, sha256, status, reason, "
                          "detail, cpr, ekstern_identifier, entitetstype_id, aendringstype_id, "
                          "miljoe, haendelses_tid, stage, stored_at_ms) VALUES (?1, ?2, ?3, ?4, "
                          "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) "
                          "ON CONFLICT "
                          "(besked_identifier, recipient_type, recipient_code) DO NOTHING"));
    ins.bind(1, r.besked_identifier)
        .bind(2, to_epoch_ms(r.received_at))
        .bind(3, r.source)
        .bind(4, static_cast<std::int64_t>(r.recipient_type))
        .bind(5, r.recipient_code)
        .bind(6, r.layout)
        .bind(7, r.raw)
        .bind(8, r.sha256)
        .bind(9, r.status)
        .bind(10, r.reason)
        .bind(11, r.detail)
        .bind(12, r.cpr)
        .bind(13, r.ekstern_identifier);
    bind_optional(ins, 14, r.entitetstype_id);
    bind_optional(ins, 15, r.aendringstype_id);
    ins.bind(16, r.miljoe).bind(17, r.haendelses_tid);
    ins.bind(18, std::string(r.status == "accepted" ? kStageReceived : kStageQuarantined));
    // When this transaction wrote the row; the sender is acknowledged right after its commit.
    ins.bind(19, to_epoch_ms(std::chrono::system_clock::now()));
    BRIDGE_TRY(ins.run());
    if (db.changes() == 1) {
      outcomes.push_back(InboxOutcome::stored);
      continue;
    }
    std::string stored_hash;
    {
      BRIDGE_TRY(auto q,
                 db.prepare("SELECT sha256 FROM inbox_message WHERE besked_identifier = ?1 AND "
                            "recipient_type = ?2 AND recipient_code = ?3"));
      q.bind(1, r.besked_identifier)
          .bind(2, static_cast<std::int64_t>(r.recipient_type))
          .bind(3, r.recipient_code);
      BRIDGE_TRY(bool row, q.step());
      if (row) stored_hash = q.column_text(0);
    }
    if (stored_hash == r.sha256) {
      // DFDG re-sent what we already have (e.g. our 2xx was lost): count it, change nothing.
      BRIDGE_TRY(auto up, db.prepare("UPDATE inbox_message SET duplicates = duplicates + 1 "
                                     "WHERE besked_identifier = ?1 AND recipient_type = ?2 AND "
                                     "recipient_code = ?3"));
      BRIDGE_TRY(up.bind(1, r.besked_identifier)
                     .bind(2, static_cast<std::int64_t>(r.recipient_type))
                     .bind(3, r.recipient_code)
                     .run());
      outcomes.push_back(InboxOutcome::duplicate);
    } else {
      BRIDGE_TRY(auto c, db.prepare("INSERT INTO inbox_conflict (besked_identifier, "
                                    "received_at_ms, source, raw, sha256) VALUES (?1, ?2, ?3, ?4, "
                                    "?5)"));
      BRIDGE_TRY(c.bind(1, r.besked_identifier)
                     .bind(2, to_epoch_ms(r.received_at))
                     .bind(3, r.source)
                     .bind(4, r.raw)
                     .bind(5, r.sha256)
                     .run());
      outcomes.push_back(InboxOutcome::conflict);
    }
  }
  BRIDGE_TRY(tx.commit());
  return outcomes;
}

Result<std::vector<InboxEntry>> SqliteInbox::list(const InboxFilter& f) {
  std::lock_guard lock(read_mutex_);
  Connection& db = *reader_;
  BRIDGE_TRY(auto q, db.prepare(std::string("SELECT ") + kColumns +
                                " FROM inbox_message m WHERE (?1 = '' OR status = ?1) AND "
                                "(?2 = '' OR reason = ?2) AND (?4 = '' OR stage = ?4) ORDER BY "
                                "id LIMIT ?3"));
  q.bind(1, f.status)
      .bind(2, f.reason)
      .bind(3, static_cast<std::int64_t>(f.limit))
      .bind(4, f.stage);
  std::vector<InboxEntry> out;
  while (true) {
    BRIDGE_TRY(bool row, q.step());
    if (!row) break;
    out.push_back(read_entry(q));
  }
  return out;
}

Result<std::optional<InboxEntry>> SqliteInbox::find(const std::string& key) {
  std::lock_guard lock(read_mutex_);
  Connection& db = *reader_;
  BRIDGE_TRY(auto q,
             db.prepare(std::string("SELECT ") + kColumns +
                        " FROM inbox_message m WHERE besked_identifier = ?1 OR "
                        "CAST(id AS TEXT) = ?1 ORDER BY besked_identifier = ?1 DESC LIMIT 1"));
  q.bind(1, key);
  BRIDGE_TRY(bool row, q.step());
  if (!row) return std::optional<InboxEntry>();
  return std::optional<InboxEntry>(read_entry(q));
}

Result<void> SqliteInbox::set_verdict(std::int64_t id, const std::string& status,
                                      const std::string& reason, const std::string& detail) {
  std::lock_guard lock(write_mutex_);
  Connection& db = *writer_;
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  BRIDGE_TRY(auto up, db.prepare("UPDATE inbox_message SET status = ?2, reason = ?3, detail = ?4 "
                                 "WHERE id = ?1"));
  BRIDGE_TRY(up.bind(1, id).bind(2, status).bind(3, reason).bind(4, detail).run());
  return tx.commit();
}

Result<InboxCounts> SqliteInbox::counts() {
  std::lock_guard lock(read_mutex_);
  Connection& db = *reader_;
  BRIDGE_TRY(auto tx, Transaction::begin(db, false));
  InboxCounts c;
  {
    BRIDGE_TRY(auto q, db.prepare("SELECT status, reason, COUNT(*), SUM(duplicates) FROM "
                                  "inbox_message GROUP BY status, reason ORDER BY status, reason"));
    while (true) {
      BRIDGE_TRY(bool row, q.step());
      if (!row) break;
      const std::string status = q.column_text(0);
      const std::int64_t n = q.column_int(2);
      c.duplicates += q.column_int(3);
      if (status == "accepted") {
        c.accepted += n;
      } else {
        c.quarantined += n;
        c.quarantined_by_reason.emplace_back(q.column_text(1), n);
      }
    }
  }
  {
    BRIDGE_TRY(auto q, db.prepare("SELECT COUNT(*) FROM inbox_conflict"));
    BRIDGE_TRY(bool row, q.step());
    if (row) c.conflicts = q.column_int(0);
  }
  return c;
}

// ---- pipeline state ----------------------------------------------------------------------

namespace {

SnapshotRecord read_snapshot(const Statement& q) {
  SnapshotRecord s;
  s.id = q.column_int(0);
  s.inbox_id = q.column_int(1);
  s.indkaldelse_id = q.column_text(2);
  s.visibility = q.column_text(3);
  s.http_status = static_cast<int>(q.column_int(4));
  s.url = q.column_text(5);
  s.body = q.column_text(6);
  s.attempts = static_cast<int>(q.column_int(7));
  s.fetched_at = from_epoch_ms(q.column_int(8));
  return s;
}

constexpr const char* kSnapshotColumns =
    "id, inbox_id, indkaldelse_id, visibility, http_status, url, body, attempts, fetched_at_ms";

}  // namespace

Result<std::vector<InboxEntry>> SqliteInbox::due(TimePoint now, int limit, std::int64_t after_id) {
  std::lock_guard lock(read_mutex_);
  Connection& db = *reader_;
  BRIDGE_TRY(auto q, db.prepare(std::string("SELECT ") + kColumns +
                                " FROM inbox_message m WHERE stage IN ('received', 'enriched') "
                                "AND status = 'accepted' AND next_attempt_at_ms <= ?1 AND id > ?2 "
                                // One indkaldelse in arrival order: an earlier unfinished
                                // message about it (e.g. waiting to retry) goes first.
                                "AND NOT EXISTS (SELECT 1 FROM inbox_message o WHERE "
                                "o.ekstern_identifier = m.ekstern_identifier AND o.id < m.id AND "
                                "o.status = 'accepted' AND o.stage IN ('received', 'enriched')) "
                                "ORDER BY id LIMIT ?3"));
  q.bind(1, to_epoch_ms(now)).bind(2, after_id).bind(3, static_cast<std::int64_t>(limit));
  std::vector<InboxEntry> out;
  while (true) {
    BRIDGE_TRY(bool row, q.step());
    if (!row) break;
    out.push_back(read_entry(q));
  }
  return out;
}

Result<void> SqliteInbox::save_snapshot(const SnapshotRecord& s) {
  std::lock_guard lock(write_mutex_);
  Connection& db = *writer_;
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  BRIDGE_TRY(auto ins, db.prepare("INSERT INTO dfdg_snapshot (inbox_id, indkaldelse_id, "
                                  "visibility, http_status, url, body, attempts, fetched_at_ms) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  BRIDGE_TRY(ins.bind(1, s.inbox_id)
                 .bind(2, s.indkaldelse_id)
                 .bind(3, s.visibility)
                 .bind(4, static_cast<std::int64_t>(s.http_status))
                 .bind(5, s.url)
                 .bind(6, s.body)
                 .bind(7, static_cast<std::int64_t>(s.attempts))
                 .bind(8, to_epoch_ms(s.fetched_at))
                 .run());
  BRIDGE_TRY(auto up, db.prepare("UPDATE inbox_message SET stage = 'enriched', attempts = 0, "
                                 "next_attempt_at_ms = 0, last_error = '' WHERE id = ?1"));
  BRIDGE_TRY(up.bind(1, s.inbox_id).run());
  return tx.commit();
}

Result<std::optional<SnapshotRecord>> SqliteInbox::snapshot_for(std::int64_t inbox_id) {
  std::lock_guard lock(read_mutex_);
  Connection& db = *reader_;
  BRIDGE_TRY(auto q,
             db.prepare(std::string("SELECT ") + kSnapshotColumns +
                        " FROM dfdg_snapshot WHERE inbox_id = ?1 ORDER BY id DESC LIMIT 1"));
  q.bind(1, inbox_id);
  BRIDGE_TRY(bool row, q.step());
  if (!row) return std::optional<SnapshotRecord>();
  return std::optional<SnapshotRecord>(read_snapshot(q));
}

Result<std::optional<SnapshotRecord>> SqliteInbox::last_found_snapshot(
    const std::string& indkaldelse_id) {
  std::lock_guard lock(read_mutex_);
  Connection& db = *reader_;
  BRIDGE_TRY(auto q, db.prepare(std::string("SELECT ") + kSnapshotColumns +
                                " FROM dfdg_snapshot WHERE indkaldelse_id = ?1 AND visibility = "
                                "'found' ORDER BY id DESC LIMIT 1"));
  q.bind(1, indkaldelse_id);
  BRIDGE_TRY(bool row, q.step());
  if (!row) return std::optional<SnapshotRecord>();
  return std::optional<SnapshotRecord>(read_snapshot(q));
}

Result<void> SqliteInbox::set_pipeline(std::int64_t id, const PipelineState& p) {
  std::lock_guard lock(write_mutex_);
  Connection& db = *writer_;
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  BRIDGE_TRY(auto up, db.prepare("UPDATE inbox_message SET stage = ?2, attempts = ?3, "
                                 "next_attempt_at_ms = ?4, last_error = ?5, outcome = ?6 WHERE "
                                 "id = ?1"));
  BRIDGE_TRY(up.bind(1, id)
                 .bind(2, p.stage)
                 .bind(3, static_cast<std::int64_t>(p.attempts))
                 .bind(4, to_epoch_ms(p.next_attempt_at))
                 .bind(5, p.last_error)
                 .bind(6, p.outcome)
                 .run());
  return tx.commit();
}

Result<void> SqliteInbox::quarantine(std::int64_t id, const std::string& reason,
                                     const std::string& detail) {
  std::lock_guard lock(write_mutex_);
  Connection& db = *writer_;
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  BRIDGE_TRY(auto up, db.prepare("UPDATE inbox_message SET status = 'quarantined', reason = ?2, "
                                 "detail = ?3, stage = 'quarantined', last_error = '' WHERE id = "
                                 "?1"));
  BRIDGE_TRY(up.bind(1, id).bind(2, reason).bind(3, detail).run());
  return tx.commit();
}

Result<std::vector<std::pair<std::string, std::int64_t>>> SqliteInbox::stage_counts() {
  std::lock_guard lock(read_mutex_);
  Connection& db = *reader_;
  BRIDGE_TRY(auto q, db.prepare("SELECT stage, COUNT(*) FROM inbox_message GROUP BY stage ORDER "
                                "BY stage"));
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (true) {
    BRIDGE_TRY(bool row, q.step());
    if (!row) break;
    out.emplace_back(q.column_text(0), q.column_int(1));
  }
  return out;
}

}  // namespace bridge::store::sqlite
