#include "bridge/pipeline/pipeline.h"

#include "bridge/core/log.h"
#include "bridge/core/uuid.h"
#include "bridge/wsb/wsb.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace bridge::pipeline {

namespace {

// Name space of the bridge's name-based MessageIdentifiers (domain.md Q4); the same as
// `queue add` uses, so an identifier never depends on which path queued the message.
constexpr const char* kMessageIdNamespace = "3a0d9a57-4ad8-4c8f-9b0e-2f9c1d6a7e10";

const char* to_text(dfdg::Visibility v) {
  return v == dfdg::Visibility::found ? "found" : "not_visible";
}

}  // namespace

Pipeline::Pipeline(Deps deps, Settings settings) : deps_(deps), settings_(settings) {}

Pipeline::~Pipeline() { stop(); }

std::chrono::milliseconds Pipeline::backoff(int attempts) {
  auto ceiling = settings_.retry_initial;
  for (int i = 1; i < attempts && ceiling < settings_.retry_max; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, settings_.retry_max);
  // Jitter in [ceiling/2, ceiling]: spreads retries of many messages after one DFDG outage.
  std::lock_guard lock(mutex_);
  std::uniform_int_distribution<std::int64_t> d(ceiling.count() / 2, ceiling.count());
  return std::chrono::milliseconds(d(jitter_));
}

Result<void> Pipeline::fail(const store::InboxEntry& e, const std::string& error, bool retryable,
                            const std::string& reason) {
  store::PipelineState st = e.pipeline;
  st.attempts += 1;
  st.last_error = error;
  const bool park = !retryable || st.attempts >= settings_.max_attempts;
  if (park) {
    st.stage = store::kStageParked;
    st.next_attempt_at = {};
    spdlog::error("pipeline: message {} ({}) parked after {} attempt(s): {}", e.id,
                  e.record.besked_identifier, st.attempts, error);
  } else {
    st.next_attempt_at = deps_.clock.now() + backoff(st.attempts);
    spdlog::warn("pipeline: message {} attempt {} failed, retrying: {}", e.id, st.attempts, error);
  }
  deps_.metrics.count_pipeline(park ? "parked" : "retry", reason);
  return deps_.inbox.set_pipeline(e.id, st);
}

Result<void> Pipeline::finish(const store::InboxEntry& e, const char* stage,
                              nlohmann::json outcome) {
  store::PipelineState st;
  st.stage = stage;
  st.attempts = 0;
  st.outcome = outcome.dump();
  deps_.metrics.count_pipeline(stage, outcome.value("rule", ""));
  return deps_.inbox.set_pipeline(e.id, st);
}

