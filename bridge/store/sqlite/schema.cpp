#include "bridge/store/sqlite/schema.h"

#include "bridge/store/sqlite/db.h"
#include "bridge/store/store.h"

namespace bridge::store::sqlite {
namespace {

// The current layout, created on a new file.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS bridge_schema (version INTEGER NOT NULL);

-- One row per legacy message per queue. seq is the queue order (FIFO across all operations).
CREATE TABLE IF NOT EXISTS queue_message (
  seq                INTEGER PRIMARY KEY AUTOINCREMENT,
  consumer           TEXT    NOT NULL,
  sub_queue          TEXT    NOT NULL,
  operation          TEXT    NOT NULL,
  message_identifier TEXT    NOT NULL,
  idempotency_key    TEXT    NOT NULL,
  queued_at_ms       INTEGER NOT NULL,
  state              INTEGER NOT NULL DEFAULT 0,  -- 0 queued, 1 in sequence, 2 delivered
  sequence_id        TEXT,
  delivered_at_ms    INTEGER,
  delivery_count     INTEGER NOT NULL DEFAULT 0,
  UNIQUE (consumer, sub_queue, idempotency_key)
);
CREATE INDEX IF NOT EXISTS queue_message_pending ON queue_message (consumer, sub_queue, state, seq);
CREATE INDEX IF NOT EXISTS queue_message_sequence ON queue_message (sequence_id, operation, seq);

-- The item exactly as served, written once when queued. Kept apart from queue_message so that
-- taking, returning and delivering messages rewrites only the narrow bookkeeping rows.
CREATE TABLE IF NOT EXISTS queue_item (
  seq      INTEGER PRIMARY KEY REFERENCES queue_message (seq),
  item_xml TEXT    NOT NULL
);

CREATE TABLE IF NOT EXISTS wsrm_sequence (
  id            TEXT    PRIMARY KEY,
  consumer      TEXT    NOT NULL,
  sub_queue     TEXT    NOT NULL,
  state         TEXT    NOT NULL,  -- open, terminated, closed, expired
  created_at_ms INTEGER NOT NULL,
  ended_at_ms   INTEGER,
  message_count INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS wsrm_sequence_open ON wsrm_sequence (state, consumer, sub_queue);

-- Received WSB messages, raw bytes first: what DFDG was told was delivered is always here.
-- One row per (BeskedIdentifier, recipient): DFDG may push the same message to a jobcenter and
-- an a-kasse. stage/attempts/… are the pipeline's state (received → enriched → queued | skipped
-- | parked; quarantined when the receiver or the pipeline quarantined it).
CREATE TABLE IF NOT EXISTS inbox_message (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  besked_identifier  TEXT    NOT NULL,
  received_at_ms     INTEGER NOT NULL,
  source             TEXT    NOT NULL,
  recipient_type     INTEGER NOT NULL,
  recipient_code     TEXT    NOT NULL,
  layout             TEXT    NOT NULL,
  raw                BLOB    NOT NULL,
  sha256             TEXT    NOT NULL,
  status             TEXT    NOT NULL,  -- accepted, quarantined
  reason             TEXT    NOT NULL,
  detail             TEXT    NOT NULL,
  cpr                TEXT    NOT NULL,
  ekstern_identifier TEXT    NOT NULL,
  entitetstype_id    INTEGER,
  aendringstype_id   INTEGER,
  miljoe             TEXT    NOT NULL,
  haendelses_tid     TEXT    NOT NULL,
  duplicates         INTEGER NOT NULL DEFAULT 0,
  stage              TEXT    NOT NULL DEFAULT 'received',
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL DEFAULT 0,
  last_error         TEXT    NOT NULL DEFAULT '',
  outcome            TEXT    NOT NULL DEFAULT '',
  stored_at_ms       INTEGER NOT NULL DEFAULT 0,  -- when its transaction wrote it (v6; 0 before)
  UNIQUE (besked_identifier, recipient_type, recipient_code)
);
-- Other bytes under a BeskedIdentifier already stored: kept for inspection, never processed.
CREATE TABLE IF NOT EXISTS inbox_conflict (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  besked_identifier TEXT    NOT NULL,
  received_at_ms    INTEGER NOT NULL,
  source            TEXT    NOT NULL,
  raw               BLOB    NOT NULL,
  sha256            TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_conflict_besked ON inbox_conflict (besked_identifier);

-- What DFDG's IndkaldelseService answered for a message (the enrichment step), kept with it.
CREATE TABLE IF NOT EXISTS dfdg_snapshot (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  inbox_id       INTEGER NOT NULL,
  indkaldelse_id TEXT    NOT NULL,
  visibility     TEXT    NOT NULL,  -- found, not_visible
  http_status    INTEGER NOT NULL,
  url            TEXT    NOT NULL,
  body           BLOB    NOT NULL,
  attempts       INTEGER NOT NULL,
  fetched_at_ms  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dfdg_snapshot_inbox ON dfdg_snapshot (inbox_id, id);
CREATE INDEX IF NOT EXISTS dfdg_snapshot_indkaldelse ON dfdg_snapshot (indkaldelse_id, visibility, id);

-- Comparison runs (`wsrm-bridge compare`, docs/comparison.md), kept for the report's trends:
-- one row per run with the whole result as JSON, and the per-field counts to query.
CREATE TABLE IF NOT EXISTS compare_run (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at_ms  INTEGER NOT NULL,
  finished_at_ms INTEGER NOT NULL,
  label          TEXT    NOT NULL,
  organisation   TEXT    NOT NULL,
  legacy_source  TEXT    NOT NULL,
  bridge_source  TEXT    NOT NULL,
  noise_source   TEXT    NOT NULL,
  rules_file     TEXT    NOT NULL,
  passed         INTEGER NOT NULL,
  pairs          INTEGER NOT NULL,
  legacy_only    INTEGER NOT NULL,
  bridge_only    INTEGER NOT NULL,
  counted        INTEGER NOT NULL,  -- counted field differences (not ignored, not noise)
  result_json    TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS compare_field (
  run_id     INTEGER NOT NULL REFERENCES compare_run (id),
  operation  TEXT    NOT NULL,
  field      TEXT    NOT NULL,
  row_ref    TEXT    NOT NULL,  -- mapping row "file#id", '' when none
  observed   INTEGER NOT NULL,
  equal      INTEGER NOT NULL,
  equivalent INTEGER NOT NULL,
  different  INTEGER NOT NULL,
  missing    INTEGER NOT NULL,
  extra      INTEGER NOT NULL,
  ignored    INTEGER NOT NULL,
  noise      INTEGER NOT NULL,
  PRIMARY KEY (run_id, operation, field)
);
)sql";

// Indexes on columns that older layouts lack: created after the upgrades.
constexpr const char* kIndexes = R"sql(
CREATE INDEX IF NOT EXISTS inbox_message_status ON inbox_message (status, reason, id);
CREATE INDEX IF NOT EXISTS inbox_message_due ON inbox_message (stage, next_attempt_at_ms, id);
CREATE INDEX IF NOT EXISTS inbox_message_indkaldelse ON inbox_message (ekstern_identifier, id);
)sql";

// Version 4 keys the inbox on (BeskedIdentifier, recipient) and adds the pipeline state; SQLite
// cannot drop a UNIQUE constraint, so the table is rebuilt.
constexpr const char* kUpgradeTo4 = R"sql(
ALTER TABLE inbox_message RENAME TO inbox_message_v3;
DROP INDEX IF EXISTS inbox_message_status;
)sql";

constexpr const char* kCopyTo4 = R"sql(
INSERT INTO inbox_message (id, besked_identifier, received_at_ms, source, recipient_type,
  recipient_code, layout, raw, sha256, status, reason, detail, cpr, ekstern_identifier,
  entitetstype_id, aendringstype_id, miljoe, haendelses_tid, duplicates, stage)
SELECT id, besked_identifier, received_at_ms, source, recipient_type, recipient_code, layout, raw,
  sha256, status, reason, detail, cpr, ekstern_identifier, entitetstype_id, aendringstype_id,
  miljoe, haendelses_tid, duplicates,
  CASE status WHEN 'accepted' THEN 'received' ELSE 'quarantined' END
FROM inbox_message_v3;
DROP TABLE inbox_message_v3;
UPDATE bridge_schema SET version = 4;
)sql";

// Version 1 kept item_xml in queue_message; version 2 moves it to queue_item (written once) so
// that sequence bookkeeping rewrites only narrow rows.
constexpr const char* kUpgrade1To2 = R"sql(
INSERT INTO queue_item (seq, item_xml) SELECT seq, item_xml FROM queue_message;
ALTER TABLE queue_message DROP COLUMN item_xml;
UPDATE bridge_schema SET version = 2;
)sql";

}  // namespace

