// report.json (format wsrm-migration-report/1, docs/report.md): the figures of report.html.

#include "bridge/report/report.h"
#include "bridge/report/text.h"

#include <nlohmann/json.hpp>

namespace bridge::report {
namespace {

using nlohmann::json;

json optional_ms(const std::optional<std::int64_t>& ms) {
  return ms ? json(format_iso_utc(*ms)) : json(nullptr);
}

json reasons_json(const std::vector<Reason>& reasons) {
  json out = json::array();
  for (const auto& r : reasons) {
    out.push_back({{"code", r.code}, {"blocks_switch", r.blocks_switch}, {"sentence", r.sentence}});
  }
  return out;
}

json counts_json(const std::vector<CountBy>& counts, const char* key) {
  json out = json::array();
  for (const auto& c : counts) out.push_back({{key, c.key}, {"count", c.count}});
  return out;
}

}  // namespace

std::string render_json(const ReportData& d) {
  json j;
  j["format"] = "wsrm-migration-report/1";
  j["generated_for"] = format_iso_utc(d.options.now_ms);
  j["store"] = d.store_path;
  j["schema_version"] = d.schema_version;
  j["options"] = {{"stale_after_days", d.options.stale_after_days},
                  {"poll_window_hours", d.options.poll_window_hours},
                  {"unmask", d.options.unmask},
                  {"docs_base", d.options.docs_base}};

  json readiness = json::array();
  for (const auto& r : d.readiness) {
    json ops = json::array();
    for (const auto& o : r.operations) {
      ops.push_back(
          {{"operation", o.operation}, {"ready", o.ready}, {"reasons", reasons_json(o.reasons)}});
    }
    readiness.push_back({{"consumer", r.consumer},
                         {"ready", r.ready},
                         {"legacy_off", r.legacy_off},
                         {"reasons", reasons_json(r.reasons)},
                         {"operations", ops}});
  }
  j["readiness"] = readiness;

  json coverage_ops = json::array(), leaves = json::array();
  for (const auto& o : d.coverage.operations) {
    coverage_ops.push_back({{"operation", o.operation},
                            {"table", o.table},
                            {"leaves", o.leaves},
                            {"mapped", o.mapped},
                            {"default", o.defaulted},
                            {"not_mapped", o.not_mapped},
                            {"gap", o.gap},
                            {"anchor", o.anchor}});
  }
  for (const auto& l : d.coverage.leaves) {
    leaves.push_back({{"operation", l.operation},
                      {"path", l.path},
                      {"xsd_type", l.xsd_type},
                      {"required", l.required},
                      {"coverage", l.coverage},
                      {"row", l.row},
                      {"reason", l.reason},
                      {"anchor", l.anchor}});
  }
  j["coverage"] = {{"loaded", d.coverage.loaded},
                   {"errors", d.coverage.errors},
                   {"operations", coverage_ops},
                   {"elements", leaves}};

  json runs = json::array();
  for (const auto& r : d.runs) {
    json ops = json::array();
    for (const auto& o : r.operations) {
      ops.push_back({{"operation", o.operation},
                     {"present", o.present},
                     {"exceeded", o.exceeded},
                     {"pairs", o.pairs},
                     {"pairs_with_differences", o.pairs_with_differences},
                     {"legacy_only", o.legacy_only},
                     {"bridge_only", o.bridge_only},
                     {"failed_fields", o.failed_fields}});
    }
    runs.push_back({{"id", r.id},
                    {"started_at", format_iso_utc(r.started_at_ms)},
                    {"finished_at", format_iso_utc(r.finished_at_ms)},
                    {"label", r.label},
                    {"organisation", r.organisation},
                    {"passed", r.passed},
                    {"latest", r.latest},
                    {"pairs", r.pairs},
                    {"legacy_only", r.legacy_only},
                    {"bridge_only", r.bridge_only},
                    {"counted", r.counted},
                    {"readable", r.readable},
                    {"operations", ops}});
  }
  json fields = json::array();
  for (const auto& f : d.latest_fields) {
    fields.push_back({{"run_id", f.run_id},
                      {"organisation", f.organisation},
                      {"operation", f.operation},
                      {"field", f.field},
                      {"row", f.row},
                      {"observed", f.observed},
                      {"equal", f.equal},
                      {"equivalent", f.equivalent},
                      {"different", f.different},
                      {"missing", f.missing},
                      {"extra", f.extra},
                      {"ignored", f.ignored},
                      {"noise", f.noise},
                      {"counted", f.counted()},
                      {"rate", f.rate()}});
  }
  json top = json::array();
  for (const auto& t : d.top_differences) {
    json example = nullptr;
    if (t.has_example) {
      example = {{"outcome", t.outcome},
                 {"key", t.key},
                 {"legacy", t.legacy},
                 {"bridge", t.bridge},
                 {"reason", t.reason}};
    }
    top.push_back({{"run_id", t.run_id},
                   {"organisation", t.organisation},
                   {"operation", t.operation},
                   {"field", t.field},
                   {"row", t.row},
                   {"counted", t.counted},
                   {"observed", t.observed},
                   {"example", example}});
  }
  j["comparison"] = {{"runs", runs}, {"latest_fields", fields}, {"top_differences", top}};

  json consumers = json::array();
  for (const auto& c : d.consumers) {
    consumers.push_back(
        {{"consumer", c.id},
         {"organisations", c.organisations},
         {"message_types", c.message_types},
         {"sub_queues", c.sub_queues},
         {"last_poll", optional_ms(c.last_poll_ms)},
         {"polls_bridge", c.polls_bridge},
         {"delivered", counts_json(c.delivered_by_operation, "operation")},
         {"backlog", c.backlog},
         {"oldest_undelivered_queued_at", optional_ms(c.oldest_undelivered_ms)},
         {"oldest_undelivered_age_ms", c.oldest_undelivered_ms
                                           ? json(d.options.now_ms - *c.oldest_undelivered_ms)
                                           : json(nullptr)},
         {"sequences",
          {{"open", c.sequences_open},
           {"terminated", c.sequences_terminated},
           {"closed", c.sequences_closed},
           {"expired", c.sequences_expired}}},
         {"quarantined", c.quarantined},
         {"quarantined_by_reason", counts_json(c.quarantined_by_reason, "reason")}});
  }
  j["consumers"] = consumers;

  const IngestFacts& in = d.ingest;
  json days = json::array(), quarantine = json::array();
  for (const auto& day : in.per_day) days.push_back({{"day", day.day}, {"count", day.count}});
  for (const auto& q : in.quarantined) {
    quarantine.push_back({{"recipient", q.recipient}, {"reason", q.reason}, {"count", q.count}});
  }
  json latency = nullptr;
  if (in.latency_recorded && in.latency_samples > 0) {
    latency = {{"samples", in.latency_samples},
               {"p50_ms", in.p50_ms},
               {"p90_ms", in.p90_ms},
               {"p99_ms", in.p99_ms}};
  }
  j["ingest"] = {{"messages", in.messages},
                 {"per_day", days},
                 {"duplicates", in.duplicates},
                 {"conflicts", in.conflicts},
                 {"quarantined", in.quarantined_total},
                 {"quarantined_by_reason", quarantine},
                 {"not_visible", in.not_visible},
                 {"parked", in.parked},
                 {"retrying", in.retrying},
                 {"parked_errors", counts_json(in.parked_errors, "error")},
                 {"latency_recorded", in.latency_recorded},
                 {"ack_latency", latency}};
  return j.dump(2) + "\n";
}

}  // namespace bridge::report
