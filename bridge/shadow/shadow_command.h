#pragma once
// `wsrm-bridge shadow`: records what a WsrmService endpoint hands a legacy consumer, for
// comparison runs (docs/shadow.md).

#include <CLI/CLI.hpp>

#include <functional>

namespace bridge::shadow {

// Registers the `shadow` subcommand on `app`; the returned function runs it after parsing and
// returns the exit code (0 ok, 1 an HTTP error, a fault or an unreachable endpoint stopped the
// run, 2 usage or configuration error).
std::function<int()> add_shadow_command(CLI::App& app);

}  // namespace bridge::shadow
