#include "bridge/sim/sim_command.h"

#include <cstdio>

namespace bridge::sim {

std::function<int()> add_sim_command(CLI::App& app) {
  app.add_subcommand("sim", "Play DFDG: serve REST resources and push WSBs (not built yet)");
  return [] {
    std::fprintf(stderr, "wsrm-bridge sim: not built yet\n");
    return 2;
  };
}

}  // namespace bridge::sim
