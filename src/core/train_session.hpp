#pragma once
// How one training run keeps and resumes its state: `labelgraph train`'s numbered checkpoints
// and --resume, and the experiment runner's one state file per cell (a killed or stopped grid
// continues a long neural cell from it). Model::fit() trains with the defaults: no checkpoints,
// from scratch.
#include <filesystem>
#include <functional>

namespace lg {

struct TrainSession {
  /// Folder for `checkpoint-epoch-NNN.pt` files; empty = none.
  std::filesystem::path checkpoint_dir;
  /// Write a checkpoint every this many epochs (and after the last); 0 = never.
  int checkpoint_every = 0;
  /// Continue from this checkpoint (same algorithm, parameters and training data); empty = no.
  std::filesystem::path resume;
  /// Print a progress bar on the terminal.
  bool progress = false;
  /// One checkpoint kept current (the runner's cell folder): training continues from it when it
  /// exists and fits (same algorithm, parameters, data and seed; otherwise it starts afresh
  /// with a note), and it is overwritten atomically by the two rules below and when a stop
  /// signal arrives (core/interrupt.hpp), at a batch boundary. Empty = none.
  std::filesystem::path state_file;
  /// state_file: saved after every this many epochs; 0 = not by epochs.
  int state_every_epochs = 0;
  /// state_file: saved at the first batch boundary this many seconds after the last save (or
  /// the start); 0 = not by time.
  double state_every_seconds = 300;
  /// Called after every optimizer step with the epoch being trained (1-based) and the number
  /// of its batches done (1-based), before the stop check (tests inject a stop). Empty = none.
  std::function<void(int epoch, int batch)> after_batch;
};

}  // namespace lg
