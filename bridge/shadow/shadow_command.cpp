#include "bridge/shadow/shadow_command.h"

#include <cstdio>

namespace bridge::shadow {

std::function<int()> add_shadow_command(CLI::App& app) {
  app.add_subcommand("shadow", "Record a WsrmService endpoint's messages as a legacy consumer "
                               "would receive them (not built yet)");
  return [] {
    std::fprintf(stderr, "wsrm-bridge shadow: not built yet\n");
    return 2;
  };
}

}  // namespace bridge::shadow
