#pragma once
// What a neural model's training did, epoch by epoch, and its two views: a table (CSV,
// Markdown, ... through report/table.hpp) and a figure of the curves drawn by gnuplot (SVG).
// Plain C++: the trainer in src/nets fills it, the runner and `labelgraph train` write it.
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "report/table.hpp"

namespace lg::report {

struct EpochRecord {
  int epoch = 0;                 ///< 1-based
  double train_loss = 0.0;       ///< mean training loss over the epoch's batches
  /// loss on the validation rows; NaN when the model trains without a validation split
  double validation_loss = std::numeric_limits<double>::quiet_NaN();
  /// mean average precision (macro over labels with a positive) on the validation rows; NaN
  /// without a validation split
  double validation_map = std::numeric_limits<double>::quiet_NaN();
  double learning_rate = 0.0;    ///< the encoder's learning rate during the epoch
  double seconds = 0.0;          ///< wall time of the epoch (training + validation)
};

struct TrainingHistory {
  std::vector<EpochRecord> epochs;  ///< in order, one per finished epoch
  int best_epoch = 0;      ///< the epoch whose weights the model kept (0 = the last one)
  std::string stop_reason; ///< e.g. "max epochs (100)", "early stopping: no gain for 10 epochs"
};

/// Columns: epoch, train loss, validation loss, validation mAP, learning rate, seconds
/// (validation columns empty where NaN). The best epoch's row is marked in a `best` column.
Table history_table(const TrainingHistory& history);

/// Loss curves (train and validation, left axis) and validation mAP (right axis) against the
/// epoch, with the best epoch marked, as an SVG written by gnuplot (gnuplot-nox). `title` goes
/// above the plot. Written through a temporary file renamed into place; throws lg::Error when
/// gnuplot is missing or fails (naming the command and its message) or the history is empty.
void write_history_figure(const TrainingHistory& history, const std::string& title,
                          const std::filesystem::path& svg_path);

}  // namespace lg::report
