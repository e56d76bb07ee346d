#pragma once
// One cell of an experiment: an algorithm trained on one training fold of one data set with
// one seed, scored on the fold's test rows, thresholded and evaluated.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/context.hpp"
#include "core/dataset.hpp"
#include "core/train_session.hpp"
#include "eval/imbalance.hpp"
#include "eval/measures.hpp"
#include "eval/score_curves.hpp"
#include "experiment/config.hpp"
#include "models/model.hpp"
#include "report/training_history.hpp"

namespace lg {

struct CellResult {
  std::string dataset;             ///< data set name
  std::string algorithm;           ///< the algorithm's label
  std::uint64_t seed = 0;          ///< the run's seed
  int fold = 0;                    ///< fold index (0 for a single train/test split)
  Index train_rows = 0;            ///< rows the model was fitted on (after resampling)
  Index test_rows = 0;             ///< rows evaluated
  std::string threshold;           ///< the thresholding spec applied
  eval::EvaluationResult evaluation;  ///< every measure
  eval::ImbalanceReport imbalance;    ///< per label and per frequency bucket
  double fit_seconds = 0;          ///< fit (and, for scut, threshold tuning)
  double predict_seconds = 0;      ///< scoring the test rows
  std::vector<std::string> notes;  ///< what the model and the thresholding did
  /// Searched parameters (key = { search = [...] }) with the values chosen on the training
  /// rows, as text, in the config's order; empty without a search
  std::vector<std::pair<std::string, std::string>> chosen;
  /// Epoch by epoch, for models trained iteratively (the neural ones)
  std::optional<report::TrainingHistory> history;
  /// Parameters and multiply-adds per row / image of a network
  std::optional<models::Model::Cost> cost;
  /// PR curves per frequency bucket and measures against a global threshold, from the test
  /// scores (for figures); absent in records written before they existed
  std::optional<eval::ScoreCurves> curves;
};

/// Train `algorithm` on `train`, score `test`, threshold and evaluate. `train` is the
/// (standardised, resampled) training fold; SCut tunes thresholds on a held-out part of it
/// (evaluation.validation_fraction, split with ctx.seed) and the model is fitted on the rest.
/// `keep` (optional) receives the trained model. With `session`, a neural model trains through
/// fit_resumable (its state file: continue from it, keep it current, save it on a stop signal).
CellResult run_cell(const AlgorithmConfig& algorithm, const Dataset& train, const Dataset& test,
                    const ExperimentConfig& config, const Context& ctx,
                    models::ModelPtr* keep = nullptr, const TrainSession* session = nullptr);

}  // namespace lg
