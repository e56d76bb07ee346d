// Placeholder registration; replaced by the real command.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "core/error.hpp"

namespace lg::cli {

void add_stats_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("stats", "(not built yet)");
  cmd->callback([] { throw Error("'stats' is not implemented yet"); });
}

}  // namespace lg::cli
