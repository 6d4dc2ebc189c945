// `wsrm-bridge queue`: put items on a consumer's queue and look at the queues, without the
// pipeline. Used for the sample queue, for tests, and by operators re-injecting a message.

#include "bridge/app/commands.h"
#include "bridge/app/config.h"
#include "bridge/app/runtime.h"
#include "bridge/compare/values.h"
#include "bridge/core/clock.h"
#include "bridge/core/uuid.h"

#include <pugixml.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

namespace bridge::app {
namespace {

// Name space of the bridge's name-based MessageIdentifiers (domain.md Q4).
constexpr const char* kMessageIdNamespace = "3a0d9a57-4ad8-4c8f-9b0e-2f9c1d6a7e10";

struct AddOptions {
  std::string config_path;
  std::string consumer;
  std::string operation;
  std::string item_path;
  std::string key = "sample";
  int count = 1;
};

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

int run_add(const AddOptions& o) {
  auto config = load_config(o.config_path);
  if (!config) {
    std::fprintf(stderr, "wsrm-bridge queue add: %s\n", config.error().message.c_str());
    return kExitUsage;
  }
  std::ifstream in(o.item_path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "wsrm-bridge queue add: %s: cannot read the item file\n",
                 o.item_path.c_str());
    return kExitUsage;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string item_template = ss.str();
  if (item_template.find("${MessageIdentifier}") == std::string::npos) {
    std::fprintf(stderr,
                 "wsrm-bridge queue add: %s: the item has no ${MessageIdentifier} placeholder; "
                 "each queued message needs its own identifier\n",
                 o.item_path.c_str());
    return kExitUsage;
  }
  {
    // An ill-formed item would break every Get… response of its sequence: refuse it here.
    const std::string sample =
        "<item>" + replace_all(item_template, "${MessageIdentifier}", std::string(20, '0')) +
        "</item>";
    pugi::xml_document doc;
    const auto parsed = doc.load_string(sample.c_str());
    if (!parsed) {
      std::fprintf(stderr,
                   "wsrm-bridge queue add: %s: byte %td: the item is not well-formed XML: %s\n",
                   o.item_path.c_str(), parsed.offset - 6, parsed.description());
      return kExitUsage;
    }
  }
  auto rt = Runtime::open(config.value());
  if (!rt) {
    std::fprintf(stderr, "wsrm-bridge queue add: %s\n", rt.error().message.c_str());
    return kExitUsage;
  }
  // One transaction per batch: fast for thousands of items, and a failure leaves whole batches.
  constexpr int kBatch = 5000;
  int inserted = 0;
  std::vector<queue::EnqueueRequest> batch;
  for (int i = 1; i <= o.count; ++i) {
    const std::string key = o.count == 1 ? o.key : o.key + "-" + std::to_string(i);
    const std::string id = uuid_v5(kMessageIdNamespace, key + "/" + o.operation + "/" + o.consumer);
    std::string xml = replace_all(item_template, "${MessageIdentifier}", id);
    xml = replace_all(xml, "${N}", std::to_string(i));
    xml = replace_all(xml, "${QueuedAt}", format_utc_ms(rt.value()->clock().now()));
    batch.push_back({o.consumer, o.operation, id, key, std::move(xml)});
    if (static_cast<int>(batch.size()) == kBatch || i == o.count) {
      auto r = rt.value()->queue().enqueue_batch(batch);
      if (!r) {
        std::fprintf(stderr, "wsrm-bridge queue add: messages %d..%d: %s\n",
                     i - static_cast<int>(batch.size()) + 1, i, r.error().message.c_str());
        return kExitUsage;
      }
      inserted += r.value();
      batch.clear();
    }
  }
  const int copies =
      1 + static_cast<int>(rt.value()->consumers().by_id(o.consumer)->sub_queues.size());
  inserted /= copies;
  std::printf("queued %d new message(s) of %s for %s (%d already present)\n", inserted,
              o.operation.c_str(), o.consumer.c_str(), o.count - inserted);
  return kExitOk;
}

int run_stats(const std::string& config_path) {
  auto config = load_config(config_path);
  if (!config) {
    std::fprintf(stderr, "wsrm-bridge queue stats: %s\n", config.error().message.c_str());
    return kExitUsage;
  }
  auto rt = Runtime::open(config.value());
  if (!rt) {
    std::fprintf(stderr, "wsrm-bridge queue stats: %s\n", rt.error().message.c_str());
    return kExitUsage;
  }
  auto s = rt.value()->store().stats();
  if (!s) {
    std::fprintf(stderr, "wsrm-bridge queue stats: %s\n", s.error().message.c_str());
    return kExitUsage;
  }
  std::printf("%-28s %-10s %10s %12s %10s\n", "consumer", "sub-queue", "pending", "in-sequence",
              "delivered");
  for (const auto& c : s.value().consumers) {
    std::printf("%-28s %-10s %10lld %12lld %10lld\n", c.consumer.c_str(),
                c.sub_queue.empty() ? "-" : c.sub_queue.c_str(), static_cast<long long>(c.pending),
                static_cast<long long>(c.in_sequence), static_cast<long long>(c.delivered));
  }
  std::printf("sequences: %lld open, %lld terminated, %lld closed, %lld expired\n",
              static_cast<long long>(s.value().sequences_open),
              static_cast<long long>(s.value().sequences_terminated),
              static_cast<long long>(s.value().sequences_closed),
              static_cast<long long>(s.value().sequences_expired));
  return kExitOk;
}

struct CutoverOptions {
  std::string config_path;
  std::string consumer;
  std::string before;  // empty: now
  std::string list_path;
  bool dry_run = false;
};

int run_cutover(const CutoverOptions& o) {
  const auto fail = [](const std::string& message) {
    std::fprintf(stderr, "wsrm-bridge queue cutover: %s\n", message.c_str());
    return kExitUsage;
  };
  auto config = load_config(o.config_path);
  if (!config) return fail(config.error().message);
  auto rt = Runtime::open(config.value());
  if (!rt) return fail(rt.error().message);
  if (!rt.value()->consumers().by_id(o.consumer)) {
    return fail("no consumer '" + o.consumer + "' in " + o.config_path);
  }
  const TimePoint now = rt.value()->clock().now();
  TimePoint before = now;
  if (!o.before.empty()) {
    const auto ms = compare::epoch_ms_of(o.before);
    if (!ms) {
      return fail("--before '" + o.before +
                  "' is not a dateTime with a time zone (e.g. 2026-11-30T06:00:00Z)");
    }
    before = from_epoch_ms(*ms);
  }
  auto r = rt.value()->store().mark_delivered_before({o.consumer, ""}, before, now, o.dry_run);
  if (!r) return fail(r.error().message);
  if (r.value().open_sequences > 0) {
    std::fprintf(stderr,
                 "wsrm-bridge queue cutover: %s has %lld open sequence(s) on its main queue: "
                 "pause its poller and let the sequence end (TerminateSequence, CloseSequence, "
                 "or expiry after [queue] sequence_timeout_s); nothing was changed\n",
                 o.consumer.c_str(), static_cast<long long>(r.value().open_sequences));
    return kExitFindings;
  }
  std::map<std::string, int> by_operation;
  for (const auto& m : r.value().messages) ++by_operation[m.operation];
  std::printf("cut-over of %s (main queue): waiting messages queued before %s\n",
              o.consumer.c_str(), format_utc_ms(before).c_str());
  for (const auto& [op, n] : by_operation) std::printf("  %-36s %d\n", op.c_str(), n);
  if (!o.list_path.empty()) {
    std::ofstream out(o.list_path, std::ios::binary | std::ios::trunc);
    out << "operation,message_identifier,queued_at\r\n";
    for (const auto& m : r.value().messages) {
      out << m.operation << ',' << m.message_identifier << ',' << format_utc_ms(m.queued_at)
          << "\r\n";
    }
    out.close();
    if (!out) return fail(o.list_path + ": cannot write the list");
    std::printf("list of the messages: %s\n", o.list_path.c_str());
  }
  if (o.dry_run) {
    std::printf("dry run: %zu message(s) would be marked delivered; nothing was changed\n",
                r.value().messages.size());
  } else {
    std::printf(
        "marked %zu message(s) delivered: %s will not be handed them (it received these "
        "changes from the legacy service); sub-queues are unchanged\n",
        r.value().messages.size(), o.consumer.c_str());
  }
  return kExitOk;
}

}  // namespace

Runner add_queue_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "queue", "Inspect the consumer queues, add items by hand, or cut a consumer over");
  sub->require_subcommand(1);
  auto add = std::make_shared<AddOptions>();
  CLI::App* a = sub->add_subcommand(
      "add",
      "Queue item XML for a consumer (the content of one item element, namespace-complete). "
      "Placeholders: ${MessageIdentifier} (required; a name-based GUID of key, operation and "
      "consumer, stable when repeated), ${N} (1..count), ${QueuedAt}. Idempotent on the key.");
  a->add_option("-c,--config", add->config_path, "Configuration file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  a->add_option("--consumer", add->consumer, "Consumer id from the configuration")->required();
  a->add_option("--operation", add->operation,
                "Get… operation that serves it, e.g. GetIndkaldelseVersion1")
      ->required();
  a->add_option("--item", add->item_path, "File with the item content")
      ->required()
      ->check(CLI::ExistingFile);
  a->add_option("--count", add->count, "How many copies (keys <key>-1 … <key>-N)")
      ->check(CLI::Range(1, 1000000));
  a->add_option("--key", add->key, "Idempotency key (a BeskedIdentifier in production)");
  auto stats_config = std::make_shared<std::string>();
  CLI::App* s = sub->add_subcommand("stats", "Queue depth per consumer and sequence counts");
  s->add_option("-c,--config", *stats_config, "Configuration file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  auto cut = std::make_shared<CutoverOptions>();
  CLI::App* c = sub->add_subcommand(
      "cutover",
      "Switch a consumer from the legacy service (docs/cutover.md): mark every message of its "
      "main queue that waits and was queued before --before delivered, because the consumer "
      "got those changes from the legacy service. Refused while the consumer has an open "
      "sequence (exit 1). Sub-queues (e.g. shadow) are not touched.");
  c->add_option("-c,--config", cut->config_path, "Configuration file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  c->add_option("--consumer", cut->consumer, "Consumer id from the configuration")->required();
  c->add_option("--before", cut->before,
                "Cut-off: messages queued before this time, e.g. 2026-11-30T06:00:00Z "
                "(default: now)");
  c->add_option("--list", cut->list_path,
                "Write the marked messages (operation, MessageIdentifier, queued at) as CSV");
  c->add_flag("--dry-run", cut->dry_run, "Only count and list; change nothing");
  return [add, a, s, stats_config, cut, c]() {
    if (a->parsed()) return run_add(*add);
    if (s->parsed()) return run_stats(*stats_config);
    if (c->parsed()) return run_cutover(*cut);
    return kExitUsage;
  };
}

}  // namespace bridge::app
