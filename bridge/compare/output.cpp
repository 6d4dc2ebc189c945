#include "bridge/compare/output.h"

#include "bridge/core/log.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace bridge::compare {

namespace {

std::string shown(const RunInfo& info, const std::string& text) {
  return info.unmask ? text : mask_cpr(text);
}

std::string percent(double rate) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", rate * 100);
  return buf;
}

const Difference* first_example(const RunResult& r, const FieldStats& f, bool counted_only) {
  for (const auto& d : r.differences) {
    if (d.operation != f.operation || d.field.field != f.field) continue;
    if (counted_only &&
        (d.field.outcome == Outcome::equivalent || d.standing != Standing::counted)) {
      continue;
    }
    return &d;
  }
  return nullptr;
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

std::string example_line(const RunInfo& info, const Difference& d) {
  std::string out = "e.g. " + shown(info, d.key) + " at " + d.field.path + ": ";
  switch (d.field.outcome) {
    case Outcome::missing:
      out += "legacy " + quote(shown(info, d.field.legacy)) + ", the bridge has no element";
      break;
    case Outcome::extra:
      out += "bridge " + quote(shown(info, d.field.bridge)) + ", the legacy message has none";
      break;
    default:
      out += "legacy " + quote(shown(info, d.field.legacy)) + " vs bridge " +
             quote(shown(info, d.field.bridge));
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const RunResult& r, const RunInfo& info) {
  using nlohmann::json;
  json j;
  j["format"] = "wsrm-compare-result/1";
  j["label"] = info.label;
  j["started_at"] = info.started_at;
  j["finished_at"] = info.finished_at;
  j["organisation"] = info.organisation;
  j["sources"] = {{"legacy", info.legacy_source},
                  {"bridge", info.bridge_source},
                  {"noise", info.noise_source.empty() ? json(nullptr) : json(info.noise_source)}};
  j["rules"] = info.rules_file;
  j["verdict"] = r.passed ? "pass" : "fail";
  j["failures"] = r.failures;
  j["notes"] = info.notes;
  j["noise_baseline"] = r.noise_baseline ? json{{"pairs", r.noise_pairs}} : json(nullptr);
  json ops = json::array();
  for (const auto& o : r.operations) {
    json lo = json::array(), bo = json::array();
    for (const auto& u : o.legacy_only) {
      json hints = json::array();
      for (const auto& h : u.hints) hints.push_back(shown(info, h));
      lo.push_back(
          {{"key", shown(info, u.key)}, {"origin", u.origin}, {"at", u.at}, {"hints", hints}});
    }
    for (const auto& u : o.bridge_only) {
      bo.push_back({{"key", shown(info, u.key)}, {"origin", u.origin}, {"at", u.at}});
    }
    ops.push_back({{"operation", o.operation},
                   {"legacy_messages", o.legacy_messages},
                   {"bridge_messages", o.bridge_messages},
                   {"pairs", o.pairs},
                   {"pairs_with_differences", o.pairs_with_differences},
                   {"pairs_equivalent_only", o.pairs_equivalent_only},
                   {"message_rate", o.message_rate},
                   {"message_threshold", o.message_threshold},
                   {"unmatched_threshold", o.unmatched_threshold},
                   {"exceeded", o.exceeded},
                   {"legacy_only", lo},
                   {"bridge_only", bo}});
  }
  j["operations"] = ops;
  json fields = json::array();
  for (const auto& f : r.fields) {
    json ignore = f.ignore_rule.empty() ? json(nullptr)
                                        : json{{"rule", f.ignore_rule},
                                               {"reason", f.ignore_reason},
                                               {"ticket", f.ignore_ticket}};
    fields.push_back({{"operation", f.operation},
                      {"field", f.field},
                      {"row", f.row},
                      {"xsd_type", f.xsd_type},
                      {"observed", f.observed},
                      {"equal", f.equal},
                      {"equivalent", f.equivalent},
                      {"different", f.different},
                      {"missing", f.missing},
                      {"extra", f.extra},
                      {"ignored", f.ignored},
                      {"noise", f.noise},
                      {"counted", f.counted()},
                      {"rate", f.rate},
                      {"noise_rate", f.noise_rate < 0 ? json(nullptr) : json(f.noise_rate)},
                      {"threshold", f.threshold},
                      {"exceeded", f.exceeded},
                      {"ignore", ignore}});
  }
  j["fields"] = fields;
  json diffs = json::array();
  for (const auto& d : r.differences) {
    diffs.push_back(
        {{"operation", d.operation},
         {"key", shown(info, d.key)},
         {"path", d.field.path},
         {"field", d.field.field},
         {"outcome", to_string(d.field.outcome)},
         {"standing",
          d.field.outcome == Outcome::equivalent ? json(nullptr) : json(to_string(d.standing))},
         {"reason", shown(info, d.field.reason)},
         {"legacy", shown(info, d.field.legacy)},
         {"bridge", shown(info, d.field.bridge)},
         {"row", d.row},
         {"rule", d.rule},
         {"legacy_origin", d.legacy_origin},
         {"bridge_origin", d.bridge_origin}});
  }
  j["differences"] = diffs;
  j["differences_left_out"] = r.differences_left_out;
  json rules = json::array();
  for (const auto& u : r.ignore_rules) {
    rules.push_back({{"rule", u.rule},
                     {"operation", u.operation},
                     {"path", u.path},
                     {"reason", u.reason},
                     {"ticket", u.ticket},
                     {"matched", u.matched}});
  }
  j["ignore_rules"] = rules;
  return j;
}

std::string to_junit(const RunResult& r, const RunInfo& info) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node suites = doc.append_child("testsuites");
  suites.append_attribute("name") =
      ("wsrm-bridge compare" + (info.label.empty() ? std::string() : " " + info.label)).c_str();
  int all_tests = 0, all_failures = 0;
  for (const auto& o : r.operations) {
    pugi::xml_node suite = suites.append_child("testsuite");
    suite.append_attribute("name") = o.operation.c_str();
    suite.append_attribute("timestamp") = info.started_at.c_str();
    int tests = 0, failures = 0;
    const auto add_case = [&](const std::string& name, const std::string& failure,
                              const std::string& detail, const std::string& out) {
      pugi::xml_node tc = suite.append_child("testcase");
      tc.append_attribute("classname") = ("compare." + o.operation).c_str();
      tc.append_attribute("name") = name.c_str();
      ++tests;
      if (!failure.empty()) {
        ++failures;
        pugi::xml_node f = tc.append_child("failure");
        f.append_attribute("message") = failure.c_str();
        f.append_child(pugi::node_pcdata).set_value(detail.c_str());
      }
      if (!out.empty())
        tc.append_child("system-out").append_child(pugi::node_pcdata).set_value(out.c_str());
    };
    const auto unmatched = o.legacy_only.size() + o.bridge_only.size();
    std::string detail;
    for (const auto& u : o.legacy_only) {
      detail += "legacy only (the bridge did not send it): " + shown(info, u.key) + " (" +
                u.origin + ")\n";
      for (const auto& h : u.hints) detail += "  bridge inbox: " + shown(info, h) + "\n";
    }
    for (const auto& u : o.bridge_only) {
      detail += "bridge only (the legacy service did not send it): " + shown(info, u.key) + " (" +
                u.origin + ")\n";
    }
    add_case("messages matched",
             static_cast<std::int64_t>(unmatched) > o.unmatched_threshold
                 ? std::to_string(unmatched) + " unmatched message(s), threshold " +
                       std::to_string(o.unmatched_threshold)
                 : std::string(),
             detail,
             std::to_string(o.pairs) + " pair(s), " + std::to_string(unmatched) + " unmatched");
    add_case("message difference rate",
             o.message_rate > o.message_threshold
                 ? percent(o.message_rate) + " of pairs differ, threshold " +
                       percent(o.message_threshold)
                 : std::string(),
             std::to_string(o.pairs_with_differences) + " of " + std::to_string(o.pairs) +
                 " pair(s) have a counted difference",
             {});
    for (const auto& f : r.fields) {
      if (f.operation != o.operation) continue;
      const bool interesting = f.different + f.missing + f.extra > 0 || f.threshold > 0;
      if (!interesting) continue;
      std::string out = std::to_string(f.observed) + " observed, " + std::to_string(f.different) +
                        " different, " + std::to_string(f.missing) + " missing, " +
                        std::to_string(f.extra) + " extra, " + std::to_string(f.ignored) +
                        " ignored, " + std::to_string(f.noise) + " noise; row " +
                        (f.row.empty() ? std::string("(none)") : f.row);
      const Difference* ex = first_example(r, f, true);
      add_case(
          f.field,
          f.exceeded ? percent(f.rate) + " counted differences, threshold " + percent(f.threshold) +
                           "; row " + (f.row.empty() ? std::string("(none)") : f.row)
                     : std::string(),
          ex ? example_line(info, *ex) + "\n" + shown(info, ex->field.reason) : std::string(), out);
    }
    suite.append_attribute("tests") = tests;
    suite.append_attribute("failures") = failures;
    suite.append_attribute("errors") = 0;
    all_tests += tests;
    all_failures += failures;
  }
  suites.append_attribute("tests") = all_tests;
  suites.append_attribute("failures") = all_failures;
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

std::string terminal_summary(const RunResult& r, const RunInfo& info) {
  std::ostringstream out;
  out << "compare: legacy " << info.legacy_source << " vs bridge " << info.bridge_source;
  if (!info.organisation.empty()) out << " (organisation " << info.organisation << ")";
  out << "\n";
  if (r.noise_baseline) {
    out << "noise baseline: " << info.noise_source << ", " << r.noise_pairs << " legacy pair(s)\n";
  }
  for (const auto& n : info.notes) out << "note: " << n << "\n";
  out << "\nMessages\n";
  for (const auto& o : r.operations) {
    out << "  " << o.operation << ": " << o.legacy_messages << " legacy, " << o.bridge_messages
        << " bridge -> " << o.pairs << " pair(s); " << o.pairs_with_differences
        << " with differences, " << o.pairs_equivalent_only << " equivalent only; "
        << o.legacy_only.size() << " legacy-only, " << o.bridge_only.size() << " bridge-only"
        << (o.exceeded ? "  [over threshold]" : "") << "\n";
    for (const auto& u : o.legacy_only) {
      out << "    legacy only (the bridge did not send it: a routing gap?): " << shown(info, u.key)
          << "  [" << u.origin << "]\n";
      for (const auto& h : u.hints) out << "      bridge inbox: " << shown(info, h) << "\n";
    }
    for (const auto& u : o.bridge_only) {
      out << "    bridge only (one too many?): " << shown(info, u.key) << "  [" << u.origin
          << "]\n";
    }
  }
  const auto section = [&](const char* title, auto pick) {
    bool any = false;
    for (const auto& f : r.fields) {
      if (!pick(f)) continue;
      if (!any) out << "\n" << title << "\n";
      any = true;
      out << "  " << f.operation << "  " << f.field << "\n    ";
      if (f.different) out << f.different << " different, ";
      if (f.missing) out << f.missing << " missing, ";
      if (f.extra) out << f.extra << " extra, ";
      if (f.equivalent) out << f.equivalent << " equivalent, ";
      out << "of " << f.observed << " pair(s); row "
          << (f.row.empty() ? std::string("(none writes it)") : f.row) << "\n";
      if (!f.ignore_rule.empty()) {
        out << "    ignored by " << f.ignore_rule << ": " << f.ignore_reason
            << (f.ignore_ticket.empty() ? std::string() : " (" + f.ignore_ticket + ")") << "\n";
      }
      if (f.noise)
        out << "    noise: the legacy recordings differ here in " << percent(f.noise_rate) << "\n";
      // Ignored and noise fields are known; an example is shown for what needs a look.
      const std::string_view t = title;
      if (!t.starts_with("Differences") && !t.starts_with("Equivalent")) continue;
      if (const Difference* ex = first_example(r, f, t.starts_with("Differences"))) {
        out << "    " << example_line(info, *ex) << "\n";
        if (!ex->field.reason.empty()) out << "    (" << shown(info, ex->field.reason) << ")\n";
      }
    }
  };
  section("Differences (counted against the verdict)",
          [](const FieldStats& f) { return f.counted() > 0; });
  section(
      "Equivalent (the same value written differently; not a difference)",
      [](const FieldStats& f) { return f.equivalent > 0 && f.counted() == 0 && f.ignored == 0; });
  section("Ignored by rule (counted separately)",
          [](const FieldStats& f) { return f.ignored > 0; });
  section("Noise (differs between the legacy recordings too)",
          [](const FieldStats& f) { return f.noise > 0; });
  for (const auto& u : r.ignore_rules) {
    if (u.matched == 0)
      out << "\nnote: ignore rule " << u.rule << " (" << u.path << ") matched nothing\n";
  }
  if (r.differences_left_out) {
    out << "\n(" << r.differences_left_out
        << " further difference(s) are counted above but not listed; see the JSON result)\n";
  }
  out << "\nVerdict: " << (r.passed ? "PASS" : "FAIL") << "\n";
  for (const auto& f : r.failures) out << "  - " << f << "\n";
  return out.str();
}

}  // namespace bridge::compare
