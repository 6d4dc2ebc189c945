#include "bridge/sim/legacy_mode.h"

#include "bridge/core/clock.h"

#include <algorithm>

namespace bridge::sim {
namespace {

Error mode_error(const std::string& message) {
  return make_error(ErrorDomain::config, static_cast<int>(SimErrc::legacy_plan), message);
}

}  // namespace

LegacyMode::LegacyMode(LegacyModeOptions options, TemplateSet templates)
    : options_(std::move(options)), templates_(std::move(templates)) {}

LegacyMode::~LegacyMode() { stop(); }

Result<std::unique_ptr<LegacyMode>> LegacyMode::prepare(const LegacyModeOptions& options,
                                                        const std::vector<Scenario>& scenarios) {
  std::vector<InjectionSpec> specs;
  for (const std::string& text : options.injections) {
    BRIDGE_TRY(InjectionSpec spec, parse_injection(text));
    if (!spec.step.empty()) {
      bool found = false;
      for (const Scenario& s : scenarios) {
        for (const Step& step : s.steps) found = found || step_matches(step, spec.step);
      }
      if (!found) {
        return mode_error("--inject " + text + ": no step '" + spec.step +
                          "' in the scenarios (give a step id or scenario/step id)");
      }
    }
    specs.push_back(std::move(spec));
  }
  BRIDGE_TRY(TemplateSet templates, TemplateSet::load(options.templates_dir));
  std::unique_ptr<LegacyMode> mode(new LegacyMode(options, std::move(templates)));
  std::vector<const Scenario*> list;
  for (const Scenario& s : scenarios) list.push_back(&s);
  UuidGenerator uuids;
  BRIDGE_TRY(mode->plan_, LegacyPlan::build(list, mode->templates_, uuids));
  for (const InjectionSpec& spec : specs) BRIDGE_TRY(mode->plan_.inject(spec, uuids));
  mode->states_.assign(mode->plan_.messages().size(), State::planned);
  return mode;
}

Result<void> LegacyMode::start(Metrics& metrics) {
  BRIDGE_TRY(service_, LegacyService::open(options_.service, plan_.organisations(), metrics));
  thread_ = std::thread([this] { service_->run(); });
  return ok();
}

void LegacyMode::stop() {
  if (thread_.joinable()) {
    service_->stop();
    thread_.join();
  }
}

void LegacyMode::queue_step(const Step& step, LineWriter& log) {
  auto rendered = plan_.render_step(step, format_utc_ms(std::chrono::system_clock::now()));
  Result<int> queued = rendered ? service_->enqueue(rendered.value()) : rendered.error();
  std::lock_guard lock(mutex_);
  if (!rendered || !queued) {
    const Error& e = rendered ? queued.error() : rendered.error();
    for (std::size_t i = 0; i < plan_.messages().size(); ++i) {
      if (plan_.messages()[i].step == &step && !plan_.messages()[i].skipped) {
        states_[i] = State::failed;
      }
    }
    log.line("[" + step.label() + "] legacy: FAILED to queue: " + e.message);
    return;
  }
  std::string what;
  for (const RenderedMessage& m : rendered.value()) {
    states_[static_cast<std::size_t>(m.message - plan_.messages().data())] = State::queued;
    what += (what.empty() ? "" : ", ") + m.message->organisation.path() + " " +
            m.message->operation + (m.message->copy_of ? " (extra)" : "");
  }
  if (!what.empty()) log.line("[" + step.label() + "] legacy: queued " + what);
}

std::vector<std::string> LegacyMode::injection_lines() const {
  std::vector<std::string> out;
  for (const Injection& inj : plan_.injections()) {
    out.push_back("legacy: injection " + inj.to_json().dump());
  }
  return out;
}

int LegacyMode::failures() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(std::count(states_.begin(), states_.end(), State::failed));
}

std::string LegacyMode::summary_text() const {
  std::lock_guard lock(mutex_);
  const auto count = [&](State s) { return std::count(states_.begin(), states_.end(), s); };
  return "legacy: " + std::to_string(count(State::queued)) + " message(s) queued for " +
         std::to_string(plan_.organisations().size()) + " organisation(s) on " +
         service_->service_endpoint() + ", " + std::to_string(count(State::failed)) + " failed; " +
         std::to_string(plan_.injections().size()) + " injection(s)";
}

Json LegacyMode::injections_json() const {
  Json out = Json::array();
  for (const Injection& inj : plan_.injections()) out.push_back(inj.to_json());
  return out;
}

Json LegacyMode::summary_json() const {
  std::lock_guard lock(mutex_);
  Json consumers = Json::array();
  for (const Organisation& o : plan_.organisations()) {
    consumers.push_back(
        Json{{"organisation", o.path()}, {"consumer", LegacyService::consumer_id(o)}});
  }
  Json messages = Json::array();
  std::int64_t queued = 0, failed = 0;
  for (std::size_t i = 0; i < plan_.messages().size(); ++i) {
    const LegacyMessage& m = plan_.messages()[i];
    const char* state = m.skipped                     ? "not_queued"
                        : states_[i] == State::queued ? "queued"
                        : states_[i] == State::failed ? "failed"
                                                      : "not_played";
    queued += states_[i] == State::queued;
    failed += states_[i] == State::failed;
    messages.push_back(Json{{"scenario", m.step->scenario},
                            {"step", m.step->id},
                            {"organisation", m.organisation.path()},
                            {"operation", m.operation},
                            {"indkaldelse", m.step->indkaldelse},
                            {"message_identifier", m.message_identifier},
                            {"extra", m.copy_of.has_value()},
                            {"state", state}});
  }
  return Json{
      {"port", service_->port()},
      {"service_endpoint", service_->service_endpoint()},
      {"db", service_->db_path()},
      {"sub_queues", options_.service.sub_queues},
      {"consumers", std::move(consumers)},
      {"totals", {{"planned", plan_.messages().size()}, {"queued", queued}, {"failed", failed}}},
      {"messages", std::move(messages)}};
}

}  // namespace bridge::sim
