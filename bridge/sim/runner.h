#pragma once
// Plays the steps like DFDG: per citizen strictly in order (a failing message holds back that
// citizen's later ones), different citizens side by side; each step first sets the REST state,
// then pushes its WSB to every recipient with DFDG's retry delays; with --pace fetch the next
// step of an indkaldelse waits until the bridge has fetched the previous state.

#include "bridge/core/result.h"
#include "bridge/sim/pusher.h"
#include "bridge/sim/resource_store.h"
#include "bridge/sim/scenario.h"
#include "bridge/sim/stop_flag.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace bridge::sim {

enum class Pace { fetch, none };

struct RunOptions {
  PushOptions push;
  int concurrency = 4;   // citizens pushed side by side
  int max_attempts = 8;  // per push; 0: never give up (DFDG publishes no limit)
  std::chrono::milliseconds retry_cap{std::chrono::hours(3)};
  Pace pace = Pace::fetch;
  std::chrono::milliseconds pace_timeout{5000};
  bool unmask = false;  // print CPR numbers in the log
  // Called for each step after its REST state is set and before its first push (legacy mode
  // queues the step's legacy messages here). May be called from several lanes at once.
  std::function<void(const Step&)> before_push;
};

// Whole lines to one stream from several threads.
class LineWriter {
 public:
  explicit LineWriter(std::FILE* out) : out_(out) {}
  void line(const std::string& text);

 private:
  std::mutex mutex_;
  std::FILE* out_;
};

enum class PushState { delivered, failed, held_back, interrupted };
const char* to_string(PushState state);

struct PushRecord {
  Organisation recipient;
  std::string url;
  PushState state = PushState::interrupted;
  int attempts = 0;
  long status = 0;    // the last HTTP status (0: no answer)
  std::string error;  // the last connection error
  Acceptance answer;  // of the 2xx
};

enum class PaceResult { not_awaited, fetched, timed_out };
const char* to_string(PaceResult result);

struct StepRecord {
  const Step* step = nullptr;
  std::vector<PushRecord> pushes;
  std::int64_t fetches_awaited = 0;  // fresh 2xx answers: the bridge should fetch once for each
  std::int64_t fetched = 0;          // GETs seen while pacing waited (at most fetches_awaited)
  PaceResult pace = PaceResult::not_awaited;
  std::int64_t pace_wait_ms = 0;
};

struct RunReport {
  std::vector<StepRecord> steps;  // in the order given
  bool interrupted = false;
  std::int64_t retries = 0;

  // Every push was answered 2xx in the end.
  bool all_delivered() const;
  std::int64_t count(PushState state) const;
  std::int64_t pace_timeouts() const;
};

// Runs `steps` (in this order per citizen) and reports what happened; logs each push to `log`.
// Fails only when libcurl cannot be set up.
Result<RunReport> run_steps(const std::vector<const Step*>& steps, ResourceStore& store,
                            const RunOptions& options, const StopFlag& stop, LineWriter& log);

// The step-by-step and summary texts, and the --summary-json document.
std::string summary_text(const RunReport& report, const ResourceStore& store);
Json summary_json(const RunReport& report, const ResourceStore& store, int exit_code);

}  // namespace bridge::sim
