#pragma once
// What `wsrm-bridge compare` reads from and writes to the bridge's SQLite file: the items the
// bridge queued for a consumer (the bridge side of a comparison), and finished comparison runs
// (compare_run, compare_field) for the report's trends. See docs/comparison.md.

#include "bridge/core/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bridge::store::sqlite {

struct QueuedItem {
  std::int64_t seq = 0;
  std::string operation;
  std::string message_identifier;
  std::int64_t queued_at_ms = 0;
  std::string item_xml;
};

// Every message queued for `consumer` in `sub_queue` ("" = its main queue), in queue order,
// whatever its delivery state. The file must exist (it is never created here).
Result<std::vector<QueuedItem>> read_queued_items(const std::string& path,
                                                  const std::string& consumer,
                                                  const std::string& sub_queue);

// What the bridge's inbox holds for one indkaldelse (EksternIdentifier): each WSB received for it,
// with its pipeline stage and outcome, oldest first. Explains a message the bridge did not send.
struct InboxTrace {
  std::string besked_identifier;
  std::string recipient;  // "8/44000"
  std::string haendelses_tid;
  std::string status, reason;  // accepted | quarantined, and why
  std::string stage;           // received, enriched, queued, skipped, parked, quarantined
  std::string last_error;
  std::string outcome;  // the pipeline's outcome JSON (rule, reason, deliveries, …)
};
Result<std::vector<InboxTrace>> inbox_trace(const std::string& path,
                                            const std::string& ekstern_identifier);

struct CompareRunRow {
  std::int64_t started_at_ms = 0, finished_at_ms = 0;
  std::string label, organisation, legacy_source, bridge_source, noise_source, rules_file;
  bool passed = false;
  std::int64_t pairs = 0, legacy_only = 0, bridge_only = 0, counted = 0;
  std::string result_json;
};

struct CompareFieldRow {
  std::string operation, field, row_ref;
  std::int64_t observed = 0, equal = 0, equivalent = 0, different = 0, missing = 0, extra = 0,
               ignored = 0, noise = 0;
};

// Stores one run and its fields in one transaction (creating or upgrading the schema); returns
// the run's id.
Result<std::int64_t> save_compare_run(const std::string& path, const CompareRunRow& run,
                                      const std::vector<CompareFieldRow>& fields);

}  // namespace bridge::store::sqlite
