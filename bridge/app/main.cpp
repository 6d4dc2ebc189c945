// wsrm-bridge: serves DFDG's retired WSRM SOAP contract to legacy consumers from the new
// Indkaldelse WSB messages. One binary, one subcommand per job; `--help` on each.

#include "bridge/app/commands.h"
#include "bridge/shadow/shadow_command.h"
#include "bridge/sim/sim_command.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <map>

int main(int argc, char** argv) {
  CLI::App app{
      "wsrm-bridge — keeps legacy WSRM SOAP consumers working while DFDG moves to webservice "
      "messages (WSB).\n"
      "Exit codes: 0 ok, 1 findings or threshold exceeded, 2 usage or configuration error."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("wsrm-bridge ") + WSRM_BRIDGE_VERSION);
  std::map<CLI::App*, bridge::app::Runner> runners;
  auto add = [&](bridge::app::Runner (*adder)(CLI::App&)) {
    const std::size_t before = app.get_subcommands({}).size();
    auto runner = adder(app);
    auto subs = app.get_subcommands({});
    runners[subs.at(before)] = std::move(runner);
  };
  add(bridge::app::add_serve_command);
  add(bridge::app::add_queue_command);
  add(bridge::app::add_ingest_command);
  add(bridge::app::add_inbox_command);
  add(bridge::app::add_mappings_command);
  add(bridge::sim::add_sim_command);
  add(bridge::shadow::add_shadow_command);
  add(bridge::app::add_compare_command);
  add(bridge::app::add_report_command);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : bridge::app::kExitUsage;
  }
  try {
    for (auto& [sub, run] : runners) {
      if (sub->parsed()) return run();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wsrm-bridge: internal error: %s\n", e.what());
    return bridge::app::kExitUsage;
  }
  return bridge::app::kExitUsage;
}
