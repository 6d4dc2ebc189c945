// `wsrm-bridge ingest` and `wsrm-bridge inbox`: WSB documents from files through the same
// validation and dedupe path as the webhook, and the operator's view of the inbox.

#include "bridge/app/commands.h"
#include "bridge/app/config.h"
#include "bridge/app/runtime.h"
#include "bridge/core/log.h"
#include "bridge/webhook/receiver.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace bridge::app {
namespace {
namespace fs = std::filesystem;

struct IngestOptions {
  std::string config_path;
  std::string path;
  std::string recipient;  // TYPE/CODE
};

struct Source {
  std::string where;  // file:line
  std::string bytes;
};

Result<std::vector<Source>> read_sources(const std::string& path) {
  std::vector<Source> out;
  std::error_code ec;
  const auto read_all = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(path)) {
      if (e.path().extension() == ".json") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) out.push_back({f.string(), read_all(f)});
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorDomain::io, 1, path + ": cannot read");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    out.push_back({path + ":" + std::to_string(n), line});
  }
  return out;
}

std::optional<wsb::Organisation> parse_org(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) return std::nullopt;
  try {
    const int type = std::stoi(text.substr(0, slash));
    if (type < 1 || type > 100) return std::nullopt;
    return wsb::Organisation{type, text.substr(slash + 1)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Result<std::unique_ptr<Runtime>> open_runtime(const std::string& config_path) {
  BRIDGE_TRY(Config config, load_config(config_path));
  return Runtime::open(config);
}

int run_ingest(const IngestOptions& o) {
  auto rt = open_runtime(o.config_path);
  if (!rt) {
    std::fprintf(stderr, "wsrm-bridge ingest: %s\n", rt.error().message.c_str());
    return kExitUsage;
  }
  const wsb::Rules& rules = rt.value()->wsb_rules();
  std::optional<wsb::Organisation> recipient;
  if (!o.recipient.empty()) {
    recipient = parse_org(o.recipient);
    if (!recipient) {
      std::fprintf(stderr, "wsrm-bridge ingest: --recipient '%s' is not TYPE/CODE, e.g. 8/44000\n",
                   o.recipient.c_str());
      return kExitUsage;
    }
  } else if (rules.recipients.size() == 1) {
    recipient = rules.recipients.front();
  } else {
    std::fprintf(stderr,
                 "wsrm-bridge ingest: --recipient TYPE/CODE is required: this bridge "
                 "serves %zu organisations\n",
                 rules.recipients.size());
    return kExitUsage;
  }
  auto sources = read_sources(o.path);
  if (!sources) {
    std::fprintf(stderr, "wsrm-bridge ingest: %s\n", sources.error().message.c_str());
    return kExitUsage;
  }
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  const std::size_t total = sources.value().size();
  std::map<std::string, int> counts;
  std::vector<std::string> malformed;
  std::vector<store::InboxRecord> batch;
  const auto flush = [&]() -> bool {
    if (batch.empty()) return true;
    auto outcomes = rt.value()->inbox().store_batch(batch);
    if (!outcomes) {
      std::fprintf(stderr, "\nwsrm-bridge ingest: store failed: %s\n",
                   outcomes.error().message.c_str());
      return false;
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (outcomes.value()[i] == store::InboxOutcome::stored) {
        ++counts[batch[i].status == "accepted" ? "accepted"
                                               : "quarantined (" + batch[i].reason + ")"];
      } else {
        ++counts[webhook::to_string(outcomes.value()[i])];
      }
    }
    batch.clear();
    return true;
  };
  std::size_t done = 0;
  for (const auto& s : sources.value()) {
    auto record = webhook::make_record(s.bytes, *recipient, "ingest:" + s.where, rules,
                                       rt.value()->clock().now());
    if (record) {
      batch.push_back(std::move(record.value()));
    } else {
      malformed.push_back(s.where + ": " + record.error().message);
    }
    if (batch.size() >= 1000 && !flush()) return kExitUsage;
    ++done;
    if (tty && (done % 100 == 0 || done == total)) {
      const int width = 30;
      const int filled = static_cast<int>(width * done / std::max<std::size_t>(total, 1));
      std::fprintf(stderr, "\r[%s%s] %zu/%zu", std::string(filled, '#').c_str(),
                   std::string(width - filled, ' ').c_str(), done, total);
    }
  }
  if (!flush()) return kExitUsage;
  if (tty) std::fprintf(stderr, "\n");
  std::printf("ingested %zu document(s) from %s for %d/%s\n", total, o.path.c_str(),
              recipient->type, recipient->code.c_str());
  for (const auto& [what, n] : counts) std::printf("  %-32s %d\n", what.c_str(), n);
  std::printf("  %-32s %zu\n", "malformed (not stored)", malformed.size());
  for (const auto& m : malformed) std::printf("    %s\n", m.c_str());
  return malformed.empty() ? kExitOk : kExitFindings;
}

struct InboxOptions {
  std::string config_path;
  std::string status;
  std::string reason;
  std::string stage;
  int limit = 100;
  std::string key;
  bool unmask = false;
  std::vector<std::string> keys;
  bool all_quarantined = false;
  bool all_parked = false;
};

int run_list(const InboxOptions& o) {
  auto rt = open_runtime(o.config_path);
  if (!rt) {
    std::fprintf(stderr, "wsrm-bridge inbox list: %s\n", rt.error().message.c_str());
    return kExitUsage;
  }
  auto entries = rt.value()->inbox().list({o.status, o.reason, o.limit, o.stage});
  if (!entries) {
    std::fprintf(stderr, "wsrm-bridge inbox list: %s\n", entries.error().message.c_str());
    return kExitUsage;
  }
  std::printf("%-6s %-38s %-24s %-10s %-12s %-18s %-12s %s\n", "id", "BeskedIdentifier", "received",
              "recipient", "status", "reason", "stage", "dup/conf");
  for (const auto& e : entries.value()) {
    const auto& r = e.record;
    std::printf("%-6lld %-38s %-24s %-10s %-12s %-18s %-12s %lld/%lld\n",
                static_cast<long long>(e.id), r.besked_identifier.c_str(),
                format_utc_ms(r.received_at).c_str(),
                (std::to_string(r.recipient_type) + "/" + r.recipient_code).c_str(),
                r.status.c_str(), r.reason.c_str(), e.pipeline.stage.c_str(),
                static_cast<long long>(e.duplicates), static_cast<long long>(e.conflicts));
  }
  auto c = rt.value()->inbox().counts();
  if (c) {
    std::printf(
        "total: %lld accepted, %lld quarantined, %lld duplicates, %lld conflicts\n",
        static_cast<long long>(c.value().accepted), static_cast<long long>(c.value().quarantined),
        static_cast<long long>(c.value().duplicates), static_cast<long long>(c.value().conflicts));
  }
  return kExitOk;
}

int run_show(const InboxOptions& o) {
  auto rt = open_runtime(o.config_path);
  if (!rt) {
    std::fprintf(stderr, "wsrm-bridge inbox show: %s\n", rt.error().message.c_str());
    return kExitUsage;
  }
  auto found = rt.value()->inbox().find(o.key);
  if (!found) {
    std::fprintf(stderr, "wsrm-bridge inbox show: %s\n", found.error().message.c_str());
    return kExitUsage;
  }
  if (!found.value()) {
    std::fprintf(stderr, "wsrm-bridge inbox show: no message with id or BeskedIdentifier '%s'\n",
                 o.key.c_str());
    return kExitFindings;
  }
  const auto& e = *found.value();
  const auto& r = e.record;
  const auto show = [&](const std::string& s) { return o.unmask ? s : mask_cpr(s); };
  std::printf(
      "id:                 %lld\nBeskedIdentifier:   %s\nreceived:           %s\n"
      "source:             %s\nrecipient:          %d/%s\nlayout:             %s\n"
      "status:             %s\nreason:             %s\ndetail:             %s\n"
      "EksternIdentifier:  %s\nIdentifikation:     %s\nMiljoe:             %s\n"
      "HaendelsesTid:      %s\nduplicates:         %lld\nconflicts:          %lld\n"
      "sha256:             %s\nraw (%zu bytes):\n%s\n",
      static_cast<long long>(e.id), r.besked_identifier.c_str(),
      format_utc_ms(r.received_at).c_str(), r.source.c_str(), r.recipient_type,
      r.recipient_code.c_str(), r.layout.c_str(), r.status.c_str(), r.reason.c_str(),
      show(r.detail).c_str(), r.ekstern_identifier.c_str(), show(r.cpr).c_str(), r.miljoe.c_str(),
      r.haendelses_tid.c_str(), static_cast<long long>(e.duplicates),
      static_cast<long long>(e.conflicts), r.sha256.c_str(), r.raw.size(), show(r.raw).c_str());
  std::printf("pipeline stage:     %s\nattempts:           %d\n", e.pipeline.stage.c_str(),
              e.pipeline.attempts);
  if (!e.pipeline.last_error.empty()) {
    std::printf("last error:         %s\n", show(e.pipeline.last_error).c_str());
  }
  if (!e.pipeline.outcome.empty()) {
    std::printf("outcome:            %s\n", show(e.pipeline.outcome).c_str());
  }
  if (auto snap = rt.value()->inbox().snapshot_for(e.id); snap && snap.value()) {
    const auto& sn = *snap.value();
    std::printf("snapshot:           %s, HTTP %d, %d attempt(s), %s\n%s\n", sn.visibility.c_str(),
                sn.http_status, sn.attempts, sn.url.c_str(), show(sn.body).c_str());
  }
  return kExitOk;
}

int run_requeue(const InboxOptions& o) {
  auto rt = open_runtime(o.config_path);
  if (!rt) {
    std::fprintf(stderr, "wsrm-bridge inbox requeue: %s\n", rt.error().message.c_str());
    return kExitUsage;
  }
  std::vector<store::InboxEntry> targets;
  if (o.all_quarantined) {
    auto entries = rt.value()->inbox().list({"quarantined", o.reason, 1000000, ""});
    if (!entries) {
      std::fprintf(stderr, "wsrm-bridge inbox requeue: %s\n", entries.error().message.c_str());
      return kExitUsage;
    }
    targets = std::move(entries.value());
  }
  if (o.all_parked) {
    auto entries = rt.value()->inbox().list({"", "", 1000000, store::kStageParked});
    if (!entries) {
      std::fprintf(stderr, "wsrm-bridge inbox requeue: %s\n", entries.error().message.c_str());
      return kExitUsage;
    }
    for (auto& e : entries.value()) targets.push_back(std::move(e));
  }
  for (const auto& k : o.keys) {
    auto found = rt.value()->inbox().find(k);
    if (!found || !found.value()) {
      std::fprintf(stderr,
                   "wsrm-bridge inbox requeue: no message with id or BeskedIdentifier '%s'\n",
                   k.c_str());
      return kExitFindings;
    }
    targets.push_back(*found.value());
  }
  int changed = 0;
  for (const auto& e : targets) {
    // The same decision as on arrival, with today's configuration (e.g. a recipient added).
    auto again =
        webhook::make_record(e.record.raw, {e.record.recipient_type, e.record.recipient_code},
                             e.record.source, rt.value()->wsb_rules(), e.record.received_at);
    if (!again) continue;  // stored messages are JSON; nothing to decide
    const auto& r = again.value();
    // An accepted message goes (back) to the start of the pipeline, which decides again with
    // today's tables, rules and DFDG answer; the queue refuses copies already queued.
    const bool restart = r.status == "accepted" && e.pipeline.stage != store::kStageReceived &&
                         e.pipeline.stage != store::kStageQueued;
    if (restart) {
      store::PipelineState st;
      st.stage = store::kStageReceived;
      auto set = rt.value()->inbox().set_pipeline(e.id, st);
      if (!set) {
        std::fprintf(stderr, "wsrm-bridge inbox requeue: %s\n", set.error().message.c_str());
        return kExitUsage;
      }
    }
    if (r.status != e.record.status || r.reason != e.record.reason || restart) {
      auto set = rt.value()->inbox().set_verdict(e.id, r.status, r.reason, r.detail);
      if (!set) {
        std::fprintf(stderr, "wsrm-bridge inbox requeue: %s\n", set.error().message.c_str());
        return kExitUsage;
      }
      ++changed;
    }
    std::printf("%lld %s: %s%s -> %s%s\n", static_cast<long long>(e.id),
                e.record.besked_identifier.c_str(), e.record.status.c_str(),
                e.record.reason.empty() ? "" : (" (" + e.record.reason + ")").c_str(),
                r.status.c_str(), r.reason.empty() ? "" : (" (" + r.reason + ")").c_str());
  }
  std::printf("re-classified %zu message(s), %d changed\n", targets.size(), changed);
  return kExitOk;
}

}  // namespace

Runner add_ingest_command(CLI::App& app) {
  auto o = std::make_shared<IngestOptions>();
  CLI::App* sub = app.add_subcommand(
      "ingest",
      "Store WSB documents from a file (NDJSON: one document per line) or a directory of .json "
      "files, through the webhook's validation and dedupe. Prints accepted / duplicate / "
      "quarantined by reason / malformed with file:line. Exit 1 when a document was malformed.");
  sub->add_option("-c,--config", o->config_path, "Configuration file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("path", o->path, "NDJSON file or directory of .json files")->required();
  sub->add_option("--recipient", o->recipient,
                  "Recipient organisation TYPE/CODE (default: the only one served)");
  return [o] { return run_ingest(*o); };
}

Runner add_inbox_command(CLI::App& app) {
  auto o = std::make_shared<InboxOptions>();
  CLI::App* sub = app.add_subcommand("inbox", "Look at received WSB messages and re-process them");
  sub->require_subcommand(1);
  sub->add_option("-c,--config", o->config_path, "Configuration file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  CLI::App* list = sub->add_subcommand("list", "List messages (oldest first)");
  list->add_option("--status", o->status, "accepted or quarantined");
  list->add_option("--reason", o->reason, "quarantine reason, e.g. miljoe_mismatch");
  list->add_option("--stage", o->stage,
                   "pipeline stage: received, enriched, queued, skipped, parked, quarantined");
  list->add_option("--limit", o->limit, "At most this many")->check(CLI::Range(1, 1000000));
  CLI::App* show = sub->add_subcommand("show", "One message with its raw bytes (CPR masked)");
  show->add_option("key", o->key, "Row id or BeskedIdentifier")->required();
  show->add_flag("--unmask", o->unmask, "Show CPR numbers");
  CLI::App* requeue = sub->add_subcommand(
      "requeue",
      "Re-classify messages with the current configuration (e.g. after adding a "
      "recipient or a Miljoe to the allow-list); accepted ones, and parked ones, go back to the "
      "start of the pipeline, which decides again with today's tables, rules and DFDG answer");
  requeue->add_option("keys", o->keys, "Row ids or BeskedIdentifiers");
  requeue->add_flag("--all-quarantined", o->all_quarantined, "Every quarantined message");
  requeue->add_flag("--all-parked", o->all_parked,
                    "Every parked message (failed max_attempts times): back to the pipeline");
  requeue->add_option("--reason", o->reason, "With --all-quarantined: only this reason");
  return [o, list, show, requeue] {
    if (list->parsed()) return run_list(*o);
    if (show->parsed()) return run_show(*o);
    if (requeue->parsed()) {
      if (o->keys.empty() && !o->all_quarantined && !o->all_parked) {
        std::fprintf(stderr, "wsrm-bridge inbox requeue: name messages or --all-quarantined\n");
        return kExitUsage;
      }
      return run_requeue(*o);
    }
    return kExitUsage;
  };
}

}  // namespace bridge::app
