#pragma once
// The migration report (docs/report.md): one picture of whether each legacy consumer can be
// switched from DFDG's legacy WSRM service to the bridge, and what blocks it. The figures are
// gathered once from the bridge's SQLite file (read only), the configuration's consumers and the
// mapping check, into ReportData; the writers turn that one struct into report.html
// (self-contained), report.json and one CSV file per table, so every output shows the same
// numbers.

#include "bridge/core/result.h"
#include "bridge/queue/consumers.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bridge::mapping {
class MappingSet;
struct CheckReport;
}  // namespace bridge::mapping

namespace bridge::report {

// Codes of the report's errors (ErrorDomain::io for files, ErrorDomain::store for SQLite).
enum class ReportErrc { no_store = 1, unreadable = 2, unwritable = 3 };

struct ReportOptions {
  std::int64_t now_ms = 0;          // "now": ages and windows are measured from it
  int stale_after_days = 7;         // a comparison older than this no longer counts
  int poll_window_hours = 24;       // a consumer that polled the bridge within it is switched
  bool unmask = false;              // show CPR numbers (masked by default)
  std::string docs_base = "docs/";  // prefix of links to mapping-tables.md (a path or URL)
};

// ---- mapping coverage (from MappingSet::load) ------------------------------------------------

struct CoverageLeaf {
  std::string operation;
  std::string path;
  std::string xsd_type;
  bool required = false;
  std::string coverage;  // mapped | default | not_mapped | gap
  std::string row;       // "file#id" for mapped / default
  std::string reason;    // for not_mapped: the table's "not mapped, because …"
  std::string anchor;    // anchor in docs/mapping-tables.md
};

struct CoverageOperation {
  std::string operation;
  std::string table;  // the table file
  int leaves = 0, mapped = 0, defaulted = 0, not_mapped = 0, gap = 0;
  std::string anchor;  // "<operation>-table"
};

struct Coverage {
  bool loaded = false;              // false: the mappings could not be read at all
  std::vector<std::string> errors;  // the mapping check's errors (any blocks every operation)
  std::vector<CoverageOperation> operations;
  std::vector<CoverageLeaf> leaves;
};

// The coverage of a loaded set (and its check report).
Coverage coverage_from(const mapping::MappingSet& set, const mapping::CheckReport& check);
// The anchor `wsrm-bridge mappings doc` writes for a row id (or "table") of an operation.
std::string mapping_anchor(const std::string& operation, const std::string& row_id);

// ---- the store's figures ---------------------------------------------------------------------

struct CountBy {
  std::string key;
  std::int64_t count = 0;
};

struct ConsumerFacts {
  std::string id;
  std::vector<std::string> organisations;  // "8/44000"
  std::vector<std::string> message_types;  // configured
  std::vector<std::string> sub_queues;
  std::optional<std::int64_t> last_poll_ms;           // main queue; see docs/report.md
  bool polls_bridge = false;                          // last poll within the poll window
  std::vector<CountBy> delivered_by_operation;        // main queue, state 2
  std::int64_t backlog = 0;                           // main queue, state 0 or 1
  std::optional<std::int64_t> oldest_undelivered_ms;  // queued_at_ms of the oldest
  std::int64_t sequences_open = 0, sequences_terminated = 0, sequences_closed = 0,
               sequences_expired = 0;
  std::int64_t quarantined = 0;  // inbox messages for its organisations
  std::vector<CountBy> quarantined_by_reason;
};

struct OperationVerdict {
  std::string operation;
  bool present = false;   // the run had messages of this operation
  bool exceeded = false;  // operations[].exceeded, or any fields[].exceeded of the operation
  std::int64_t pairs = 0, pairs_with_differences = 0, legacy_only = 0, bridge_only = 0;
  std::vector<std::string> failed_fields;  // "Title (row …): 1 counted difference(s) in 7 pair(s)"
};

struct CompareRunFacts {
  std::int64_t id = 0;
  std::int64_t started_at_ms = 0, finished_at_ms = 0;
  std::string label, organisation;
  bool passed = false;
  std::int64_t pairs = 0, legacy_only = 0, bridge_only = 0, counted = 0;
  bool latest = false;   // the latest run of its organisation
  bool readable = true;  // result_json parsed
  std::vector<OperationVerdict> operations;
};

struct FieldRate {
  std::int64_t run_id = 0;
  std::string organisation, operation, field, row;
  std::int64_t observed = 0, equal = 0, equivalent = 0, different = 0, missing = 0, extra = 0,
               ignored = 0, noise = 0;
  std::int64_t counted() const { return different + missing + extra - ignored - noise; }
  double rate() const {
    return observed > 0 ? static_cast<double>(counted()) / static_cast<double>(observed) : 0.0;
  }
};

struct TopDifference {
  std::int64_t run_id = 0;
  std::string organisation, operation, field, row;
  std::int64_t counted = 0, observed = 0;
  std::string outcome, key, legacy, bridge, reason;  // the example (CPR masked unless unmask)
  bool has_example = false;
};

struct DayCount {
  std::string day;  // YYYY-MM-DD (UTC)
  std::int64_t count = 0;
};

struct QuarantineRow {
  std::string recipient;  // "8/44000"
  std::string reason;
  std::int64_t count = 0;
};

struct IngestFacts {
  std::int64_t messages = 0;  // inbox_message rows
  std::vector<DayCount> per_day;
  std::int64_t duplicates = 0;
  std::int64_t conflicts = 0;
  std::vector<QuarantineRow> quarantined;  // by recipient and reason
  std::int64_t quarantined_total = 0;
  std::int64_t not_visible = 0;        // messages whose DFDG snapshot says not visible / not found
  std::int64_t parked = 0;             // stage parked: enrichment or mapping gave up
  std::int64_t retrying = 0;           // received/enriched with a last error: being retried
  std::vector<CountBy> parked_errors;  // last_error of parked messages
  bool latency_recorded = false;       // inbox_message.stored_at_ms exists
  std::int64_t latency_samples = 0;    // rows with stored_at_ms > 0
  std::int64_t p50_ms = 0, p90_ms = 0, p99_ms = 0;
};

// ---- readiness -------------------------------------------------------------------------------

struct Reason {
  std::string code;           // differences | not_compared | stale_comparison | mapping_gap |
                              // quarantined | legacy_polling
  bool blocks_switch = true;  // false: only blocks switching the legacy service off
  std::string sentence;
};

struct OperationReadiness {
  std::string consumer, operation;
  bool ready = false;
  std::vector<Reason> reasons;
};

struct ConsumerReadiness {
  std::string consumer;
  bool ready = false;           // every operation ready: the consumer can be switched
  bool legacy_off = false;      // ready, and it polls the bridge: the legacy service can go
  std::vector<Reason> reasons;  // the consumer's own (quarantine, polling, comparison age)
  std::vector<OperationReadiness> operations;
};

struct ReportData {
  ReportOptions options;
  std::string store_path;
  std::int64_t schema_version = 0;
  std::vector<ConsumerFacts> consumers;
  std::vector<CompareRunFacts> runs;     // every run, oldest first
  std::vector<FieldRate> latest_fields;  // compare_field of each organisation's latest run
  std::vector<TopDifference> top_differences;
  IngestFacts ingest;
  Coverage coverage;
  std::vector<ConsumerReadiness> readiness;
};

// Reads the store at `store_path` (which must exist; it is never created or written), fills
// every figure and then `readiness` (assess_readiness). Errors name the file.
Result<ReportData> gather(const std::string& store_path,
                          const std::vector<queue::Consumer>& consumers, Coverage coverage,
                          const ReportOptions& options);

// The readiness rules of docs/report.md, from the gathered figures.
std::vector<ConsumerReadiness> assess_readiness(const ReportData& data);

// ---- output ----------------------------------------------------------------------------------

std::string render_html(const ReportData& data);
std::string render_json(const ReportData& data);  // format wsrm-migration-report/1

struct CsvFile {
  std::string name;  // e.g. "readiness.csv"
  std::string text;
};
std::vector<CsvFile> render_csv(const ReportData& data);

// One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF, or starts or ends
// with a space; quotes doubled.
std::string csv_field(const std::string& value);
// One CSV record, CRLF-terminated.
std::string csv_record(const std::vector<std::string>& fields);

// Writes report.html, report.json and the CSV files into `dir` (created if missing).
Result<std::vector<std::string>> write_report(const ReportData& data, const std::string& dir);

// ---- time ------------------------------------------------------------------------------------

// "2026-11-28T04:37:30Z", "…30.101+01:00", "2026-11-28" (midnight UTC) → ms since the epoch.
std::optional<std::int64_t> parse_iso8601_ms(const std::string& text);
// "2026-11-28 04:37 UTC".
std::string format_minute_utc(std::int64_t ms);
// "3 h 5 min", "2 d 4 h", "45 s".
std::string format_duration(std::int64_t ms);

}  // namespace bridge::report
