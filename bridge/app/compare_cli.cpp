// `wsrm-bridge compare`: what the legacy WSRM service handed a consumer against what the bridge
// hands it, field by field (docs/comparison.md).

#include "bridge/app/commands.h"
#include "bridge/compare/compare.h"
#include "bridge/compare/output.h"
#include "bridge/compare/sources.h"
#include "bridge/core/clock.h"
#include "bridge/store/sqlite/sqlite_compare.h"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

namespace bridge::app {
namespace {

struct CompareOptions {
  std::string legacy;
  std::string bridge;
  std::string bridge_store;
  std::string consumer;
  std::string sub_queue;
  std::string noise;
  std::string rules = "mappings/compare/rules.toml";
  std::string mappings_dir = "mappings";
  std::string wsdl_dir = "wsdl";
  std::string json_out, junit_out;
  std::string save_to;
  bool no_save = false;
  std::string label;
  std::string since, until;
  std::string progress = "auto";
  bool unmask = false;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "wsrm-bridge compare: %s\n", message.c_str());
  return kExitUsage;
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

// A one-line bar on stderr, redrawn at most once per percent.
class ProgressBar {
 public:
  explicit ProgressBar(bool on) : on_(on) {}
  ~ProgressBar() { finish(); }
  void update(std::size_t done, std::size_t total) {
    if (!on_ || total == 0) return;
    const int pct = static_cast<int>(done * 100 / total);
    if (pct == last_) return;
    last_ = pct;
    const int filled = pct * 30 / 100;
    std::fprintf(stderr, "\rcomparing [%.*s%*s] %3d%% %zu/%zu", filled,
                 "##############################", 30 - filled, "", pct, done, total);
    std::fflush(stderr);
    drawn_ = true;
  }
  void finish() {
    if (drawn_) std::fprintf(stderr, "\n");
    drawn_ = false;
  }

