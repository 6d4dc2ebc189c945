// `wsrm-bridge report`: the migration report (docs/report.md) — readiness per consumer and
// operation, mapping coverage, comparison runs, consumers and ingest health — as one
// self-contained HTML page, JSON and CSV files.

#include "bridge/app/commands.h"
#include "bridge/app/config.h"
#include "bridge/core/clock.h"
#include "bridge/mapping/mapping.h"
#include "bridge/report/report.h"

#include <cstdio>
#include <filesystem>

namespace bridge::app {
namespace {

struct ReportCliOptions {
  std::string config_path;
  std::string out;
  std::string mappings_dir;  // default: the configuration's [mappings] dir
  std::string wsdl_dir;      // default: the configuration's server.wsdl_dir, else the source tree's
  std::string now;
  int stale_after_days = 7;
  int poll_window_hours = 24;
  std::string docs_url;
  bool unmask = false;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "wsrm-bridge report: %s\n", message.c_str());
  return kExitUsage;
}

int run_report(const ReportCliOptions& o) {
  auto config = load_config(o.config_path);
  if (!config) return usage_error(config.error().message);
  report::ReportOptions options;
  options.stale_after_days = o.stale_after_days;
  options.poll_window_hours = o.poll_window_hours;
  options.unmask = o.unmask;
  if (o.now.empty()) {
    options.now_ms = to_epoch_ms(std::chrono::system_clock::now());
  } else {
    auto now = report::parse_iso8601_ms(o.now);
    if (!now) {
      return usage_error("--now '" + o.now +
                         "' is not an ISO 8601 instant (e.g. 2026-11-28T04:37:30Z) or date");
    }
    options.now_ms = *now;
  }
  if (!o.docs_url.empty()) {
    options.docs_base = o.docs_url.back() == '/' ? o.docs_url : o.docs_url + "/";
  } else {
    options.docs_base = "file://" + std::string(BRIDGE_SOURCE_DIR) + "/docs/";
  }

  const std::string mappings_dir =
      o.mappings_dir.empty() ? config.value().mappings_dir : o.mappings_dir;
  std::string wsdl_dir = o.wsdl_dir;
  if (wsdl_dir.empty()) {
    wsdl_dir = config.value().server.wsdl_dir.empty() ? std::string(BRIDGE_SOURCE_DIR) + "/wsdl"
                                                      : config.value().server.wsdl_dir;
  }
  report::Coverage coverage;
  std::error_code ec;
  if (std::filesystem::is_directory(mappings_dir, ec)) {
    mapping::CheckReport check;
    const auto set = mapping::MappingSet::load(mappings_dir, wsdl_dir + "/xsd", check);
    coverage = set ? report::coverage_from(*set, check) : report::Coverage{};
    if (!set) coverage.errors = check.errors;
  } else {
    coverage.errors.push_back(mappings_dir + ": no such directory (give --mappings DIR)");
  }

  auto data = report::gather(config.value().sqlite_path, config.value().consumers,
                             std::move(coverage), options);
  if (!data) return usage_error(data.error().message);
  auto written = report::write_report(data.value(), o.out);
  if (!written) return usage_error(written.error().message);

  std::size_t ready = 0, legacy_off = 0;
  for (const auto& r : data.value().readiness) {
    ready += r.ready ? 1 : 0;
    legacy_off += r.legacy_off ? 1 : 0;
  }
  std::printf(
      "report: %zu of %zu consumer(s) can be switched to the bridge; the legacy service "
      "can be switched off for %zu\n",
      ready, data.value().readiness.size(), legacy_off);
  for (const auto& r : data.value().readiness) {
    std::printf("  %s: %s\n", r.consumer.c_str(),
                r.ready ? (r.legacy_off ? "ready, polls the bridge" : "ready, not polling yet")
                        : "not ready");
  }
  for (const auto& path : written.value()) std::printf("wrote %s\n", path.c_str());
  return kExitOk;
}

}  // namespace

Runner add_report_command(CLI::App& app) {
  auto o = std::make_shared<ReportCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write the migration report: readiness per consumer and operation (with the reasons), "
      "mapping coverage, comparison runs, consumers and ingest health, read from the bridge's "
      "SQLite file (never written). Output: DIR/report.html (self-contained), report.json and "
      "one CSV per table. See docs/report.md.");
  cmd->add_option("-c,--config", o->config_path,
                  "The bridge's configuration: its [store] file and its consumers")
      ->required();
  cmd->add_option("--out", o->out, "Directory for report.html, report.json and the CSV files")
      ->required();
  cmd->add_option("--mappings", o->mappings_dir,
                  "Mapping tables for the coverage (default: the configuration's [mappings] dir)");
  cmd->add_option("--wsdl", o->wsdl_dir,
                  "Contract directory holding xsd/ (default: the configuration's server.wsdl_dir)");
  cmd->add_option("--now", o->now,
                  "The report's \"now\" as ISO 8601 (default: the current time); ages and the "
                  "poll window are measured from it");
  cmd->add_option("--stale-after-days", o->stale_after_days,
                  "A comparison run older than this no longer counts")
      ->capture_default_str()
      ->check(CLI::Range(1, 3650));
  cmd->add_option("--poll-window-hours", o->poll_window_hours,
                  "A consumer that has not polled the bridge's main queue within this is still on "
                  "the legacy service")
      ->capture_default_str()
      ->check(CLI::Range(1, 24 * 366));
  cmd->add_option("--docs-url", o->docs_url,
                  "Base of the links to mapping-tables.md (default: the source tree's docs/)");
  cmd->add_flag("--unmask", o->unmask, "Show CPR numbers in examples (masked by default)");
  return [o] { return run_report(*o); };
}

}  // namespace bridge::app
