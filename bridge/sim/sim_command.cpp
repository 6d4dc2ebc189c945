#include "bridge/sim/sim_command.h"

#include "bridge/core/log.h"
#include "bridge/core/metrics.h"
#include "bridge/sim/generator.h"
#include "bridge/sim/legacy_mode.h"
#include "bridge/sim/rest_server.h"
#include "bridge/sim/runner.h"
#include "bridge/sim/scenario.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

namespace bridge::sim {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitUsage = 2;

struct SimOptions {
  std::vector<std::string> scenarios;
  std::string webhook;
  std::string token;
  std::string rest_host = "127.0.0.1";
  int rest_port = 0;
  std::string rest_prefix;
  std::string rest_token;
  std::string port_file;
  bool serve = false;
  std::string pace = "fetch";
  int pace_timeout_ms = 5000;
  std::int64_t retry_cap_ms = 3 * 3600 * 1000;
  int max_attempts = 8;
  int push_timeout_ms = 10000;
  int concurrency = 4;
  bool generate = false;
  int citizens = 10;
  int events = 50;
  std::uint64_t seed = 1;
  std::string write_scenario;
  std::string summary_json;
  std::string cacert;
  std::string client_cert;
  std::string client_key;
  bool unmask = false;
  bool check = false;
  std::string log_level = "warn";
  // Legacy mode (docs/simulator.md, "Legacy mode"): on when legacy_port >= 0.
  int legacy_port = -1;
  std::string legacy_templates = BRIDGE_SOURCE_DIR "/bridge/sim/legacy";
  std::string legacy_wsdl = BRIDGE_SOURCE_DIR "/wsdl";
  std::string legacy_db;
  std::vector<std::string> legacy_sub_queues{"shadow"};
  std::vector<std::string> injections;
};

constexpr const char* kFooter = R"(
What it does
  Plays DFDG for a bridge under test (docs/simulator.md). For each step of each scenario it
  sets the indkaldelse's state in its own IndkaldelseService REST endpoint, then POSTs the step's
  WSB (application/json, Authorization: Bearer TOKEN) to WEBHOOK/wsb/{orgType}/{orgCode} for
  every recipient of the step. A non-2xx answer or a connection error is retried after
  min(--retry-cap-ms, 2^n - 1 s), like DFDG; meanwhile the citizen's later messages wait, and a
  message given up on (--max-attempts) holds back that citizen's later messages to the same
  recipient. Different citizens are pushed side by side (--concurrency).

REST endpoint (loopback by default; its port is written to --port-file as rest=<port>)
  GET PREFIX/v1/Indkaldelse/{id}            header x-civilregistrationIdentifier: <cpr>
  GET PREFIX/v1/Indkaldelse/historik/{id}   the states so far (JSON array)
  GET PREFIX/v1/Indkaldelse/historik        every history row of the citizen
  GET /_sim/status                          GETs per indkaldelse (JSON)
  400 without the CPR header, 401 with --rest-token and a wrong bearer token, 404 when the id
  is unknown, deleted (resource null), hidden (visible: false) or the CPR is not its citizen's.

Pacing
  --pace fetch: before the next step of the same indkaldelse (and before exiting), wait until
  the bridge has fetched it once per fresh 2xx push of the current step, at most
  --pace-timeout-ms (a time-out is logged, not fatal). --pace none: push as fast as possible.

Scenario files (JSON; full reference in docs/simulator.md)
  {"name", "description", "miljoe", "organisations": {KEY: {"type", "code", "name"}},
   "steps": [{"id", "indkaldelse", "cpr", "aendringstype", "haendelsestype" | "body",
              "registrant": {"org", "brugertype", "brugernavn", "brugeridentifikation",
                             "brugeremail", "kaldende_org", "system_id", "systemnavn"},
              "haendelsestid", "besked_identifier", "korrelations_identifier", "miljoe",
              "layout": "flat"|"pair"|"header_body"|"array", "recipients": [KEY…],
              "resource": {…} | null, "resource_patch": {…}, "visible", "await_fetch",
              "expect": {KEY: ["GetIndkaldelseVersion1", …]}}]}

Legacy mode (--legacy-port N; docs/simulator.md, "Legacy mode")
  Also plays the legacy DFDG WSRM system for the same scenarios: WsrmService (Create/Close/
  TerminateSequence) and WsrmMessageService v11 (the three Get...Version1 operations) on its own
  port, with the bridge's SOAP stack and queue. One consumer per scenario organisation
  (ActiveOrganisationHeader = its type/code) receives all three operations; every message is also
  in each --legacy-sub-queue (default: shadow). Per step, each organisation gets the operations
  the step's "expect" lists, rendered from the templates in --legacy-templates (not from the
  bridge's mapping tables); MessageIdentifier is fresh, MessageQueuedDateTime the time queued.
  With --webhook a step's legacy messages are queued before its push; without it every step is
  queued at once (then --serve keeps serving). --port-file gets a line legacy=<port>.
  --inject KIND[@STEP_ID] (repeatable) makes the legacy side differ on purpose:
    wrong-code        a code element gets another valid code
    missing-element   an optional element of the item is left out
    date-precision    a dateTime is written with fewer fraction digits (the same instant)
    extra-message     one more message: a copy with the event time 1 s later
    missing-message   one message is not queued
  Without @STEP_ID the first applicable message in scenario, step, recipient and operation order
  is hit. Each injection is printed ("legacy: injection {...}") and listed in --summary-json.

Exit codes
  0 every push was answered 2xx in the end; 1 some push failed, was held back or interrupted;
  2 usage or scenario error (the message names the file and the JSON pointer).

Examples
  wsrm-bridge sim --scenario tests/fixtures/scenarios/create.json \
      --webhook http://127.0.0.1:8081 --token secret --port-file sim.ports
  wsrm-bridge sim --generate --citizens 100 --events 1000 --seed 7 --pace none \
      --webhook http://127.0.0.1:8081 --token secret --summary-json run.json
  wsrm-bridge sim --check --scenario tests/fixtures/scenarios/*.json
)";

bool write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.good()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Loads the files and the generated scenario; prints the first problem and returns false.
bool load_all(const SimOptions& o, std::vector<Scenario>& out) {
  for (const std::string& file : o.scenarios) {
    auto loaded = load_scenario_file(file);
    if (!loaded) {
      std::fprintf(stderr, "wsrm-bridge sim: %s\n", loaded.error().message.c_str());
      return false;
    }
    out.push_back(std::move(loaded).value());
  }
  if (o.generate) {
    const Json doc = generate_scenario(GeneratorOptions{o.citizens, o.events, o.seed});
    if (!o.write_scenario.empty() && !write_file(o.write_scenario, doc.dump(2) + "\n")) {
      std::fprintf(stderr, "wsrm-bridge sim: cannot write %s\n", o.write_scenario.c_str());
      return false;
    }
    auto loaded = scenario_from_json(doc, "(generated)");
    if (!loaded) {
      std::fprintf(stderr, "wsrm-bridge sim: %s\n", loaded.error().message.c_str());
      return false;
    }
    out.push_back(std::move(loaded).value());
  }
  std::set<std::string> names;
  for (const Scenario& s : out) {
    // Default BeskedIdentifiers derive from the name: two files of one name would collide.
    if (!names.insert(s.name).second) {
      std::fprintf(stderr, "wsrm-bridge sim: %s: /name: scenario name '%s' is used twice\n",
                   s.file.c_str(), s.name.c_str());
      return false;
    }
  }
  return true;
}

int run_sim(const SimOptions& o) {
  init_logging({"text", o.log_level, !o.unmask});
  if (o.scenarios.empty() && !o.generate) {
    std::fprintf(stderr, "wsrm-bridge sim: give --scenario FILE… and/or --generate\n");
    return kExitUsage;
  }
  std::vector<Scenario> scenarios;
  if (!load_all(o, scenarios)) return kExitUsage;
  std::size_t step_count = 0;
  for (const Scenario& s : scenarios) step_count += s.steps.size();
  const bool legacy_mode = o.legacy_port >= 0;
  if (!legacy_mode && !o.injections.empty()) {
    std::fprintf(stderr, "wsrm-bridge sim: --inject needs legacy mode (--legacy-port N)\n");
    return kExitUsage;
  }
  std::unique_ptr<LegacyMode> legacy;
  if (legacy_mode) {
    LegacyModeOptions lo;
    lo.service = LegacyServiceOptions{o.rest_host, o.legacy_port, o.legacy_db, o.legacy_sub_queues,
                                      o.legacy_wsdl};
    lo.templates_dir = o.legacy_templates;
    lo.injections = o.injections;
    auto prepared = LegacyMode::prepare(lo, scenarios);
    if (!prepared) {
      std::fprintf(stderr, "wsrm-bridge sim: %s\n", prepared.error().message.c_str());
      return kExitUsage;
    }
    legacy = std::move(prepared).value();
  }
  if (o.check) {
    for (const Scenario& s : scenarios) {
      std::printf("ok: %s (%s): %zu step(s)\n", s.file.c_str(), s.name.c_str(), s.steps.size());
    }
    if (legacy) {
      std::printf("ok: legacy: %zu message(s) for %zu organisation(s) render from %s\n",
                  legacy->plan().messages().size(), legacy->plan().organisations().size(),
                  o.legacy_templates.c_str());
    }
    return kExitOk;
  }
  if (o.webhook.empty() && !legacy_mode) {
    if (!o.write_scenario.empty()) return kExitOk;  // only asked for the generated file
    std::fprintf(stderr, "wsrm-bridge sim: --webhook URL is required to push\n");
    return kExitUsage;
  }
  if (!o.webhook.empty() && o.webhook.rfind("http://", 0) != 0 &&
      o.webhook.rfind("https://", 0) != 0) {
    std::fprintf(stderr,
                 "wsrm-bridge sim: --webhook must be an http:// or https:// URL, got '%s'\n",
                 o.webhook.c_str());
    return kExitUsage;
  }

  // SIGTERM/SIGINT are taken by one thread; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  ResourceStore store;
  RestContext rest{store, RestOptions{o.rest_prefix, o.rest_token},
                   soap::ReadLimits{1 << 20, 10000, 30000, 64 * 1024, false}};
  soap::ListenerOptions lo;
  lo.name = "sim-rest";
  lo.host = o.rest_host;
  lo.port = o.rest_port;
  lo.workers = 4;
  Metrics metrics;
  auto listener = soap::Listener::open(lo, &rest, nullptr, &serve_rest_connection, metrics);
  if (!listener) {
    std::fprintf(stderr, "wsrm-bridge sim: %s\n", listener.error().message.c_str());
    return kExitUsage;
  }
  soap::Listener& rest_listener = *listener.value();
  std::thread rest_thread([&] { rest_listener.run(); });
  StopFlag stop;
  std::atomic<bool> finished{false};
  std::thread signal_thread([&] {
    const timespec slice{0, 200 * 1000 * 1000};
    while (!finished) {
      const int sig = sigtimedwait(&signals, nullptr, &slice);
      if (sig > 0) {
        std::fprintf(stderr, "wsrm-bridge sim: signal %d: stopping\n", sig);
        stop.request();
      }
    }
  });
  if (legacy) {
    if (auto started = legacy->start(metrics); !started) {
      std::fprintf(stderr, "wsrm-bridge sim: %s\n", started.error().message.c_str());
      rest_listener.stop();
      rest_thread.join();
      finished = true;
      signal_thread.join();
      return kExitUsage;
    }
  }
  const auto shutdown = [&] {
    if (legacy) legacy->stop();
    rest_listener.stop();
    rest_thread.join();
    finished = true;
    signal_thread.join();
  };

  std::string ports = "rest=" + std::to_string(rest_listener.port()) + "\n";
  if (legacy) ports += "legacy=" + std::to_string(legacy->port()) + "\n";
  if (!o.port_file.empty() && !write_file(o.port_file, ports)) {
    std::fprintf(stderr, "wsrm-bridge sim: cannot write %s\n", o.port_file.c_str());
    shutdown();
    return kExitUsage;
  }
  LineWriter log(stdout);
  log.line("sim: REST on http://" + o.rest_host + ":" + std::to_string(rest_listener.port()) +
           o.rest_prefix + "/v1/Indkaldelse/{id}; " +
           (o.webhook.empty() ? "legacy only: " + std::to_string(step_count) + " step(s) of " +
                                    std::to_string(scenarios.size()) + " scenario(s)"
                              : "pushing " + std::to_string(step_count) + " step(s) of " +
                                    std::to_string(scenarios.size()) + " scenario(s) to " +
                                    o.webhook + " (pace " + o.pace + ")"));
  if (legacy) {
    log.line("sim: legacy WsrmService on http://" + o.rest_host + ":" +
             std::to_string(legacy->port()) + "/WsrmService.svc, " +
             std::to_string(legacy->plan().messages().size()) + " message(s) planned for " +
             std::to_string(legacy->plan().organisations().size()) + " organisation(s)");
    for (const std::string& line : legacy->injection_lines()) log.line(line);
  }

  std::vector<const Step*> steps;
  for (const Scenario& s : scenarios) {
    for (const Step& step : s.steps) steps.push_back(&step);
  }
  RunOptions ro;
  ro.push =
      PushOptions{o.webhook, o.token, o.push_timeout_ms, o.cacert, o.client_cert, o.client_key};
  ro.concurrency = o.concurrency;
  ro.max_attempts = o.max_attempts;
  ro.retry_cap = std::chrono::milliseconds(o.retry_cap_ms);
  ro.pace = o.pace == "none" ? Pace::none : Pace::fetch;
  ro.pace_timeout = std::chrono::milliseconds(o.pace_timeout_ms);
  ro.unmask = o.unmask;

  if (legacy) ro.before_push = [&](const Step& s) { legacy->queue_step(s, log); };

  CurlGlobal curl;
  if (!curl.ok()) {
    std::fprintf(stderr, "wsrm-bridge sim: libcurl could not be initialised\n");
    shutdown();
    return kExitUsage;
  }
  Result<RunReport> report = RunReport{};
  if (o.webhook.empty()) {
    // Legacy only: every step is played at once, in order; nothing is pushed.
    for (const Step* s : steps) {
      if (stop.requested()) break;
      store.apply(*s);
      legacy->queue_step(*s, log);
      report.value().steps.push_back(StepRecord{s, {}, 0, 0, PaceResult::not_awaited, 0});
    }
    report.value().interrupted = stop.requested();
  } else {
    report = run_steps(steps, store, ro, stop, log);
  }
  if (!report) {
    std::fprintf(stderr, "wsrm-bridge sim: %s\n", report.error().message.c_str());
    shutdown();
    return kExitUsage;
  }
  const bool legacy_ok = !legacy || legacy->failures() == 0;
  const int code = report.value().all_delivered() && legacy_ok ? kExitOk : kExitFindings;
  log.line(summary_text(report.value(), store));
  if (legacy) log.line(legacy->summary_text());
  Json summary = summary_json(report.value(), store, code);
  if (legacy) {
    summary["legacy"] = legacy->summary_json();
    summary["injections"] = legacy->injections_json();
  }
  if (!o.summary_json.empty() && !write_file(o.summary_json, summary.dump(2) + "\n")) {
    std::fprintf(stderr, "wsrm-bridge sim: cannot write %s\n", o.summary_json.c_str());
  }
  if (o.serve && !stop.requested()) {
    log.line("sim: serving REST on port " + std::to_string(rest_listener.port()) +
             (legacy ? " and the legacy WsrmService on port " + std::to_string(legacy->port())
                     : std::string()) +
             " until SIGTERM/SIGINT");
    stop.wait();
  }
  shutdown();
  return code;
}

}  // namespace

std::function<int()> add_sim_command(CLI::App& app) {
  auto o = std::make_shared<SimOptions>();
  CLI::App* sub = app.add_subcommand(
      "sim",
      "Play DFDG: serve IndkaldelseService REST resources and push Indkaldelse WSB messages from "
      "scenario files (or generated traffic) to a bridge's webhook, with DFDG's retries.");
  sub->footer(kFooter);
  sub->add_option("--scenario", o->scenarios, "Scenario file(s) (JSON), run in the order given")
      ->check(CLI::ExistingFile);
  sub->add_option("--webhook", o->webhook,
                  "Base URL of the bridge's webhook, e.g. http://127.0.0.1:8081; pushes go to "
                  "URL/wsb/{orgType}/{orgCode}");
  sub->add_option("--token", o->token,
                  "Bearer token sent with every push (omit for a webhook without one)");
  sub->add_option("--rest-host", o->rest_host, "Address of the REST endpoint")
      ->capture_default_str();
  sub->add_option("--rest-port", o->rest_port, "Port of the REST endpoint (0: any free port)")
      ->capture_default_str();
  sub->add_option("--rest-prefix", o->rest_prefix,
                  "Path prefix before /v1/Indkaldelse, e.g. /kontaktforloeb (default: none)");
  sub->add_option("--rest-token", o->rest_token,
                  "Require 'Authorization: Bearer TOKEN' on REST requests (default: none)");
  sub->add_option("--port-file", o->port_file,
                  "Write 'rest=<port>' here once the REST endpoint listens (before pushing)");
  sub->add_flag("--serve", o->serve,
                "Keep serving REST after the pushes until SIGTERM/SIGINT (the exit code still "
                "says whether every push got 2xx)");
  sub->add_option("--pace", o->pace,
                  "fetch: wait for the bridge's GET of each step's state before the next step of "
                  "that indkaldelse; none: push as fast as possible")
      ->check(CLI::IsMember({"fetch", "none"}))
      ->capture_default_str();
  sub->add_option("--pace-timeout-ms", o->pace_timeout_ms,
                  "Longest wait for the bridge's fetch (a time-out is logged, not fatal)")
      ->check(CLI::Range(0, 3600 * 1000))
      ->capture_default_str();
  sub->add_option("--retry-cap-ms", o->retry_cap_ms,
                  "Cap of DFDG's retry delay min(cap, 2^n - 1 s); DFDG's is 3 h, tests use a few "
                  "ms")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3} * 3600 * 1000))
      ->capture_default_str();
  sub->add_option("--max-attempts", o->max_attempts,
                  "Attempts per push before giving up (0: never, as DFDG)")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  sub->add_option("--push-timeout-ms", o->push_timeout_ms,
                  "Time-out of one push (connect + answer)")
      ->check(CLI::Range(1, 3600 * 1000))
      ->capture_default_str();
  sub->add_option("--concurrency", o->concurrency, "Citizens pushed side by side")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_flag("--generate", o->generate,
                "Add a generated scenario of realistic traffic (deterministic in --seed, "
                "--citizens, --events)");
  sub->add_option("--citizens", o->citizens, "Citizens in the generated scenario")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  sub->add_option("--events", o->events, "Steps in the generated scenario")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  sub->add_option("--seed", o->seed, "Seed of the generated scenario")->capture_default_str();
  sub->add_option("--write-scenario", o->write_scenario,
                  "Write the generated scenario to this file (without --webhook: write and exit)");
  sub->add_option("--summary-json", o->summary_json,
                  "Write the run's result per step and push, and the REST counts, as JSON");
  sub->add_option("--cacert", o->cacert, "https webhook: trust this CA certificate (PEM)");
  sub->add_option("--client-cert", o->client_cert,
                  "https webhook: present this client certificate (PEM)");
  sub->add_option("--client-key", o->client_key, "https webhook: key of --client-cert (PEM)");
  sub->add_flag("--unmask", o->unmask, "Show CPR numbers in the log (masked by default)");
  sub->add_flag("--check", o->check, "Only load and validate the scenarios, then exit");
  sub->add_option("--legacy-port", o->legacy_port,
                  "Legacy mode: also serve the legacy WsrmService + WsrmMessageService v11 with "
                  "the items the legacy DFDG WSRM system would queue, on this port (0: any free "
                  "port; written to --port-file as legacy=<port>). Works without --webhook.")
      ->check(CLI::Range(0, 65535));
  sub->add_option("--legacy-templates", o->legacy_templates,
                  "Legacy mode: directory of the item templates (<Operation>.xml, _partials.xml, "
                  "codes.json)")
      ->capture_default_str();
  sub->add_option("--legacy-wsdl", o->legacy_wsdl,
                  "Legacy mode: the contract directory served (?wsdl) and whose SOAPActions are "
                  "checked")
      ->capture_default_str();
  sub->add_option("--legacy-db", o->legacy_db,
                  "Legacy mode: SQLite file of the legacy queue (default: a temporary file, "
                  "removed at exit); an existing file keeps its messages");
  sub->add_option("--legacy-sub-queue", o->legacy_sub_queues,
                  "Legacy mode: sub-queue (SubQueueIdentifier) that also gets every message; "
                  "repeatable (default: shadow)")
      ->allow_extra_args(false);
  sub->add_option("--inject", o->injections,
                  "Legacy mode: make the legacy side differ on purpose, KIND[@STEP_ID] with KIND "
                  "wrong-code, missing-element, date-precision, extra-message or missing-message "
                  "(repeatable; without @STEP_ID: the first applicable message)")
      ->allow_extra_args(false);
  sub->add_option("--log-level", o->log_level,
                  "Level of the diagnostic log on stderr (info shows every REST request)")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  return [o] { return run_sim(*o); };
}

}  // namespace bridge::sim
