#pragma once
// `wsrm-bridge sim --legacy-port N`: the simulator also plays the legacy DFDG WSRM system for the
// same scenarios (docs/simulator.md, "Legacy mode"). Prepared before anything listens (templates,
// every message rendered once, injections placed), then served on its own port; each step's
// legacy messages are queued when the step is played, before its push.

#include "bridge/core/metrics.h"
#include "bridge/core/result.h"
#include "bridge/sim/legacy_plan.h"
#include "bridge/sim/legacy_service.h"
#include "bridge/sim/runner.h"

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace bridge::sim {

struct LegacyModeOptions {
  LegacyServiceOptions service;
  std::string templates_dir;
  std::vector<std::string> injections;  // --inject KIND[@STEP_ID], in the order given
};

class LegacyMode {
 public:
  // Loads the templates, renders every message once and places the injections. Every error is a
  // usage error (a bad KIND, an unknown step id, an injection that fits nothing, a template).
  static Result<std::unique_ptr<LegacyMode>> prepare(const LegacyModeOptions& options,
                                                     const std::vector<Scenario>& scenarios);
  ~LegacyMode();

  // Opens the queue store and the SOAP port and serves it on a thread of its own.
  Result<void> start(Metrics& metrics);
  // Stops serving (requests in progress are answered).
  void stop();
  int port() const { return service_->port(); }

  // Queues the step's messages (thread-safe); a failure is logged and counted.
  void queue_step(const Step& step, LineWriter& log);

  const LegacyPlan& plan() const { return plan_; }
  // "legacy: injection {…}" per injection, for the log.
  std::vector<std::string> injection_lines() const;
  std::string summary_text() const;
  // The summary's "legacy" object and its "injections" array.
  Json summary_json() const;
  Json injections_json() const;
  int failures() const;

 private:
  LegacyMode(LegacyModeOptions options, TemplateSet templates);

  enum class State { planned, queued, failed };
  LegacyModeOptions options_;
  TemplateSet templates_;
  LegacyPlan plan_;
  std::unique_ptr<LegacyService> service_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<State> states_;  // per message of the plan
};

}  // namespace bridge::sim
