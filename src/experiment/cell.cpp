#include "experiment/cell.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "data/split.hpp"
#include "eval/thresholding.hpp"
#include "experiment/param_search.hpp"
#include "io/image_dataset.hpp"
#include "models/registry.hpp"

namespace lg {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// The test rows' "difficult" marks (VOC), which evaluation leaves out as the reference does;
/// empty when the data has none.
LabelMatrix difficult_entries(const Dataset& test) {
  if (!test.has_images() || test.images->difficult.size() == 0) return {};
  LabelMatrix mask(test.rows(), test.num_labels());
  for (Index i = 0; i < test.rows(); ++i)
    mask.row(i) = test.images->difficult.row(test.image_rows[static_cast<std::size_t>(i)]);
  return mask;
}

}  // namespace

CellResult run_cell(const AlgorithmConfig& algorithm, const Dataset& train, const Dataset& test,
                    const ExperimentConfig& config, const Context& ctx, models::ModelPtr* keep,
                    const TrainSession* session) {
  CellResult cell;
  cell.algorithm = algorithm.label;
  cell.seed = ctx.seed;
  cell.test_rows = test.rows();
  const eval::ThresholdSpec spec = eval::parse_threshold_spec(config.evaluation.threshold);
  cell.threshold = spec.to_string();
  const std::string& file = config.source.string();
  models::ModelPtr model;
  if (algorithm.search.empty()) {
    model = models::make_model(algorithm.name, algorithm.params, file, algorithm.line);
  } else {
    // Chosen on the training rows only (SCut's held-out part included); `test` is not seen.
    SearchOutcome outcome = search_parameters(algorithm, train, config, ctx);
    model = models::make_model(algorithm.name, outcome.params, file, algorithm.line);
    cell.chosen = std::move(outcome.chosen);
    for (std::string& note : outcome.notes) cell.notes.push_back(std::move(note));
  }

  const auto fit_start = std::chrono::steady_clock::now();
  eval::Thresholds thresholds;
  eval::ThresholdInputs inputs;
  inputs.train_labels = &train.labels;
  if (spec.kind == eval::ThresholdSpec::Kind::SCut) {
    // Tune on rows the model has not seen: hold out a random part of the training fold.
    SplitSpec holdout;
    holdout.method = "holdout";
    holdout.test_fraction = config.evaluation.validation_fraction;
    const std::vector<Fold> parts =
        folds_from_assignment(assign_folds(train.labels, holdout, ctx.seed), fold_count(holdout));
    const Dataset fit_part = select_rows(train, parts[0].train);
    const Dataset validation = select_rows(train, parts[0].test);
    if (session) model->fit_resumable(fit_part, ctx, *session);
    else model->fit(fit_part, ctx);
    const ScoreMatrix validation_scores = model->predict_scores(validation, ctx);
    inputs.validation_truth = &validation.labels;
    inputs.validation_scores = &validation_scores;
    thresholds = eval::fit_thresholds(spec, train.num_labels(), inputs);
    inputs.validation_truth = nullptr;
    inputs.validation_scores = nullptr;
    cell.train_rows = fit_part.rows();
    cell.notes.push_back(fmt::format("scut: thresholds tuned on {} held-out training rows, the "
                                     "model fitted on the other {}",
                                     validation.rows(), fit_part.rows()));
  } else {
    if (session) model->fit_resumable(train, ctx, *session);
    else model->fit(train, ctx);
    thresholds = eval::fit_thresholds(spec, train.num_labels(), inputs);
    cell.train_rows = train.rows();
  }
  cell.fit_seconds = seconds_since(fit_start);

  const auto predict_start = std::chrono::steady_clock::now();
  const ScoreMatrix scores = model->predict_scores(test, ctx);
  cell.predict_seconds = seconds_since(predict_start);
  if (scores.rows() != test.rows() || scores.cols() != test.num_labels())
    throw Error(fmt::format("algorithm '{}' returned {} x {} scores for {} rows and {} labels",
                            algorithm.label, scores.rows(), scores.cols(), test.rows(),
                            test.num_labels()));
  const LabelMatrix predictions = eval::apply_thresholds(thresholds, scores, inputs);

  eval::MeasureOptions options;
  options.zero_division = eval::parse_zero_division(config.evaluation.zero_division);
  options.threads = ctx.threads;
  const LabelMatrix difficult = difficult_entries(test);
  options.ignore = &difficult;
  cell.evaluation = eval::evaluate(test.labels, scores, predictions, options);
  eval::BucketOptions buckets;
  buckets.edges = config.evaluation.bucket_edges;
  if (buckets.edges.size() != 2) {  // names for other bucket counts: b1 (rarest) .. bK
    buckets.names.clear();
    for (std::size_t b = 0; b <= buckets.edges.size(); ++b)
      buckets.names.push_back(fmt::format("b{}", b + 1));
  }
  cell.imbalance = eval::imbalance_report(cell.evaluation, train.labels, train.label_names, buckets);
  eval::CurveOptions curve_options;
  curve_options.zero_division = options.zero_division;
  curve_options.ignore = &difficult;
  std::vector<std::string> bucket_names;
  for (const eval::BucketSummary& b : cell.imbalance.buckets) bucket_names.push_back(b.name);
  std::vector<int> label_bucket;
  for (const eval::LabelRow& row : cell.imbalance.labels)
    label_bucket.push_back(static_cast<int>(
        std::find(bucket_names.begin(), bucket_names.end(), row.bucket) - bucket_names.begin()));
  cell.curves = eval::score_curves(test.labels, scores, label_bucket, bucket_names, curve_options);
  for (const std::string& n : model->notes()) cell.notes.push_back(n);
  if (const report::TrainingHistory* history = model->training_history()) cell.history = *history;
  cell.cost = model->cost();
  if (keep) *keep = std::move(model);
  return cell;
}

}  // namespace lg
