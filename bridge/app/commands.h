#pragma once
// The subcommands of the wsrm-bridge binary. Each returns the process exit code:
// 0 ok, 1 findings/threshold exceeded, 2 usage or configuration error.

#include <CLI/CLI.hpp>

namespace bridge::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

// Registers the subcommand's options on `app`; the returned function runs it after parsing.
using Runner = std::function<int()>;
Runner add_serve_command(CLI::App& app);
Runner add_queue_command(CLI::App& app);
Runner add_ingest_command(CLI::App& app);
Runner add_inbox_command(CLI::App& app);
Runner add_mappings_command(CLI::App& app);
Runner add_compare_command(CLI::App& app);
Runner add_report_command(CLI::App& app);

}  // namespace bridge::app
