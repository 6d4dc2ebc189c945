// The end of a sim run: the summary printed after the step log, and the --summary-json document
// (tests and the end-to-end suite read it instead of parsing the log).

#include "bridge/sim/runner.h"

#include <set>

namespace bridge::sim {

std::string summary_text(const RunReport& report, const ResourceStore& store) {
  std::set<std::string> scenarios;
  std::int64_t pushes = 0, awaited = 0;
  for (const StepRecord& s : report.steps) {
    scenarios.insert(s.step->scenario);
    pushes += static_cast<std::int64_t>(s.pushes.size());
    if (s.pace != PaceResult::not_awaited) ++awaited;
  }
  const Json rest = store.status();
  const Json& answers = rest["totals"]["answers"];
  std::string answered;
  for (const auto& [status, n] : answers.items()) {
    answered += (answered.empty() ? "" : ", ") + status + ": " + n.dump();
  }
  std::string out = "summary: " + std::to_string(scenarios.size()) + " scenario(s), " +
                    std::to_string(report.steps.size()) + " step(s), " + std::to_string(pushes) +
                    " push(es): " + std::to_string(report.count(PushState::delivered)) +
                    " delivered (2xx), " + std::to_string(report.count(PushState::failed)) +
                    " failed, " + std::to_string(report.count(PushState::held_back)) +
                    " held back, " + std::to_string(report.count(PushState::interrupted)) +
                    " not sent (interrupted); " + std::to_string(report.retries) + " retry(ies)\n";
  out += "pace: " + std::to_string(awaited) + " step(s) awaited the bridge's fetch, " +
         std::to_string(report.pace_timeouts()) + " timed out\n";
  out += "REST: " + rest["totals"]["gets"].dump() + " GET(s) of an indkaldelse; answers by " +
         "status: " + (answered.empty() ? "none" : answered) + "\n";
  out += report.all_delivered() ? "result: every push was answered 2xx (exit 0)"
                                : "result: NOT every push was answered 2xx (exit 1)";
  return out;
}

Json summary_json(const RunReport& report, const ResourceStore& store, int exit_code) {
  Json steps = Json::array();
  for (const StepRecord& r : report.steps) {
    const Step& s = *r.step;
    Json pushes = Json::array();
    for (const PushRecord& p : r.pushes) {
      Json push{{"organisation", p.recipient.key},
                {"recipient", p.recipient.path()},
                {"url", p.url},
                {"state", to_string(p.state)},
                {"attempts", p.attempts},
                {"status", p.status}};
      if (!p.error.empty()) push["error"] = p.error;
      if (!p.answer.outcome.empty()) push["outcome"] = p.answer.outcome;
      if (!p.answer.status.empty()) push["answer_status"] = p.answer.status;
      pushes.push_back(std::move(push));
    }
    Json step{{"file", s.file},
              {"scenario", s.scenario},
              {"step", s.id},
              {"indkaldelse", s.indkaldelse},
              {"besked_identifier", s.besked_identifier},
              {"aendringstype", s.aendringstype},
              {"pushes", std::move(pushes)},
              {"pace", to_string(r.pace)},
              {"fetches_awaited", r.fetches_awaited},
              {"fetched", r.fetched},
              {"pace_wait_ms", r.pace_wait_ms}};
    if (s.expect) step["expect"] = *s.expect;
    steps.push_back(std::move(step));
  }
  return Json{{"exit_code", exit_code},
              {"all_delivered", report.all_delivered()},
              {"interrupted", report.interrupted},
              {"totals",
               {{"steps", report.steps.size()},
                {"delivered", report.count(PushState::delivered)},
                {"failed", report.count(PushState::failed)},
                {"held_back", report.count(PushState::held_back)},
                {"interrupted", report.count(PushState::interrupted)},
                {"retries", report.retries},
                {"pace_timeouts", report.pace_timeouts()}}},
              {"steps", std::move(steps)},
              {"rest", store.status()}};
}

}  // namespace bridge::sim
