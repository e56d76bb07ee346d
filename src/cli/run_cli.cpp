#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "cli/commands.hpp"
#include "cli/workers.hpp"
#include "core/context.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"

namespace lg::cli {

int run_cli(int argc, const char* const* argv) {
  CLI::App app{"labelgraph: multi-label classification with label-correlation graphs"};
  app.name("labelgraph");
  app.require_subcommand(1);
  app.set_version_flag("--version", [] {
    const BuildInfo info = build_info();
    return fmt::format("labelgraph {} (git {}, {}, {})", info.version, info.git_revision,
                       info.compiler, info.build_type);
  });
  add_stats_command(app);
  add_synth_command(app);
  add_data_command(app);
  add_run_command(app);
  add_merge_command(app);
  add_eval_command(app);
  add_compare_command(app);
  add_graph_command(app);
  add_train_command(app);
  add_predict_command(app);
  add_synth_images_command(app);
  install_interrupt_handlers();
  set_command_line(argc, argv);
  // What a signal's message names: the --out of any command (run and train name their
  // config's output folder themselves).
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--out" && i + 1 < argc) set_output_description(argv[i + 1]);
    else if (arg.rfind("--out=", 0) == 0) set_output_description(arg.substr(6));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Stopped& e) {
    std::fprintf(stderr, "\nlabelgraph: stopped by %s: %s\n", signal_name(e.signal_number()), e.what());
    return e.exit_code();
  } catch (const CommandExit& e) {
    return e.code;
  } catch (const PeerLost& e) {
    std::fprintf(stderr, "labelgraph: error: %s\n", e.what());
    return kPeerLostExitCode;
  } catch (const Error& e) {
    std::fprintf(stderr, "labelgraph: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "labelgraph: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "labelgraph: error: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace lg::cli