Result<void> Pipeline::process(const store::InboxEntry& e) {
  // After the snapshot is stored the row is at stage enriched with a fresh attempt count; a
  // later failure must record that state, not the one read before (else the retry GETs again).
  store::InboxEntry enriched_entry;
  const store::InboxEntry* current = &e;
  auto parsed = wsb::parse(e.record.raw);
  if (!parsed)
    return fail(e, "the stored message does not parse: " + parsed.error().message, false, "parse");
  const wsb::Document& doc = parsed.value();
  const wsb::Header& h = doc.fields;

  // 1. Enrich: the REST snapshot, stored with the message.
  std::optional<store::SnapshotRecord> snapshot;
  if (e.pipeline.stage == store::kStageReceived) {
    auto got = deps_.dfdg.get_indkaldelse(h.ekstern_identifier, h.identifikation);
    if (!got) {
      const auto code = static_cast<dfdg::DfdgErrc>(got.error().code);
      const bool retryable =
          code == dfdg::DfdgErrc::transient || code == dfdg::DfdgErrc::bad_response;
      return fail(e, got.error().message, retryable, std::string("dfdg_") + dfdg::to_string(code));
    }
    store::SnapshotRecord rec;
    rec.inbox_id = e.id;
    rec.indkaldelse_id = h.ekstern_identifier;
    rec.visibility = to_text(got.value().visibility);
    rec.http_status = got.value().http_status;
    rec.url = got.value().url;
    rec.body = got.value().visibility == dfdg::Visibility::found ? got.value().body : "";
    rec.attempts = got.value().attempts;
    rec.fetched_at = deps_.clock.now();
    BRIDGE_TRY(deps_.inbox.save_snapshot(rec));
    deps_.metrics.count_pipeline("enriched", rec.visibility);
    snapshot = std::move(rec);
    enriched_entry = e;
    enriched_entry.pipeline.stage = store::kStageEnriched;
    enriched_entry.pipeline.attempts = 0;
    enriched_entry.pipeline.next_attempt_at = {};
    enriched_entry.pipeline.last_error.clear();
    current = &enriched_entry;
  } else {
    BRIDGE_TRY(snapshot, deps_.inbox.snapshot_for(e.id));
    if (!snapshot) {
      store::PipelineState st = e.pipeline;
      st.stage = store::kStageReceived;
      return deps_.inbox.set_pipeline(e.id, st);
    }
  }

  // 2. The indkaldelse the rows and the rules read.
  nlohmann::json indkaldelse;
  nlohmann::json outcome = nlohmann::json::object();
  outcome["snapshot"] = {{"visibility", snapshot->visibility},
                         {"http_status", snapshot->http_status},
                         {"url", snapshot->url}};
  if (snapshot->visibility == "found") {
    indkaldelse = nlohmann::json::parse(snapshot->body, nullptr, false);
    if (indkaldelse.is_discarded()) {
      return fail(*current, "the stored snapshot is not JSON", false, "snapshot");
    }
  } else {
    const auto& deletes = deps_.policy.delete_aendringstyper;
    const bool is_delete = h.aendringstype_id && std::find(deletes.begin(), deletes.end(),
                                                           *h.aendringstype_id) != deletes.end();
    const std::string what = "IndkaldelseService answered HTTP " +
                             std::to_string(snapshot->http_status) + " (not visible) for " +
                             snapshot->url;
    if (is_delete) {
      BRIDGE_TRY(auto last, deps_.inbox.last_found_snapshot(h.ekstern_identifier));
      if (!last) {
        BRIDGE_TRY(deps_.inbox.quarantine(
            e.id, kReasonNoSnapshot,
            what + " and no earlier snapshot of indkaldelse " + h.ekstern_identifier +
                " is stored, so the Delete cannot be mapped or routed"));
        deps_.metrics.count_pipeline("quarantined", kReasonNoSnapshot);
        return ok();
      }
      indkaldelse = nlohmann::json::parse(last->body, nullptr, false);
      if (indkaldelse.is_discarded()) indkaldelse = nlohmann::json::object();
      indkaldelse.merge_patch(deps_.policy.delete_patch);
      outcome["indkaldelse_source"] =
          "snapshot " + std::to_string(last->id) + " of an earlier message, with the delete patch";
    } else if (deps_.policy.not_visible == "quarantine") {
      BRIDGE_TRY(deps_.inbox.quarantine(e.id, kReasonNotVisible, what));
      deps_.metrics.count_pipeline("quarantined", kReasonNotVisible);
      return ok();
    } else {
      outcome["reason"] = what + "; the pipeline policy skips such messages";
      return finish(e, store::kStageSkipped, std::move(outcome));
    }
  }

  // 3. Route: the sending rules decide the operations for this recipient.
  routing::RouteInput in;
  if (h.registrerende_myndighed) in.registrant_org_type = h.registrerende_myndighed->type;
  in.brugertype_id = h.brugertype_id;
  if (indkaldelse.contains(deps_.policy.samtaletype)) {
    const auto& v = indkaldelse[deps_.policy.samtaletype];
    if (v.is_number_integer()) in.samtaletype = v.get<int>();
  }
  in.recipient_org_type = e.record.recipient_type;
  in.has_haendelsestype = h.indkaldelsehaendelsestype.has_value();
  in.aendringstype = h.aendringstype_id;
  const routing::RouteDecision decision = deps_.routing.route(in);
  outcome["rule"] = decision.rule_id;
  if (decision.kind == routing::RouteDecision::Kind::undecidable) {
    BRIDGE_TRY(deps_.inbox.quarantine(e.id, kReasonUnroutable, decision.reason));
    deps_.metrics.count_pipeline("quarantined", kReasonUnroutable);
    return ok();
  }
  if (decision.kind == routing::RouteDecision::Kind::skip) {
    outcome["reason"] = decision.reason;
    outcome["sentence"] = decision.sentence;
    return finish(e, store::kStageSkipped, std::move(outcome));
  }
  const queue::Consumer* consumer =
      deps_.consumers.by_organisation({e.record.recipient_type, e.record.recipient_code});
  if (!consumer) {
    BRIDGE_TRY(deps_.inbox.quarantine(e.id, kReasonNoConsumer,
                                      "no consumer is configured for organisation " +
                                          std::to_string(e.record.recipient_type) + "/" +
                                          e.record.recipient_code));
    deps_.metrics.count_pipeline("quarantined", kReasonNoConsumer);
    return ok();
  }

  // 4. Map each operation, then queue them all in one transaction.
  nlohmann::json wsb_view = doc.header;
  wsb_view["Body"] = doc.body.is_object() ? doc.body : nlohmann::json::object();
  if (h.indkaldelsehaendelsestype) {
    // The key is matched tolerantly by the parser; the tables read the documented spelling.
    wsb_view["Body"]["Indkaldelsehaendelsestype"] = *h.indkaldelsehaendelsestype;
  }
  const std::string queued_at = format_utc_ms(deps_.clock.now());
  std::vector<queue::EnqueueRequest> requests;
  nlohmann::json deliveries = nlohmann::json::array();
  nlohmann::json not_received = nlohmann::json::array();
  nlohmann::json warnings = nlohmann::json::array();
  for (const auto& op : decision.operations) {
    const auto& types = consumer->message_types;
    if (std::find(types.begin(), types.end(), op) == types.end()) {
      not_received.push_back(op);
      continue;
    }
    const std::string message_id =
        uuid_v5(kMessageIdNamespace, e.record.besked_identifier + "/" + op + "/" + consumer->id);
    const nlohmann::json context = {{"MessageIdentifier", message_id},
                                    {"QueuedAt", queued_at},
                                    {"Operation", op},
                                    {"Consumer", consumer->id},
                                    {"BeskedIdentifier", e.record.besked_identifier}};
    auto mapped = deps_.mappings.forward(op, {&wsb_view, &indkaldelse, &context});
    if (!mapped) return fail(*current, mapped.error().message, false, "mapping");
    for (auto& w : mapped.value().warnings) warnings.push_back(op + ": " + w);
    requests.push_back({consumer->id, op, message_id, e.record.besked_identifier,
                        std::move(mapped.value().item_xml)});
    deliveries.push_back(
        {{"operation", op}, {"consumer", consumer->id}, {"message_identifier", message_id}});
  }
  outcome["deliveries"] = deliveries;
  if (!not_received.empty()) outcome["not_received_by_consumer"] = not_received;
  if (!warnings.empty()) outcome["warnings"] = warnings;
  if (requests.empty()) {
    outcome["reason"] = "consumer " + consumer->id + " receives none of the routed operations";
    return finish(e, store::kStageSkipped, std::move(outcome));
  }
  auto queued = deps_.queue.enqueue_batch(requests);
  if (!queued) return fail(*current, queued.error().message, true, "queue");
  outcome["new_rows"] = queued.value();
  publish_codelist_counts();
  return finish(e, store::kStageQueued, std::move(outcome));
}

