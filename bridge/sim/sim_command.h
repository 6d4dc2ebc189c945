#pragma once
// `wsrm-bridge sim`: plays DFDG for demos, tests and training (architecture.md principle 6).

#include <CLI/CLI.hpp>

#include <functional>

namespace bridge::sim {

// Registers the `sim` subcommand on `app`; the returned function runs it after parsing and
// returns the exit code (0 ok, 1 findings, 2 usage or configuration error).
std::function<int()> add_sim_command(CLI::App& app);

}  // namespace bridge::sim
