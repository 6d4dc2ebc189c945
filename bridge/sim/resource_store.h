#pragma once
// What the simulated IndkaldelseService knows: per indkaldelse the current REST state (set by
// the runner before it pushes a step), the citizen it belongs to, the history so far, and how
// often it was fetched. Thread-safe: REST workers read while the runner's lanes write.

#include "bridge/sim/scenario.h"
#include "bridge/sim/stop_flag.h"
#include "bridge/soap/json_http.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace bridge::sim {

// One REST answer: HTTP status and JSON body.
using RestAnswer = soap::JsonAnswer;

class ResourceStore {
 public:
  // Makes `step`'s state current for its indkaldelse (called before its WSB is pushed).
  void apply(const Step& step);

  // GET /v1/Indkaldelse/{id} for citizen `cpr`: 200 with the resource, or 404 when the id is
  // unknown, deleted (null), hidden (visible: false) or belongs to another CPR. Counted.
  RestAnswer get(const std::string& indkaldelse, const std::string& cpr);
  // GET /v1/Indkaldelse/historik/{id}: the states so far as an array (404 as above, except
  // that a deleted indkaldelse still has its history).
  RestAnswer history(const std::string& indkaldelse, const std::string& cpr);
  // GET /v1/Indkaldelse/historik: the history rows of every indkaldelse of the citizen.
  RestAnswer history_of_citizen(const std::string& cpr);
  // A request refused before the look-up (400, 401), for the totals.
  void count_refusal(int status);

  // GETs of /v1/Indkaldelse/{id} so far (whatever was answered).
  std::int64_t gets(const std::string& indkaldelse) const;
  // Waits until gets(indkaldelse) >= target. False on time-out or stop.
  bool wait_for_gets(const std::string& indkaldelse, std::int64_t target,
                     std::chrono::milliseconds timeout, const StopFlag& stop) const;

  // {"indkaldelser": {id: {"gets", "historik_gets", "not_found", "state"}}, "totals": {…}}
  Json status() const;

 private:
  struct Entry {
    std::string id;  // as the scenario spells it
    Json current;    // null: no resource (404)
    std::string cpr;
    bool visible = true;
    bool known = false;  // a step has set it (else only requested)
    std::vector<Json> history;
    std::int64_t gets = 0;
    std::int64_t historik_gets = 0;
    std::int64_t not_found = 0;
  };
  Entry& entry(const std::string& indkaldelse);  // mutex_ held
  static bool visible_to(const Entry& e, const std::string& cpr);

  mutable std::mutex mutex_;
  mutable std::condition_variable fetched_;
  std::map<std::string, Entry> entries_;  // by lower-case id
  std::map<int, std::int64_t> answers_;   // HTTP status → count
};

}  // namespace bridge::sim