void Pipeline::publish_codelist_counts() {
  for (const auto& [name, list] : deps_.mappings.codelists()) {
    deps_.metrics.set_codelist_unknown(name, list.unknown_count());
  }
}

Result<int> Pipeline::run_once() {
  int handled = 0;
  while (true) {
    BRIDGE_TRY(auto batch, deps_.inbox.due(deps_.clock.now(), settings_.batch, 0));
    if (batch.empty()) return handled;
    for (const auto& entry : batch) {
      BRIDGE_TRY(process(entry));
      ++handled;
    }
  }
}

void Pipeline::start() {
  std::lock_guard lock(mutex_);
  if (feeder_.joinable()) return;
  stopping_ = false;
  feeder_ = std::thread([this] { feeder_loop(); });
  for (int i = 0; i < std::max(1, settings_.workers); ++i) {
    workers_.emplace_back([this] { worker_loop(); });
  }
}

void Pipeline::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_feeder_.notify_all();
  work_ready_.notify_all();
  if (feeder_.joinable()) feeder_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  workers_.clear();
}

void Pipeline::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_feeder_.notify_one();
}

void Pipeline::feeder_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    done_during_read_.clear();
    lock.unlock();
    auto batch = deps_.inbox.due(deps_.clock.now(), settings_.batch, 0);
    lock.lock();
    if (!batch) {
      spdlog::error("pipeline: cannot read the inbox: {}", batch.error().message);
    } else {
      bool added = false;
      for (auto& entry : batch.value()) {
        if (in_flight_.contains(entry.id) || done_during_read_.contains(entry.id) ||
            in_flight_indkaldelse_.contains(entry.record.ekstern_identifier)) {
          continue;
        }
        in_flight_.insert(entry.id);
        in_flight_indkaldelse_.insert(entry.record.ekstern_identifier);
        ready_.push_back(std::move(entry));
        added = true;
      }
      if (added) work_ready_.notify_all();
    }
    wake_feeder_.wait_for(lock, settings_.poll_interval, [this] { return stopping_ || woken_; });
    woken_ = false;
  }
}

void Pipeline::worker_loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
    if (ready_.empty()) return;  // stopping and nothing left to start
    if (stopping_) {
      // Leave the rest for the next start: it is all in the store.
      ready_.clear();
      in_flight_.clear();
      in_flight_indkaldelse_.clear();
      return;
    }
    store::InboxEntry entry = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    auto done = process(entry);
    if (!done) {
      spdlog::error("pipeline: message {}: {}", entry.id, done.error().message);
    }
    lock.lock();
    in_flight_.erase(entry.id);
    in_flight_indkaldelse_.erase(entry.record.ekstern_identifier);
    done_during_read_.insert(entry.id);
    // A finished message may unblock the next one about the same indkaldelse.
    woken_ = true;
    wake_feeder_.notify_one();
  }
}

}  // namespace bridge::pipeline