 private:
  bool on_;
  int last_ = -1;
  bool drawn_ = false;
};

// For each message only the legacy side sent: what the bridge's inbox holds for the key's values
// (the indkaldelse), so the summary says whether DFDG never pushed it, or which rule skipped it.
void explain_legacy_only(const std::string& store_path, compare::RunResult& result) {
  std::map<std::string, std::vector<std::string>> cache;
  const auto traces = [&](const std::string& value) -> const std::vector<std::string>& {
    auto it = cache.find(value);
    if (it != cache.end()) return it->second;
    std::vector<std::string> lines;
    auto rows = store::sqlite::inbox_trace(store_path, value);
    if (rows) {
      for (const auto& r : rows.value()) {
        std::string line = "WSB " + r.besked_identifier + " to " + r.recipient +
                           " (HaendelsesTid " + r.haendelses_tid + "): " +
                           (r.status == "quarantined" ? "quarantined (" + r.reason + ")" : r.stage);
        const auto outcome = nlohmann::json::parse(r.outcome, nullptr, false);
        if (outcome.is_object()) {
          if (outcome.contains("rule")) line += ", rule " + outcome.value("rule", "");
          if (outcome.contains("reason")) line += ": " + outcome.value("reason", "");
        }
        if (!r.last_error.empty()) line += "; last error: " + r.last_error;
        lines.push_back(std::move(line));
      }
    }
    return cache.emplace(value, std::move(lines)).first->second;
  };
  for (auto& op : result.operations) {
    for (auto& u : op.legacy_only) {
      for (const auto& v : u.key_values) {
        if (v.empty()) continue;
        const auto& lines = traces(v);
        u.hints.insert(u.hints.end(), lines.begin(), lines.end());
      }
      if (u.hints.empty()) {
        u.hints.push_back(
            "the bridge's inbox has no WSB for this message's key: DFDG did not push "
            "it to the bridge (subscription, recipient) or it has not arrived yet");
      }
    }
  }
}

int run_compare(const CompareOptions& o) {
  if (o.bridge.empty() == o.bridge_store.empty()) {
    return usage_error(
        "give the bridge side as --bridge DIR (a shadow recording) or "
        "--bridge-store FILE --consumer NAME (the bridge's SQLite file)");
  }
  if (!o.bridge_store.empty() && o.consumer.empty()) {
    return usage_error("--bridge-store needs --consumer NAME (the consumer as configured)");
  }
  if (o.progress != "auto" && o.progress != "always" && o.progress != "never") {
    return usage_error("--progress must be auto, always or never, not '" + o.progress + "'");
  }
  const auto started = std::chrono::system_clock::now();

  auto rules = compare::Rules::load(o.rules);
  if (!rules) return usage_error(rules.error().message);
  auto mappings = mapping::MappingSet::load_checked(o.mappings_dir, o.wsdl_dir + "/xsd");
  if (!mappings) return usage_error(mappings.error().message);
  auto schema = mapping::Schema::load_directory(o.wsdl_dir + "/xsd");
  if (!schema) return usage_error(schema.error().message);
  auto comparer =
      compare::Comparer::create(mappings.value(), schema.value(), std::move(rules).value());
  if (!comparer) return usage_error(comparer.error().message);

  auto legacy = compare::read_recording(o.legacy);
  if (!legacy) return usage_error("legacy side: " + legacy.error().message);
  auto bridge = o.bridge.empty() ? compare::read_store(o.bridge_store, o.consumer, o.sub_queue)
                                 : compare::read_recording(o.bridge);
  if (!bridge) return usage_error("bridge side: " + bridge.error().message);
  std::optional<compare::Side> noise;
  if (!o.noise.empty()) {
    auto n = compare::read_recording(o.noise);
    if (!n) return usage_error("noise baseline: " + n.error().message);
    noise = std::move(n).value();
  }
  for (compare::Side* side : {&legacy.value(), &bridge.value(), noise ? &*noise : nullptr}) {
    if (!side) continue;
    if (auto kept = compare::keep_period(*side, o.since, o.until); !kept) {
      return usage_error(kept.error().message);
    }
  }
  if (!o.bridge_store.empty() && o.since.empty()) {
    bridge.value().notes.push_back(
        "the store holds every message since the bridge started; give --since (and --until) "
        "to compare only the period the legacy side was recorded");
  }

  compare::RunInfo info;
  info.label = o.label;
  info.started_at = format_utc_ms(started);
  info.organisation = legacy.value().organisation;
  info.legacy_source = legacy.value().source;
  info.bridge_source = bridge.value().source;
  info.noise_source = noise ? noise->source : std::string();
  info.rules_file = o.rules;
  info.unmask = o.unmask;
  for (const auto& n : legacy.value().notes) info.notes.push_back("legacy: " + n);
  for (const auto& n : bridge.value().notes) info.notes.push_back("bridge: " + n);
  if (noise) {
    for (const auto& n : noise->notes) info.notes.push_back("noise: " + n);
  }
  if (!bridge.value().organisation.empty() && !info.organisation.empty() &&
      bridge.value().organisation != info.organisation) {
    return usage_error("the legacy recording is of organisation " + info.organisation +
                       " and the bridge recording of " + bridge.value().organisation +
                       ": compare one consumer's recordings");
  }
  if (noise && !noise->organisation.empty() && !info.organisation.empty() &&
      noise->organisation != info.organisation) {
    return usage_error("the legacy recording is of organisation " + info.organisation +
                       " and the noise baseline (" + o.noise + ") of " + noise->organisation +
                       ": a noise baseline is a second recording of the same consumer");
  }

  const bool bar = o.progress == "always" || (o.progress == "auto" && isatty(STDERR_FILENO));
  ProgressBar progress(bar);
  compare::RunResult result = comparer.value().run(
      legacy.value().items, bridge.value().items, noise ? &noise->items : nullptr,
      [&](std::size_t done, std::size_t total) { progress.update(done, total); });
  progress.finish();
  if (!o.bridge_store.empty()) explain_legacy_only(o.bridge_store, result);
  if (noise && result.noise_pairs == 0) {
    info.notes.push_back(
        "noise: the baseline paired no message with the legacy recording, so it "
        "removed nothing (is it a recording of the same period?)");
  }
  info.finished_at = format_utc_ms(std::chrono::system_clock::now());

  const std::string summary = compare::terminal_summary(result, info);
  std::fwrite(summary.data(), 1, summary.size(), stdout);
  const nlohmann::json json = compare::to_json(result, info);
  if (!o.json_out.empty()) {
    if (!write_text(o.json_out, json.dump(2) + "\n")) {
      return usage_error(o.json_out + ": cannot write the JSON result");
    }
    std::printf("JSON result: %s\n", o.json_out.c_str());
  }
  if (!o.junit_out.empty()) {
    if (!write_text(o.junit_out, compare::to_junit(result, info))) {
      return usage_error(o.junit_out + ": cannot write the JUnit XML");
    }
    std::printf("JUnit XML: %s\n", o.junit_out.c_str());
  }
  const std::string save_to =
      o.no_save ? std::string() : (o.save_to.empty() ? o.bridge_store : o.save_to);
  if (!save_to.empty()) {
    store::sqlite::CompareRunRow row;
    row.started_at_ms = to_epoch_ms(started);
    row.finished_at_ms = to_epoch_ms(std::chrono::system_clock::now());
    row.label = o.label;
    row.organisation = info.organisation;
    row.legacy_source = info.legacy_source;
    row.bridge_source = info.bridge_source;
    row.noise_source = info.noise_source;
    row.rules_file = o.rules;
    row.passed = result.passed;
    std::vector<store::sqlite::CompareFieldRow> fields;
    for (const auto& op : result.operations) {
      row.pairs += op.pairs;
      row.legacy_only += static_cast<std::int64_t>(op.legacy_only.size());
      row.bridge_only += static_cast<std::int64_t>(op.bridge_only.size());
    }
    for (const auto& f : result.fields) {
      row.counted += f.counted();
      fields.push_back({f.operation, f.field, f.row, f.observed, f.equal, f.equivalent, f.different,
                        f.missing, f.extra, f.ignored, f.noise});
    }
    row.result_json = json.dump();
    auto id = store::sqlite::save_compare_run(save_to, row, fields);
    if (!id) return usage_error("cannot store the run: " + id.error().message);
    std::printf("run stored in %s as compare_run %lld\n", save_to.c_str(),
                static_cast<long long>(id.value()));
  }
  return result.passed ? kExitOk : kExitFindings;
}

}  // namespace

Runner add_compare_command(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Compare what the legacy WSRM service handed a consumer (a `shadow` recording) with what "
      "the bridge hands it (another recording, or the bridge's store): messages matched by "
      "business key, then field by field by XSD type; every difference names the mapping row "
      "that wrote the element. Exit 0 when no threshold is exceeded, 1 when one is, 2 for bad "
      "input. See docs/comparison.md.");
  cmd->add_option("--legacy", o->legacy, "Recording directory of the legacy side (`shadow --out`)")
      ->required();
  cmd->add_option("--bridge", o->bridge, "Recording directory of the bridge side");
  cmd->add_option("--bridge-store", o->bridge_store,
                  "Or the bridge's SQLite file: every message it queued for --consumer");
  cmd->add_option("--consumer", o->consumer,
                  "With --bridge-store: the consumer's name as configured");
  cmd->add_option("--sub-queue", o->sub_queue,
                  "With --bridge-store: read this sub-queue instead of the main queue");
  cmd->add_option("--noise", o->noise,
                  "A second legacy recording of the same period: fields that differ between the "
                  "two legacy recordings are noise, reported but kept out of the verdict");
  cmd->add_option("--rules", o->rules, "Comparison rules: keys, ignore rules, thresholds")
      ->capture_default_str();
  cmd->add_option("--mappings", o->mappings_dir, "Mapping tables (for attribution)")
      ->capture_default_str();
  cmd->add_option("--wsdl", o->wsdl_dir, "Contract directory holding xsd/ (for value types)")
      ->capture_default_str();
  cmd->add_option("--json", o->json_out, "Write the result as JSON (schema in docs/comparison.md)");
  cmd->add_option("--junit", o->junit_out, "Write the result as JUnit XML for CI");
  cmd->add_option("--save-to", o->save_to,
                  "Store the run in this SQLite file for the report (default: the --bridge-store "
                  "file, if given)");
  cmd->add_flag("--no-save", o->no_save, "Do not store the run");
  cmd->add_option("--label", o->label, "A name for the run (e.g. the consumer and the week)");
  cmd->add_option("--since", o->since,
                  "Only messages handed out (recorded, or queued in the store) at or after this "
                  "time, e.g. 2026-11-23T00:00:00Z; on every side");
  cmd->add_option("--until", o->until, "Only messages handed out before this time");
  cmd->add_option("--progress", o->progress,
                  "Progress bar on stderr: auto (on a terminal), always, never")
      ->capture_default_str();
  cmd->add_flag("--unmask", o->unmask, "Show CPR numbers in examples (masked by default)");
  return [o] { return run_compare(*o); };
}

}  // namespace bridge::app
