#pragma once
// Request and fault counters for /metrics. Queue figures are read from the store at scrape time,
// so they are always true after a restart.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace bridge {

class Metrics {
 public:
  void count_request(const std::string& operation);
  void count_fault(const std::string& operation, int code);
  void count_connection_error(const std::string& reason);
  // One received WSB: outcome accepted, quarantined, duplicate, conflict, malformed, refused;
  // reason the quarantine reason or the HTTP refusal (e.g. "401").
  void count_wsb(const std::string& outcome, const std::string& reason);
  // One pipeline step result: outcome enriched, queued, skipped, quarantined, retry, parked;
  // reason e.g. the quarantine reason or "dfdg_transient".
  void count_pipeline(const std::string& outcome, const std::string& reason);
  // A code a code list did not know (passed through unchanged), by list.
  void set_codelist_unknown(const std::string& list, std::int64_t total);

  // Prometheus text exposition of the counters (HELP/TYPE lines included).
  std::string render_counters() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::int64_t> requests_;
  std::map<std::pair<std::string, int>, std::int64_t> faults_;
  std::map<std::string, std::int64_t> connection_errors_;
  std::map<std::pair<std::string, std::string>, std::int64_t> wsb_;
  std::map<std::pair<std::string, std::string>, std::int64_t> pipeline_;
  std::map<std::string, std::int64_t> codelist_unknown_;
};

// Escapes a Prometheus label value.
std::string prometheus_label(const std::string& value);

}  // namespace bridge