Result<void> migrate(Connection& db) {
  BRIDGE_TRY(auto tx, Transaction::begin(db, true));
  BRIDGE_TRY(db.exec(kSchema));
  std::int64_t version = 0;
  {
    BRIDGE_TRY(auto q, db.prepare("SELECT MAX(version) FROM bridge_schema"));
    BRIDGE_TRY(bool row, q.step());
    if (row && !q.column_is_null(0)) version = q.column_int(0);
  }
  if (version > kSchemaVersion) {
    return make_error(ErrorDomain::store, static_cast<int>(StoreErrc::schema_too_new),
                      db.path() + ": schema version " + std::to_string(version) +
                          " is newer than this wsrm-bridge understands (" +
                          std::to_string(kSchemaVersion) + "); use a newer binary");
  }
  // Each step upgrades one version; the tables new in a version were created above.
  if (version == 1) BRIDGE_TRY(db.exec(kUpgrade1To2));
  if (version >= 1 && version < 4) {
    // The v4 inbox_message was just created for files older than v3 (no inbox yet): rebuilding
    // it from itself is harmless. For v3 files the old table is renamed, recreated, copied.
    BRIDGE_TRY(db.exec(kUpgradeTo4));
    BRIDGE_TRY(db.exec(kSchema));
    BRIDGE_TRY(db.exec(kCopyTo4));
  }
  BRIDGE_TRY(db.exec(kIndexes));
  // Version 5 only adds the compare_* tables, created above. Version 6 adds
  // inbox_message.stored_at_ms (acknowledgement latency for the report); a v4 rebuild above
  // already has it.
  if (version >= 4 && version < 6) {
    BRIDGE_TRY(
        db.exec("ALTER TABLE inbox_message ADD COLUMN stored_at_ms INTEGER NOT NULL "
                "DEFAULT 0"));
  }
  if (version >= 1 && version < 6) BRIDGE_TRY(db.exec("UPDATE bridge_schema SET version = 6"));
  if (version == 0) {
    BRIDGE_TRY(auto ins, db.prepare("INSERT INTO bridge_schema (version) VALUES (?1)"));
    BRIDGE_TRY(ins.bind(1, static_cast<std::int64_t>(kSchemaVersion)).run());
  }
  return tx.commit();
}

}  // namespace bridge::store::sqlite
