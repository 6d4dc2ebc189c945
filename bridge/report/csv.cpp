// The report's tables as CSV (RFC 4180: CRLF records, fields quoted when needed), and writing
// every output file into the report directory.

#include "bridge/report/report.h"
#include "bridge/report/text.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace bridge::report {
namespace {

std::string n(std::int64_t v) { return std::to_string(v); }

std::string join_reasons(const std::vector<Reason>& reasons) {
  std::string s;
  for (const auto& r : reasons) s += (s.empty() ? "" : "\n") + r.sentence;
  return s;
}

std::string codes(const std::vector<Reason>& reasons) {
  std::string s;
  for (const auto& r : reasons) s += (s.empty() ? "" : " ") + r.code;
  return s;
}

std::string rate_text(double rate) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", rate);
  return buf;
}

}  // namespace

std::string csv_field(const std::string& value) {
  const bool quote = value.find_first_of(",\"\r\n") != std::string::npos ||
                     (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!quote) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += csv_field(fields[i]);
  }
  return out + "\r\n";
}

std::vector<CsvFile> render_csv(const ReportData& d) {
  std::vector<CsvFile> files;

  std::string t =
      csv_record({"consumer", "operation", "ready", "legacy_off", "reason_codes", "reasons"});
  for (const auto& r : d.readiness) {
    t += csv_record({r.consumer, "", r.ready ? "yes" : "no", r.legacy_off ? "yes" : "no",
                     codes(r.reasons), join_reasons(r.reasons)});
    for (const auto& o : r.operations) {
      t += csv_record({r.consumer, o.operation, o.ready ? "yes" : "no", "", codes(o.reasons),
                       join_reasons(o.reasons)});
    }
  }
  files.push_back({"readiness.csv", t});

  t = csv_record(
      {"operation", "element", "xsd_type", "required", "coverage", "row", "reason", "link"});
  for (const auto& l : d.coverage.leaves) {
    t += csv_record({l.operation, l.path, l.xsd_type, l.required ? "yes" : "no", l.coverage, l.row,
                     l.reason, d.options.docs_base + "mapping-tables.md#" + l.anchor});
  }
  files.push_back({"coverage.csv", t});

  t = csv_record({"run_id", "organisation", "operation", "field", "row", "observed", "equal",
                  "equivalent", "different", "missing", "extra", "ignored", "noise", "counted",
                  "rate"});
  for (const auto& f : d.latest_fields) {
    t += csv_record({n(f.run_id), f.organisation, f.operation, f.field, f.row, n(f.observed),
                     n(f.equal), n(f.equivalent), n(f.different), n(f.missing), n(f.extra),
                     n(f.ignored), n(f.noise), n(f.counted()), rate_text(f.rate())});
  }
  files.push_back({"compare_fields.csv", t});

  t = csv_record({"run_id", "organisation", "operation", "field", "row", "counted", "observed",
                  "outcome", "key", "legacy", "bridge", "reason"});
  for (const auto& x : d.top_differences) {
    t += csv_record({n(x.run_id), x.organisation, x.operation, x.field, x.row, n(x.counted),
                     n(x.observed), x.outcome, x.key, x.legacy, x.bridge, x.reason});
  }
  files.push_back({"compare_top_differences.csv", t});

  t = csv_record({"run_id", "started_at", "finished_at", "organisation", "label", "passed",
                  "latest", "pairs", "legacy_only", "bridge_only", "counted"});
  for (const auto& r : d.runs) {
    t += csv_record({n(r.id), format_iso_utc(r.started_at_ms), format_iso_utc(r.finished_at_ms),
                     r.organisation, r.label, r.passed ? "yes" : "no", r.latest ? "yes" : "no",
                     n(r.pairs), n(r.legacy_only), n(r.bridge_only), n(r.counted)});
  }
  files.push_back({"compare_runs.csv", t});

  t = csv_record({"consumer", "organisations", "message_types", "last_poll", "polls_bridge",
                  "delivered", "backlog", "oldest_undelivered_queued_at", "sequences_open",
                  "sequences_terminated", "sequences_closed", "sequences_expired", "quarantined"});
  for (const auto& c : d.consumers) {
    std::string orgs, types, delivered;
    for (const auto& o : c.organisations) orgs += (orgs.empty() ? "" : " ") + o;
    for (const auto& o : c.message_types) types += (types.empty() ? "" : " ") + o;
    for (const auto& o : c.delivered_by_operation) {
      delivered += (delivered.empty() ? "" : " ") + o.key + "=" + n(o.count);
    }
    t += csv_record({c.id, orgs, types, c.last_poll_ms ? format_iso_utc(*c.last_poll_ms) : "",
                     c.polls_bridge ? "yes" : "no", delivered, n(c.backlog),
                     c.oldest_undelivered_ms ? format_iso_utc(*c.oldest_undelivered_ms) : "",
                     n(c.sequences_open), n(c.sequences_terminated), n(c.sequences_closed),
                     n(c.sequences_expired), n(c.quarantined)});
  }
  files.push_back({"consumers.csv", t});

  t = csv_record({"day", "messages"});
  for (const auto& day : d.ingest.per_day) t += csv_record({day.day, n(day.count)});
  files.push_back({"ingest_daily.csv", t});

  t = csv_record({"recipient", "reason", "messages"});
  for (const auto& q : d.ingest.quarantined) t += csv_record({q.recipient, q.reason, n(q.count)});
  files.push_back({"quarantine.csv", t});

  const IngestFacts& in = d.ingest;
  t = csv_record({"figure", "value"});
  t += csv_record({"messages", n(in.messages)});
  t += csv_record({"duplicates", n(in.duplicates)});
  t += csv_record({"conflicts", n(in.conflicts)});
  t += csv_record({"quarantined", n(in.quarantined_total)});
  t += csv_record({"not_visible", n(in.not_visible)});
  t += csv_record({"parked", n(in.parked)});
  t += csv_record({"retrying", n(in.retrying)});
  const bool measured = in.latency_recorded && in.latency_samples > 0;
  t += csv_record({"ack_latency_samples", measured ? n(in.latency_samples) : ""});
  t += csv_record({"ack_latency_p50_ms", measured ? n(in.p50_ms) : ""});
  t += csv_record({"ack_latency_p90_ms", measured ? n(in.p90_ms) : ""});
  t += csv_record({"ack_latency_p99_ms", measured ? n(in.p99_ms) : ""});
  files.push_back({"ingest_figures.csv", t});
  return files;
}

Result<std::vector<std::string>> write_report(const ReportData& data, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return make_error(ErrorDomain::io, static_cast<int>(ReportErrc::unwritable),
                      dir + ": cannot create the directory: " + ec.message());
  }
  std::vector<CsvFile> files = render_csv(data);
  files.insert(files.begin(),
               {{"report.html", render_html(data)}, {"report.json", render_json(data)}});
  std::vector<std::string> written;
  for (const auto& f : files) {
    const std::string path = (std::filesystem::path(dir) / f.name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << f.text;
    out.close();
    if (!out) {
      return make_error(ErrorDomain::io, static_cast<int>(ReportErrc::unwritable),
                        path + ": cannot write the file");
    }
    written.push_back(path);
  }
  return written;
}

}  // namespace bridge::report
