#include "experiment/param_search.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/random.hpp"
#include "data/split.hpp"
#include "eval/measures.hpp"
#include "eval/thresholding.hpp"
#include "models/registry.hpp"

namespace lg {
SearchOutcome search_parameters(const AlgorithmConfig& algorithm, const Dataset& train,
                                const ExperimentConfig& config, const Context& ctx) {
  if (algorithm.search.empty()) throw Error("search_parameters: '" + algorithm.label + "' searches nothing");
  const SearchConfig& search = config.search;
  const std::string& file = config.source.string();
  // The inner folds: a stream of the cell's seed of their own.
  const std::uint64_t seed = derive_seed(ctx.seed, 0x736561726368ull);  // "search"
  std::vector<Fold> folds;
  try {
    folds = folds_from_assignment(assign_folds(train.labels, search.split, seed), fold_count(search.split));
  } catch (const Error& e) {
    throw Error(file, algorithm.line,
                fmt::format("'{}': the search's inner split of {} training rows failed: {}",
                            algorithm.label, train.rows(), e.message()));
  }
  const eval::ThresholdSpec spec = eval::parse_threshold_spec(config.evaluation.threshold);
  eval::MeasureOptions options;
  options.zero_division = eval::parse_zero_division(config.evaluation.zero_division);
  options.threads = ctx.threads;
  const eval::Direction direction = eval::measure_direction(search.measure);

  // Every combination of the candidates (the last key varies fastest).
  std::vector<std::size_t> sizes;
  for (const auto& [key, values] : algorithm.search) sizes.push_back(values.size());
  const std::vector<std::vector<std::size_t>> combinations = index_combinations(sizes);

  SearchOutcome best;
  double best_value = 0.0;
  bool have_best = false;
  for (const std::vector<std::size_t>& combination : combinations) {
    toml::table params = algorithm.params;
    std::vector<std::pair<std::string, std::string>> values;
    for (std::size_t k = 0; k < combination.size(); ++k) {
      const auto& [key, candidates] = algorithm.search[k];
      const toml::node& v = *candidates.get(combination[k]);
      params.insert_or_assign(key, v);
      values.emplace_back(key, config_value_text(v));
    }
    double sum = 0.0;
    for (const Fold& fold : folds) {
      const Dataset inner_train = select_rows(train, fold.train);
      const Dataset inner_valid = select_rows(train, fold.test);
      models::ModelPtr model = models::make_model(algorithm.name, params, file, algorithm.line);
      model->fit(inner_train, ctx);
      const ScoreMatrix scores = model->predict_scores(inner_valid, ctx);
      eval::ThresholdInputs inputs;
      inputs.train_labels = &inner_train.labels;
      if (spec.kind == eval::ThresholdSpec::Kind::SCut) {  // tuned on the validation part itself
        inputs.validation_truth = &inner_valid.labels;
        inputs.validation_scores = &scores;
      }
      const eval::Thresholds thresholds = eval::fit_thresholds(spec, train.num_labels(), inputs);
      const LabelMatrix predictions = eval::apply_thresholds(thresholds, scores, inputs);
      sum += eval::evaluate(inner_valid.labels, scores, predictions, options).get(search.measure);
    }
    const double mean = sum / static_cast<double>(folds.size());
    std::string point;
    for (const auto& [key, value] : values) point += fmt::format("{}{}={}", point.empty() ? "" : " ", key, value);
    best.notes.push_back(fmt::format("search: {} -> mean {} {:.6g} over {} inner fold(s)", point,
                                     search.measure, mean, folds.size()));
    const bool better = !have_best || (direction == eval::Direction::HigherIsBetter ? mean > best_value
                                                                                    : mean < best_value);
    if (better) {
      have_best = true;
      best_value = mean;
      best.params = std::move(params);
      best.chosen = std::move(values);
    }
  }
  std::string chosen;
  for (const auto& [key, value] : best.chosen) chosen += fmt::format("{}{}={}", chosen.empty() ? "" : " ", key, value);
  best.notes.push_back(fmt::format("search: chose {} ({} {:.6g}; {} inner, on the training rows only)",
                                   chosen, search.measure, best_value,
                                   search.split.method == "holdout"
                                       ? fmt::format("holdout {}", search.split.test_fraction)
                                       : fmt::format("{} {}-fold", search.split.method, search.split.folds)));
  return best;
}

}  // namespace lg
