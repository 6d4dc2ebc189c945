// report.html: one self-contained, XHTML-compatible page (inline CSS and SVG; a few lines of
// script only check the charts). Sections as docs/report.md describes them.

#include "bridge/core/xml_text.h"
#include "bridge/report/chart.h"
#include "bridge/report/report.h"
#include "bridge/report/text.h"

#include <algorithm>
#include <sstream>

namespace bridge::report {
namespace {

std::string esc(const std::string& s) { return xml_escape(s); }

constexpr const char* kStyle = R"css(
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px; color: #222; font-size: 14px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 18px; border-bottom: 2px solid #1f618d; padding-bottom: 2px; margin-top: 32px; }
h3 { font-size: 15px; margin-top: 20px; }
table { border-collapse: collapse; margin: 8px 0 16px 0; }
th, td { border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; text-align: left; }
th { background: #eef2f5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ready { color: #196f3d; font-weight: bold; }
.not-ready { color: #b03a2e; font-weight: bold; }
.warn { color: #9a6700; font-weight: bold; }
.empty { color: #666; font-style: italic; }
.meta { color: #555; }
ul.reasons { margin: 0; padding-left: 18px; }
code { font-size: 12px; overflow-wrap: anywhere; }
table { max-width: 100%; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0 16px 0;
            break-inside: avoid; page-break-inside: avoid; }
svg.chart text { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 11px; fill: #333; }
svg.chart text.chart-title { font-size: 13px; font-weight: bold; }
svg.chart text.no-data { font-size: 14px; fill: #666; font-style: italic; }
nav ol { columns: 2; }
@media print {
  body { margin: 0; font-size: 10pt; }
  nav { display: none; }
  section { break-before: page; page-break-before: always; }
  tr, svg.chart, .keep { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
)css";

// Counts the charts whose box is not empty and which carry their data marks (every mark with a
// size), and writes "<ok>/<total>" to body[data-charts-ok]. No '<' or '&' in it: the page stays
// well-formed XML.
constexpr const char* kScript = R"js(
window.addEventListener('load', function () {
  var charts = document.querySelectorAll('svg.chart');
  var ok = 0;
  for (var i = 0; i !== charts.length; i += 1) {
    var chart = charts[i];
    var box = chart.getBBox();
    var want = parseInt(chart.getAttribute('data-marks'), 10);
    var marks = chart.querySelectorAll('[data-mark]');
    var sized = 0;
    for (var j = 0; j !== marks.length; j += 1) {
      var b = marks[j].getBBox();
      if (b.width + b.height > 0) { sized += 1; }
    }
    if (box.width > 0) {
      if (box.height > 0) {
        if (marks.length === want) {
          if (sized === want) { ok += 1; }
        }
      }
    }
  }
  document.body.dataset.chartsOk = ok + '/' + charts.length;
});
)js";

std::string verdict(bool ok, const char* yes, const char* no) {
  return std::string("<span class=\"") + (ok ? "ready" : "not-ready") + "\">" + (ok ? yes : no) +
         "</span>";
}

std::string num(std::int64_t v, const std::string& figure = "") {
  std::string s = "<td class=\"num\"";
  if (!figure.empty()) s += " data-figure=\"" + esc(figure) + "\"";
  return s + ">" + std::to_string(v) + "</td>";
}

std::string td(const std::string& text, const std::string& figure = "") {
  std::string s = "<td";
  if (!figure.empty()) s += " data-figure=\"" + esc(figure) + "\"";
  return s + ">" + esc(text) + "</td>";
}

std::string doc_link(const ReportData& d, const std::string& anchor, const std::string& text) {
  return "<a href=\"" + esc(d.options.docs_base + "mapping-tables.md#" + anchor) + "\">" +
         "<code>" + esc(text) + "</code></a>";
}

// The anchor of a "file#id" row reference of an operation.
std::string row_anchor(const std::string& operation, const std::string& row) {
  const auto hash = row.find('#');
  return mapping_anchor(operation, hash == std::string::npos ? "table" : row.substr(hash + 1));
}

std::string reasons_list(const std::vector<Reason>& reasons) {
  if (reasons.empty()) return "<span class=\"meta\">nothing blocks it</span>";
  std::string s = "<ul class=\"reasons\">";
  for (const auto& r : reasons) {
    s += "<li data-reason=\"" + esc(r.code) + "\">" + esc(r.sentence) + "</li>";
  }
  return s + "</ul>";
}

void readiness_section(std::ostringstream& h, const ReportData& d) {
  h << "<section id=\"readiness\"><h2>1. Readiness per consumer and operation</h2>";
  h << "<p>A consumer <b>can be switched</b> from the legacy WSRM service to the bridge when no "
       "reason below blocks any of its operations. <b>The legacy service can be switched off</b> "
       "for it once it is switched and polls the bridge (within the last "
    << d.options.poll_window_hours << " hours). The rules: docs/report.md.</p>";
  if (d.readiness.empty()) {
    h << "<p class=\"empty\">no data yet: the configuration lists no consumer.</p></section>";
    return;
  }
  h << "<table id=\"readiness-consumers\"><tr><th>Consumer</th><th>Organisations</th><th>Can be "
       "switched to the bridge</th><th>Legacy service can be switched off</th><th>Reasons</th>"
       "</tr>";
  for (const auto& r : d.readiness) {
    std::string orgs;
    for (const auto& c : d.consumers) {
      if (c.id != r.consumer) continue;
      for (const auto& o : c.organisations) orgs += (orgs.empty() ? "" : ", ") + o;
    }
    h << "<tr data-consumer=\"" << esc(r.consumer) << "\" data-ready=\""
      << (r.ready ? "true" : "false") << "\" data-legacy-off=\""
      << (r.legacy_off ? "true" : "false") << "\">" << td(r.consumer) << td(orgs) << "<td>"
      << verdict(r.ready, "ready", "not ready") << "</td><td>"
      << verdict(r.legacy_off, "yes", "not yet") << "</td><td>" << reasons_list(r.reasons)
      << "</td></tr>";
  }
  h << "</table><h3>Per operation</h3><table id=\"readiness-operations\"><tr><th>Consumer</th>"
       "<th>Operation</th><th>Ready</th><th>Reasons</th></tr>";
  for (const auto& r : d.readiness) {
    for (const auto& o : r.operations) {
      h << "<tr data-consumer=\"" << esc(o.consumer) << "\" data-operation=\"" << esc(o.operation)
        << "\" data-ready=\"" << (o.ready ? "true" : "false") << "\">" << td(o.consumer)
        << td(o.operation) << "<td>" << verdict(o.ready, "ready", "not ready") << "</td><td>"
        << reasons_list(o.reasons) << "</td></tr>";
    }
  }
  h << "</table></section>";
}

void coverage_section(std::ostringstream& h, const ReportData& d) {
  const Coverage& c = d.coverage;
  h << "<section id=\"coverage\"><h2>2. Mapping coverage</h2>";
  if (!c.loaded) {
    h << "<p class=\"not-ready\">The mapping tables could not be loaded.</p>";
  }
  if (!c.errors.empty()) {
    h << "<p class=\"not-ready\">The mapping check reports " << c.errors.size()
      << " error(s):</p><ul>";
    for (const auto& e : c.errors) h << "<li>" << esc(e) << "</li>";
    h << "</ul>";
  }
  if (c.operations.empty()) {
    h << "<p class=\"empty\">no data yet: no mapping table was found.</p></section>";
    return;
  }
  h << "<p>Every leaf element of each operation's item: <b>mapped</b> (a row writes it), "
       "<b>default</b> (a row with a default value), <b>not mapped</b> (with the reason written "
       "in the table) or a <b>gap</b> (neither: blocks readiness). Links lead to the row in "
       "mapping-tables.md.</p>";
  h << "<table id=\"coverage-operations\"><tr><th>Operation</th><th>Table</th><th>Leaf "
       "elements</th><th>Mapped</th><th>Default</th><th>Not mapped</th><th>Gap</th></tr>";
  for (const auto& o : c.operations) {
    h << "<tr data-operation=\"" << esc(o.operation) << "\"><td>"
      << doc_link(d, o.anchor, o.operation) << "</td>" << td(o.table) << num(o.leaves, "leaves")
      << num(o.mapped, "mapped") << num(o.defaulted, "default") << num(o.not_mapped, "not_mapped")
      << num(o.gap, "gap") << "</tr>";
  }
  h << "</table><p>Every element with its row or reason: <a href=\"#appendix-elements\">appendix"
       "</a>.</p></section>";
}

// The element-level matrix: long, so it closes the report instead of separating the sections.
void elements_appendix(std::ostringstream& h, const ReportData& d) {
  const Coverage& c = d.coverage;
  if (c.leaves.empty()) return;
  h << "<section id=\"appendix-elements\"><h2>Appendix: mapping coverage per element</h2>"
       "<table id=\"coverage-elements\"><tr><th>Operation</th>"
       "<th>Element</th><th>XSD type</th><th>Occ.</th><th>Coverage</th><th>Row or reason</th>"
       "</tr>";
  for (const auto& l : c.leaves) {
    h << "<tr data-operation=\"" << esc(l.operation) << "\" data-coverage=\"" << esc(l.coverage)
      << "\">" << td(l.operation) << "<td><code>" << esc(l.path) << "</code></td>" << td(l.xsd_type)
      << td(l.required ? "1" : "0..1") << "<td"
      << (l.coverage == "gap" ? " class=\"not-ready\"" : "") << ">" << esc(l.coverage)
      << "</td><td>";
    if (!l.row.empty()) {
      h << doc_link(d, l.anchor, l.row);
    } else if (!l.reason.empty()) {
      h << esc(l.reason) << " (" << doc_link(d, l.anchor, "table") << ")";
    } else {
      h << "no row and no reason (" << doc_link(d, l.anchor, "table") << ")";
    }
    h << "</td></tr>";
  }
  h << "</table></section>";
}

void comparison_section(std::ostringstream& h, const ReportData& d) {
  h << "<section id=\"comparison\"><h2>3. Comparison runs</h2>";
  if (d.runs.empty()) {
    h << "<p class=\"empty\">no data yet: no comparison run is stored "
         "(<code>wsrm-bridge compare … --bridge-store</code> stores one).</p>";
  } else {
    h << "<h3>Latest run per organisation</h3><table id=\"compare-latest\"><tr><th>Organisation"
         "</th><th>Run</th><th>Label</th><th>Started</th><th>Verdict</th><th>Pairs</th><th>Legacy "
         "only</th><th>Bridge only</th><th>Counted differences</th></tr>";
    for (const auto& r : d.runs) {
      if (!r.latest) continue;
      h << "<tr data-organisation=\"" << esc(r.organisation) << "\" data-run=\"" << r.id << "\">"
        << td(r.organisation) << num(r.id) << td(r.label) << td(format_minute_utc(r.started_at_ms))
        << "<td>" << verdict(r.passed, "pass", "fail") << "</td>" << num(r.pairs, "pairs")
        << num(r.legacy_only, "legacy_only") << num(r.bridge_only, "bridge_only")
        << num(r.counted, "counted") << "</tr>";
    }
    h << "</table>";
  }
  // Field rates: the fields of the latest runs that differ at all (every field is in the CSV).
  std::vector<const FieldRate*> differing;
  for (const auto& f : d.latest_fields) {
    if (f.different + f.missing + f.extra > 0) differing.push_back(&f);
  }
  std::stable_sort(differing.begin(), differing.end(),
                   [](const FieldRate* a, const FieldRate* b) { return a->rate() > b->rate(); });
  std::vector<Bar> bars;
  for (const auto* f : differing) {
    if (f->counted() <= 0 || bars.size() >= 20) continue;
    bars.push_back({f->organisation + " " + f->field, f->rate() * 100, format_percent(f->rate())});
  }
  h << "<h3>Difference rate per field (latest runs)</h3>"
    << hbar_chart("field-rates", "Counted differences per pair, by field (latest run)", bars);
  if (differing.empty()) {
    h << "<p class=\"empty\">no data yet: no field differs in the latest runs.</p>";
  } else {
    h << "<table id=\"compare-fields\"><tr><th>Organisation</th><th>Operation</th><th>Field</th>"
         "<th>Row</th><th>Pairs</th><th>Different</th><th>Missing</th><th>Extra</th><th>Ignored"
         "</th><th>Noise</th><th>Counted</th><th>Rate</th></tr>";
    for (const auto* f : differing) {
      h << "<tr data-organisation=\"" << esc(f->organisation) << "\" data-operation=\""
        << esc(f->operation) << "\" data-field=\"" << esc(f->field) << "\">" << td(f->organisation)
        << td(f->operation) << "<td><code>" << esc(f->field) << "</code></td><td>"
        << (f->row.empty() ? std::string("(none writes it)")
                           : doc_link(d, row_anchor(f->operation, f->row), f->row))
        << "</td>" << num(f->observed, "observed") << num(f->different, "different")
        << num(f->missing, "missing") << num(f->extra, "extra") << num(f->ignored, "ignored")
        << num(f->noise, "noise") << num(f->counted(), "counted")
        << "<td class=\"num\" data-figure=\"rate\">" << format_percent(f->rate()) << "</td></tr>";
    }
    h << "</table>";
  }
  h << "<h3>Top differences (latest runs)</h3>";
  if (d.top_differences.empty()) {
    h << "<p class=\"empty\">no data yet: the latest runs have no counted difference.</p>";
  } else {
    h << "<table id=\"compare-top\"><tr><th>Organisation</th><th>Operation</th><th>Field</th>"
         "<th>Counted</th><th>Mapping row</th><th>Example</th></tr>";
    for (std::size_t i = 0; i < d.top_differences.size() && i < 20; ++i) {
      const auto& t = d.top_differences[i];
      h << "<tr data-organisation=\"" << esc(t.organisation) << "\" data-operation=\""
        << esc(t.operation) << "\" data-field=\"" << esc(t.field) << "\">" << td(t.organisation)
        << td(t.operation) << "<td><code>" << esc(t.field) << "</code></td>"
        << "<td class=\"num\" data-figure=\"counted\">" << t.counted << " of " << t.observed
        << "</td><td>"
        << (t.row.empty() ? std::string("(none writes it)")
                          : doc_link(d, row_anchor(t.operation, t.row), t.row))
        << "</td><td>";
      if (t.has_example) {
        h << esc(t.outcome) << " at " << esc(t.key) << ": legacy <code>'" << esc(t.legacy)
          << "'</code> vs bridge <code>'" << esc(t.bridge) << "'</code>";
        if (!t.reason.empty()) h << " (" << esc(t.reason) << ")";
      } else {
        h << "<span class=\"meta\">no example stored</span>";
      }
      h << "</td></tr>";
    }
    h << "</table>";
  }
  std::vector<std::string> labels;
  Series counted{"counted differences", {}}, pairs{"message pairs", {}};
  for (const auto& r : d.runs) {
    labels.push_back("#" + std::to_string(r.id) + " " + r.organisation);
    counted.values.push_back(static_cast<double>(r.counted));
    pairs.values.push_back(static_cast<double>(r.pairs));
  }
  h << "<h3>Trend over runs</h3>"
    << line_chart("compare-trend", "Counted differences and message pairs per run", labels,
                  {counted, pairs});
  if (!d.runs.empty()) {
    h << "<table id=\"compare-runs\"><tr><th>Run</th><th>Started</th><th>Organisation</th>"
         "<th>Label</th><th>Verdict</th><th>Pairs</th><th>Counted</th></tr>";
    for (const auto& r : d.runs) {
      h << "<tr data-run=\"" << r.id << "\">" << num(r.id) << td(format_minute_utc(r.started_at_ms))
        << td(r.organisation) << td(r.label) << "<td>" << verdict(r.passed, "pass", "fail")
        << "</td>" << num(r.pairs, "pairs") << num(r.counted, "counted") << "</tr>";
    }
    h << "</table>";
  }
  h << "</section>";
}

void consumers_section(std::ostringstream& h, const ReportData& d) {
  h << "<section id=\"consumers\"><h2>4. Consumers</h2>";
  if (d.consumers.empty()) {
    h << "<p class=\"empty\">no data yet: the configuration lists no consumer.</p></section>";
    return;
  }
  h << "<p>The main queue of each consumer (sub-queues such as <code>shadow</code> are left "
       "out). A poll is a CreateSequence, or a Terminate/CloseSequence by the consumer.</p>"
       "<table id=\"consumers-table\"><tr><th>Consumer</th><th>Last poll</th><th>Configured "
       "operations</th><th>Delivered, by operation</th><th>Backlog</th><th>Oldest undelivered"
       "</th><th>Sequences open</th><th>terminated</th><th>closed</th><th>expired</th></tr>";
  for (const auto& c : d.consumers) {
    std::string types, delivered;
    for (const auto& t : c.message_types) types += (types.empty() ? "" : ", ") + t;
    for (const auto& o : c.delivered_by_operation) {
      delivered += (delivered.empty() ? "" : ", ") + o.key + ": " + std::to_string(o.count);
    }
    h << "<tr data-consumer=\"" << esc(c.id) << "\">" << td(c.id) << "<td data-figure=\"last_poll\""
      << (c.last_poll_ms ? " data-ms=\"" + std::to_string(*c.last_poll_ms) + "\"" : "") << ">"
      << (c.last_poll_ms ? esc(format_minute_utc(*c.last_poll_ms)) : "never")
      << (c.polls_bridge ? "" : " <span class=\"warn\">(not within the poll window)</span>")
      << "</td>" << td(types) << td(delivered.empty() ? "none" : delivered, "delivered")
      << num(c.backlog, "backlog") << "<td data-figure=\"oldest_undelivered\">"
      << (c.oldest_undelivered_ms
              ? esc(format_duration(d.options.now_ms - *c.oldest_undelivered_ms)) + " (queued " +
                    esc(format_minute_utc(*c.oldest_undelivered_ms)) + ")"
              : std::string("-"))
      << "</td>" << num(c.sequences_open, "open") << num(c.sequences_terminated, "terminated")
      << num(c.sequences_closed, "closed") << num(c.sequences_expired, "expired") << "</tr>";
  }
  h << "</table></section>";
}

void ingest_section(std::ostringstream& h, const ReportData& d) {
  const IngestFacts& in = d.ingest;
  h << "<section id=\"ingest\"><h2>5. Ingest health</h2>";
  if (in.messages == 0) {
    h << "<p class=\"empty\">no data yet: the bridge has received no WSB message.</p>";
  }
  h << "<table id=\"ingest-figures\" class=\"keep\"><tr><th>Figure</th><th>Value</th></tr>"
    << "<tr><td>WSB messages received</td>" << num(in.messages, "messages") << "</tr>"
    << "<tr><td>Duplicates (the same message again, answered and not stored twice)</td>"
    << num(in.duplicates, "duplicates") << "</tr>"
    << "<tr><td>Conflicts (other bytes under a stored BeskedIdentifier)</td>"
    << num(in.conflicts, "conflicts") << "</tr>"
    << "<tr><td>Quarantined</td>" << num(in.quarantined_total, "quarantined") << "</tr>"
    << "<tr><td>Not visible at DFDG (the REST GET found no indkaldelse)</td>"
    << num(in.not_visible, "not_visible") << "</tr>"
    << "<tr><td>Parked (enrichment or mapping gave up)</td>" << num(in.parked, "parked")
    << "</tr><tr><td>Being retried (the last attempt failed)</td>" << num(in.retrying, "retrying")
    << "</tr>";
  h << "<tr><td>Acknowledgement latency p50 / p90 / p99 (stored − received)</td>";
  if (!in.latency_recorded) {
    h << "<td data-figure=\"latency\">not recorded (this store has no "
         "<code>inbox_message.stored_at_ms</code>)</td>";
  } else if (in.latency_samples == 0) {
    h << "<td data-figure=\"latency\">not recorded yet (no message stored with its time)</td>";
  } else {
    h << "<td data-figure=\"latency\" data-p50=\"" << in.p50_ms << "\" data-p90=\"" << in.p90_ms
      << "\" data-p99=\"" << in.p99_ms << "\">" << in.p50_ms << " ms / " << in.p90_ms << " ms / "
      << in.p99_ms << " ms (" << in.latency_samples << " messages)</td>";
  }
  h << "</tr></table>";
  std::vector<Bar> bars;
  const std::size_t from = in.per_day.size() > 90 ? in.per_day.size() - 90 : 0;
  for (std::size_t i = from; i < in.per_day.size(); ++i) {
    bars.push_back({in.per_day[i].day.substr(5), static_cast<double>(in.per_day[i].count), ""});
  }
  h << "<h3>Messages per day (UTC)</h3>"
    << bar_chart("ingest-daily", "WSB messages received per day", bars);
  h << "<h3>Quarantined, by recipient and reason</h3>";
  if (in.quarantined.empty()) {
    h << "<p class=\"empty\">none quarantined.</p>";
  } else {
    h << "<table id=\"ingest-quarantine\"><tr><th>Recipient</th><th>Reason</th><th>Messages</th>"
         "</tr>";
    for (const auto& q : in.quarantined) {
      h << "<tr data-recipient=\"" << esc(q.recipient) << "\" data-reason=\"" << esc(q.reason)
        << "\">" << td(q.recipient) << td(q.reason) << num(q.count, "count") << "</tr>";
    }
    h << "</table>";
  }
  if (!in.parked_errors.empty()) {
    h << "<h3>Why messages are parked</h3><table id=\"ingest-parked\"><tr><th>Last error</th>"
         "<th>Messages</th></tr>";
    for (const auto& p : in.parked_errors) h << "<tr>" << td(p.key) << num(p.count) << "</tr>";
    h << "</table>";
  }
  h << "</section>";
}

}  // namespace

std::string render_html(const ReportData& d) {
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head>"
       "<meta charset=\"utf-8\"/><title>wsrm-bridge migration report</title><style>"
    << kStyle << "</style></head><body>";
  std::size_t ready = 0;
  for (const auto& r : d.readiness) ready += r.ready ? 1 : 0;
  h << "<header><h1>wsrm-bridge migration report</h1><p class=\"meta\">Generated for "
    << esc(format_minute_utc(d.options.now_ms)) << " from <code>" << esc(d.store_path)
    << "</code> (schema version " << d.schema_version << "). A comparison counts for "
    << d.options.stale_after_days << " days; the poll window is " << d.options.poll_window_hours
    << " hours. CPR numbers are " << (d.options.unmask ? "<b>shown</b>" : "masked")
    << ".</p><p id=\"summary\"><b data-figure=\"ready_consumers\">" << ready << " of "
    << d.readiness.size() << "</b> consumer(s) can be switched to the bridge.</p>"
    << "<nav><ol><li><a href=\"#readiness\">Readiness</a></li><li><a href=\"#coverage\">Mapping "
       "coverage</a></li><li><a href=\"#comparison\">Comparison runs</a></li><li><a "
       "href=\"#consumers\">Consumers</a></li><li><a href=\"#ingest\">Ingest health</a></li>"
       "</ol></nav></header>";
  readiness_section(h, d);
  coverage_section(h, d);
  comparison_section(h, d);
  consumers_section(h, d);
  ingest_section(h, d);
  elements_appendix(h, d);
  h << "<script>" << kScript << "</script></body></html>\n";
  return h.str();
}

}  // namespace bridge::report
