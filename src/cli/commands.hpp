#pragma once
// One function per subcommand; each registers its options and callback on the app.
// Callbacks throw lg::Error on bad input; run_cli() prints it on one line and returns 1.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace lg::cli {

void add_stats_command(CLI::App& app);  // labelgraph stats FILE...
void add_synth_command(CLI::App& app);  // labelgraph synth --rows N ...
void add_data_command(CLI::App& app);   // labelgraph data list|verify|fetch
void add_run_command(CLI::App& app);    // labelgraph run CONFIG.toml
void add_merge_command(CLI::App& app);  // labelgraph merge DIR...
void add_eval_command(CLI::App& app);   // labelgraph eval --truth F --scores F ...
void add_compare_command(CLI::App& app);  // labelgraph compare RESULT_DIR... --baseline B
void add_graph_command(CLI::App& app);  // labelgraph graph DATA... --weighting W --out F
void add_train_command(CLI::App& app);  // labelgraph train CONFIG.toml [--algorithm L]
void add_predict_command(CLI::App& app);  // labelgraph predict --model M --data F --out S
void add_synth_images_command(CLI::App& app);  // labelgraph synth-images --kind scenes --out DIR

/// The whole command line, in-process (tests call this). Returns the exit status.
int run_cli(int argc, const char* const* argv);

}  // namespace lg::cli
