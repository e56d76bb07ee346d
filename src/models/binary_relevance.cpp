#include "models/binary_relevance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "models/model_file.hpp"

namespace lg::models {

void LearnerParams::validate() const {
  if (learner != "lr" && learner != "svm")
    throw Error(fmt::format("learner must be \"lr\" or \"svm\", got \"{}\"", learner));
  if (!(C > 0) || !std::isfinite(C)) throw Error(fmt::format("C must be > 0, got {}", C));
  if (class_weight != "none" && class_weight != "balanced")
    throw Error(
        fmt::format("class_weight must be \"none\" or \"balanced\", got \"{}\"", class_weight));
  if (!(tol >= 0)) throw Error(fmt::format("tol must be >= 0, got {}", tol));
  if (max_iter < 1) throw Error(fmt::format("max_iter must be >= 1, got {}", max_iter));
}

LinearOptions LearnerParams::options(int threads) const {
  LinearOptions o;
  o.loss = learner == "svm" ? LinearLoss::SquaredHinge : LinearLoss::Logistic;
  o.C = C;
  o.balanced = class_weight == "balanced";
  o.tol = tol;
  o.max_iter = max_iter;
  o.threads = threads;
  return o;
}

std::vector<std::string> fit_notes(const LinearFit& fit, const std::vector<std::string>& names,
                                   int max_iter, const std::string& what) {
  std::vector<std::string> notes;
  Index unconverged = 0;
  for (Index t = 0; t < fit.num_targets(); ++t) {
    const std::size_t i = static_cast<std::size_t>(t);
    const std::string label =
        names.empty() ? fmt::format("label_{}", t) : names[i % names.size()];
    if (fit.constant[i] >= 0) {
      // ecc fits every label once per chain: one note per label
      std::string note = fmt::format("{}label '{}' has no {} in training: constant score {}",
                                     what, label, fit.constant[i] ? "negative" : "positive",
                                     fit.constant[i]);
      if (std::find(notes.begin(), notes.end(), note) == notes.end())
        notes.push_back(std::move(note));
    } else if (!fit.converged[i]) {
      ++unconverged;
    }
  }
  if (unconverged > 0)
    notes.push_back(fmt::format("{}{} of {} linear models stopped at max_iter = {} before "
                                "reaching tol (as scikit-learn's ConvergenceWarning)",
                                what, unconverged, fit.num_targets(), max_iter));
  return notes;
}

void BinaryRelevance::fit(const Dataset& train, const Context& ctx) {
  train.check_consistent();
  LinearProblem problem;
  problem.x = &train;
  problem.targets = &train.labels;
  fit_ = fit_linear(problem, params_.options(ctx.threads));
  notes_ = fit_notes(fit_, train.label_names, params_.max_iter, "");
  fitted_ = true;
}

ScoreMatrix BinaryRelevance::predict_scores(const Dataset& data, const Context& ctx) const {
  if (!fitted_) throw Error("br: predict_scores() called before fit()");
  return linear_scores(data, fit_, ctx.threads);
}

void save_linear_fit(ModelState& state, const std::string& prefix, const LinearFit& fit) {
  state.values()[prefix + ".loss"] = fit.loss == LinearLoss::SquaredHinge ? "squared_hinge" : "logistic";
  state.put(prefix + ".weights", fit.weights);
  state.put(prefix + ".extra_weights", fit.extra_weights);
  state.put(prefix + ".intercept", fit.intercept);
  state.put(prefix + ".constant", fit.constant);
  state.put(prefix + ".iterations", fit.iterations);
  state.put(prefix + ".converged", fit.converged);
}

void load_linear_fit(const ModelState& state, const std::string& prefix, LinearFit& fit) {
  const std::string loss = state.get_value<std::string>(prefix + ".loss");
  if (loss != "logistic" && loss != "squared_hinge")
    throw state.damaged(fmt::format("unknown loss '{}'", loss));
  fit = LinearFit();
  fit.loss = loss == "squared_hinge" ? LinearLoss::SquaredHinge : LinearLoss::Logistic;
  state.get(prefix + ".weights", fit.weights);
  state.get(prefix + ".extra_weights", fit.extra_weights);
  state.get(prefix + ".intercept", fit.intercept);
  state.get(prefix + ".constant", fit.constant);
  state.get(prefix + ".iterations", fit.iterations);
  state.get(prefix + ".converged", fit.converged);
  const Index t = fit.num_targets();
  if (fit.weights.cols() != t || fit.intercept.size() != t || fit.extra_weights.cols() != t ||
      static_cast<Index>(fit.iterations.size()) != t || static_cast<Index>(fit.converged.size()) != t)
    throw state.damaged(fmt::format("the linear fit '{}' has parts of different sizes", prefix));
  for (const int c : fit.constant)
    if (c < -1 || c > 1) throw state.damaged(fmt::format("the linear fit '{}' has a bad constant", prefix));
}

void BinaryRelevance::save_state(ModelState& state) const {
  if (!fitted_) throw Error(state.file(), 0, "br: nothing to save before fit()");
  save_linear_fit(state, "fit", fit_);
}

void BinaryRelevance::load_state(const ModelState& state) {
  load_linear_fit(state, "fit", fit_);
  if (fit_.extra_weights.rows() != 0) throw state.damaged("br has no extra input columns");
  fitted_ = true;
}

}  // namespace lg::models
