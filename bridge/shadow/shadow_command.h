#pragma once
// `wsrm-bridge shadow`: records what a WsrmService endpoint hands a legacy consumer, for
// comparison runs (docs/comparison.md, "Recording").

#include <CLI/CLI.hpp>

#include <functional>

namespace bridge::shadow {

// Registers the `shadow` subcommand on `app`; the returned function runs it after parsing and
// returns the exit code (0 ok, 1 findings, 2 usage or configuration error).
std::function<int()> add_shadow_command(CLI::App& app);

}  // namespace bridge::shadow
