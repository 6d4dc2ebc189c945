// `wsrm-bridge compare`: legacy output against bridge output, field by field (docs/comparison.md).

#include "bridge/app/commands.h"

#include <cstdio>

namespace bridge::app {

Runner add_compare_command(CLI::App& app) {
  app.add_subcommand("compare", "Compare a legacy recording with the bridge's output (not built yet)");
  return [] {
    std::fprintf(stderr, "wsrm-bridge compare: not built yet\n");
    return kExitUsage;
  };
}

}  // namespace bridge::app
