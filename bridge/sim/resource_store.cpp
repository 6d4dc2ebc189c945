#include "bridge/sim/resource_store.h"

#include <algorithm>

namespace bridge::sim {
namespace {

// One text for every 404, as a real service would not say why (unknown, not yours, hidden).
RestAnswer not_found() {
  return RestAnswer{404,
                    Json{{"error", "not found"},
                         {"reason", "no indkaldelse with this id is visible for this CPR"}}
                        .dump(),
                    false};
}

}  // namespace

ResourceStore::Entry& ResourceStore::entry(const std::string& indkaldelse) {
  Entry& e = entries_[indkaldelse_key(indkaldelse)];
  if (e.id.empty()) e.id = indkaldelse;
  return e;
}

bool ResourceStore::visible_to(const Entry& e, const std::string& cpr) {
  return e.known && e.visible && e.cpr == cpr;
}

void ResourceStore::apply(const Step& step) {
  std::lock_guard lock(mutex_);
  Entry& e = entry(step.indkaldelse);
  e.known = true;
  e.current = step.resource;
  e.cpr = step.cpr;  // after a CPR change the resource answers for the new CPR only
  e.visible = step.visible;
  if (step.resource_given && !step.resource.is_null()) e.history.push_back(step.resource);
}

RestAnswer ResourceStore::get(const std::string& indkaldelse, const std::string& cpr) {
  RestAnswer answer;
  {
    std::lock_guard lock(mutex_);
    Entry& e = entry(indkaldelse);
    ++e.gets;
    if (visible_to(e, cpr) && !e.current.is_null()) {
      answer = RestAnswer{200, e.current.dump(), false};
    } else {
      ++e.not_found;
      answer = not_found();
    }
    ++answers_[answer.status];
  }
  fetched_.notify_all();
  return answer;
}

RestAnswer ResourceStore::history(const std::string& indkaldelse, const std::string& cpr) {
  std::lock_guard lock(mutex_);
  Entry& e = entry(indkaldelse);
  ++e.historik_gets;
  if (!visible_to(e, cpr) || e.history.empty()) {
    ++answers_[404];
    return not_found();
  }
  ++answers_[200];
  return RestAnswer{200, Json(e.history).dump(), false};
}

RestAnswer ResourceStore::history_of_citizen(const std::string& cpr) {
  std::lock_guard lock(mutex_);
  Json rows = Json::array();
  for (const auto& [key, e] : entries_) {
    if (!visible_to(e, cpr)) continue;
    for (const Json& state : e.history) rows.push_back(state);
  }
  ++answers_[200];
  return RestAnswer{200, rows.dump(), false};
}

void ResourceStore::count_refusal(int status) {
  std::lock_guard lock(mutex_);
  ++answers_[status];
}

std::int64_t ResourceStore::gets(const std::string& indkaldelse) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(indkaldelse_key(indkaldelse));
  return it == entries_.end() ? 0 : it->second.gets;
}

bool ResourceStore::wait_for_gets(const std::string& indkaldelse, std::int64_t target,
                                  std::chrono::milliseconds timeout, const StopFlag& stop) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string key = indkaldelse_key(indkaldelse);
  std::unique_lock lock(mutex_);
  while (true) {
    const auto it = entries_.find(key);
    if (it != entries_.end() && it->second.gets >= target) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline || stop.requested()) return false;
    // Short slices so that a stop request is noticed without a second condition variable.
    fetched_.wait_for(lock, std::min<std::chrono::steady_clock::duration>(
                                deadline - now, std::chrono::milliseconds(50)));
  }
}

Json ResourceStore::status() const {
  std::lock_guard lock(mutex_);
  Json indkaldelser = Json::object();
  std::int64_t gets = 0;
  for (const auto& [key, e] : entries_) {
    gets += e.gets;
    const char* state = !e.known              ? "unknown"
                        : !e.visible          ? "hidden"
                        : e.current.is_null() ? "none"
                                              : "resource";
    indkaldelser[e.id] = Json{{"gets", e.gets},
                              {"historik_gets", e.historik_gets},
                              {"not_found", e.not_found},
                              {"state", state},
                              {"history_rows", e.history.size()}};
  }
  Json answers = Json::object();
  for (const auto& [status, n] : answers_) answers[std::to_string(status)] = n;
  return Json{{"indkaldelser", std::move(indkaldelser)},
              {"totals", {{"gets", gets}, {"answers", std::move(answers)}}}};
}

}  // namespace bridge::sim
