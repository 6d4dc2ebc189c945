#pragma once
// The durable inbox of received WSB messages: the raw bytes exactly as DFDG sent them, the parsed
// key fields and the receiver's verdict, committed (fsync'ed) before the sender gets its 2xx.
// Idempotent on BeskedIdentifier: the same bytes again count as a duplicate, other bytes under the
// same identifier are kept apart as a conflict for inspection; neither changes the stored message.

#include "bridge/core/clock.h"
#include "bridge/core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bridge::store {

struct InboxRecord {
  std::string besked_identifier;  // the dedupe key ("sha256:<hex>" when the message has none)
  std::string raw;                // the bytes as received
  std::string sha256;             // of raw, hex
  std::string source;             // "webhook" or "ingest:<file>:<line>"
  int recipient_type = 0;         // the organisation the message was addressed to
  std::string recipient_code;
  std::string layout;  // flat | header_body | pair
  std::string status;  // accepted | quarantined
  std::string reason;  // quarantine reason code, empty when accepted
  std::string detail;  // a sentence naming the field and value
  // Key fields for listing and later stages (empty when missing from the message).
  std::string cpr;
  std::string ekstern_identifier;
  std::optional<int> entitetstype_id;
  std::optional<int> aendringstype_id;
  std::string miljoe;
  std::string haendelses_tid;
  TimePoint received_at;
};

enum class InboxOutcome { stored, duplicate, conflict };

// Where the pipeline is with a message (docs/pipeline.md).
inline constexpr const char* kStageReceived = "received";  // accepted, not yet enriched
inline constexpr const char* kStageEnriched = "enriched";  // snapshot stored, not yet queued
inline constexpr const char* kStageQueued = "queued";      // items are on the consumer's queue
inline constexpr const char* kStageSkipped = "skipped";    // a sending rule says: not for them
inline constexpr const char* kStageParked = "parked";      // failed N times or cannot succeed
inline constexpr const char* kStageQuarantined = "quarantined";

struct PipelineState {
  std::string stage = kStageReceived;
  int attempts = 0;             // failed attempts at the current stage
  TimePoint next_attempt_at{};  // not before (retry back-off)
  std::string last_error;       // the last failure, a sentence
  std::string outcome;          // JSON: deliveries, rule, warnings (queued / skipped)
};

// The IndkaldelseService answer stored with a message.
struct SnapshotRecord {
  std::int64_t id = 0;
  std::int64_t inbox_id = 0;
  std::string indkaldelse_id;
  std::string visibility;  // found | not_visible
  int http_status = 0;
  std::string url;
  std::string body;  // JSON text when found
  int attempts = 0;
  TimePoint fetched_at{};
};

struct InboxEntry {
  std::int64_t id = 0;
  InboxRecord record;
  PipelineState pipeline;
  std::int64_t duplicates = 0;  // identical re-deliveries since
  std::int64_t conflicts = 0;   // different bytes under the same BeskedIdentifier
};

struct InboxFilter {
  std::string status;  // empty: any
  std::string reason;  // empty: any
  int limit = 100;
  std::string stage;  // pipeline stage; empty: any
};

struct InboxCounts {
  std::int64_t accepted = 0;
  std::int64_t quarantined = 0;
  std::int64_t duplicates = 0;
  std::int64_t conflicts = 0;
  std::vector<std::pair<std::string, std::int64_t>> quarantined_by_reason;
};

class InboxStore {
 public:
  virtual ~InboxStore() = default;
  // All records in one transaction, committed durably before returning (group commit).
  virtual Result<std::vector<InboxOutcome>> store_batch(
      const std::vector<InboxRecord>& records) = 0;
  virtual Result<std::vector<InboxEntry>> list(const InboxFilter& filter) = 0;
  // By row id or BeskedIdentifier.
  virtual Result<std::optional<InboxEntry>> find(const std::string& id_or_besked_identifier) = 0;
  // A new verdict for a stored message (after re-classification), e.g. on `inbox requeue`.
  virtual Result<void> set_verdict(std::int64_t id, const std::string& status,
                                   const std::string& reason, const std::string& detail) = 0;
  virtual Result<InboxCounts> counts() = 0;

  // ---- pipeline state (bridge/pipeline) ----
  // Accepted messages at stage received/enriched whose next attempt is due, oldest first, with
  // id > after_id.
  virtual Result<std::vector<InboxEntry>> due(TimePoint now, int limit, std::int64_t after_id) = 0;
  // Stores the snapshot and moves the message to stage enriched, in one transaction.
  virtual Result<void> save_snapshot(const SnapshotRecord& snapshot) = 0;
  virtual Result<std::optional<SnapshotRecord>> snapshot_for(std::int64_t inbox_id) = 0;
  // The newest snapshot of an indkaldelse that DFDG showed (for a Delete that answers 404).
  virtual Result<std::optional<SnapshotRecord>> last_found_snapshot(
      const std::string& indkaldelse_id) = 0;
  virtual Result<void> set_pipeline(std::int64_t id, const PipelineState& state) = 0;
  // Quarantines a message the pipeline cannot route (status, reason, detail and stage at once).
  virtual Result<void> quarantine(std::int64_t id, const std::string& reason,
                                  const std::string& detail) = 0;
  // Messages per pipeline stage (accepted and quarantined alike).
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> stage_counts() = 0;
};

}  // namespace bridge::store
